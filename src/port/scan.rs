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

use std::collections::{BTreeMap, HashSet};

use crate::abi::Abi;
use crate::version::Version;
use crate::view::{FileId, Placed, Tok, Unit};

use super::api::{Api, Status};

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
    pub file: FileId,
    pub offset: u32,
}

/// What one unit uses.
#[derive(Clone, Debug, Default)]
pub struct Found {
    pub blockers: Vec<Blocker>,
    /// The Limited API names used, each with the version it needs.
    pub needs: BTreeMap<String, Version>,
}

/// C's keywords and the names declarators may follow: never a declarator
/// themselves.
const KEYWORDS: &[&str] = &[
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
pub fn scan(unit: &Unit, api: &Api, abi: Abi, target: Version) -> Found {
    let own = own_names(unit);
    let judge = Judge {
        api,
        abi,
        target,
        own: &own,
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

type Hasher = foldhash::fast::RandomState;

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
}

impl Judge<'_, '_> {
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
                file,
                offset: token.offset,
            };
            match previous {
                Some(Tok::Punct("->")) => {
                    found.blockers.extend(self.member(name, file, token.offset));
                    continue;
                }
                Some(Tok::Punct(".")) => {
                    // `a.b`, not a designator (`{ .m_name = ... }`).
                    if matches!(
                        before,
                        Some(Tok::Ident(_) | Tok::Punct(")") | Tok::Punct("]"))
                    ) {
                        found.blockers.extend(self.member(name, file, token.offset));
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
                    let need = found.needs.entry(name.to_string()).or_insert(since);
                    *need = (*need).max(since);
                    if self.is_object(tokens, i) {
                        found.blockers.extend(self.object(name, file, token.offset));
                    }
                }
                Status::Newer { since } => found
                    .blockers
                    .push(blocker(Kind::Newer(since), name.into())),
                Status::Early { added } => {
                    let need = found.needs.entry(name.to_string()).or_insert(added);
                    *need = (*need).max(added);
                    found
                        .blockers
                        .push(blocker(Kind::Early(added), name.into()))
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
                Status::Unknown => {}
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
            file,
            offset,
        })
    }

    fn member(&self, member: &str, file: FileId, offset: u32) -> Option<Blocker> {
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
            file,
            offset,
        })
    }
}
