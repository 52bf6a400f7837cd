//! The size and member offsets of a struct, computed from the headers of
//! one view with C's layout rules for linux x86-64 (LP64, the System V
//! AMD64 psABI §3.1.2, which gcc follows): each member at the next offset
//! that is a multiple of its alignment, the struct's alignment the largest
//! of its members', its size rounded up to it (tail padding); a union's
//! members all at 0.
//!
//! Scalars: `char` 1, `short` 2, `int` 4, `long`/`long long` 8, `float` 4,
//! `double` 8, `long double` 16, pointers (function pointers too) 8;
//! `size_t`, `ssize_t`, `intptr_t` and the other system typedefs of
//! [`SYSTEM_TYPEDEFS`] by their glibc definition. Header typedefs are
//! resolved through the view; nested and anonymous structs and unions,
//! arrays of constant size, and `__attribute__((aligned(N)))` / `_Alignas`
//! are laid out. What cannot be (a bit-field, an unknown typedef, an opaque
//! struct by value, an array whose size is not a constant) is an `Err`
//! naming it: the caller says so rather than guess.

use std::rc::Rc;

use super::c_text::{self, is_identifier, Source};

/// Where one member is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberAt {
    /// Members of anonymous structs and unions are listed by their own
    /// names, as C lets them be named (C11 6.7.2.1p13).
    pub name: String,
    pub offset: u64,
    pub size: u64,
}

/// A struct's or union's layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub size: u64,
    pub align: u64,
    pub members: Vec<MemberAt>,
}

impl Layout {
    /// `size 40: ml_name@0, ml_meth@8, ...`
    pub fn describe(&self) -> String {
        let members: Vec<String> = self
            .members
            .iter()
            .map(|m| format!("{}@{}", m.name, m.offset))
            .collect();
        format!("size {}: {}", self.size, members.join(", "))
    }
}

/// glibc's typedefs on x86-64 (size, alignment), for the names the headers
/// use without defining.
pub const SYSTEM_TYPEDEFS: &[(&str, u64)] = &[
    ("size_t", 8),
    ("ssize_t", 8),
    ("ptrdiff_t", 8),
    ("intptr_t", 8),
    ("uintptr_t", 8),
    ("off_t", 8),
    ("time_t", 8),
    ("pid_t", 4),
    ("wchar_t", 4),
    ("int8_t", 1),
    ("uint8_t", 1),
    ("int16_t", 2),
    ("uint16_t", 2),
    ("int32_t", 4),
    ("uint32_t", 4),
    ("int64_t", 8),
    ("uint64_t", 8),
    ("intmax_t", 8),
    ("uintmax_t", 8),
];

#[derive(Clone, Debug)]
enum Ty {
    Scalar(u64),
    Pointer,
    Void,
    Function,
    Array(Box<Ty>, Option<u64>),
    Record(Rc<Layout>),
    /// A type that cannot be laid out, and why; fine behind a pointer.
    Unknown(String),
}

impl Ty {
    /// (size, alignment); a flexible array member has size 0.
    fn size_align(&self) -> Result<(u64, u64), String> {
        match self {
            Ty::Scalar(size) => Ok((*size, *size)),
            Ty::Pointer => Ok((8, 8)),
            Ty::Void => Err("a member of type void".to_string()),
            Ty::Function => Err("a member of function type".to_string()),
            Ty::Array(element, count) => {
                let (size, align) = element.size_align()?;
                let size = size
                    .checked_mul(count.unwrap_or(0))
                    .ok_or("an array too large")?;
                Ok((size, align))
            }
            Ty::Record(layout) => Ok((layout.size, layout.align)),
            Ty::Unknown(reason) => Err(reason.clone()),
        }
    }
}

/// One declared member before layout.
struct Field {
    name: Option<String>,
    ty: Ty,
    /// An alignment asked for by `aligned(N)` or `_Alignas`.
    align: u64,
}

