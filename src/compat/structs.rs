//! Manifest-level rules about structs: `struct_abi_kind` and `members`.

use crate::code::Code;
use crate::diagnostic::Finding;
use crate::manifest::{Item, StructAbiKind};
use crate::version::Version;

use super::Pair;

/// `compat-struct-abi-kind-changed`: its registry entry (`stable-abi explain compat-struct-abi-kind-changed`).
pub const STRUCT_ABI_KIND_CHANGED_CODE: Code = Code {
    name: "compat-struct-abi-kind-changed",
    command: "compat",
    summary: "struct_abi_kind moved towards more exposure or away from 'full-abi'",
    doc: r#"A struct's `struct_abi_kind` moved
towards more exposure (`opaque` → `members` → `full-abi`) or away from
`full-abi`.

Why it matters: away from `full-abi`, extensions built for OLD embed the struct or
use its size, which NEW no longer promises; towards more exposure, NEW
freezes a layout that OLD left free — a promise that older releases, at
the same `Py_LIMITED_API`, do not keep. (`members` → `opaque` is
reported as its members removed.)

`'abi3t-opaque'` is `'full-abi'` in abi3 and `'opaque'` in abi3t
(PEP 803): the rule compares what each kind means in abi3, and in abi3t
too when OLD is 3.15 or newer (before, there was no abi3t to break).

Example: `[struct.PyModuleDef_Base] struct_abi_kind = 'full-abi'`
becomes `'opaque'`."#,
};
/// [`STRUCT_ABI_KIND_CHANGED_CODE`]'s name, as findings carry it.
pub const STRUCT_ABI_KIND_CHANGED: &str = STRUCT_ABI_KIND_CHANGED_CODE.name;

/// `compat-member-removed`: its registry entry (`stable-abi explain compat-member-removed`).
pub const MEMBER_REMOVED_CODE: Code = Code {
    name: "compat-member-removed",
    command: "compat",
    summary: "a listed member of a 'members' struct was removed",
    doc: r#"A member listed for a `'members'` struct in OLD
is not listed in NEW.

Why it matters: extensions built for OLD read that member at its offset.

Example: `members = ['ob_refcnt', 'ob_type']` becomes `['ob_type']`."#,
};
/// [`MEMBER_REMOVED_CODE`]'s name, as findings carry it.
pub const MEMBER_REMOVED: &str = MEMBER_REMOVED_CODE.name;

/// `compat-member-reordered`: its registry entry (`stable-abi explain compat-member-reordered`).
pub const MEMBER_REORDERED_CODE: Code = Code {
    name: "compat-member-reordered",
    command: "compat",
    summary: "the listed members of a 'members' struct moved",
    doc: r#"The members listed in OLD are not, in the same
order, the start of NEW's list (one moved, or a new one inserted before
an old one).

Why it matters: the listed members of a `'members'` struct are accessed at fixed
offsets; moving one moves them.

Example: `['ob_refcnt', 'ob_type']` becomes `['ob_type', 'ob_refcnt']`."#,
};
/// [`MEMBER_REORDERED_CODE`]'s name, as findings carry it.
pub const MEMBER_REORDERED: &str = MEMBER_REORDERED_CODE.name;

/// How much of the struct the Stable ABI exposes.
/// (`kind` as it means in one ABI: never 'abi3t-opaque'.)
fn exposure(kind: StructAbiKind) -> u8 {
    match kind {
        StructAbiKind::Opaque => 0,
        StructAbiKind::Members => 1,
        StructAbiKind::FullAbi | StructAbiKind::Abi3tOpaque => 2,
    }
}

/// The first release with the free-threaded Stable ABI, abi3t (PEP 803).
const ABI3T_SINCE: Version = Version::new(3, 15);

/// Whether going from `before` to `after` (as they mean in one ABI)
/// breaks it.
fn kind_change_breaks(before: StructAbiKind, after: StructAbiKind) -> bool {
    before != after && (before == StructAbiKind::FullAbi || exposure(after) > exposure(before))
}

/// [`STRUCT_ABI_KIND_CHANGED`].
pub fn struct_abi_kind_changed(pair: &Pair, old: &Item, new: &Item) -> Option<Finding> {
    let (Some(before), Some(after)) = (old.struct_abi_kind, new.struct_abi_kind) else {
        return None;
    };
    let abi3 = kind_change_breaks(before.in_abi3(), after.in_abi3());
    let abi3t =
        pair.old.release >= ABI3T_SINCE && kind_change_breaks(before.in_abi3t(), after.in_abi3t());
    (abi3 || abi3t).then(|| {
        Finding::error(
            STRUCT_ABI_KIND_CHANGED,
            &new.name,
            format!(
                "struct_abi_kind of {} changed from '{}' to '{}' (breaking {})",
                new.name,
                before.as_str(),
                after.as_str(),
                if abi3 { "abi3" } else { "abi3t" }
            ),
        )
        .at(Some(pair.new_location(new)))
        .note(Some(pair.old_location(old)), "as it was")
    })
}

/// The listed members of a `'members'` struct (none for other kinds).
fn listed(item: &Item) -> &[String] {
    match (item.struct_abi_kind, &item.members) {
        (Some(StructAbiKind::Members), Some(members)) => members,
        _ => &[],
    }
}

/// [`MEMBER_REMOVED`].
pub fn member_removed(pair: &Pair, old: &Item, new: &Item) -> Option<Finding> {
    let now = listed(new);
    let gone: Vec<&str> = listed(old)
        .iter()
        .filter(|m| !now.contains(m))
        .map(String::as_str)
        .collect();
    (!gone.is_empty()).then(|| {
        Finding::error(
            MEMBER_REMOVED,
            &new.name,
            format!(
                "struct {}: listed member(s) {} removed",
                new.name,
                gone.join(", ")
            ),
        )
        .at(Some(pair.new_location(new)))
        .note(
            Some(pair.old_location(old)),
            format!("members = {:?}", listed(old)),
        )
    })
}

/// [`MEMBER_REORDERED`].
pub fn member_reordered(pair: &Pair, old: &Item, new: &Item) -> Option<Finding> {
    let now = listed(new);
    let kept: Vec<&String> = listed(old).iter().filter(|m| now.contains(m)).collect();
    let in_place = kept.len() <= now.len() && kept.iter().zip(now).all(|(a, b)| *a == b);
    (!in_place).then(|| {
        Finding::error(
            MEMBER_REORDERED,
            &new.name,
            format!(
                "struct {}: listed members moved: {:?} became {:?}",
                new.name, kept, now
            ),
        )
        .at(Some(pair.new_location(new)))
        .note(Some(pair.old_location(old)), "the old order")
    })
}
