//! The text of a declaration at a place the view reports, normalised for
//! comparison across releases: comments dropped, whitespace collapsed,
//! parameter names dropped (a renamed parameter changes nothing).
//!
//! This compares declarations as written. Typedefs and macros inside them
//! are not expanded, so `Py_ssize_t` and `ssize_t` differ here even where
//! they are the same type; the header-level rules say so in their notes.

use std::path::Path;

/// Reads `path` and cuts the declaration whose name is at `line:column`.
pub fn at(path: &Path, line: usize, column: usize, kind: DeclKind) -> Option<String> {
    let text = crate::input::read_to_string(path).ok()?;
    let offset = offset_of(&text, line, column)?;
    let raw = match kind {
        DeclKind::Prototype => statement(&text, offset, &["PyAPI_FUNC", "PyAPI_DATA"])?,
        DeclKind::Typedef => statement(&text, offset, &["typedef"])?,
        DeclKind::Define => define_body(&text, offset)?,
        DeclKind::StructBody => struct_body(&text, offset)?,
    };
    Some(normalize(&raw, kind))
}

/// What to cut at the name.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DeclKind {
    /// `PyAPI_FUNC(T) name(params);` or `PyAPI_DATA(T) name;`
    Prototype,
    /// `typedef ... name ...;`
    Typedef,
    /// The replacement list of `#define name ...`.
    Define,
    /// The `{ ... }` of `struct tag { ... }`.
    StructBody,
}

pub(super) fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2)?.0 + 1
    };
    let line_text = &text[start..];
    let in_line: usize = line_text
        .chars()
        .take(column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    Some(start + in_line)
}

/// From the last of `starts` before `offset` to the `;` after it.
pub(super) fn statement(text: &str, offset: usize, starts: &[&str]) -> Option<String> {
    let window = offset.saturating_sub(2000);
    let window = (window..=offset).find(|&i| text.is_char_boundary(i))?;
    let before = &text[window..offset];
    let start = starts
        .iter()
        .filter_map(|s| before.rfind(s))
        .max()
        .map(|i| window + i)?;
    let end = offset + text[offset..].find(';')?;
    Some(text[start..end].to_string())
}

/// The rest of the `#define` line(s) after the name, continuations joined.
pub(super) fn define_body(text: &str, offset: usize) -> Option<String> {
    let rest = &text[offset..];
    let mut body = String::new();
    for line in rest.lines() {
        if let Some(continued) = line.strip_suffix('\\') {
            body.push_str(continued);
            body.push(' ');
        } else {
            body.push_str(line);
            break;
        }
    }
    // Drop the name itself (and a function-like macro's parameters stay,
    // as part of what the macro is).
    let name_end = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    Some(body[name_end..].to_string())
}

/// The braces after the struct's tag, matched.
pub(super) fn struct_body(text: &str, offset: usize) -> Option<String> {
    let open = offset + text[offset..].find('{')?;
    // The `{` must belong to this struct, not a later declaration.
    if text[offset..open].contains(';') {
        return None;
    }
    let mut depth = 0usize;
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(text[open..=open + i].to_string());
                }
            }
            _ => {}
        }
    }
    None
}

/// Comments out, whitespace collapsed, spaces only where C needs them;
/// for prototypes, parameter names dropped.
pub fn normalize(raw: &str, kind: DeclKind) -> String {
    let tokens = tokens(&strip_comments(raw));
    let tokens = if kind == DeclKind::Prototype {
        drop_parameter_names(tokens)
    } else {
        tokens
    };
    join(&tokens)
}

pub(super) fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |end| &after[end + 2..]);
            out.push(' ');
        } else if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |end| &after[end..]);
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut token = c.to_string();
        if is_word(c) {
            while let Some(&next) = chars.peek() {
                if !is_word(next) {
                    break;
                }
                token.push(next);
                chars.next();
            }
        }
        out.push(token);
    }
    out
}

fn join(tokens: &[String]) -> String {
    let mut out = String::new();
    for token in tokens {
        let word = token.starts_with(is_word);
        if word && out.ends_with(is_word) {
            out.push(' ');
        }
        out.push_str(token);
    }
    out
}

const NOT_NAMES: &[&str] = &[
    "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool",
    "const", "volatile", "restrict", "struct", "union", "enum",
];

/// In `name(params)`, each parameter of two or more tokens that ends in an
/// identifier (not a type keyword, not a struct tag) loses it.
fn drop_parameter_names(tokens: Vec<String>) -> Vec<String> {
    let Some(open) = tokens.iter().rposition(|t| t == "(") else {
        return tokens;
    };
    // The parameter list is the last top-level parenthesis group.
    let mut out: Vec<String> = tokens[..=open].to_vec();
    let mut param: Vec<String> = Vec::new();
    let mut depth = 0;
    let flush = |param: &mut Vec<String>, out: &mut Vec<String>| {
        let named = param.len() >= 2
            && param.last().is_some_and(|t| t.starts_with(is_word))
            && !NOT_NAMES.contains(&param[param.len() - 1].as_str())
            && !matches!(param[param.len() - 2].as_str(), "struct" | "union" | "enum")
            && param[..param.len() - 1]
                .iter()
                .any(|t| !matches!(t.as_str(), "const" | "volatile" | "signed" | "unsigned"));
        if named {
            param.pop();
        }
        out.append(param);
    };
    for token in &tokens[open + 1..] {
        match token.as_str() {
            "(" | "[" => depth += 1,
            ")" | "]" if depth > 0 => depth -= 1,
            "," | ")" if depth == 0 => {
                flush(&mut param, &mut out);
                out.push(token.clone());
                continue;
            }
            _ => {}
        }
        param.push(token.clone());
    }
    out.append(&mut param);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prototypes_lose_comments_spacing_and_parameter_names() {
        let a = normalize(
            "PyAPI_FUNC(PyObject *) PyLong_FromLong(long /* value */ v, const char *name, struct _ts *)",
            DeclKind::Prototype,
        );
        let b = normalize(
            "PyAPI_FUNC(PyObject*)  PyLong_FromLong(long, const char*,\n struct _ts*)",
            DeclKind::Prototype,
        );
        assert_eq!(a, b);
        assert_eq!(
            a,
            "PyAPI_FUNC(PyObject*)PyLong_FromLong(long,const char*,struct _ts*)"
        );
        let c = normalize("PyAPI_FUNC(int) F(unsigned long)", DeclKind::Prototype);
        assert_eq!(c, "PyAPI_FUNC(int)F(unsigned long)");
    }

    #[test]
    fn cuts_at_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.h");
        std::fs::write(
            &path,
            "#define X \\\n   (1 << 3)\nPyAPI_FUNC(int) PyF(\n    int a);\nstruct S {\n  int a; struct { int b; } c;\n};\ntypedef int (*cb)(void *);\n",
        )
        .unwrap();
        assert_eq!(at(&path, 1, 9, DeclKind::Define).unwrap(), "(1<<3)");
        assert_eq!(
            at(&path, 3, 17, DeclKind::Prototype).unwrap(),
            "PyAPI_FUNC(int)PyF(int)"
        );
        assert_eq!(
            at(&path, 5, 8, DeclKind::StructBody).unwrap(),
            "{int a;struct{int b;}c;}"
        );
        assert_eq!(
            at(&path, 8, 15, DeclKind::Typedef).unwrap(),
            "typedef int(*cb)(void*)"
        );
    }
}