/// The layout of struct (or typedef) `name` in `view`'s headers.
///
/// Errors: why it cannot be laid out (see the module's documentation).
pub fn struct_layout(src: &Source, name: &str) -> Result<Layout, String> {
    let ty = match typedef(src, name, 0) {
        Err(_) if src.view.structs.contains_key(name) => tagged(src, name, false, 0)?,
        other => other?,
    };
    match ty {
        Ty::Record(layout) => Ok((*layout).clone()),
        Ty::Unknown(reason) => Err(reason),
        _ => Err(format!("{name} is not a struct")),
    }
}

fn typedef(src: &Source, name: &str, depth: usize) -> Result<Ty, String> {
    if depth > c_text::MAX_DEPTH {
        return Err(format!("typedef {name} nests too deep"));
    }
    let Some(statement) = src.typedef_statement(name) else {
        return SYSTEM_TYPEDEFS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, size)| Ty::Scalar(*size))
            .ok_or_else(|| format!("typedef {name} is not known"));
    };
    let tokens = c_text::preprocess(src, &statement)?;
    let Some(rest) = tokens.strip_prefix(&["typedef".to_string()]) else {
        return Err(format!("typedef {name}: cannot read its statement"));
    };
    for field in declaration(src, rest, depth + 1)? {
        if field.name.as_deref() == Some(name) {
            return Ok(field.ty);
        }
    }
    Err(format!("typedef {name}: cannot read its statement"))
}

/// `struct tag` (or `union tag`) by value.
fn tagged(src: &Source, tag: &str, union: bool, depth: usize) -> Result<Ty, String> {
    if depth > c_text::MAX_DEPTH {
        return Err(format!("struct {tag} nests too deep"));
    }
    let body = src.struct_body(tag)?;
    let tokens = c_text::preprocess(src, &body)?;
    let inner = tokens.get(1..tokens.len().saturating_sub(1)).unwrap_or(&[]);
    record(src, inner, union, depth + 1)
}

/// A body's tokens (inside the braces) laid out.
fn record(src: &Source, body: &[String], union: bool, depth: usize) -> Result<Ty, String> {
    if depth > c_text::MAX_DEPTH {
        return Err("structs nested too deep".to_string());
    }
    let mut fields = Vec::new();
    for statement in c_text::split_top(body, ";") {
        if !statement.is_empty() {
            fields.extend(declaration(src, &statement, depth)?);
        }
    }
    lay_out(&fields, union).map(|layout| Ty::Record(Rc::new(layout)))
}

fn lay_out(fields: &[Field], union: bool) -> Result<Layout, String> {
    let mut layout = Layout {
        size: 0,
        align: 1,
        members: Vec::new(),
    };
    let mut end = 0u64;
    for field in fields {
        let (size, align) = field.ty.size_align()?;
        let align = align.max(field.align);
        if !align.is_power_of_two() {
            return Err(format!("alignment {align} is not a power of two"));
        }
        let offset = if union {
            0
        } else {
            end.checked_next_multiple_of(align)
                .ok_or("a struct too large")?
        };
        match (&field.name, &field.ty) {
            (Some(name), _) => layout.members.push(MemberAt {
                name: name.clone(),
                offset,
                size,
            }),
            (None, Ty::Record(inner)) => {
                layout
                    .members
                    .extend(inner.members.iter().map(|m| MemberAt {
                        offset: offset + m.offset,
                        ..m.clone()
                    }))
            }
            (None, _) => {}
        }
        end = if union {
            end.max(size)
        } else {
            offset.checked_add(size).ok_or("a struct too large")?
        };
        layout.align = layout.align.max(align);
    }
    layout.size = end
        .checked_next_multiple_of(layout.align)
        .ok_or("a struct too large")?;
    Ok(layout)
}

