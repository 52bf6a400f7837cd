//! Header-level rules: what the headers of OLD and NEW declare for each
//! Stable ABI item, compared at every `Py_LIMITED_API` version both have
//! (the view, `Headers::view`, of each side).
//!
//! Declarations are compared as written, normalised ([`super::decl_text`]):
//! comments, spacing and parameter names do not count; a `const`'s value
//! is its replacement text (numbers compared as written). Prototypes and
//! typedefs that differ as written are compared again with their typedefs
//! expanded ([`super::canonical`]), so a typedef renamed to the same type
//! is no change. A `'full-abi'` struct's members are compared as written
//! and its size and offsets are computed ([`super::layout`], linux x86-64);
//! where they cannot be, the finding says why.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Result;

use super::c_text::Source;
use super::decl_text::{self, DeclKind};
use super::layout::{struct_layout, Layout};
use super::{canonical, Pair};
use crate::code::Code;
use crate::diagnostic::{Finding, Location};
use crate::manifest::{Item, Kind, StructAbiKind};
use crate::version::Version;
use crate::view::{literal_value, Defines, Headers, View};

/// `compat-prototype-changed`: its registry entry (`stable-abi explain compat-prototype-changed`).
pub const PROTOTYPE_CHANGED_CODE: Code = Code {
    name: "compat-prototype-changed",
    command: "compat",
    summary: "a function's prototype or a data item's type changed",
    doc: r#"A function's prototype (return and parameter
types) or a data item's type differs between OLD's and NEW's headers.

Why it matters: an extension built against OLD calls the function with OLD's
arguments; another type breaks the call at run time.

Example: `PyAPI_FUNC(int) PyFoo(long)` becomes
`PyAPI_FUNC(int) PyFoo(long long)`."#,
};
/// [`PROTOTYPE_CHANGED_CODE`]'s name, as findings carry it.
pub const PROTOTYPE_CHANGED: &str = PROTOTYPE_CHANGED_CODE.name;

/// `compat-const-changed`: its registry entry (`stable-abi explain compat-const-changed`).
pub const CONST_CHANGED_CODE: Code = Code {
    name: "compat-const-changed",
    command: "compat",
    summary: "a const's value changed",
    doc: r#"A `const` item's value (its `#define`) changed.

Why it matters: the value is compiled into extensions built against OLD.

Example: `#define METH_VARARGS 0x0001` becomes `0x0002`."#,
};
/// [`CONST_CHANGED_CODE`]'s name, as findings carry it.
pub const CONST_CHANGED: &str = CONST_CHANGED_CODE.name;

/// `compat-const-unevaluated`: its registry entry (`stable-abi explain compat-const-unevaluated`).
pub const CONST_UNEVALUATED_CODE: Code = Code {
    name: "compat-const-unevaluated",
    command: "compat",
    summary: "a const's definition changed, and names a macro (warning)",
    doc: r#"A `const`'s definition changed
and names a macro, so its value is not computed here; it may be the
same. Review it (and accept it when it is).

Why it matters: a const's value is compiled into extensions, so a change
of value breaks them; when the new definition cannot be evaluated here
the change must be read by a person.

Example: `#define Py_mod_create 1` becomes
`#define Py_mod_create _Py_SLOT_COMPAT_VALUE(1, 84)`."#,
};
/// [`CONST_UNEVALUATED_CODE`]'s name, as findings carry it.
pub const CONST_UNEVALUATED: &str = CONST_UNEVALUATED_CODE.name;

/// `compat-typedef-changed`: its registry entry (`stable-abi explain compat-typedef-changed`).
pub const TYPEDEF_CHANGED_CODE: Code = Code {
    name: "compat-typedef-changed",
    command: "compat",
    summary: "a typedef's underlying type changed",
    doc: r#"A typedef names another type.

Why it matters: every declaration that uses the typedef changes with it.

Example: `typedef int (*visitproc)(PyObject *, void *)` gains a
parameter."#,
};
/// [`TYPEDEF_CHANGED_CODE`]'s name, as findings carry it.
pub const TYPEDEF_CHANGED: &str = TYPEDEF_CHANGED_CODE.name;

/// `compat-struct-changed`: its registry entry (`stable-abi explain compat-struct-changed`).
pub const STRUCT_CHANGED_CODE: Code = Code {
    name: "compat-struct-changed",
    command: "compat",
    summary: "a 'full-abi' struct's members, types or order changed",
    doc: r#"A `'full-abi'` struct's members, their types
or their order changed.

Why it matters: extensions embed the struct and rely on its size and offsets.

Example: `PyModuleDef_Base` gains a member."#,
};
/// [`STRUCT_CHANGED_CODE`]'s name, as findings carry it.
pub const STRUCT_CHANGED: &str = STRUCT_CHANGED_CODE.name;

