//! The members of a struct or union body, read from its tokens.
//!
//! tree-sitter finds where a struct is defined, but its recovery from what
//! it cannot parse without the preprocessor (a macro invocation in a
//! member's type, `_Py_ANONYMOUS union { ... };`, `PyObject_HEAD` with no
//! `;`) loses members or misplaces the end of the body. The body is
//! therefore read here, by C's declaration grammar on tokens, where a macro
//! invocation is just a token group:
//!
//! - `TYPE declarator, declarator;` declares one member per declarator
//!   (`name`, `*name`, `name[N]`, `name : bits`, `(*name)(args)`);
//! - `MACRO(args) name;` (`_Py_ALIGNED_DEF(N, char) _aligner;`): the
//!   invocation supplies the type, `name` is the member;
//! - an identifier that can be neither the type nor the declarator
//!   (`PyObject_HEAD` before `int x;`, or alone) is a macro standing for
//!   members, expanded per version by the walk;
//! - `struct { ... };` / `union { ... };` without a declarator is
//!   anonymous: its members are members of the enclosing struct (C11
//!   6.7.2.1p13); with a declarator, the declarator is the member.
//!
//! Limits: a function-like macro standing for members on its own
//! (`MACRO(args);`) is reported as a macro but not expanded, and a macro
//! standing for members directly before a macro-typed member is taken for
//! its type.

use crate::view::pp::lex::{self, Interner, TokKind, Token};

/// One member, or a macro standing for members, at its offset in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyEntry {
    pub name: String,
    pub offset: u32,
    pub is_macro: bool,
}

/// The index of the `}` matching the `{` at `open` in `code`, if any.
pub fn closing_brace(code: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    // Only braces and quotes matter.
    while let Some(at) = lex::next_stop_or_quote(code, i, |rest| memchr::memchr2(b'{', b'}', rest))
    {
        i = at;
        match code[i] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {
                i = lex::skip_quoted(code, i, code.len());
                continue;
            }
        }
        i += 1;
    }
    None
}

/// The members declared in `code[start..end]` (a body without its braces).
pub fn members(code: &[u8], start: usize, end: usize) -> Vec<BodyEntry> {
    let mut interner = Interner::default();
    let tokens = lex::tokenize(code, start, end, &mut interner);
    body_members(&tokens, &interner)
}

/// The members declared by `tokens` (a body without its braces).
pub fn body_members(tokens: &[Token], interner: &Interner) -> Vec<BodyEntry> {
    let mut reader = Reader {
        interner,
        out: Vec::new(),
    };
    reader.declarations(tokens, 0);
    reader.out
}

/// The names the comma-separated declarators in `tokens` declare
/// (`A, *B, (*C)(void)`), as indices into `tokens`.
pub fn declarator_names(tokens: &[Token], interner: &Interner) -> Vec<usize> {
    let reader = Reader {
        interner,
        out: Vec::new(),
    };
    reader.declarator_names(tokens)
}

/// The index after the group that the bracket at `open` opens (the end of
/// `tokens` when it is not closed).
pub fn group_end(tokens: &[Token], open: usize) -> usize {
    after_group(tokens, open)
}

/// Type specifiers that are keywords: with one of them, no identifier
/// before the declarator is the type.
const TYPE_KEYWORDS: [&str; 15] = [
    "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool",
    "bool", "_Complex", "__int128", "struct", "union",
];
/// Keywords that qualify a declaration without being its type.
const QUALIFIERS: [&str; 14] = [
    "const",
    "volatile",
    "restrict",
    "__restrict",
    "_Atomic",
    "static",
    "extern",
    "register",
    "auto",
    "inline",
    "__inline",
    "__extension__",
    "_Thread_local",
    "thread_local",
];

/// Nested bodies deeper than this are not read (garbage, not headers).
const MAX_NESTING: usize = 64;

struct Reader<'a> {
    interner: &'a Interner,
    out: Vec<BodyEntry>,
}

fn punct(token: &Token) -> Option<&'static str> {
    match token.kind {
        TokKind::Punct(p) => Some(p),
        _ => None,
    }
}