/// One declaration (`specifiers declarator, declarator`), its fields;
/// an anonymous struct or union is one field without a name.
fn declaration(src: &Source, tokens: &[String], depth: usize) -> Result<Vec<Field>, String> {
    let (base, align, used) = specifiers(src, tokens, depth)?;
    let rest = &tokens[used..];
    if rest.is_empty() {
        return Ok(match base {
            Ty::Record(_) => vec![Field {
                name: None,
                ty: base,
                align,
            }],
            _ => Vec::new(),
        });
    }
    let mut fields = Vec::new();
    for part in c_text::split_top(rest, ",") {
        if part.iter().any(|t| t == ":") {
            return Err("a bit-field (not laid out here)".to_string());
        }
        let (name, ty) = declarator(&part, base.clone())?;
        fields.push(Field { name, ty, align });
    }
    Ok(fields)
}

const QUALIFIERS: &[&str] = &[
    "const",
    "volatile",
    "restrict",
    "__restrict",
    "__extension__",
    "register",
    "static",
    "extern",
    "inline",
    "_Atomic",
];

const BASIC: &[&str] = &[
    "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool",
];

/// The base type, an alignment asked for, and how many tokens they took.
fn specifiers(src: &Source, tokens: &[String], depth: usize) -> Result<(Ty, u64, usize), String> {
    let mut basic: Vec<&str> = Vec::new();
    let mut base: Option<Ty> = None;
    let mut align = 1u64;
    let mut i = 0;
    while let Some(token) = tokens.get(i) {
        let t = token.as_str();
        if QUALIFIERS.contains(&t) {
            i += 1;
        } else if matches!(t, "__attribute__" | "_Alignas" | "alignas" | "__declspec") {
            let (inside, next) = c_text::group(tokens, i + 1);
            align = align.max(alignment(src, t, inside, depth)?);
            i = next;
        } else if matches!(t, "struct" | "union" | "enum") {
            i += 1;
            let tag = tokens.get(i).filter(|n| is_identifier(n));
            if tag.is_some() {
                i += 1;
            }
            let ty = if tokens.get(i).map(String::as_str) == Some("{") {
                let (body, next) = c_text::group(tokens, i);
                i = next;
                match t {
                    "enum" => Ty::Scalar(4),
                    _ => record(src, body, t == "union", depth + 1)?,
                }
            } else {
                match (t, tag) {
                    ("enum", _) => Ty::Scalar(4),
                    (_, Some(tag)) => {
                        tagged(src, tag, t == "union", depth + 1).unwrap_or_else(Ty::Unknown)
                    }
                    (_, None) => return Err(format!("`{t}` without tag or body")),
                }
            };
            base = Some(ty);
        } else if BASIC.contains(&t) {
            basic.push(t);
            i += 1;
        } else if is_identifier(t) && basic.is_empty() && base.is_none() {
            base = Some(typedef(src, t, depth + 1).unwrap_or_else(Ty::Unknown));
            i += 1;
        } else {
            break;
        }
    }
    let ty = match base {
        Some(ty) => ty,
        None if basic.is_empty() => return Err(format!("no type in `{}`", tokens.join(" "))),
        None => basic_type(&basic),
    };
    Ok((ty, align, i))
}

fn basic_type(words: &[&str]) -> Ty {
    let has = |w: &str| words.contains(&w);
    if has("void") {
        Ty::Void
    } else if has("double") {
        Ty::Scalar(if has("long") { 16 } else { 8 })
    } else if has("float") {
        Ty::Scalar(4)
    } else if has("char") || has("_Bool") {
        Ty::Scalar(1)
    } else if has("short") {
        Ty::Scalar(2)
    } else if has("long") {
        Ty::Scalar(8)
    } else {
        Ty::Scalar(4)
    }
}

/// `__attribute__((aligned(N)))`, `_Alignas(N)`, `_Alignas(type)`.
fn alignment(src: &Source, keyword: &str, group: &[String], depth: usize) -> Result<u64, String> {
    let inner = group;
    match keyword {
        "__attribute__" => match inner
            .iter()
            .position(|t| t == "aligned" || t == "__aligned__")
        {
            Some(at) if inner.get(at + 1).map(String::as_str) == Some("(") => {
                array_size(c_text::group(inner, at + 1).0)
            }
            Some(_) => Ok(16),
            None => Ok(1),
        },
        "__declspec" => Err("__declspec is not laid out here".to_string()),
        _ => match array_size(inner) {
            Ok(n) => Ok(n),
            Err(_) => {
                let (ty, _, _) = specifiers(src, inner, depth + 1)?;
                Ok(ty.size_align()?.1)
            }
        },
    }
}

