//! Manifest-level rules about whole items: removed, re-kinded, re-dated,
//! newly guarded, moved out of the Limited API, new.
//!
//! Each rule is one function taking the item in OLD and in NEW (or the one
//! side it is on) and returning its finding, if any. The rule's stable name
//! is the `[compat-…]` suffix of its findings and the first word of an
//! accepted-breaks line.

use crate::diagnostic::Finding;
use crate::manifest::{Item, Kind};

use super::Pair;

/// `compat-removed`: an item of the Limited API is in OLD but not in NEW.
///
/// Why: every extension that uses it and was built for OLD fails to compile
/// (macros, types) or to load (functions, data) on NEW — the one thing the
/// Stable ABI promises never to do (PEP 384, PEP 652).
///
/// Example: `[function.PyObject_Foo]` deleted from the manifest. Reported
/// at OLD's entry, since NEW has none.
pub const REMOVED: &str = "compat-removed";

/// `compat-abi-only-removed`: an `abi_only` item is in OLD but not in NEW.
///
/// Why: `abi_only` items are not for extensions to name, but extensions
/// built for OLD reach them through macros and inline functions of OLD's
/// headers, so the symbol must stay exported.
///
/// Example: `[function._Py_Dealloc] abi_only = true` deleted.
pub const ABI_ONLY_REMOVED: &str = "compat-abi-only-removed";

/// `compat-kind-changed`: the same name is a different kind in NEW
/// (a function became a macro, a struct a typedef).
///
/// Why: a macro has no symbol, so an extension that linked the function
/// fails to load; a typedef that was a struct loses its members.
///
/// Example: `[function.PyFoo]` in OLD, `[macro.PyFoo]` in NEW.
pub const KIND_CHANGED: &str = "compat-kind-changed";

/// `compat-added-changed`: an item's `added` differs between OLD and NEW.
///
/// Why: `added` is the oldest `Py_LIMITED_API` an extension may target
/// when it uses the item; moving it later breaks extensions that already
/// target the older version, moving it earlier claims availability in
/// releases that lack it. A deliberate correction (a wrong `added` fixed)
/// goes into the accepted breaks with the reason in a comment.
///
/// Example: `METH_FASTCALL` `added = '3.7'` in OLD, `'3.10'` in NEW.
pub const ADDED_CHANGED: &str = "compat-added-changed";

/// `compat-ifdef-added`: an existing item gains an `ifdef` (or its feature
/// macro changes).
///
/// Why: the item is then missing wherever the feature macro is not
/// defined, where extensions built for OLD expect it.
///
/// Example: `[function.PyOS_AfterFork] ifdef = 'HAVE_FORK'` added.
pub const IFDEF_ADDED: &str = "compat-ifdef-added";

/// `compat-limited-to-abi-only` (note): a Limited API item becomes
/// `abi_only` — allowed, since the symbol stays, but new extensions can no
/// longer use it.
///
/// Example: `[function.PyEval_CallObjectWithKeywords]` gains
/// `abi_only = true`.
pub const LIMITED_TO_ABI_ONLY: &str = "compat-limited-to-abi-only";

/// `compat-new` (note): an item in NEW that OLD lacks, added in a release
/// after OLD's, up to NEW's.
///
/// Example: `[function.PyLong_AsInt] added = '3.13'` on the 3.13 branch.
pub const NEW: &str = "compat-new";

/// `compat-new-not-current` (warning): an item new in NEW whose `added` is
/// OLD's release or older (OLD, of that release, lacks it), or newer than
/// NEW's release.
///
/// Why: an item cannot appear in a release that has already shipped; an
/// older `added` makes extensions that target the older release fail to
/// load there. (It is also what a retroactive listing of an item the
/// headers always had looks like: then the warning is to be accepted.)
///
/// Example: `[function.PyFoo] added = '3.12'` appearing between two commits
/// of the 3.14 branch.
pub const NEW_NOT_CURRENT: &str = "compat-new-not-current";

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
