//! C declarations in a header's code (its text with every directive line
//! blanked): typedefs and structs through tree-sitter, `PyAPI_FUNC` /
//! `PyAPI_DATA` through a token scan.
//!
//! Blanking directives keeps both sides of every conditional in the text,
//! so tree-sitter sees each declaration once, at its real offset; whether
//! it counts is decided later, per version, by the conditional region its
//! offset falls in. tree-sitter recovers from what it cannot parse (macros
//! like `PyObject_HEAD` in a struct, both halves of an `#if`) with ERROR
//! nodes: we descend into them rather than give up.
//!
//! `PyAPI_FUNC(type) name(` and `PyAPI_DATA(type) name;` are found by
//! tokens, the way the reference tool's regular expressions find them in
//! preprocessed text: this does not depend on tree-sitter's error recovery
//! around those macro calls.

use tree_sitter::{Node, Parser};

mod api_decls;
mod struct_body;
mod struct_defs;
mod type_statements;

use crate::view::pp::lex;

/// One declaration found in a header, in offset order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawDecl {
    Function {
        name: String,
        offset: u32,
    },
    Data {
        name: String,
        offset: u32,
    },
    Typedef {
        name: String,
        offset: u32,
        target: Option<String>,
    },
    /// A struct definition (with a body); `key` is its tag, or for an
    /// anonymous struct the first typedef name given to it.
    StructBegin {
        key: String,
        offset: u32,
    },
    Member {
        name: String,
        offset: u32,
    },
    /// A macro standing for members (`PyObject_HEAD`).
    MemberMacro {
        name: String,
        offset: u32,
    },
    StructEnd {
        offset: u32,
    },
    /// `struct tag;` or a use that only names the tag: incomplete.
    StructDecl {
        key: String,
        offset: u32,
    },
    /// A constant of an `enum` (`PyUnicode_1BYTE_KIND`).
    Enumerator {
        name: String,
        offset: u32,
    },
    /// A `static inline` function.
    Inline {
        name: String,
        offset: u32,
    },
}

impl RawDecl {
    /// The member (or member macro) of a struct body, at `offset`.
    fn member(entry: struct_body::BodyEntry, offset: u32) -> RawDecl {
        let name = entry.name;
        if entry.is_macro {
            RawDecl::MemberMacro { name, offset }
        } else {
            RawDecl::Member { name, offset }
        }
    }
}

impl RawDecl {
    pub fn offset(&self) -> u32 {
        match self {
            RawDecl::Function { offset, .. }
            | RawDecl::Data { offset, .. }
            | RawDecl::Typedef { offset, .. }
            | RawDecl::StructBegin { offset, .. }
            | RawDecl::Member { offset, .. }
            | RawDecl::MemberMacro { offset, .. }
            | RawDecl::StructEnd { offset }
            | RawDecl::StructDecl { offset, .. }
            | RawDecl::Enumerator { offset, .. }
            | RawDecl::Inline { offset, .. } => *offset,
        }
    }
}

/// Which declarations [`extract`] reads.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Reach {
    /// What the header checks compare with the manifest: `PyAPI_FUNC` and
    /// `PyAPI_DATA` declarations, typedefs and structs.
    #[default]
    Api,
    /// Also the other names C code can use: enum constants and `static
    /// inline` functions (what `port` judges an extension's uses by).
    AllNames,
}

/// Every declaration in `code` (directive lines already blanked) that
/// `reach` asks for.
pub fn extract(code: &[u8], reach: Reach) -> Vec<RawDecl> {
    let mut decls = Vec::new();
    api_decls::find(code, &mut decls);
    if reach == Reach::AllNames {
        api_decls::find_inline(code, &mut decls);
    }
    type_declarations(code, reach, &mut decls);
    // Stable: a struct's begin/members/end keep their order.
    decls.sort_by_key(RawDecl::offset);
    decls
}