/// A constant made of literals and operators only.
fn array_size(tokens: &[String]) -> Result<u64, String> {
    let text = tokens.join(" ");
    if tokens.iter().any(|t| is_identifier(t)) {
        return Err(format!("`{text}` is not a constant evaluated here"));
    }
    c_text::constant(tokens).ok_or_else(|| format!("`{text}` is not a constant evaluated here"))
}

enum Suffix {
    Array(Option<u64>),
    Function,
}

/// A declarator applied to `base`: its name and type.
fn declarator(tokens: &[String], base: Ty) -> Result<(Option<String>, Ty), String> {
    let mut ty = base;
    let mut i = 0;
    while let Some(t) = tokens.get(i) {
        match t.as_str() {
            "*" => ty = Ty::Pointer,
            q if QUALIFIERS.contains(&q) => {}
            _ => break,
        }
        i += 1;
    }
    let (name, inner, mut i) = match tokens.get(i).map(String::as_str) {
        Some("(") => {
            let (inside, next) = c_text::group(tokens, i);
            (None, Some(inside), next)
        }
        Some(t) if is_identifier(t) => (Some(t.to_string()), None, i + 1),
        _ => (None, None, i),
    };
    let mut suffixes = Vec::new();
    while let Some(t) = tokens.get(i) {
        let (inside, mut next) = c_text::group(tokens, i);
        match t.as_str() {
            "[" => {
                let size = inside;
                suffixes.push(Suffix::Array(if size.is_empty() {
                    None
                } else {
                    Some(array_size(size)?)
                }));
            }
            "(" => suffixes.push(Suffix::Function),
            "__attribute__" => next = c_text::group(tokens, i + 1).1,
            other => return Err(format!("unexpected `{other}` in `{}`", tokens.join(" "))),
        }
        i = next;
    }
    for suffix in suffixes.into_iter().rev() {
        ty = match suffix {
            Suffix::Array(count) => Ty::Array(Box::new(ty), count),
            Suffix::Function => Ty::Function,
        };
    }
    match inner {
        Some(inner) => declarator(inner, ty),
        None => Ok((name, ty)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::View;

    fn lay_out_body(body: &str) -> Result<Layout, String> {
        let view = View::default();
        let src = Source::new(&view);
        match record(&src, &c_text::tokens(body), false, 0)? {
            Ty::Record(layout) => Ok((*layout).clone()),
            _ => Err("not a record".to_string()),
        }
    }

    #[test]
    fn padding_tail_padding_anonymous_unions_and_arrays() {
        let layout = lay_out_body(
            "char c; union { long l; int i[3]; }; short s[2]; void (*f)(int); char t;",
        )
        .unwrap();
        assert_eq!(
            layout.describe(),
            "size 48: c@0, l@8, i@8, s@24, f@32, t@40"
        );
    }

    #[test]
    fn what_cannot_be_laid_out_is_said_and_nothing_panics() {
        let bit_field = lay_out_body("int a : 3;").unwrap_err();
        assert!(bit_field.contains("bit-field"), "{bit_field}");
        let unknown = lay_out_body("Py_unknown x;").unwrap_err();
        assert!(unknown.contains("Py_unknown"), "{unknown}");
        assert!(lay_out_body("Py_unknown *x;").is_ok());
        for garbage in [
            "int a[N];",
            "int a[",
            "__attribute__((aligned(0))) int a;",
            "__attribute__",
            "_Alignas(",
            "struct {",
            "int (",
            "char a[99999999999999][99999999999999];",
            "} ; ) ( ,",
        ] {
            let _ = lay_out_body(garbage);
        }
    }
}
