//! Macro expansion of a `#if` line, with hide sets (Prosser's algorithm):
//! object-like and function-like macros, `#`, `##`, variadic arguments,
//! `defined` and the `__has_*` operators.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, LazyLock};

use super::ir::Macro;
use super::lex::{self, Interner, Sym, TokKind, Token};
use crate::view::profile::{self, Compiler};

/// The macros defined at a point of the walk.
pub type MacroTable<'a> = HashMap<Sym, &'a Macro, BuildSymHasher>;

/// Symbols are small dense integers: hashing them is the identity.
#[derive(Default, Clone, Copy)]
pub struct BuildSymHasher;

#[derive(Default)]
pub struct SymHasher(u64);

impl std::hash::Hasher for SymHasher {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n);
    }
}

impl std::hash::BuildHasher for BuildSymHasher {
    type Hasher = SymHasher;
    fn build_hasher(&self) -> SymHasher {
        SymHasher(0)
    }
}

/// A token during expansion: its kind and the macros it may not expand.
#[derive(Clone, Debug)]
pub struct PTok {
    pub kind: TokKind,
    pub space_before: bool,
    /// Small: the macros a token came through (rarely more than four), kept
    /// inline rather than allocated for every token of every expansion.
    hide: HideSet,
}

impl PTok {
    /// Whether the token came from expanding the macro `sym` (it is in the
    /// token's hide set): how a value derived from `Py_LIMITED_API` is told
    /// apart from the constants it is compared with.
    pub fn expanded_from(&self, sym: Sym) -> bool {
        self.hide.contains(&sym)
    }

    /// A token of the headers, as expansion begins with it.
    fn of(token: &Token) -> PTok {
        PTok {
            kind: token.kind.clone(),
            space_before: token.space_before,
            hide: HideSet::new(),
        }
    }

    /// A token with an empty hide set.
    pub fn plain(kind: TokKind) -> PTok {
        PTok {
            kind,
            space_before: false,
            hide: HideSet::new(),
        }
    }
}

/// Answers the `__has_*` operators of `#if`.
pub trait Oracle {
    /// `__has_include("name")` / `__has_include(<name>)`.
    fn has_include(&self, name: &str, system: bool) -> bool;

    /// The compiler that answers `defined(__has_attribute)`,
    /// `__has_attribute(x)` and `__has_builtin(x)`: gcc 12 unless the
    /// platform's profile says otherwise.
    fn compiler(&self) -> &'static Compiler {
        &profile::GCC
    }
}

/// Expansion of one `#if` expression.
pub struct Expander<'t, 'a> {
    pub macros: &'t MacroTable<'a>,
    pub interner: &'t Interner,
    pub oracle: &'t dyn Oracle,
    /// Guards against runaway expansion of pathological input.
    budget: usize,
    /// Nesting of argument pre-expansion, bounded for the same reason.
    depth: usize,
}

/// The `__has_*` operators the expander answers (through the [`Oracle`]'s
/// compiler).
const HAS_OPERATORS: [&str; 6] = [
    "__has_attribute",
    "__has_builtin",
    "__has_feature",
    "__has_c_attribute",
    "__has_cpp_attribute",
    "__has_include",
];

/// Whether `name` is one of [`HAS_OPERATORS`].
fn is_has_operator(name: &str) -> bool {
    name.starts_with("__has") && HAS_OPERATORS.contains(&name)
}

impl<'t, 'a> Expander<'t, 'a> {
    pub fn new(macros: &'t MacroTable<'a>, interner: &'t Interner, oracle: &'t dyn Oracle) -> Self {
        Expander {
            macros,
            interner,
            oracle,
            budget: 100_000,
            depth: 0,
        }
    }

    /// Expands an `#if` line, resolving `defined` and `__has_*`.
    pub fn expand_condition(&mut self, tokens: &[Token]) -> Result<Vec<PTok>, String> {
        match self.expand_simple_condition(tokens) {
            Some(expanded) => Ok(expanded),
            None => self.expand_condition_in_general(tokens),
        }
    }