/// `compat-struct-layout-changed`: a `'full-abi'` struct's size, or a
/// member's offset or size, differs between OLD and NEW, computed with C's
/// layout rules for linux x86-64 (LP64).
pub const STRUCT_LAYOUT_CHANGED: Code = Code {
    name: "compat-struct-layout-changed",
    command: "compat",
    summary: "a 'full-abi' struct's size or a member's offset changed (linux x86-64)",
    doc: r#"A struct whose `struct_abi_kind` is 'full-abi' in both releases has
another size, or one of OLD's members is at another offset or has another
size in NEW. The layout is computed from the headers with C's rules for
linux x86-64 (LP64, the System V psABI as gcc follows it): scalar sizes,
typedefs resolved through the headers, nested and anonymous structs and
unions, constant-size arrays, alignment attributes, padding and tail
padding. A struct that cannot be laid out (a bit-field, an unknown
typedef, an opaque struct by value, an array whose size is not a constant)
is not guessed: its `compat-struct-changed` finding says why.

Why it matters: extensions embed 'full-abi' structs (a static
`PyMethodDef` table, a `PyModuleDef`) and the interpreter reads them at
NEW's offsets: another size or offset misreads every extension built
against OLD. A change of the body can keep the layout, and the layout can
change with the body as written (a macro-sized array, a typedef).

Example: `#define Py_FULL_PAD 1` becomes `9` in
`typedef struct PyFull { int a; char pad[Py_FULL_PAD]; long b; } PyFull;`:

    new/Include/Python.h:12:16: error: PyFull changed: size 24: a@0, pad@4, b@16 [compat-struct-layout-changed]
        old/Include/Python.h:12:16: note: was: size 16: a@0, pad@4, b@8"#,
};

/// `compat-member-moved`: its registry entry (`stable-abi explain compat-member-moved`).
pub const MEMBER_MOVED_CODE: Code = Code {
    name: "compat-member-moved",
    command: "compat",
    summary: "a listed member of a 'members' struct moved",
    doc: r#"A listed member of a `'members'` struct is at
another position, or a member before it changed.

Why it matters: extensions read listed members at their offsets.

Example: a member inserted before `ob_type` in `PyObject`."#,
};
/// [`MEMBER_MOVED_CODE`]'s name, as findings carry it.
pub const MEMBER_MOVED: &str = MEMBER_MOVED_CODE.name;

/// `compat-members-inserted`: its registry entry (`stable-abi explain compat-members-inserted`).
pub const MEMBERS_INSERTED_CODE: Code = Code {
    name: "compat-members-inserted",
    command: "compat",
    summary: "members inserted before a listed member (warning)",
    doc: r#"Members were inserted before a
listed member of a `'members'` struct, the listed ones keeping their
order. The view flattens anonymous unions and the layout is not
computed, so the offsets may be unchanged (a member added to a union):
review it.

Why it matters: extensions read listed members at OLD's offsets; an
insertion that moves them breaks every such extension.

Example: `PyObject` in 3.14, whose `ob_refcnt` union gained
`ob_refcnt_full`, `ob_overflow` and `ob_flags`."#,
};
/// [`MEMBERS_INSERTED_CODE`]'s name, as findings carry it.
pub const MEMBERS_INSERTED: &str = MEMBERS_INSERTED_CODE.name;

/// Every header-level rule with its summary, in reporting order.
pub const RULES: [(&str, &str); 8] = [
    (
        PROTOTYPE_CHANGED,
        "a function's prototype or a data item's type changed",
    ),
    (CONST_CHANGED, "a const's value changed"),
    (
        CONST_UNEVALUATED,
        "a const's definition changed, and names a macro (warning)",
    ),
    (TYPEDEF_CHANGED, "a typedef's underlying type changed"),
    (
        STRUCT_CHANGED,
        "a 'full-abi' struct's members, types or order changed",
    ),
    (STRUCT_LAYOUT_CHANGED.name, STRUCT_LAYOUT_CHANGED.summary),
    (MEMBER_MOVED, "a listed member of a 'members' struct moved"),
    (
        MEMBERS_INSERTED,
        "members inserted before a listed member (warning)",
    ),
];

/// One side's headers, and how its paths read in messages.
pub struct HeaderTree<'a> {
    pub headers: &'a Headers,
    /// Rewrites a path under a temporary extraction (`git archive`) into
    /// how the user names it (`REV:Include/...`).
    pub display: Option<(PathBuf, String)>,
}

