//! Manifest-level rules about whole items: removed, re-kinded, re-dated,
//! newly guarded, moved out of the Limited API, new.
//!
//! Each rule is one function taking the item in OLD and in NEW (or the one
//! side it is on) and returning its finding, if any. The rule's stable name
//! is the `[compat-…]` suffix of its findings and the first word of an
//! accepted-breaks line.

use crate::code::Code;
use crate::diagnostic::Finding;
use crate::manifest::{Item, Kind};

use super::Pair;

/// `compat-removed`: its registry entry (`stable-abi explain compat-removed`).
pub const REMOVED_CODE: Code = Code {
    name: "compat-removed",
    command: "compat",
    summary: "a Limited API item was removed",
    doc: r#"An item of the Limited API is in OLD but not in NEW.

Why it matters: every extension that uses it and was built for OLD fails to compile
(macros, types) or to load (functions, data) on NEW — the one thing the
Stable ABI promises never to do (PEP 384, PEP 652).

Example: `[function.PyObject_Foo]` deleted from the manifest. Reported
at OLD's entry, since NEW has none."#,
};
/// [`REMOVED_CODE`]'s name, as findings carry it.
pub const REMOVED: &str = REMOVED_CODE.name;

/// `compat-abi-only-removed`: its registry entry (`stable-abi explain compat-abi-only-removed`).
pub const ABI_ONLY_REMOVED_CODE: Code = Code {
    name: "compat-abi-only-removed",
    command: "compat",
    summary: "an abi_only item was removed",
    doc: r#"An `abi_only` item is in OLD but not in NEW.

Why it matters: `abi_only` items are not for extensions to name, but extensions
built for OLD reach them through macros and inline functions of OLD's
headers, so the symbol must stay exported.

Example: `[function._Py_Dealloc] abi_only = true` deleted."#,
};
/// [`ABI_ONLY_REMOVED_CODE`]'s name, as findings carry it.
pub const ABI_ONLY_REMOVED: &str = ABI_ONLY_REMOVED_CODE.name;

/// `compat-kind-changed`: its registry entry (`stable-abi explain compat-kind-changed`).
pub const KIND_CHANGED_CODE: Code = Code {
    name: "compat-kind-changed",
    command: "compat",
    summary: "an item changed kind",
    doc: r#"The same name is a different kind in NEW
(a function became a macro, a struct a typedef).

Why it matters: a macro has no symbol, so an extension that linked the function
fails to load; a typedef that was a struct loses its members.

Example: `[function.PyFoo]` in OLD, `[macro.PyFoo]` in NEW."#,
};
/// [`KIND_CHANGED_CODE`]'s name, as findings carry it.
pub const KIND_CHANGED: &str = KIND_CHANGED_CODE.name;

/// `compat-added-changed`: its registry entry (`stable-abi explain compat-added-changed`).
pub const ADDED_CHANGED_CODE: Code = Code {
    name: "compat-added-changed",
    command: "compat",
    summary: "an item's `added` changed",
    doc: r#"An item's `added` differs between OLD and NEW.

Why it matters: `added` is the oldest `Py_LIMITED_API` an extension may target
when it uses the item; moving it later breaks extensions that already
target the older version, moving it earlier claims availability in
releases that lack it. A deliberate correction (a wrong `added` fixed)
goes into the accepted breaks with the reason in a comment.

Example: `METH_FASTCALL` `added = '3.7'` in OLD, `'3.10'` in NEW."#,
};
/// [`ADDED_CHANGED_CODE`]'s name, as findings carry it.
pub const ADDED_CHANGED: &str = ADDED_CHANGED_CODE.name;

/// `compat-ifdef-added`: its registry entry (`stable-abi explain compat-ifdef-added`).
pub const IFDEF_ADDED_CODE: Code = Code {
    name: "compat-ifdef-added",
    command: "compat",
    summary: "an existing item gained (or changed) its `ifdef`",
    doc: r#"An existing item gains an `ifdef` (or its feature
macro changes).

