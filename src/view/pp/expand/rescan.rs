//! The general way of expanding a condition: contexts, painted names,
//! arguments as ranges and frames on an explicit stack (see the parent
//! module for why).

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::super::ir::Macro;
use super::super::lex::{self, Interner, Sym, TokKind};
use super::{is_has_operator, over_budget, truth, BuildSymHasher, Expander, PTok};

mod substitute;

use substitute::Body;

/// `condition` fully macro-replaced, `defined` and `__has_*` resolved.
pub(super) fn expand(expander: &Expander, condition: Vec<PTok>) -> Result<Vec<PTok>, String> {
    Expansion::new(expander, condition).run()
}

/// Tokens being rescanned: the condition, a macro's replacement or an
/// argument.
struct Buffer {
    tokens: Vec<PTok>,
    /// The index of each `(`'s matching `)` ([`UNMATCHED`] for other tokens
    /// and for a `(` closed after the buffer's end), computed the first time
    /// arguments are collected in the buffer.
    closing: OnceCell<Vec<u32>>,
}

const UNMATCHED: u32 = u32::MAX;

impl Buffer {
    fn new(tokens: Vec<PTok>) -> Rc<Buffer> {
        Rc::new(Buffer {
            tokens,
            closing: OnceCell::new(),
        })
    }

    fn closing(&self) -> &[u32] {
        self.closing.get_or_init(|| {
            let mut closing = vec![UNMATCHED; self.tokens.len()];
            let mut open = Vec::new();
            for (index, token) in self.tokens.iter().enumerate() {
                match token.kind {
                    TokKind::Punct("(") => open.push(index),
                    TokKind::Punct(")") => {
                        if let Some(at) = open.pop() {
                            closing[at] = u32::try_from(index).unwrap_or(UNMATCHED);
                        }
                    }
                    _ => {}
                }
            }
            closing
        })
    }
}

/// A range of a buffer being read, and the macro whose replacement it is
/// (disabled while the context is on the stack).
struct Context {
    buffer: Rc<Buffer>,
    pos: usize,
    end: usize,
    replacing: Option<Sym>,
}

/// An argument as written: a range of the buffer it was read from.
struct Arg {
    buffer: Rc<Buffer>,
    start: usize,
    end: usize,
}

impl Arg {
    fn tokens(&self) -> &[PTok] {
        &self.buffer.tokens[self.start..self.end]
    }
}

/// A function-like macro's invocation, its arguments being expanded.
struct Call<'a> {
    definition: &'a Macro,
    /// The macro's name where it is invoked.
    name: PTok,
    args: Vec<Arg>,
    /// The arguments fully macro-replaced (C11 6.10.3.1), for the
    /// parameters the body uses outside `#` and `##`.
    expanded: Vec<Option<Vec<PTok>>>,
}

/// Tokens being expanded into `output`: the condition, or one argument of
/// a call.
struct Frame<'a> {
    /// `contexts[base..]` are what the frame reads: an argument is expanded
    /// on top of the contexts it was read in, whose macros stay disabled.
    base: usize,
    output: Vec<PTok>,
    /// The call and the index of the argument this frame expands.
    call: Option<(Call<'a>, usize)>,
}

/// The state of one condition's expansion.
struct Expansion<'e, 't, 'a> {
    expander: &'e Expander<'t, 'a>,
    contexts: Vec<Context>,
    disabled: HashSet<Sym, BuildSymHasher>,
    frames: Vec<Frame<'a>>,
    /// [`Body`] of each function-like macro invoked, by name (the table
    /// does not change during a condition).
    bodies: HashMap<Sym, Rc<Body>, BuildSymHasher>,
    steps: usize,
}

