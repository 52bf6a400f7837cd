//! What a file of a unit declares, read from its tokens: the members of
//! its struct bodies (local ones too), the types and functions it declares
//! where both sides of an `#if` may be there at once, and the ranges no
//! walk took.

use super::{Placed, Tok};

/// The members of every `struct { ... }` and `union { ... }` body in
/// `code`, local ones in functions too (a declaration's last name outside
/// brackets, or the name of a function pointer `(*name)(...)`).
pub fn struct_members<'s>(code: &[Placed<'s>]) -> Vec<&'s str> {
    let mut members = Vec::new();
    // The brace depth of each open struct body.
    let mut bodies: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut last = None;
    let mut pointer_name = None;
    let mut brackets = 0usize;
    for (i, token) in code.iter().enumerate() {
        match token.tok {
            Tok::Punct("{") => {
                depth += 1;
                let opens_body = code[..i]
                    .iter()
                    .rev()
                    .take(2)
                    .any(|t| matches!(t.tok, Tok::Ident("struct" | "union")));
                if opens_body {
                    bodies.push(depth);
                }
                last = None;
            }
            Tok::Punct("}") => {
                if bodies.last() == Some(&depth) {
                    bodies.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Tok::Punct("(" | "[") => brackets += 1,
            Tok::Punct(")" | "]") => brackets = brackets.saturating_sub(1),
            Tok::Ident(name) if bodies.last() == Some(&depth) => {
                if brackets == 0 {
                    last = Some(name);
                } else if matches!(code[i - 1].tok, Tok::Punct("*")) && pointer_name.is_none() {
                    pointer_name = Some(name);
                }
            }
            Tok::Punct(";" | ",") if bodies.last() == Some(&depth) => {
                members.extend(pointer_name.take().or(last.take()));
            }
            _ => {}
        }
    }
    members
}

/// The names `typedef ... NAME;` and `struct NAME {` declare in `code`,
/// read by tokens (for code that is not active, where both sides of an
/// `#if` may be there at once).
pub fn declared_types<'s>(code: &[Placed<'s>]) -> Vec<&'s str> {
    let mut names = Vec::new();
    let mut in_typedef = false;
    let mut last = None;
    for (i, token) in code.iter().enumerate() {
        match token.tok {
            Tok::Ident("typedef") => in_typedef = true,
            Tok::Ident("struct" | "union" | "enum") => {
                if let (Some(Tok::Ident(name)), Some(Tok::Punct("{"))) = (
                    code.get(i + 1).map(|t| t.tok),
                    code.get(i + 2).map(|t| t.tok),
                ) {
                    names.push(name);
                }
            }
            Tok::Ident(name) => last = Some(name),
            Tok::Punct(";") => {
                if in_typedef {
                    names.extend(last);
                }
                in_typedef = false;
            }
            _ => {}
        }
    }
    names
}

/// `TYPE name(` at file scope: the functions `code` declares or defines (a
/// name after a type word or `*`, not after `;` or `}`, which would be a
/// macro call such as `PyDoc_STRVAR(doc, "...");`).
pub fn declared_functions<'s>(code: &[Placed<'s>]) -> Vec<&'s str> {
    declared_function_places(code)
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// [`declared_functions`], each with the offset of its name.
pub fn declared_function_places<'s>(code: &[Placed<'s>]) -> Vec<(&'s str, u32)> {
    let mut depth = 0usize;
    let mut names = Vec::new();
    for (i, token) in code.iter().enumerate() {
        match token.tok {
            Tok::Punct("{") => depth += 1,
            Tok::Punct("}") => depth = depth.saturating_sub(1),
            Tok::Ident(name) if depth == 0 => {
                let called = matches!(code.get(i + 1).map(|t| t.tok), Some(Tok::Punct("(")));
                let after_type = i > 0
                    && matches!(code[i - 1].tok, Tok::Ident(_) | Tok::Punct("*"))
                    && !matches!(code[i - 1].tok, Tok::Ident("return"));
                if called && after_type {
                    names.push((name, token.offset));
                }
            }
            _ => {}
        }
    }
    names
}

/// The byte ranges every pass skipped (each pass's ranges are disjoint),
/// sorted and merged: what no walk through the file took.
pub fn inactive_ranges(passes: &[Vec<(u32, u32)>]) -> Vec<(u32, u32)> {
    let mut events: Vec<(u32, i64)> = passes
        .iter()
        .flatten()
        .filter(|(a, b)| a < b)
        .flat_map(|&(a, b)| [(a, 1), (b, -1)])
        .collect();
    // At one offset, ends before starts: touching ranges of one pass do
    // not count twice.
    events.sort_unstable();
    let all = passes.len() as i64;
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (offset, change) in events {
        let was = depth;
        depth += change;
        if depth == all && was != all {
            start = offset;
        } else if was == all && depth != all && start < offset {
            match ranges.last_mut() {
                Some(last) if last.1 == start => last.1 = offset,
                _ => ranges.push((start, offset)),
            }
        }
    }
    ranges
}