Why it matters: the item is then missing wherever the feature macro is not
defined, where extensions built for OLD expect it.

Example: `[function.PyOS_AfterFork] ifdef = 'HAVE_FORK'` added."#,
};
/// [`IFDEF_ADDED_CODE`]'s name, as findings carry it.
pub const IFDEF_ADDED: &str = IFDEF_ADDED_CODE.name;

/// `compat-limited-to-abi-only`: its registry entry (`stable-abi explain compat-limited-to-abi-only`).
pub const LIMITED_TO_ABI_ONLY_CODE: Code = Code {
    name: "compat-limited-to-abi-only",
    command: "compat",
    summary: "a Limited API item became abi_only (allowed)",
    doc: r#"A Limited API item becomes
`abi_only` — allowed, since the symbol stays, but new extensions can no
longer use it.

Why it matters: the change keeps every built extension loading, but
breaks the build of an extension that names the item; it is reported so
that the deprecation is deliberate.

Example: `[function.PyEval_CallObjectWithKeywords]` gains
`abi_only = true`."#,
};
/// [`LIMITED_TO_ABI_ONLY_CODE`]'s name, as findings carry it.
pub const LIMITED_TO_ABI_ONLY: &str = LIMITED_TO_ABI_ONLY_CODE.name;

/// `compat-new`: its registry entry (`stable-abi explain compat-new`).
pub const NEW_CODE: Code = Code {
    name: "compat-new",
    command: "compat",
    summary: "a new item (allowed)",
    doc: r#"An item in NEW that OLD lacks, added in a release
after OLD's, up to NEW's.

Why it matters: nothing breaks; the note lists what NEW adds to the
Stable ABI, which is then promised for every later release.

Example: `[function.PyLong_AsInt] added = '3.13'` on the 3.13 branch."#,
};
/// [`NEW_CODE`]'s name, as findings carry it.
pub const NEW: &str = NEW_CODE.name;

/// `compat-new-not-current`: its registry entry (`stable-abi explain compat-new-not-current`).
pub const NEW_NOT_CURRENT_CODE: Code = Code {
    name: "compat-new-not-current",
    command: "compat",
    summary: "a new item whose `added` is not after OLD's release, up to NEW's",
    doc: r#"An item new in NEW whose `added` is
OLD's release or older (OLD, of that release, lacks it), or newer than
NEW's release.

Why it matters: an item cannot appear in a release that has already shipped; an
older `added` makes extensions that target the older release fail to
load there. (It is also what a retroactive listing of an item the
headers always had looks like: then the warning is to be accepted.)

Example: `[function.PyFoo] added = '3.12'` appearing between two commits
of the 3.14 branch."#,
};
/// [`NEW_NOT_CURRENT_CODE`]'s name, as findings carry it.
pub const NEW_NOT_CURRENT: &str = NEW_NOT_CURRENT_CODE.name;

/// An item of OLD that NEW lacks: [`REMOVED`], [`ABI_ONLY_REMOVED`], or
/// for a feature macro [`super::features::FEATURE_MACRO_REMOVED`].
pub fn removed(pair: &Pair, old: &Item) -> Finding {
    let (check, what) = if old.kind == Kind::FeatureMacro {
        (super::features::FEATURE_MACRO_REMOVED, "feature macro")
    } else if old.abi_only {
        (ABI_ONLY_REMOVED, "abi_only item")
    } else {
        (REMOVED, "Limited API item")
    };
    Finding::error(
        check,
        &old.name,
        format!("{what} {} {} was removed{}", old.kind, old.name, since(old)),
    )
    .at(Some(pair.old_location(old)))
    .note(None, format!("{} has no such item", pair.new_label()))
    .notes_from(unreleased(pair, old))
}

/// [`KIND_CHANGED`].
pub fn kind_changed(pair: &Pair, old: &Item, new: &Item) -> Option<Finding> {
    (old.kind != new.kind).then(|| {
        Finding::error(
            KIND_CHANGED,
            &new.name,
            format!("{} changed from {} to {}", new.name, old.kind, new.kind),
        )
        .at(Some(pair.new_location(new)))
        .note(Some(pair.old_location(old)), format!("a {} here", old.kind))
    })
}