impl<'e, 't, 'a> Expansion<'e, 't, 'a> {
    fn new(expander: &'e Expander<'t, 'a>, condition: Vec<PTok>) -> Self {
        let end = condition.len();
        Expansion {
            expander,
            contexts: vec![Context {
                buffer: Buffer::new(condition),
                pos: 0,
                end,
                replacing: None,
            }],
            disabled: HashSet::default(),
            frames: vec![Frame {
                base: 0,
                output: Vec::new(),
                call: None,
            }],
            bodies: HashMap::default(),
            steps: 0,
        }
    }

    fn run(mut self) -> Result<Vec<PTok>, String> {
        loop {
            if let Some(token) = self.next()? {
                self.token(token)?;
                continue;
            }
            let Some(frame) = self.frames.pop() else {
                unreachable!("the condition's frame is the last to end");
            };
            match frame.call {
                None => return Ok(frame.output),
                Some((mut call, index)) => {
                    call.expanded[index] = Some(frame.output);
                    self.continue_call(call, index + 1)?;
                }
            }
        }
    }

    fn step(&mut self, steps: usize) -> Result<(), String> {
        self.steps += steps;
        if self.steps > self.expander.budget {
            return Err(over_budget(self.expander.budget));
        }
        Ok(())
    }

    fn frame(&mut self) -> &mut Frame<'a> {
        self.frames.last_mut().expect("a frame is being expanded")
    }

    fn emit(&mut self, token: PTok) {
        self.frame().output.push(token);
    }

    /// The current frame's next token as written (not expanded); `None` at
    /// the frame's end. Contexts read to their end are left, which enables
    /// their macros again.
    fn next(&mut self) -> Result<Option<PTok>, String> {
        let base = self.frames.last().map_or(0, |frame| frame.base);
        while self.contexts.len() > base {
            let context = self.contexts.last_mut().expect("above the base");
            if context.pos < context.end {
                let token = context.buffer.tokens[context.pos].clone();
                context.pos += 1;
                self.step(1)?;
                return Ok(Some(token));
            }
            self.leave_context();
        }
        Ok(None)
    }

    /// The current frame's next token, left to be read.
    fn peek(&self) -> Option<&PTok> {
        let base = self.frames.last().map_or(0, |frame| frame.base);
        self.contexts[base..]
            .iter()
            .rev()
            .find(|context| context.pos < context.end)
            .map(|context| &context.buffer.tokens[context.pos])
    }

    fn leave_context(&mut self) {
        if let Some(Context {
            replacing: Some(sym),
            ..
        }) = self.contexts.pop()
        {
            self.disabled.remove(&sym);
        }
    }

    fn enter_context(&mut self, sym: Sym, replacement: Vec<PTok>) {
        self.disabled.insert(sym);
        let end = replacement.len();
        self.contexts.push(Context {
            buffer: Buffer::new(replacement),
            pos: 0,
            end,
            replacing: Some(sym),
        });
    }

    /// Expands one token read from the current frame.
    fn token(&mut self, mut token: PTok) -> Result<(), String> {
        let expander = self.expander;
        let TokKind::Ident(sym) = token.kind else {
            self.emit(token);
            return Ok(());
        };
        if token.painted {
            self.emit(token);
            return Ok(());
        }
        let name = expander.interner.name(sym);
        if name == "defined" {
            let defined = self.defined_operand()?;
            self.emit(truth(defined));
            return Ok(());
        }
        if is_has_operator(name) && !expander.macros.contains_key(&sym) {
            let value = self.has_operator(name)?;
            self.emit(truth(value));
            return Ok(());
        }
        let Some(&definition) = expander.macros.get(&sym) else {
            self.emit(token);
            return Ok(());
        };
        if self.disabled.contains(&sym) {
            token.painted = true;
            self.emit(token);
            return Ok(());
        }
        let Some(params) = &definition.params else {
            let replacement = self.substitute(definition, &token, &[], &[])?;
            self.enter_context(sym, replacement);
            return Ok(());
        };
        if !matches!(self.peek().map(|t| &t.kind), Some(TokKind::Punct("("))) {
            self.emit(token);
            return Ok(());
        }
        let args = self.collect_args(definition)?;
        let call = Call {
            definition,
            name: token,
            expanded: params.iter().map(|_| None).collect(),
            args,
        };
        self.continue_call(call, 0)
    }

    /// Expands the call's arguments from `from` on that its body needs
    /// expanded (each in a frame of its own, after which this is called
    /// again), then enters the call's replacement.
    fn continue_call(&mut self, call: Call<'a>, from: usize) -> Result<(), String> {
        let body = self.body(call.definition);
        if let Some(index) = (from..call.args.len()).find(|&index| body.expanded[index]) {
            let arg = &call.args[index];
            let base = self.contexts.len();
            self.contexts.push(Context {
                buffer: Rc::clone(&arg.buffer),
                pos: arg.start,
                end: arg.end,
                replacing: None,
            });
            self.frames.push(Frame {
                base,
                output: Vec::new(),
                call: Some((call, index)),
            });
            return Ok(());
        }
        let replacement =
            self.substitute(call.definition, &call.name, &call.args, &call.expanded)?;
        self.enter_context(call.definition.name, replacement);
        Ok(())
    }

    fn body(&mut self, definition: &Macro) -> Rc<Body> {
        Rc::clone(
            self.bodies
                .entry(definition.name)
                .or_insert_with(|| Rc::new(Body::of(definition))),
        )
    }

    /// `defined X` or `defined ( X )`.
    fn defined_operand(&mut self) -> Result<bool, String> {
        let parenthesized = matches!(self.peek().map(|t| &t.kind), Some(TokKind::Punct("(")));
        if parenthesized {
            self.next()?;
        }
        let Some(TokKind::Ident(sym)) = self.next()?.map(|t| t.kind) else {
            return Err("operator \"defined\" requires an identifier".into());
        };
        if parenthesized && !matches!(self.next()?.map(|t| t.kind), Some(TokKind::Punct(")"))) {
            return Err("missing ')' after \"defined\"".into());
        }
        let expander = self.expander;
        Ok(expander.macros.contains_key(&sym)
            || expander
                .oracle
                .compiler()
                .defines_operator(expander.interner.name(sym)))
    }

    /// `__has_attribute(x)` and friends, answered for the built-in compiler.
    fn has_operator(&mut self, operator: &str) -> Result<bool, String> {
        if !matches!(self.next()?.map(|t| t.kind), Some(TokKind::Punct("("))) {
            return Err(format!("missing '(' after \"{operator}\""));
        }
        let interner = self.expander.interner;
        let mut depth = 1usize;
        let mut spelled = String::new();
        let mut first = None;
        while let Some(token) = self.next()? {
            match token.kind {
                TokKind::Punct("(") => depth += 1,
                TokKind::Punct(")") => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            first.get_or_insert_with(|| token.kind.clone());
            spelled.push_str(&lex::spell(&token.kind, interner));
        }
        if depth != 0 {
            return Err(format!("missing ')' after \"{operator}\""));
        }
        let argument = spelled.trim_matches('_').to_string();
        Ok(match operator {
            "__has_include" => match first {
                Some(TokKind::Str(_)) => self
                    .expander
                    .oracle
                    .has_include(spelled.trim_matches('"'), false),
                _ => self
                    .expander
                    .oracle
                    .has_include(spelled.trim_start_matches('<').trim_end_matches('>'), true),
            },
            "__has_attribute" | "__has_c_attribute" => {
                self.expander.oracle.compiler().has_attribute(&argument)
            }
            "__has_builtin" => self.expander.oracle.compiler().has_builtin(&spelled),
            // No profile enables a sanitizer: every `__has_feature` the
            // headers ask (of clang) is false.
            _ => false,
        })
    }

    /// The arguments of a call of `definition`, whose `(` is the current
    /// frame's next token. When the `)` is in the same buffer, the
    /// arguments are ranges of it, found by jumping over nested
    /// parentheses; otherwise (a call spread over a replacement and what
    /// follows it) they are copied token by token.
    fn collect_args(&mut self, definition: &Macro) -> Result<Vec<Arg>, String> {
        // Leave the contexts read to their end, as reading `(` would.
        while self
            .contexts
            .last()
            .is_some_and(|context| context.pos >= context.end)
        {
            self.leave_context();
        }
        let context = self.contexts.last().expect("the `(` was peeked");
        let open = context.pos;
        let close = context.buffer.closing()[open];
        let mut args = if close != UNMATCHED && (close as usize) < context.end {
            let buffer = Rc::clone(&context.buffer);
            self.contexts.last_mut().expect("the `(` was peeked").pos = close as usize + 1;
            self.split_args(definition, buffer, open, close as usize)?
        } else {
            self.copy_args(definition)?
        };
        let params = definition.params.as_deref().unwrap_or(&[]);
        if params.is_empty() && args.len() == 1 && args[0].start == args[0].end {
            args.clear();
        }
        if definition.variadic && args.len() + 1 == params.len() {
            let buffer = Buffer::new(Vec::new());
            args.push(Arg {
                buffer,
                start: 0,
                end: 0,
            });
        }
        if args.len() != params.len() {
            return Err(format!(
                "macro \"{}\" takes {} argument(s), {} given",
                self.expander.interner.name(definition.name),
                params.len(),
                args.len()
            ));
        }
        Ok(args)
    }

    /// Whether a `,` at the arguments' top level after `args` arguments
    /// separates them (not within a variadic macro's last argument).
    fn separates(definition: &Macro, args: usize) -> bool {
        let params = definition.params.as_deref().unwrap_or(&[]);
        !(definition.variadic && args + 1 == params.len())
    }

    /// The arguments between `open` and `close` in `buffer`.
    fn split_args(
        &mut self,
        definition: &Macro,
        buffer: Rc<Buffer>,
        open: usize,
        close: usize,
    ) -> Result<Vec<Arg>, String> {
        let closing = buffer.closing();
        let mut args = Vec::new();
        let mut start = open + 1;
        let mut at = open + 1;
        let mut scanned = 0;
        while at < close {
            scanned += 1;
            match buffer.tokens[at].kind {
                TokKind::Punct("(") => at = closing[at] as usize,
                TokKind::Punct(",") if Self::separates(definition, args.len()) => {
                    args.push(Arg {
                        buffer: Rc::clone(&buffer),
                        start,
                        end: at,
                    });
                    start = at + 1;
                }
                _ => {}
            }
            at += 1;
        }
        self.step(scanned + 2)?;
        args.push(Arg {
            buffer: Rc::clone(&buffer),
            start,
            end: close,
        });
        Ok(args)
    }

    /// The arguments read token by token (the `(` first), each copied into
    /// a buffer of its own.
    fn copy_args(&mut self, definition: &Macro) -> Result<Vec<Arg>, String> {
        self.next()?;
        let mut args: Vec<Vec<PTok>> = vec![Vec::new()];
        let mut depth = 0usize;
        loop {
            let Some(token) = self.next()? else {
                return Err(format!(
                    "unterminated argument list invoking macro \"{}\"",
                    self.expander.interner.name(definition.name)
                ));
            };
            match token.kind {
                TokKind::Punct("(") => depth += 1,
                TokKind::Punct(")") if depth == 0 => break,
                TokKind::Punct(")") => depth -= 1,
                TokKind::Punct(",")
                    if depth == 0 && Self::separates(definition, args.len() - 1) =>
                {
                    args.push(Vec::new());
                    continue;
                }
                _ => {}
            }
            if let Some(last) = args.last_mut() {
                last.push(token);
            }
        }
        Ok(args
            .into_iter()
            .map(|tokens| {
                let end = tokens.len();
                Arg {
                    buffer: Buffer::new(tokens),
                    start: 0,
                    end,
                }
            })
            .collect())
    }
}