    /// [`Expander::expand_condition`] the general way, whatever the
    /// condition.
    fn expand_condition_in_general(&mut self, tokens: &[Token]) -> Result<Vec<PTok>, String> {
        self.expand(tokens.iter().map(PTok::of).collect(), true)
    }

    /// The expansion of a condition whose names are each `defined`'s
    /// operand, not a macro, or an object-like macro that stands for one
    /// number (`Py_LIMITED_API`, `SIZEOF_VOID_P`): what [`Expander::expand`]
    /// gives, without its work queue. `None` for any other condition.
    ///
    /// Most conditions of every view are of this kind; expanding them the
    /// general way was most of the cost of evaluating a view.
    fn expand_simple_condition(&self, tokens: &[Token]) -> Option<Vec<PTok>> {
        let mut output = Vec::with_capacity(tokens.len());
        let mut rest = tokens.iter();
        // The steps the general way would take (a token, and a macro's
        // number): past its budget, it fails, and so the condition is left
        // to it.
        let mut steps = 0;
        while let Some(token) = rest.next() {
            steps += 1;
            if steps > self.budget {
                return None;
            }
            let TokKind::Ident(sym) = token.kind else {
                output.push(PTok::of(token));
                continue;
            };
            let name = self.interner.name(sym);
            if name == "defined" {
                let operand = match rest.next().map(|t| &t.kind) {
                    Some(TokKind::Ident(operand)) => *operand,
                    Some(TokKind::Punct("(")) => match (rest.next(), rest.next()) {
                        (Some(operand), Some(close)) if close.kind == TokKind::Punct(")") => {
                            let TokKind::Ident(operand) = operand.kind else {
                                return None;
                            };
                            operand
                        }
                        _ => return None,
                    },
                    _ => return None,
                };
                let defined = self.macros.contains_key(&operand)
                    || self
                        .oracle
                        .compiler()
                        .defines_operator(self.interner.name(operand));
                output.push(truth(defined));
                continue;
            }
            if name.starts_with("__has") {
                return None;
            }
            let Some(definition) = self.macros.get(&sym) else {
                output.push(PTok::of(token));
                continue;
            };
            steps += 1;
            if steps > self.budget {
                return None;
            }
            match (&definition.params, definition.body.as_slice()) {
                (None, [body]) if matches!(body.kind, TokKind::Number(_)) => output.push(PTok {
                    kind: body.kind.clone(),
                    space_before: token.space_before,
                    hide: smallvec::smallvec![sym],
                }),
                _ => return None,
            }
        }
        Some(output)
    }

    fn expand(&mut self, input: VecDeque<PTok>, condition: bool) -> Result<Vec<PTok>, String> {
        if self.depth >= 256 {
            return Err("macro arguments nested too deeply".into());
        }
        self.depth += 1;
        let result = self.expand_inner(input, condition);
        self.depth -= 1;
        result
    }

    fn expand_inner(
        &mut self,
        mut input: VecDeque<PTok>,
        condition: bool,
    ) -> Result<Vec<PTok>, String> {
        let mut output = Vec::new();
        while let Some(token) = input.pop_front() {
            if self.budget == 0 {
                return Err("macro expansion does not terminate".into());
            }
            self.budget -= 1;
            let TokKind::Ident(sym) = token.kind else {
                output.push(token);
                continue;
            };
            let name = self.interner.name(sym);
            if condition && name == "defined" {
                let defined = self.defined_operand(&mut input)?;
                output.push(truth(defined));
                continue;
            }
            if condition && is_has_operator(name) && !self.macros.contains_key(&sym) {
                let value = self.has_operator(name, &mut input)?;
                output.push(truth(value));
                continue;
            }
            let Some(&definition) = self.macros.get(&sym) else {
                output.push(token);
                continue;
            };
            if token.hide.contains(&sym) {
                output.push(token);
                continue;
            }
            let mut hide = token.hide.clone();
            hide.push(sym);
            let replacement = match &definition.params {
                None => substitute(definition, &[], &hide, self)?,
                Some(_) => {
                    if !matches!(
                        input.front(),
                        Some(PTok {
                            kind: TokKind::Punct("("),
                            ..
                        })
                    ) {
                        output.push(token);
                        continue;
                    }
                    let args = collect_args(&mut input, definition, self.interner)?;
                    substitute(definition, &args, &hide, self)?
                }
            };
            for (index, mut replaced) in replacement.into_iter().enumerate().rev() {
                if index == 0 {
                    replaced.space_before = token.space_before;
                }
                input.push_front(replaced);
            }
        }
        Ok(output)
    }