impl HeaderTree<'_> {
    fn shown(&self, location: &Location) -> Location {
        match &self.display {
            Some((root, label)) => match location.path.strip_prefix(root) {
                Ok(rest) => Location::new(
                    format!("{label}:{}", rest.display()),
                    location.line,
                    location.column,
                ),
                Err(_) => location.clone(),
            },
            None => location.clone(),
        }
    }
}

/// A difference found at one version.
struct Seen {
    versions: Vec<Version>,
    old: (Location, String),
    new: (Location, String),
}

/// Compares every item both manifests list (by kind, as NEW lists it) in
/// the views of both header trees at every version both have.
///
/// Errors: a view cannot be computed (a bad header).
pub fn compare_headers(pair: &Pair, old: &HeaderTree, new: &HeaderTree) -> Result<Vec<Finding>> {
    let last = old
        .headers
        .python_version()
        .min(new.headers.python_version());
    let none = Defines::default();
    let mut seen: BTreeMap<(&'static str, String), Seen> = BTreeMap::new();
    for version in Version::FIRST.up_to(last) {
        let old_view = old.headers.view(Some(version), &none)?;
        let new_view = new.headers.view(Some(version), &none)?;
        let (old_view, new_view) = (Source::new(&old_view), Source::new(&new_view));
        for item in &pair.new.manifest.items {
            let Some(before) = pair.old.manifest.get(&item.name) else {
                continue;
            };
            if before.kind != item.kind || before.abi_only || item.abi_only {
                continue;
            }
            for (rule, old_decl, new_decl) in differences(before, item, &old_view, &new_view) {
                let entry = seen
                    .entry((rule, item.name.clone()))
                    .or_insert_with(|| Seen {
                        versions: Vec::new(),
                        old: old_decl.clone(),
                        new: new_decl.clone(),
                    });
                entry.versions.push(version);
                (entry.old, entry.new) = (old_decl, new_decl);
            }
        }
    }
    let rank = |rule: &str| RULES.iter().position(|(name, _)| *name == rule);
    let mut findings: Vec<Finding> = seen
        .into_iter()
        .map(|((rule, name), seen)| {
            let finding = Finding::error(rule, &name, format!("{name} changed: {}", seen.new.1))
                .at(Some(new.shown(&seen.new.0)))
                .versions(seen.versions)
                .note(Some(old.shown(&seen.old.0)), format!("was: {}", seen.old.1));
            match rule {
                CONST_UNEVALUATED => finding
                    .note(None, "it names a macro, so its value is not computed: it may be unchanged")
                    .as_warning(),
                MEMBERS_INSERTED => finding
                    .note(None, "the listed members kept their order; offsets are not computed (anonymous unions are flattened), so they may be unchanged")
                    .as_warning(),
                _ => finding,
            }
        })
        .collect();
    findings.sort_by(|a, b| rank(a.check).cmp(&rank(b.check)).then(a.name.cmp(&b.name)));
    Ok(findings)
}

type Decl = (Location, String);

/// The rules an item breaks between two views of one version.
fn differences(
    old_item: &Item,
    new_item: &Item,
    old_src: &Source,
    new_src: &Source,
) -> Vec<(&'static str, Decl, Decl)> {
    let (old, new) = (old_src.view, new_src.view);
    let name = new_item.name.as_str();
    let text = |view: &View, kind: DeclKind| -> Option<Decl> {
        let location = match kind {
            DeclKind::Prototype => &view.symbol(name)?.location,
            DeclKind::Define => &view.macros.get(name)?.location,
            DeclKind::Typedef => &view.typedefs.get(name)?.location,
            DeclKind::StructBody => &view.structs.get(name)?.location,
        };
        let decl = decl_text::at(&location.path, location.line, location.column, kind)?;
        Some((location.clone(), decl))
    };
    // Different as written, and with typedefs expanded.
    let pair = |rule, kind| -> Vec<(&'static str, Decl, Decl)> {
        match (text(old, kind), text(new, kind)) {
            (Some(a), Some(b))
                if a.1 != b.1
                    && canonical::expand_typedefs(old_src, &a.1)
                        != canonical::expand_typedefs(new_src, &b.1) =>
            {
                vec![(rule, a, b)]
            }
            _ => Vec::new(),
        }
    };
    match new_item.kind {
        Kind::Function | Kind::Data => pair(PROTOTYPE_CHANGED, DeclKind::Prototype),
        Kind::Const => const_differences(old, new, text),
        Kind::Typedef => pair(TYPEDEF_CHANGED, DeclKind::Typedef),
        Kind::Struct => struct_differences(old_item, new_item, (old_src, new_src), text),
        Kind::Macro | Kind::FeatureMacro => Vec::new(),
    }
}

/// A const's value: evaluated where its definition is literals and
/// operators only, else compared as written (a warning then, since the
/// value may be the same: the finding says so).
fn const_differences(
    old: &View,
    new: &View,
    text: impl Fn(&View, DeclKind) -> Option<Decl>,
) -> Vec<(&'static str, Decl, Decl)> {
    let (Some(before), Some(after)) = (text(old, DeclKind::Define), text(new, DeclKind::Define))
    else {
        return Vec::new();
    };
    if before.1 == after.1 {
        return Vec::new();
    }
    match (literal_value(&before.1), literal_value(&after.1)) {
        (Some(a), Some(b)) if a == b => Vec::new(),
        (Some(_), Some(_)) => vec![(CONST_CHANGED, before, after)],
        _ => vec![(CONST_UNEVALUATED, before, after)],
    }
}

fn struct_differences(
    old_item: &Item,
    new_item: &Item,
    (old_src, new_src): (&Source, &Source),
    text: impl Fn(&View, DeclKind) -> Option<Decl>,
) -> Vec<(&'static str, Decl, Decl)> {
    let (old, new) = (old_src.view, new_src.view);
    let kinds = (
        old_item.struct_abi_kind.map(StructAbiKind::in_abi3),
        new_item.struct_abi_kind.map(StructAbiKind::in_abi3),
    );
    let (Some(old_body), Some(new_body)) = (
        text(old, DeclKind::StructBody),
        text(new, DeclKind::StructBody),
    ) else {
        return Vec::new();
    };
    match kinds {
        (Some(StructAbiKind::FullAbi), Some(StructAbiKind::FullAbi)) => {
            full_abi_differences(&new_item.name, (old_src, new_src), old_body, new_body)
        }
        (Some(StructAbiKind::Members), Some(StructAbiKind::Members)) => {
            let members = |view: &View| {
                view.structs
                    .get(new_item.name.as_str())
                    .and_then(|s| s.members.clone())
                    .unwrap_or_default()
            };
            let (before, after) = (members(old), members(new));
            let listed = old_item.members.clone().unwrap_or_default();
            // Up to the last listed member, the members are the same, in
            // the same order.
            let reach = listed
                .iter()
                .filter_map(|m| before.iter().position(|b| b == m))
                .max()
                .map_or(0, |p| p + 1);
            if before.get(..reach) == after.get(..reach) {
                return Vec::new();
            }
            // Only members inserted, the listed ones still in their order:
            // the view flattens anonymous unions, so without the layout
            // this may well keep every offset (PyObject in 3.14).
            let in_new: Vec<Option<usize>> = listed
                .iter()
                .map(|m| after.iter().position(|a| a == m))
                .collect();
            let kept_order = in_new.iter().all(Option::is_some) && in_new.is_sorted();
            let rule = if kept_order {
                MEMBERS_INSERTED
            } else {
                MEMBER_MOVED
            };
            let show =
                |members: &[String], at: Location| (at, format!("members {}", members.join(", ")));
            vec![(rule, show(&before, old_body.0), show(&after, new_body.0))]
        }
        _ => Vec::new(),
    }
}

/// A `'full-abi'` struct: its body as written, and its layout.
fn full_abi_differences(
    name: &str,
    (old_src, new_src): (&Source, &Source),
    old_body: Decl,
    mut new_body: Decl,
) -> Vec<(&'static str, Decl, Decl)> {
    let changed = old_body.1 != new_body.1;
    let mut layout = None;
    match (struct_layout(old_src, name), struct_layout(new_src, name)) {
        (Ok(before), Ok(after)) if layout_breaks(&before, &after) => {
            layout = Some((
                STRUCT_LAYOUT_CHANGED.name,
                (old_body.0.clone(), before.describe()),
                (new_body.0.clone(), after.describe()),
            ))
        }
        (Err(reason), _) | (_, Err(reason)) if changed => {
            new_body.1 = format!("{} (size and offsets not computed: {reason})", new_body.1);
        }
        _ => {}
    }
    let body = changed.then_some((STRUCT_CHANGED, old_body, new_body));
    body.into_iter().chain(layout).collect()
}

/// Another size, or one of `before`'s members at another offset or of
/// another size (a member renamed in place keeps the layout).
fn layout_breaks(before: &Layout, after: &Layout) -> bool {
    before.size != after.size
        || before.members.iter().any(|m| {
            after
                .members
                .iter()
                .find(|n| n.name == m.name)
                .is_some_and(|n| (n.offset, n.size) != (m.offset, m.size))
        })
}

/// Whether `root` has headers to compare (`Include/Python.h`).
pub fn has_headers(root: &Path) -> bool {
    root.join("Include/Python.h").is_file()
}
