//! The uses in one translation unit's active code, judged against the
//! headers ([`Api`]) for one Stable ABI at one target version.
//!
//! The unit's tokens are read as C, without types: an identifier is a name
//! use unless it follows `->` or `.` (a member) or the unit declares it
//! itself (a macro, typedef, struct or function of its own, which may
//! shadow an API name, as compatibility headers do; a Python name that the
//! unit declares only in regions the walk skipped, as `pythoncapi_compat.h`
//! does for the full API, is a blocker); a type name followed
//! by a declarator and `=`, `;`, `,`, `[` or `)`, or inside `sizeof( )`, is
//! an object of that type. A member is judged by its name: it is a blocker
//! when only structs the target keeps opaque have it, and no struct of the
//! unit does. The bodies of the unit's `#define`s count as code (where the
//! macro's own parameters are not names).

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::abi::Abi;
use crate::version::Version;
use crate::view::{FileId, Placed, Tok, Unit};

use super::api::{Api, Status};
use super::guard::{fallbacks, guards, Guard, GuardKind};
use super::includes::Headers;
use super::system::SystemNames;

/// What a use is, when it blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    FullOnly,
    /// Available from this version, after the target.
    Newer(Version),
    /// Declared at the target, added to the Stable ABI at this version
    /// (a warning: it compiles, and may not load before that version).
    Early(Version),
    /// Not in the headers; declared only by the unit's own code in a region
    /// the target's walk skips.
    OnlySkipped,
    /// A member of a struct the target keeps opaque.
    OpaqueMember,
    /// An object (or `sizeof`) of a struct the target keeps opaque.
    OpaqueObject,
    /// abi3 has it and abi3t hides it; the struct that is the reason, when
    /// not the name itself.
    HiddenByAbi3t(Option<String>),
    /// A name of the C library that these system headers declare, which
    /// `Python.h` includes for the full API and not for the target, and
    /// the unit does not include itself.
    MissingInclude(Vec<String>),
}

/// One blocking use.
#[derive(Clone, Debug)]
pub struct Blocker {
    pub kind: Kind,
    /// What the finding is named: the C name, `Struct.member`, or the
    /// struct of an object.
    pub name: String,
    /// For a member, the member alone.
    pub member: Option<String>,
    /// For a member, every struct of the full API that has it (the first
    /// names the finding: a member is known by its name, not its object's
    /// type).
    pub owners: Vec<String>,
    /// An object of the struct `name` (or its `sizeof`).
    pub object: bool,
    /// For a name newer than the target (or declared before the Stable ABI
    /// has it), the `#if` on the headers' version the use is under, when it
    /// asks for that name's version or a later one ([`Guard`]).
    pub guard: Option<Guard>,
    pub file: FileId,
    pub offset: u32,
}

/// What one unit uses.
#[derive(Clone, Debug, Default)]
pub struct Found {
    pub blockers: Vec<Blocker>,
    /// The Limited API names used, each with the version it needs (not
    /// counting uses under a [`Guard`] that asks for that version).
    pub needs: BTreeMap<String, Version>,
}

/// C's keywords and the names declarators may follow: never a declarator
/// themselves.
pub(super) const KEYWORDS: &[&str] = &[
    "auto",
    "break",
    "case",
    "char",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "typedef",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    "_Bool",
    "_Atomic",
    "_Thread_local",
];

/// Judges the uses of `unit` for `abi` at `target`.
pub fn scan(unit: &Unit, api: &Api, system: &SystemNames, abi: Abi, target: Version) -> Found {
    let own = own_names(unit);
    let guards = guards(unit, api.version);
    let fallbacks = fallbacks(unit);
    let headers = Headers::of(unit, api, system, abi, target);
    let judge = Judge {
        api,
        abi,
        target,
        own: &own,
        guards: &guards,
        fallbacks: &fallbacks,
        headers: headers.as_ref(),
    };
    let mut found = Found::default();
    for file in &unit.files {
        judge.tokens(file.id, &file.code, &[], &mut found);
        for definition in &file.defines {
            judge.tokens(file.id, &definition.body, &definition.params, &mut found);
        }
    }
    found
}

/// The names a unit declares: its macros, types, struct members and the
/// functions it declares or defines at file scope.
struct Own<'s> {
    names: HashSet<&'s str, Hasher>,
    members: HashSet<&'s str, Hasher>,
    /// What it declares in the regions the walk skipped only.
    skipped: HashSet<&'s str, Hasher>,
}

pub(super) type Hasher = foldhash::fast::RandomState;