    /// `defined X` or `defined ( X )`.
    fn defined_operand(&self, input: &mut VecDeque<PTok>) -> Result<bool, String> {
        let parenthesized = matches!(input.front().map(|t| &t.kind), Some(TokKind::Punct("(")));
        if parenthesized {
            input.pop_front();
        }
        let Some(TokKind::Ident(sym)) = input.pop_front().map(|t| t.kind) else {
            return Err("operator \"defined\" requires an identifier".into());
        };
        if parenthesized && !matches!(input.pop_front().map(|t| t.kind), Some(TokKind::Punct(")")))
        {
            return Err("missing ')' after \"defined\"".into());
        }
        Ok(self.macros.contains_key(&sym)
            || self
                .oracle
                .compiler()
                .defines_operator(self.interner.name(sym)))
    }

    /// `__has_attribute(x)` and friends, answered for the built-in compiler.
    fn has_operator(&self, operator: &str, input: &mut VecDeque<PTok>) -> Result<bool, String> {
        if !matches!(input.pop_front().map(|t| t.kind), Some(TokKind::Punct("("))) {
            return Err(format!("missing '(' after \"{operator}\""));
        }
        let mut depth = 1usize;
        let mut spelled = String::new();
        let mut first = None;
        while let Some(token) = input.pop_front() {
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
            spelled.push_str(&lex::spell(&token.kind, self.interner));
        }
        if depth != 0 {
            return Err(format!("missing ')' after \"{operator}\""));
        }
        let argument = spelled.trim_matches('_').to_string();
        Ok(match operator {
            "__has_include" => match first {
                Some(TokKind::Str(_)) => self.oracle.has_include(spelled.trim_matches('"'), false),
                _ => self
                    .oracle
                    .has_include(spelled.trim_start_matches('<').trim_end_matches('>'), true),
            },
            "__has_attribute" | "__has_c_attribute" => {
                self.oracle.compiler().has_attribute(&argument)
            }
            "__has_builtin" => self.oracle.compiler().has_builtin(&spelled),
            // No profile enables a sanitizer: every `__has_feature` the
            // headers ask (of clang) is false.
            _ => false,
        })
    }
}

/// The hide set of a token.
type HideSet = smallvec::SmallVec<[Sym; 4]>;

/// `1` or `0`, the value of `defined X` and of the `__has_*` operators.
fn truth(value: bool) -> PTok {
    // Shared: `defined` is in most conditions of every view.
    static ONE: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("1"));
    static ZERO: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("0"));
    PTok {
        kind: TokKind::Number(Arc::clone(if value { &ONE } else { &ZERO })),
        space_before: true,
        hide: HideSet::new(),
    }
}