/// Typedefs and structs, from tree-sitter's parse of `code`.
fn type_declarations(code: &[u8], reach: Reach, out: &mut Vec<RawDecl>) {
    // Parsing only what can hold a type keeps loading fast: most of a
    // header is function declarations and inline function bodies.
    let kept = type_statements::only_type_statements(code);
    let compact = type_statements::Compact::new(&kept);
    let definitions = struct_defs::find(&compact.text);
    // The statements that define a struct are read by tokens (below), so
    // tree-sitter parses only the others: the struct bodies are most of
    // the kept text.
    let mut rest = compact.text.clone();
    for definition in &definitions {
        let (start, end) = definition.statement;
        if let Some(statement) = rest.get_mut(start as usize..end as usize) {
            statement.fill(b' ');
        }
    }
    let narrowed = type_statements::Compact::new(&rest);
    let original = |offset: u32| compact.original(offset as usize);
    for definition in definitions {
        let key = definition.key;
        out.push(RawDecl::StructBegin {
            key: key.clone(),
            offset: original(definition.key_offset),
        });
        for entry in definition.members {
            let offset = original(entry.offset);
            out.push(RawDecl::member(entry, offset));
        }
        out.push(RawDecl::StructEnd {
            offset: original(definition.close),
        });
        for (name, offset) in definition.typedefs {
            out.push(RawDecl::Typedef {
                name,
                offset: original(offset),
                target: Some(key.clone()),
            });
        }
    }
    // Most headers have nothing left to parse, and a parse has a cost of
    // its own (a parser, a tree) whatever its text.
    if narrowed.text.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    let mut parser = Parser::new();
    if parser
        .set_language(&tree_sitter_c::LANGUAGE.into())
        .is_err()
    {
        return;
    }
    let Some(tree) = parser.parse(&narrowed.text, None) else {
        return;
    };
    let mut walker = TypeWalker {
        code: &narrowed.text,
        compacted: [&narrowed, &compact],
        out,
        depth: 0,
        enumerators: reach == Reach::AllNames,
    };
    walker.visit(tree.root_node());
}

struct TypeWalker<'a> {
    /// The text tree-sitter parsed: the type statements that define no
    /// struct, compacted twice.
    code: &'a [u8],
    /// The way back to the header's offsets: `code` was made by the
    /// first, from the text the second made from the header.
    compacted: [&'a type_statements::Compact; 2],
    out: &'a mut Vec<RawDecl>,
    /// Recursion depth: garbage can nest arbitrarily; headers do not.
    depth: usize,
    /// Whether enum constants are read ([`Reach::AllNames`]).
    enumerators: bool,
}

/// Deeper syntax trees are not searched for declarations.
const MAX_DEPTH: usize = 256;

impl TypeWalker<'_> {
    /// Where a byte of the parsed text is in the header.
    fn offset(&self, byte: usize) -> u32 {
        let [narrowed, compact] = self.compacted;
        compact.original(narrowed.original(byte) as usize)
    }

    fn text(&self, node: Node) -> String {
        lex::lossy(&self.code[node.byte_range()]).into_owned()
    }

    fn visit(&mut self, node: Node) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.visit_inner(node);
        self.depth -= 1;
    }

    fn visit_inner(&mut self, node: Node) {
        match node.kind() {
            "type_definition" => self.type_definition(node),
            "struct_specifier" => self.struct_specifier(node, None),
            "enumerator" if self.enumerators => {
                if let Some(name) = node.child_by_field_name("name") {
                    self.out.push(RawDecl::Enumerator {
                        name: self.text(name),
                        offset: self.offset(name.start_byte()),
                    });
                }
            }
            "function_definition" | "compound_statement" => {}
            _ => {
                let mut cursor = node.walk();
                for child in node.children(&mut cursor) {
                    self.visit(child);
                }
            }
        }
    }

    fn type_definition(&mut self, node: Node) {
        let mut names = Vec::new();
        let mut cursor = node.walk();
        for declarator in node.children_by_field_name("declarator", &mut cursor) {
            if let Some(name) = innermost_name(declarator, "type_identifier") {
                names.push((self.text(name), self.offset(name.start_byte())));
            }
        }
        let mut target = None;
        if let Some(ty) = node.child_by_field_name("type") {
            if ty.kind() == "struct_specifier" {
                let tag = ty.child_by_field_name("name").map(|n| self.text(n));
                let key = tag.or_else(|| names.first().map(|(name, _)| name.clone()));
                self.struct_specifier(ty, key.clone());
                target = key;
            } else {
                self.visit(ty);
            }
        }
        for (name, offset) in names {
            self.out.push(RawDecl::Typedef {
                name,
                offset,
                target: target.clone(),
            });
        }
    }

    /// A struct with a body is a definition; one without only names it.
    fn struct_specifier(&mut self, node: Node, key: Option<String>) {
        let key = key.or_else(|| node.child_by_field_name("name").map(|n| self.text(n)));
        let Some(body) = node.child_by_field_name("body") else {
            if let Some(key) = key {
                self.out.push(RawDecl::StructDecl {
                    key,
                    offset: self.offset(node.start_byte()),
                });
            }
            return;
        };
        let Some(key) = key else {
            // An anonymous struct that is not typedef'd: only its members
            // matter, to the enclosing struct.
            return;
        };
        let offset = node
            .child_by_field_name("name")
            .map_or(node.start_byte(), |n| n.start_byte());
        let offset = self.offset(offset);
        self.out.push(RawDecl::StructBegin { key, offset });
        let close = self.body_members(body.start_byte());
        self.out.push(RawDecl::StructEnd {
            offset: self.offset(close.min(self.code.len().saturating_sub(1))),
        });
    }

    /// The members of the body at `open` (its `{`), read from its tokens
    /// (see [`struct_body`]): tree-sitter's own reading of a body derails
    /// on macros it cannot expand.
    fn body_members(&mut self, open: usize) -> usize {
        let close = struct_body::closing_brace(self.code, open).unwrap_or(self.code.len());
        for entry in struct_body::members(self.code, open + 1, close) {
            let offset = self.offset(entry.offset as usize);
            self.out.push(RawDecl::member(entry, offset));
        }
        close
    }
}