fn own_names<'s>(unit: &Unit<'s>) -> Own<'s> {
    let mut names = HashSet::default();
    let mut members = HashSet::default();
    let mut skipped = HashSet::default();
    for file in &unit.files {
        names.extend(file.defines.iter().map(|d| d.name));
        names.extend(file.types.iter().copied());
        members.extend(file.members.iter().copied());
        names.extend(file.functions.iter().copied());
        skipped.extend(file.skipped.iter().copied());
    }
    Own {
        names,
        members,
        skipped,
    }
}

/// How far back [`declared_type`] looks for a declaration, in tokens (a
/// long function's start; the search stays linear in the source).
const DECLARATION_WINDOW: usize = 4096;

/// The type the object of the member use at `i` (`x->m`, `x.m`) was
/// declared with, when `x` is a name and its declaration (`T *x`, `T x`,
/// a parameter) precedes the use nearby: `T`, `*`s and qualifiers between.
fn declared_type<'s>(tokens: &[Placed<'s>], i: usize) -> Option<&'s str> {
    let base = i.checked_sub(2)?;
    let name = match tokens[base].tok {
        Tok::Ident(name) => name,
        Tok::Punct(")") => return cast_type(tokens, base),
        _ => return None,
    };
    let start = base.saturating_sub(DECLARATION_WINDOW);
    for j in (start..base).rev() {
        if tokens[j].tok != Tok::Ident(name) {
            continue;
        }
        let declarator_end = matches!(
            tokens.get(j + 1).map(|t| t.tok),
            Some(Tok::Punct("=" | ";" | "," | ")" | "["))
        );
        if !declarator_end {
            continue;
        }
        let mut k = j;
        while k > 0
            && matches!(
                tokens[k - 1].tok,
                Tok::Punct("*") | Tok::Ident("const" | "volatile" | "restrict")
            )
        {
            k -= 1;
        }
        match k.checked_sub(1).map(|k| tokens[k].tok) {
            Some(Tok::Ident(ty)) if !KEYWORDS.contains(&ty) || is_scalar(ty) => return Some(ty),
            _ => continue,
        }
    }
    None
}

/// The type of a cast object, `((T *)x)->m`: `T`, from the `)` before the
/// member's `->` (at `close`).
fn cast_type<'s>(tokens: &[Placed<'s>], close: usize) -> Option<&'s str> {
    let mut depth = 0usize;
    let mut open = None;
    for j in (close.saturating_sub(DECLARATION_WINDOW)..=close).rev() {
        match tokens[j].tok {
            Tok::Punct(")") => depth += 1,
            Tok::Punct("(") => {
                depth -= 1;
                if depth == 0 {
                    open = Some(j);
                    break;
                }
            }
            _ => {}
        }
    }
    // `( ( T * ... ) x )`
    let open = open?;
    let (Some(Tok::Punct("(")), Some(Tok::Ident(ty))) = (
        tokens.get(open + 1).map(|t| t.tok),
        tokens.get(open + 2).map(|t| t.tok),
    ) else {
        return None;
    };
    let mut k = open + 3;
    while matches!(tokens.get(k).map(|t| t.tok), Some(Tok::Punct("*"))) {
        k += 1;
    }
    let cast = k > open + 3 && matches!(tokens.get(k).map(|t| t.tok), Some(Tok::Punct(")")));
    cast.then_some(ty)
}

/// C's scalar type keywords: a declaration's type, though keywords.
pub(super) fn is_scalar(word: &str) -> bool {
    matches!(
        word,
        "char" | "int" | "long" | "short" | "float" | "double" | "void" | "unsigned" | "signed"
    )
}

/// A name of Python's C API by its spelling: `Py` or `_Py` then `_` or a
/// capital (`PyUnicodeWriter`, `_Py_IsImmortal`), not a word like `Python`.
fn is_python_name(name: &str) -> bool {
    let rest = name.strip_prefix('_').unwrap_or(name);
    rest.strip_prefix("Py")
        .and_then(|after| after.chars().next())
        .is_some_and(|next| next == '_' || next.is_ascii_uppercase())
}

struct Judge<'a, 's> {
    api: &'a Api,
    abi: Abi,
    target: Version,
    own: &'a Own<'s>,
    guards: &'a [(FileId, (u32, u32), Guard)],
    fallbacks: &'a HashMap<&'s str, (FileId, u32), Hasher>,
    headers: Option<&'a Headers<'a, 's>>,
}