/// The arguments of a function-like macro call; `input` starts at `(`.
fn collect_args(
    input: &mut VecDeque<PTok>,
    definition: &Macro,
    interner: &Interner,
) -> Result<Vec<Vec<PTok>>, String> {
    input.pop_front();
    let params = definition.params.as_deref().unwrap_or(&[]);
    let mut args: Vec<Vec<PTok>> = vec![Vec::new()];
    let mut depth = 0usize;
    loop {
        let Some(token) = input.pop_front() else {
            return Err(format!(
                "unterminated argument list invoking macro \"{}\"",
                interner.name(definition.name)
            ));
        };
        match token.kind {
            TokKind::Punct("(") => depth += 1,
            TokKind::Punct(")") if depth == 0 => break,
            TokKind::Punct(")") => depth -= 1,
            TokKind::Punct(",")
                if depth == 0 && !(definition.variadic && args.len() == params.len()) =>
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
    if params.is_empty() && args.len() == 1 && args[0].is_empty() {
        args.clear();
    }
    if definition.variadic && args.len() + 1 == params.len() {
        args.push(Vec::new());
    }
    if args.len() != params.len() {
        return Err(format!(
            "macro \"{}\" takes {} argument(s), {} given",
            interner.name(definition.name),
            params.len(),
            args.len()
        ));
    }
    Ok(args)
}

/// The macro's body with parameters replaced, `#` and `##` applied, and
/// `hide` added to every token.
fn substitute(
    definition: &Macro,
    args: &[Vec<PTok>],
    hide: &[Sym],
    expander: &mut Expander,
) -> Result<Vec<PTok>, String> {
    let params = definition.params.as_deref().unwrap_or(&[]);
    let param_index = |kind: &TokKind| match kind {
        TokKind::Ident(sym) => params.iter().position(|p| p == sym),
        _ => None,
    };
    let body = &definition.body;
    let mut out: Vec<PTok> = Vec::new();
    // Whether the next token is pasted onto the last one.
    let mut paste_next = false;
    let mut i = 0;
    while i < body.len() {
        let token = &body[i];
        let pasting_after = matches!(body.get(i + 1).map(|t| &t.kind), Some(TokKind::Punct("##")));
        let mut piece: Vec<PTok> =
            if matches!(token.kind, TokKind::Punct("#")) && !params.is_empty() {
                let Some(index) = body.get(i + 1).and_then(|t| param_index(&t.kind)) else {
                    return Err("'#' is not followed by a macro parameter".into());
                };
                i += 1;
                vec![stringize(&args[index], expander.interner)]
            } else if matches!(token.kind, TokKind::Punct("##")) {
                paste_next = true;
                i += 1;
                continue;
            } else if let Some(index) = param_index(&token.kind) {
                if paste_next || pasting_after {
                    args[index].clone()
                } else {
                    expander.expand(args[index].iter().cloned().collect(), true)?
                }
            } else {
                vec![PTok::of(token)]
            };
        if paste_next && !piece.is_empty() {
            if let Some(left) = out.pop() {
                let right = piece.remove(0);
                out.push(paste(&left, &right, expander.interner));
            }
        }
        paste_next = false;
        out.append(&mut piece);
        i += 1;
    }
    for token in &mut out {
        for &sym in hide {
            if !token.hide.contains(&sym) {
                token.hide.push(sym);
            }
        }
    }
    Ok(out)
}

fn stringize(arg: &[PTok], interner: &Interner) -> PTok {
    let mut text = String::from("\"");
    for (index, token) in arg.iter().enumerate() {
        if index > 0 && token.space_before {
            text.push(' ');
        }
        let spelled = lex::spell(&token.kind, interner);
        if matches!(token.kind, TokKind::Str(_) | TokKind::Char(_)) {
            text.push_str(&spelled.replace('\\', "\\\\").replace('"', "\\\""));
        } else {
            text.push_str(&spelled);
        }
    }
    text.push('"');
    PTok {
        kind: TokKind::Str(text.into()),
        space_before: true,
        hide: HideSet::new(),
    }
}

/// `left ## right`: re-lexes the joined spelling. A name that no header
/// uses cannot be a macro, so it stays a plain identifier-like token.
fn paste(left: &PTok, right: &PTok, interner: &Interner) -> PTok {
    let joined = format!(
        "{}{}",
        lex::spell(&left.kind, interner),
        lex::spell(&right.kind, interner)
    );
    let kind = match interner.get(&joined) {
        Some(sym) => TokKind::Ident(sym),
        None if joined.starts_with(|c: char| c.is_ascii_digit()) => TokKind::Number(joined.into()),
        None => TokKind::Unknown(joined.into()),
    };
    PTok {
        kind,
        space_before: left.space_before,
        hide: left.hide.clone(),
    }
}

#[cfg(test)]
mod tests;