/// [`ADDED_CHANGED`].
pub fn added_changed(pair: &Pair, old: &Item, new: &Item) -> Option<Finding> {
    if old.added == new.added {
        return None;
    }
    let show = |item: &Item| item.added.map_or("none".to_string(), |v| format!("'{v}'"));
    Some(
        Finding::error(
            ADDED_CHANGED,
            &new.name,
            format!(
                "`added` of {} changed from {} to {}",
                new.name,
                show(old),
                show(new)
            ),
        )
        .at(Some(pair.new_location(new)))
        .note(
            Some(pair.old_location(old)),
            format!("{} before", show(old)),
        )
        .notes_from(unreleased(pair, old)),
    )
}

/// When OLD and NEW are the same release and `old` was added in it, the
/// change may be a correction made before that release shipped (between
/// two commits of CPython's main branch): say so, as a reason to accept it.
fn unreleased(pair: &Pair, old: &Item) -> Option<String> {
    let release = pair.old.release;
    (old.added == Some(release) && pair.new.release == release).then(|| {
        format!(
            "OLD and NEW are both {release}, which added it: if {release} is not released yet, \
             this changes only its development; accept it"
        )
    })
}

/// [`IFDEF_ADDED`].
pub fn ifdef_added(pair: &Pair, old: &Item, new: &Item) -> Option<Finding> {
    let macro_name = new.ifdef.as_ref()?;
    if old.ifdef.as_ref() == Some(macro_name) {
        return None;
    }
    let message = match &old.ifdef {
        None => format!(
            "{} now depends on feature macro {macro_name}: it disappears where that is not defined",
            new.name
        ),
        Some(before) => format!(
            "{} now depends on feature macro {macro_name} instead of {before}",
            new.name
        ),
    };
    Some(
        Finding::error(IFDEF_ADDED, &new.name, message)
            .at(Some(pair.new_location(new)))
            .note(Some(pair.old_location(old)), "as it was"),
    )
}

/// [`LIMITED_TO_ABI_ONLY`].
pub fn limited_to_abi_only(pair: &Pair, old: &Item, new: &Item) -> Option<Finding> {
    (!old.abi_only && new.abi_only && old.kind != Kind::FeatureMacro).then(|| {
        Finding::error(
            LIMITED_TO_ABI_ONLY,
            &new.name,
            format!(
                "{} {} left the Limited API (abi_only): the symbol stays for built extensions",
                new.kind, new.name
            ),
        )
        .at(Some(pair.new_location(new)))
        .as_note()
    })
}

/// An item of NEW that OLD lacks: [`NEW`], or [`NEW_NOT_CURRENT`] when its
/// `added` is not a release after OLD's, up to NEW's.
pub fn new_item(pair: &Pair, new: &Item) -> Finding {
    let (before, release) = (pair.old.release, pair.new.release);
    let finding = Finding::error(
        NEW,
        &new.name,
        format!("new {} {}{}", new.kind, new.name, since(new)),
    )
    .at(Some(pair.new_location(new)));
    let problem = match new.added {
        // Between two commits of one release's development, an item may
        // still be added to that release.
        Some(added) if added < before || (added == before && before < release) => Some(format!(
            "it claims added = '{added}', but OLD ({before}) does not list it: \
             an item can only be added to a release not yet shipped"
        )),
        Some(added) if added > release => Some(format!(
            "it claims added = '{added}', later than NEW's release ({release})"
        )),
        _ => None,
    };
    match problem {
        Some(problem) => Finding {
            check: NEW_NOT_CURRENT,
            message: format!("new {} {}: {problem}", new.kind, new.name),
            ..finding
        }
        .as_warning(),
        None => finding.as_note(),
    }
}

/// `" (added in 3.N)"`, or nothing for an item without `added`.
fn since(item: &Item) -> String {
    item.added
        .map_or(String::new(), |v| format!(" (added in {v})"))
}
