//! Struct definitions (`struct tag { ... }`, `typedef struct { ... } Name;`)
//! found by tokens in the statements that can declare a type.
//!
//! tree-sitter cannot be trusted to find them: without the preprocessor, a
//! body such as 3.15's `struct _object { _Py_ANONYMOUS union { ... }; ... }`
//! is not C it can parse, and its recovery may drop the whole definition.
//! A top-level statement, though, is easy to delimit by tokens (it ends at
//! a `;` outside any bracket), and so is a body (by its braces).

use super::struct_body::{self, BodyEntry};
use crate::view::pp::lex::{self, Interner, TokKind, Token};

/// One struct definition, with offsets into the text it was read from.
#[derive(Debug)]
pub struct StructDefinition {
    /// Its tag, or for `typedef struct { ... } Name;` the first name.
    pub key: String,
    /// Where the tag is (or the `struct` keyword when there is none).
    pub key_offset: u32,
    pub members: Vec<BodyEntry>,
    /// Where the body's `}` is.
    pub close: u32,
    /// `typedef struct ... { ... } Name, *Pointer;`: the names and where
    /// they are.
    pub typedefs: Vec<(String, u32)>,
    /// The whole statement, `[start, end)`.
    pub statement: (u32, u32),
}

/// Every struct defined at the top level of `code` (one per statement).
pub fn find(code: &[u8]) -> Vec<StructDefinition> {
    let mut interner = Interner::default();
    let tokens = lex::tokenize(code, 0, code.len(), &mut interner);
    let mut definitions = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < tokens.len() {
        match punct(&tokens[i]) {
            Some("(" | "[" | "{") => {
                i = struct_body::group_end(&tokens, i);
                continue;
            }
            Some(";" | "}") => {
                definitions.extend(definition(&tokens[start..=i], &interner));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    definitions.extend(definition(&tokens[start..], &interner));
    definitions
}

fn punct(token: &Token) -> Option<&'static str> {
    match token.kind {
        TokKind::Punct(p) => Some(p),
        _ => None,
    }
}

fn ident<'i>(token: &Token, interner: &'i Interner) -> Option<&'i str> {
    match token.kind {
        TokKind::Ident(sym) => Some(interner.name(sym)),
        _ => None,
    }
}

/// The struct a statement defines, if it defines one at its top level.
fn definition(statement: &[Token], interner: &Interner) -> Option<StructDefinition> {
    let first = statement.first()?;
    let last = statement.last()?;
    let keyword = statement
        .iter()
        .position(|t| ident(t, interner) == Some("struct"))?;
    let tag = statement
        .get(keyword + 1)
        .filter(|t| ident(t, interner).is_some());
    let open = keyword + 1 + usize::from(tag.is_some());
    if statement.get(open).and_then(punct) != Some("{") {
        return None;
    }
    let after = struct_body::group_end(statement, open);
    let body_end = if after > open + 1 && statement.get(after - 1).and_then(punct) == Some("}") {
        after - 1
    } else {
        after
    };
    let members = struct_body::body_members(&statement[open + 1..body_end], interner);
    let mut typedefs = Vec::new();
    if ident(first, interner) == Some("typedef") {
        let rest = &statement[after.min(statement.len())..];
        let rest = match rest.last().and_then(punct) {
            Some(";") => &rest[..rest.len() - 1],
            _ => rest,
        };
        for i in struct_body::declarator_names(rest, interner) {
            if let Some(name) = ident(&rest[i], interner) {
                typedefs.push((name.to_string(), rest[i].offset));
            }
        }
    }
    let (key, key_offset) = match tag {
        Some(tag) => (ident(tag, interner)?.to_string(), tag.offset),
        None => {
            let (name, _) = typedefs.first()?;
            (name.clone(), statement[keyword].offset)
        }
    };
    let close = statement.get(body_end).map_or(last.offset, |t| t.offset);
    Some(StructDefinition {
        key,
        key_offset,
        members,
        close,
        typedefs,
        statement: (first.offset, last.offset + 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(code: &str) -> Vec<String> {
        find(code.as_bytes())
            .into_iter()
            .map(|d| {
                let members: Vec<String> = d.members.into_iter().map(|m| m.name).collect();
                let typedefs: Vec<String> = d.typedefs.into_iter().map(|t| t.0).collect();
                format!("{} {members:?} {typedefs:?}", d.key)
            })
            .collect()
    }

    #[test]
    fn finds_tagged_and_typedef_definitions() {
        let code = "struct _object { _Py_ANONYMOUS union { long a; X(4, char) b; }; void *t; };\n\
                    typedef struct { int x; } Anon, *AnonPtr;\n\
                    typedef struct tag Named;\n\
                    static inline int f(struct s *p) ;\n\
                    typedef struct _t { int y; } T;";
        assert_eq!(
            summary(code),
            [
                r#"_object ["_Py_ANONYMOUS", "a", "b", "t"] []"#,
                r#"Anon ["x"] ["Anon", "AnonPtr"]"#,
                r#"_t ["y"] ["T"]"#,
            ]
        );
    }

    #[test]
    fn garbage_does_not_panic_and_finds_only_named_bodies() {
        for (code, found) in [
            ("struct", &[][..]),
            ("struct {", &[]),
            ("typedef struct { int x;", &[]),
            ("struct {} ;", &[]),
            // An unterminated body still names its tag (and no members).
            ("} ; struct a {", &["a [] []"]),
        ] {
            assert_eq!(summary(code), found, "{code}");
        }
    }
}