/// The index after the group that the bracket at `open` opens.
fn after_group(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match punct(token) {
            Some("(" | "[" | "{") => depth += 1,
            Some(")" | "]" | "}") => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// The tokens inside the group that the bracket at `open` opens (to the
/// end when it is not closed).
fn inside(tokens: &[Token], open: usize) -> &[Token] {
    let after = after_group(tokens, open);
    let closed = tokens
        .get(after.wrapping_sub(1))
        .and_then(punct)
        .is_some_and(|p| matches!(p, ")" | "]" | "}"))
        && after > open + 1;
    let end = if closed { after - 1 } else { after };
    &tokens[(open + 1).min(end)..end]
}

/// `tokens` split at the top-level occurrences of `separator`.
fn split_top_level<'t>(tokens: &'t [Token], separator: &str) -> Vec<&'t [Token]> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < tokens.len() {
        match punct(&tokens[i]) {
            Some("(" | "[" | "{") => {
                i = after_group(tokens, i);
                continue;
            }
            Some(p) if p == separator => {
                parts.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&tokens[start..]);
    parts
}

/// What the specifiers and first declarator of a declaration hold.
#[derive(Default)]
struct Scan {
    /// Identifiers at the top level that are neither keywords, tags nor
    /// macro invocations, in order.
    idents: Vec<usize>,
    /// A type keyword (`int`, `struct tag`...) was seen.
    keyword_type: bool,
    /// A macro invocation (`NAME(...)`) was seen.
    invocation: Option<usize>,
    /// The name inside a parenthesized declarator (`(*name)(...)`).
    grouped_name: Option<usize>,
}

impl Reader<'_> {
    fn ident<'t>(&self, token: &'t Token) -> Option<&'t str>
    where
        Self: 't,
    {
        match token.kind {
            TokKind::Ident(sym) => Some(self.interner.name(sym)),
            _ => None,
        }
    }

    fn is_keyword(&self, token: &Token) -> bool {
        self.ident(token)
            .is_some_and(|name| TYPE_KEYWORDS.contains(&name) || QUALIFIERS.contains(&name))
    }

    fn push(&mut self, token: &Token, is_macro: bool) {
        if let Some(name) = self.ident(token) {
            self.out.push(BodyEntry {
                name: name.to_string(),
                offset: token.offset,
                is_macro,
            });
        }
    }

    /// The declarations of a body, each ending at a top-level `;` (the
    /// last one may lack it: `PyObject_HEAD }`).
    fn declarations(&mut self, tokens: &[Token], nesting: usize) {
        if nesting > MAX_NESTING {
            return;
        }
        for declaration in split_top_level(tokens, ";") {
            if !declaration.is_empty() {
                self.declaration(declaration, nesting);
            }
        }
    }

    fn declaration(&mut self, tokens: &[Token], nesting: usize) {
        let open = (0..tokens.len()).find(|&i| punct(&tokens[i]) == Some("{"));
        let Some(open) = open.filter(|&i| self.tagged_body(tokens, i)) else {
            self.plain_declaration(tokens);
            return;
        };
        let close = after_group(tokens, open);
        // Identifiers before `struct`/`union`: macros standing for members
        // (`_Py_ANONYMOUS` expands to none).
        let keyword = (0..open)
            .find(|&i| matches!(self.ident(&tokens[i]), Some("struct" | "union" | "enum")))
            .unwrap_or(0);
        for token in &tokens[..keyword] {
            if self.ident(token).is_some() && !self.is_keyword(token) {
                self.push(token, true);
            }
        }
        let close = close.min(tokens.len());
        let declarators: Vec<usize> = self
            .declarator_names(&tokens[close..])
            .into_iter()
            .map(|i| i + close)
            .collect();
        if declarators.is_empty() {
            if self.ident(&tokens[keyword]) != Some("enum") {
                self.declarations(inside(tokens, open), nesting + 1);
            }
        } else {
            for i in declarators {
                self.push(&tokens[i], false);
            }
        }
    }

    /// Whether the `{` at `open` is the body of a `struct`/`union`/`enum`
    /// (and not, say, inside a macro's arguments).
    fn tagged_body(&self, tokens: &[Token], open: usize) -> bool {
        tokens[..open]
            .iter()
            .any(|t| matches!(self.ident(t), Some("struct" | "union" | "enum")))
    }

    /// `TYPE declarator, declarator` (no body).
    fn plain_declaration(&mut self, tokens: &[Token]) {
        let parts = split_top_level(tokens, ",");
        let first = parts[0];
        let scan = self.scan(first);
        let (name, before): (Option<usize>, &[usize]) = match scan.grouped_name {
            Some(name) => (Some(name), &scan.idents),
            None => match scan.idents.split_last() {
                Some((&name, before)) => (Some(name), before),
                None => (None, &[]),
            },
        };
        let has_type = scan.keyword_type || !before.is_empty() || scan.invocation.is_some();
        match name {
            // `PyObject_HEAD` alone: nothing can be its type.
            Some(name) if !has_type => self.push(&first[name], true),
            Some(name) => {
                let macros = if scan.keyword_type {
                    before
                } else {
                    &before[..before.len().saturating_sub(1)]
                };
                for &i in macros {
                    self.push(&first[i], true);
                }
                self.push(&first[name], false);
            }
            // `MACRO(args);`: a function-like macro standing for members.
            None => {
                if let Some(i) = scan.invocation.filter(|_| !scan.keyword_type) {
                    self.push(&first[i], true);
                }
            }
        }
        for part in &parts[1..] {
            if let Some(i) = self.declarator_name(part) {
                self.push(&part[i], false);
            }
        }
    }

    /// The specifiers and declarator of one declaration, up to a bitfield
    /// width, an initializer or an array bound.
    fn scan(&self, tokens: &[Token]) -> Scan {
        let mut scan = Scan::default();
        let mut i = 0;
        while i < tokens.len() {
            let token = &tokens[i];
            if let Some(name) = self.ident(token) {
                // `NAME(` is an invocation unless a declarator follows:
                // `Py_ssize_t (*name)(int)`.
                let next_is_paren = tokens.get(i + 1).and_then(punct) == Some("(")
                    && tokens.get(i + 2).and_then(punct) != Some("*");
                if matches!(name, "struct" | "union" | "enum") {
                    scan.keyword_type = true;
                    // The tag, if any, is not a declarator.
                    let tagged = tokens.get(i + 1).is_some_and(|t| self.ident(t).is_some());
                    i += if tagged { 2 } else { 1 };
                    continue;
                }
                if TYPE_KEYWORDS.contains(&name) {
                    scan.keyword_type = true;
                } else if next_is_paren {
                    // `MACRO(...)`, `__attribute__((...))`, `_Alignas(N)`.
                    if !matches!(
                        name,
                        "__attribute__" | "_Alignas" | "alignas" | "__declspec"
                    ) {
                        scan.invocation = Some(i);
                    }
                    i = after_group(tokens, i + 1);
                    continue;
                } else if !QUALIFIERS.contains(&name) {
                    scan.idents.push(i);
                }
                i += 1;
                continue;
            }
            match punct(token) {
                Some("(") => {
                    // A parenthesized declarator: `(*name)(...)`.
                    scan.grouped_name = self.declarator_name(inside(tokens, i)).map(|j| j + i + 1);
                    break;
                }
                Some(":" | "=" | "[") => break,
                _ => i += 1,
            }
        }
        scan
    }

    /// The names of comma-separated declarators, as indices into `tokens`.
    fn declarator_names(&self, tokens: &[Token]) -> Vec<usize> {
        let mut names = Vec::new();
        let mut start = 0;
        for part in split_top_level(tokens, ",") {
            names.extend(self.declarator_name(part).map(|i| i + start));
            start += part.len() + 1;
        }
        names
    }

    /// The name a declarator declares (`*const name[3]`, `(*name)(void)`,
    /// `name : 2`), as an index into `tokens`.
    fn declarator_name(&self, tokens: &[Token]) -> Option<usize> {
        let mut i = 0;
        while i < tokens.len() {
            let token = &tokens[i];
            match punct(token) {
                Some("(") => {
                    return self.declarator_name(inside(tokens, i)).map(|j| j + i + 1);
                }
                Some(":" | "=" | "[" | ")") => return None,
                Some(_) => i += 1,
                None if self.is_keyword(token) => i += 1,
                None if self.ident(token).is_some() => return Some(i),
                None => i += 1,
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str) -> Vec<String> {
        members(body.as_bytes(), 0, body.len())
            .into_iter()
            .map(|e| {
                if e.is_macro {
                    format!("{}!", e.name)
                } else {
                    e.name
                }
            })
            .collect()
    }

    #[test]
    fn plain_members_and_declarators() {
        assert_eq!(
            read("int a, *b, c[3]; unsigned int d : 2, : 3; struct _t *e; char *(*f)(void); const char * const g;"),
            ["a", "b", "c", "d", "e", "f", "g"]
        );
        assert_eq!(read("Py_ssize_t (*h[4])(int); int i = 0;"), ["h", "i"]);
    }

    #[test]
    fn macro_invocations_and_member_macros() {
        assert_eq!(
            read("_Py_ALIGNED_DEF(_PyObject_MIN_ALIGNMENT, char) _aligner; PyObject *ob_type;"),
            ["_aligner", "ob_type"]
        );
        assert_eq!(
            read("PyObject_HEAD PyObject *(*f)(void); PyObject_VAR_HEAD int n; PyObject_HEAD"),
            [
                "PyObject_HEAD!",
                "f",
                "PyObject_VAR_HEAD!",
                "n",
                "PyObject_HEAD!"
            ]
        );
        assert_eq!(
            read("__attribute__((aligned(8))) int x; PADDING(3);"),
            ["x", "PADDING!"]
        );
    }

    #[test]
    fn anonymous_unions_and_structs_are_flattened() {
        assert_eq!(
            read(
                "_Py_ANONYMOUS union { long long full; struct { int lo; short hi; }; \
                  _Py_ALIGNED_DEF(4, char) _aligner; }; void *ob_type;"
            ),
            ["_Py_ANONYMOUS!", "full", "lo", "hi", "_aligner", "ob_type"]
        );
        assert_eq!(
            read("struct { int x; } named; union u { int y; } *p; enum { A, B } e; enum { C };"),
            ["named", "p", "e"]
        );
    }

    #[test]
    fn garbage_reads_without_panicking() {
        for text in [
            "}",
            "{",
            "(",
            ")(",
            "struct {",
            "int (",
            ";;",
            ", ,",
            "struct } x;",
            "(*)",
        ] {
            let _ = read(text);
        }
    }
}
