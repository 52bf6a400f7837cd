//! Substitution: a macro's replacement with its parameters replaced by
//! the arguments, `#` and `##` applied.

use super::*;

impl Expansion<'_, '_, '_> {
    /// The replacement of `definition` invoked at `name`: its body with
    /// parameters replaced by the arguments (`expanded`, or as written next
    /// to `#` and `##`), `#` and `##` applied.
    pub(super) fn substitute(
        &mut self,
        definition: &Macro,
        name: &PTok,
        args: &[Arg],
        expanded: &[Option<Vec<PTok>>],
    ) -> Result<Vec<PTok>, String> {
        let interner = self.expander.interner;
        let params = definition.params.as_deref().unwrap_or(&[]);
        let analysis = if params.is_empty() {
            None
        } else {
            Some(self.body(definition))
        };
        let param_index = |at: usize| analysis.as_ref().and_then(|body| body.param[at]);
        let body = &definition.body;
        let mut out: Vec<PTok> = Vec::with_capacity(body.len());
        // Whether the next token is pasted onto the last one.
        let mut paste_next = false;
        let mut i = 0;
        while i < body.len() {
            let token = &body[i];
            let pasting_after =
                matches!(body.get(i + 1).map(|t| &t.kind), Some(TokKind::Punct("##")));
            let mut piece: Vec<PTok> = if matches!(token.kind, TokKind::Punct("#"))
                && !params.is_empty()
            {
                let Some(index) = (i + 1 < body.len()).then(|| param_index(i + 1)).flatten() else {
                    return Err("'#' is not followed by a macro parameter".into());
                };
                i += 1;
                vec![stringize(args[index].tokens(), interner)]
            } else if matches!(token.kind, TokKind::Punct("##")) {
                paste_next = true;
                i += 1;
                continue;
            } else if let Some(index) = param_index(i) {
                match &expanded[index] {
                    Some(tokens) if !paste_next && !pasting_after => tokens.clone(),
                    _ => args[index].tokens().to_vec(),
                }
            } else {
                vec![PTok::of(token)]
            };
            if paste_next && !piece.is_empty() {
                if let Some(left) = out.pop() {
                    let right = piece.remove(0);
                    out.push(paste(&left, &right, interner));
                }
            }
            paste_next = false;
            self.step(piece.len())?;
            out.append(&mut piece);
            i += 1;
        }
        let tracked = name.tracked || self.expander.tracked == Some(definition.name);
        for token in &mut out {
            token.tracked |= tracked;
        }
        if let Some(first) = out.first_mut() {
            first.space_before = name.space_before;
        }
        Ok(out)
    }
}

/// What substitution needs to know of a function-like macro's body, worked
/// out once per condition (with a map of the parameters: a macro with
/// thousands of them costs no more per token than one with two).
pub(super) struct Body {
    /// The parameter each body token names, if any.
    pub(super) param: Vec<Option<usize>>,
    /// Which parameters the body uses outside `#` and `##`: the arguments
    /// to expand before substitution (cpplib expands only those).
    pub(super) expanded: Vec<bool>,
}

impl Body {
    pub(super) fn of(definition: &Macro) -> Body {
        let params = definition.params.as_deref().unwrap_or(&[]);
        let mut index: HashMap<Sym, usize, BuildSymHasher> = HashMap::default();
        for (at, &sym) in params.iter().enumerate() {
            index.entry(sym).or_insert(at);
        }
        let body = &definition.body;
        let param: Vec<Option<usize>> = body
            .iter()
            .map(|token| match token.kind {
                TokKind::Ident(sym) => index.get(&sym).copied(),
                _ => None,
            })
            .collect();
        let is = |at: Option<usize>, punct: &'static str| {
            at.and_then(|at| body.get(at))
                .is_some_and(|t| t.kind == TokKind::Punct(punct))
        };
        let mut expanded = vec![false; params.len()];
        for (at, used) in param.iter().enumerate() {
            let Some(used) = *used else {
                continue;
            };
            let stringized = is(at.checked_sub(1), "#");
            let pasted = is(at.checked_sub(1), "##") || is(Some(at + 1), "##");
            if !stringized && !pasted {
                expanded[used] = true;
            }
        }
        Body { param, expanded }
    }
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
    PTok::plain(TokKind::Str(text.into())).spaced(true)
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
        tracked: left.tracked,
        painted: false,
    }
}