/// The declared name inside a declarator: `*(*name)[3]` → `name`.
fn innermost_name<'t>(declarator: Node<'t>, kind: &str) -> Option<Node<'t>> {
    innermost_name_within(declarator, kind, MAX_DEPTH)
}

fn innermost_name_within<'t>(declarator: Node<'t>, kind: &str, depth: usize) -> Option<Node<'t>> {
    if declarator.kind() == kind {
        return Some(declarator);
    }
    let depth = depth.checked_sub(1)?;
    if let Some(inner) = declarator.child_by_field_name("declarator") {
        return innermost_name_within(inner, kind, depth);
    }
    let mut cursor = declarator.walk();
    let found = declarator
        .named_children(&mut cursor)
        .find_map(|child| innermost_name_within(child, kind, depth));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(code: &str) -> Vec<String> {
        extract(code.as_bytes(), Reach::AllNames)
            .into_iter()
            .map(|d| match d {
                RawDecl::Function { name, .. } => format!("func {name}"),
                RawDecl::Data { name, .. } => format!("data {name}"),
                RawDecl::Typedef { name, target, .. } => format!("typedef {name} {target:?}"),
                RawDecl::StructBegin { key, .. } => format!("struct {key} {{"),
                RawDecl::Member { name, .. } => format!("  {name}"),
                RawDecl::MemberMacro { name, .. } => format!("  {name}!"),
                RawDecl::StructEnd { .. } => "}".to_string(),
                RawDecl::StructDecl { key, .. } => format!("struct {key};"),
                RawDecl::Enumerator { name, .. } => format!("enumerator {name}"),
                RawDecl::Inline { name, .. } => format!("inline {name}"),
            })
            .collect()
    }

    #[test]
    fn finds_enumerators_and_static_inline_functions() {
        let code = "enum PyUnicode_Kind { PyUnicode_1BYTE_KIND = 1, PyUnicode_2BYTE_KIND };
                    static inline PyObject* _Py_NewRef(PyObject *obj) { return obj; }
                    static inline Py_ALWAYS_INLINE void Py_INCREF(PyObject *op) {}
                    static int not_inline(void);
static inline_t x = 1;
";
        assert_eq!(
            names(code),
            [
                "enumerator PyUnicode_1BYTE_KIND",
                "enumerator PyUnicode_2BYTE_KIND",
                "inline _Py_NewRef",
                "inline Py_INCREF",
            ]
        );
    }

    #[test]
    fn finds_typedefs_and_struct_members() {
        let code = "typedef struct _foo PyFoo;\n\
                    typedef struct { int a; union { long b; char c; }; } PyBar;\n\
                    struct _foo { int x; char *(*y)(void); };\n\
                    typedef int (*cb)(void);\n\
                    struct _obj { PyObject_HEAD\n PyObject *(*f)(void); };\n";
        assert_eq!(
            names(code),
            [
                "struct _foo;",
                "typedef PyFoo Some(\"_foo\")",
                "struct PyBar {",
                "  a",
                "  b",
                "  c",
                "}",
                "typedef PyBar Some(\"PyBar\")",
                "struct _foo {",
                "  x",
                "  y",
                "}",
                "typedef cb None",
                "struct _obj {",
                "  PyObject_HEAD!",
                "  f",
                "}",
            ]
        );
    }
}