impl Judge<'_, '_> {
    /// The guard on the headers' version a use of `name` (needing
    /// `since`) at `offset` of `file` is under, when it asks for `since` or
    /// later (the newest, when several); else the `#if` that leaves out the
    /// unit's own fallback definition of `name`.
    fn guard(&self, name: &str, file: FileId, offset: u32, since: Version) -> Option<Guard> {
        let branch = self
            .guards
            .iter()
            .filter(|(f, (start, end), guard)| {
                *f == file && *start <= offset && offset < *end && guard.version >= since
            })
            .map(|(.., guard)| *guard)
            .max_by_key(|guard| (guard.kind == GuardKind::Version, guard.version))
            // A feature test asks for what the use needs.
            .map(|guard| match guard.kind {
                GuardKind::Feature => Guard {
                    version: since,
                    ..guard
                },
                _ => guard,
            });
        branch.or_else(|| {
            let &(file, directive) = self.fallbacks.get(name)?;
            Some(Guard {
                version: since,
                file,
                directive,
                kind: GuardKind::Fallback,
            })
        })
    }

    /// Judges a run of tokens (a file's code or a macro's body, whose
    /// `params` are not names).
    fn tokens(&self, file: FileId, tokens: &[Placed], params: &[&str], found: &mut Found) {
        let tok = |i: usize| tokens.get(i).map(|t| t.tok);
        for (i, token) in tokens.iter().enumerate() {
            let Tok::Ident(name) = token.tok else {
                continue;
            };
            if params.contains(&name) {
                continue;
            }
            let previous = i.checked_sub(1).and_then(tok);
            let before = i.checked_sub(2).and_then(tok);
            let blocker = |kind: Kind, name: String| Blocker {
                kind,
                name,
                member: None,
                owners: Vec::new(),
                object: false,
                guard: None,
                file,
                offset: token.offset,
            };
            match previous {
                Some(Tok::Punct("->")) => {
                    let base = declared_type(tokens, i);
                    found
                        .blockers
                        .extend(self.member(name, base, file, token.offset));
                    continue;
                }
                Some(Tok::Punct(".")) => {
                    // `a.b`, not a designator (`{ .m_name = ... }`).
                    if matches!(
                        before,
                        Some(Tok::Ident(_) | Tok::Punct(")") | Tok::Punct("]"))
                    ) {
                        let base = declared_type(tokens, i);
                        found
                            .blockers
                            .extend(self.member(name, base, file, token.offset));
                    }
                    continue;
                }
                _ => {}
            }
            if self.own.names.contains(name) {
                continue;
            }
            match self.api.name(name, self.abi, self.target) {
                Status::Available { since } => {
                    if self.guard(name, file, token.offset, since).is_none() {
                        let need = found.needs.entry(name.to_string()).or_insert(since);
                        *need = (*need).max(since);
                    }
                    if self.is_object(tokens, i) {
                        found.blockers.extend(self.object(name, file, token.offset));
                    }
                }
                Status::Newer { since } => found.blockers.push(Blocker {
                    guard: self.guard(name, file, token.offset, since),
                    ..blocker(Kind::Newer(since), name.into())
                }),
                Status::Early { added } => {
                    let guard = self.guard(name, file, token.offset, added);
                    if guard.is_none() {
                        let need = found.needs.entry(name.to_string()).or_insert(added);
                        *need = (*need).max(added);
                    }
                    found.blockers.push(Blocker {
                        guard,
                        ..blocker(Kind::Early(added), name.into())
                    })
                }
                Status::HiddenByAbi3t { why } => found
                    .blockers
                    .push(blocker(Kind::HiddenByAbi3t(why), name.into())),
                Status::FullOnly => found.blockers.push(blocker(Kind::FullOnly, name.into())),
                // A Python name that only the unit's own code for other
                // configurations declares (pythoncapi_compat.h's shims
                // under `!defined(Py_LIMITED_API)`).
                Status::Unknown if self.own.skipped.contains(name) && is_python_name(name) => {
                    found.blockers.push(blocker(Kind::OnlySkipped, name.into()))
                }
                // A name of the C library that Python.h no longer brings.
                Status::Unknown => {
                    let missing = self.headers.and_then(|h| h.missing(name, tokens, i, file));
                    if let Some(headers) = missing {
                        found
                            .blockers
                            .push(blocker(Kind::MissingInclude(headers), name.into()));
                    }
                }
            }
        }
    }

    /// Whether the type name at `i` is used for an object: `T name` then
    /// `=`, `;`, `,`, `[` or `)` (not after `extern` or `typedef`), or
    /// `sizeof(T)`.
    fn is_object(&self, tokens: &[Placed], i: usize) -> bool {
        let tok = |j: usize| tokens.get(j).map(|t| t.tok);
        let previous = i.checked_sub(1).and_then(tok);
        let sized = matches!(previous, Some(Tok::Punct("(")))
            && matches!(i.checked_sub(2).and_then(tok), Some(Tok::Ident("sizeof")))
            && matches!(tok(i + 1), Some(Tok::Punct(")")));
        let declared = matches!(tok(i + 1), Some(Tok::Ident(name)) if !KEYWORDS.contains(&name))
            && matches!(tok(i + 2), Some(Tok::Punct("=" | ";" | "," | "[" | ")")))
            && !matches!(previous, Some(Tok::Ident("extern" | "typedef")));
        sized || declared
    }

