//! `PyAPI_FUNC(type) name(...)` and `PyAPI_DATA(type) name;` in a header's
//! code, found the way the reference tool's regular expressions find them
//! in preprocessed text: by what follows each `PyAPI_`, read byte by byte
//! (most of a header is never looked at), not through tree-sitter's error
//! recovery around those macro calls.

use std::ops::Range;

use super::RawDecl;
use crate::view::pp::lex::{is_ident_char, is_ident_start};

/// Every API declaration in `code` (comments and directive lines already
/// blanked), with the place of its name: where an editor should jump to.
pub fn find(code: &[u8], out: &mut Vec<RawDecl>) {
    for start in memchr::memmem::find_iter(code, b"PyAPI_") {
        if start > 0 && is_ident_char(code[start - 1]) {
            continue;
        }
        let Some((is_function, name)) = declaration(code, start) else {
            continue;
        };
        let offset = name.start as u32;
        let name = String::from_utf8_lossy(&code[name]).into_owned();
        out.push(if is_function {
            RawDecl::Function { name, offset }
        } else {
            RawDecl::Data { name, offset }
        });
    }
}

/// Every `static inline TYPE name(...)` in `code`: the functions the
/// headers define for extensions to call (`Py_INCREF`, `Py_TYPE` in recent
/// releases), which are no symbols, so no `PyAPI_FUNC`.
pub fn find_inline(code: &[u8], out: &mut Vec<RawDecl>) {
    for start in memchr::memmem::find_iter(code, b"inline") {
        let end = start + b"inline".len();
        let whole = (start == 0 || !is_ident_char(code[start - 1]))
            && code.get(end).is_none_or(|&b| !is_ident_char(b));
        let before = code[..start].trim_ascii_end();
        if !whole || !before.ends_with(b"static") {
            continue;
        }
        let static_start = before.len() - b"static".len();
        if static_start > 0 && is_ident_char(code[static_start - 1]) {
            continue;
        }
        let Some(name) = declared_name(code, end) else {
            continue;
        };
        if code.get(skip_blanks(code, name.end)) != Some(&b'(') {
            continue;
        }
        out.push(RawDecl::Inline {
            name: String::from_utf8_lossy(&code[name.clone()]).into_owned(),
            offset: name.start as u32,
        });
    }
}

/// The declaration at `start` (its `PyAPI_`): whether it declares a
/// function, and where its name is.
fn declaration(code: &[u8], start: usize) -> Option<(bool, Range<usize>)> {
    let word = word_at(code, start);
    let is_function = match &code[word.clone()] {
        b"PyAPI_FUNC" => true,
        b"PyAPI_DATA" => false,
        _ => return None,
    };
    let open = skip_blanks(code, word.end);
    if code.get(open) != Some(&b'(') {
        return None;
    }
    let close = closing_paren(code, open)?;
    Some((is_function, declared_name(code, close + 1)?))
}

/// The declared name after `PyAPI_FUNC(type)` / `PyAPI_DATA(type)`: the
/// last of the identifiers before `(`, `;`, `[` or `=` (the others are
/// attribute macros such as `_Py_NO_RETURN`; `*`, `const` and `volatile`
/// are skipped), or the identifier inside a parenthesized declarator
/// (`(*name)(...)`, `(name)`).
fn declared_name(code: &[u8], mut i: usize) -> Option<Range<usize>> {
    let mut last = None;
    loop {
        i = skip_blanks(code, i);
        match code.get(i) {
            Some(b'*') => i += 1,
            Some(&b) if is_ident_start(b) => {
                let word = word_at(code, i);
                i = word.end;
                if !matches!(&code[word.clone()], b"const" | b"volatile") {
                    last = Some(word);
                }
            }
            Some(b'(') if last.is_none() => {
                i = skip_blanks(code, i + 1);
                while code.get(i) == Some(&b'*') {
                    i = skip_blanks(code, i + 1);
                }
                return code
                    .get(i)
                    .is_some_and(|&b| is_ident_start(b))
                    .then(|| word_at(code, i));
            }
            _ => return last,
        }
    }
}

/// The identifier that starts at `start` (empty if none does).
fn word_at(code: &[u8], start: usize) -> Range<usize> {
    let len = code[start..]
        .iter()
        .take_while(|&&b| is_ident_char(b))
        .count();
    start..start + len
}

fn skip_blanks(code: &[u8], from: usize) -> usize {
    from + code.get(from..).map_or(0, |rest| {
        rest.iter().take_while(|b| b.is_ascii_whitespace()).count()
    })
}

/// The index of the `)` that closes the `(` at `open`.
fn closing_paren(code: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (index, &b) in code.iter().enumerate().skip(open) {
        match b {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each declaration found, as `func NAME` or `data NAME`, checking
    /// that its offset is where the name is.
    fn names(code: &str) -> Vec<String> {
        let mut out = Vec::new();
        find(code.as_bytes(), &mut out);
        out.iter()
            .map(|decl| {
                let (kind, name, offset) = match decl {
                    RawDecl::Function { name, offset } => ("func", name, offset),
                    RawDecl::Data { name, offset } => ("data", name, offset),
                    other => panic!("not an API declaration: {other:?}"),
                };
                assert!(
                    code[*offset as usize..].starts_with(name.as_str()),
                    "{name} @{offset}"
                );
                format!("{kind} {name}")
            })
            .collect()
    }

    #[test]
    fn finds_each_declarator_shape() {
        let code = "PyAPI_FUNC(PyObject *) PyFoo(int);\n\
                    PyAPI_DATA(PyTypeObject) PyFoo_Type;\n\
                    PyAPI_DATA(const char *) (PyBar)[];\n\
                    PyAPI_FUNC(int (*)(void)) *Py_Ptr(void);\n\
                    PyAPI_FUNC(void) _Py_NO_RETURN Py_Exit(int);\n\
                    PyAPI_DATA(PyObject *) const volatile Py_Q;\n\
                    PyAPI_FUNC(int) (*Py_Hook)(int);\n\
                    MyPyAPI_FUNC(int) Nope(void);\n\
                    PyAPI_FUNCS(int) Nope2(void);\n\
                    PyAPI_FUNC(int) 3;\n\
                    PyAPI_FUNC(int";
        assert_eq!(
            names(code),
            [
                "func PyFoo",
                "data PyFoo_Type",
                "data PyBar",
                "func Py_Ptr",
                "func Py_Exit",
                "data Py_Q",
                "func Py_Hook",
            ]
        );
    }
}
