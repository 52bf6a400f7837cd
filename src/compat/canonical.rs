//! Declarations with their typedefs expanded, so that a typedef renamed to
//! the same type (`Py_ssize_t` written `ssize_t`) is no change while
//! another type is.
//!
//! A typedef that aliases a type (`typedef ssize_t Py_ssize_t;`,
//! `typedef struct _object PyObject;`) is replaced by what it names,
//! recursively through the view's typedefs; then the system typedefs that
//! are one integer type on linux x86-64 (LP64) are spelled as it
//! (`ssize_t`, `intptr_t`, `ptrdiff_t` → `long`; `size_t`, `uintptr_t` →
//! `unsigned long`) and integer keywords in one order (`long int` →
//! `long`). Typedefs of function pointers, arrays and struct bodies stay as
//! written (their own typedef item compares them); macros inside a
//! declaration are not expanded.

use super::c_text::{self, is_identifier, Source};

/// System typedefs by the integer type they are on linux x86-64 (glibc).
const SYSTEM_INTEGERS: &[(&str, &str)] = &[
    ("ssize_t", "long"),
    ("intptr_t", "long"),
    ("ptrdiff_t", "long"),
    ("int64_t", "long"),
    ("intmax_t", "long"),
    ("size_t", "unsigned long"),
    ("uintptr_t", "unsigned long"),
    ("uint64_t", "unsigned long"),
    ("uintmax_t", "unsigned long"),
    ("int32_t", "int"),
    ("uint32_t", "unsigned int"),
    ("int16_t", "short"),
    ("uint16_t", "unsigned short"),
    ("int8_t", "signed char"),
    ("uint8_t", "unsigned char"),
];

/// `decl` (a normalised declaration) with typedefs expanded, as one string
/// of tokens separated by spaces.
pub fn expand_typedefs(src: &Source, decl: &str) -> String {
    let mut out = Vec::new();
    for token in c_text::tokens(decl) {
        out.extend(expand_name(src, &token, 0));
    }
    integers_in_order(out).join(" ")
}

fn expand_name(src: &Source, token: &str, depth: usize) -> Vec<String> {
    if !is_identifier(token) || depth > c_text::MAX_DEPTH {
        return vec![token.to_string()];
    }
    if let Some(alias) = alias(src, token) {
        return alias
            .iter()
            .flat_map(|t| expand_name(src, t, depth + 1))
            .collect();
    }
    match SYSTEM_INTEGERS.iter().find(|(name, _)| *name == token) {
        Some((_, integer)) => c_text::tokens(integer),
        None => vec![token.to_string()],
    }
}

/// What `typedef ... name;` names, when it is a plain alias (no
/// declarator around the name, no body).
fn alias(src: &Source, name: &str) -> Option<Vec<String>> {
    let statement = src.typedef_statement(name)?;
    let tokens = c_text::tokens(&super::decl_text::strip_comments(&statement));
    let (last, body) = tokens.split_last()?;
    let aliased = body.strip_prefix(&["typedef".to_string()])?;
    let plain = last == name
        && !aliased.is_empty()
        && !aliased
            .iter()
            .any(|t| matches!(t.as_str(), "(" | "[" | "{" | "," | "#"));
    plain.then(|| aliased.to_vec())
}

/// Runs of integer keywords in one order: `int long unsigned` and
/// `unsigned long int` are both `unsigned long`.
fn integers_in_order(tokens: Vec<String>) -> Vec<String> {
    const WORDS: &[&str] = &["signed", "unsigned", "short", "long", "int", "char"];
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, out: &mut Vec<String>| {
        if run.is_empty() {
            return;
        }
        let count = |w: &str| run.iter().filter(|t| *t == w).count();
        let mut words: Vec<&str> = Vec::new();
        if count("unsigned") > 0 {
            words.push("unsigned");
        } else if count("signed") > 0 && count("char") > 0 {
            words.push("signed");
        }
        match (count("char"), count("short"), count("long")) {
            (1, _, _) => words.push("char"),
            (_, 1, _) => words.push("short"),
            (_, _, 1) => words.push("long"),
            (_, _, 2) => words.extend(["long", "long"]),
            _ => words.push("int"),
        }
        out.extend(words.into_iter().map(String::from));
        run.clear();
    };
    for token in tokens {
        if WORDS.contains(&token.as_str()) {
            run.push(token);
        } else {
            flush(&mut run, &mut out);
            out.push(token);
        }
    }
    flush(&mut run, &mut out);
    out
}