    fn object(&self, name: &str, file: FileId, offset: u32) -> Option<Blocker> {
        let kind = match self.api.complete_type(name, self.abi, self.target) {
            Status::Available { .. } | Status::Early { .. } | Status::Unknown => return None,
            Status::Newer { since } => Kind::Newer(since),
            Status::HiddenByAbi3t { why } => Kind::HiddenByAbi3t(why),
            Status::FullOnly => Kind::OpaqueObject,
        };
        Some(Blocker {
            kind,
            name: name.to_string(),
            member: None,
            owners: Vec::new(),
            object: true,
            guard: None,
            file,
            offset,
        })
    }

    /// A member use; `base` is the type its object was declared with, when
    /// [`declared_type`] finds it.
    fn member(
        &self,
        member: &str,
        base: Option<&str>,
        file: FileId,
        offset: u32,
    ) -> Option<Blocker> {
        if let Some(base) = base {
            // The object's type is known: a struct of the API that has the
            // member decides, any other type (the unit's, a library's) is
            // none of the Limited API's business.
            if !self.api.has_member(base, member) {
                // An API struct without it as its own (a member of a
                // member's struct): by name; any other type: not ours.
                return if self.api.is_struct(base) {
                    self.by_member_name(member, file, offset)
                } else {
                    None
                };
            }
            let kind = match self.api.complete_type(base, self.abi, self.target) {
                Status::Available { .. } | Status::Early { .. } | Status::Unknown => return None,
                Status::Newer { since } => Kind::Newer(since),
                Status::HiddenByAbi3t { why } => Kind::HiddenByAbi3t(why),
                Status::FullOnly => Kind::OpaqueMember,
            };
            return Some(Blocker {
                kind,
                name: format!("{base}.{member}"),
                member: Some(member.to_string()),
                owners: vec![base.to_string()],
                object: false,
                guard: None,
                file,
                offset,
            });
        }
        self.by_member_name(member, file, offset)
    }

    /// A member use judged by the member's name alone: a blocker when only
    /// structs the target keeps opaque have it, and no struct of the unit.
    fn by_member_name(&self, member: &str, file: FileId, offset: u32) -> Option<Blocker> {
        if self.own.members.contains(member) {
            return None;
        }
        let status = self.api.member(member, self.abi, self.target);
        let owners = self.api.owners(member, self.abi, &status);
        let kind = match status {
            Status::Available { .. } | Status::Early { .. } | Status::Unknown => return None,
            Status::Newer { since } => Kind::Newer(since),
            Status::HiddenByAbi3t { why } => Kind::HiddenByAbi3t(why),
            Status::FullOnly => Kind::OpaqueMember,
        };
        let owner = *owners.first()?;
        Some(Blocker {
            kind,
            name: format!("{owner}.{member}"),
            member: Some(member.to_string()),
            owners: owners.iter().map(|owner| owner.to_string()).collect(),
            object: false,
            guard: None,
            file,
            offset,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placed(code: &str) -> Vec<Placed<'_>> {
        let mut tokens = Vec::new();
        for (offset, word) in code.split_whitespace().enumerate() {
            let tok = if word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                Tok::Ident(word)
            } else {
                let punct: &'static str = match word {
                    "(" => "(",
                    ")" => ")",
                    "*" => "*",
                    "->" => "->",
                    "." => ".",
                    ";" => ";",
                    "=" => "=",
                    "," => ",",
                    _ => "?",
                };
                Tok::Punct(punct)
            };
            tokens.push(Placed {
                tok,
                offset: offset as u32,
            });
        }
        tokens
    }

    #[test]
    fn a_members_object_type_is_found_from_its_declaration_or_cast() {
        let code =
            placed("void f ( PyTypeObject * tp , Own * own ) { tp -> tp_free ; own -> x ; }");
        let at = |member: &str| {
            code.iter()
                .position(|t| t.tok == Tok::Ident(member))
                .unwrap()
        };
        assert_eq!(declared_type(&code, at("tp_free")), Some("PyTypeObject"));
        assert_eq!(declared_type(&code, at("x")), Some("Own"));
        let cast = placed("( ( PyUnicodeObject * ) self ) -> data");
        assert_eq!(declared_type(&cast, 8), Some("PyUnicodeObject"));
        let call = placed("Py_TYPE ( self ) -> tp_name");
        assert_eq!(declared_type(&call, 5), None);
        let unknown = placed("x -> y");
        assert_eq!(declared_type(&unknown, 2), None);
    }
}
