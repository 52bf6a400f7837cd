//! Manifest-level rules about feature macros (`[feature_macro.X]`).

use crate::code::Code;
use crate::diagnostic::Finding;
use crate::manifest::{Item, Windows};

use super::Pair;

/// `compat-feature-macro-removed`: its registry entry (`stable-abi explain compat-feature-macro-removed`).
pub const FEATURE_MACRO_REMOVED_CODE: Code = Code {
    name: "compat-feature-macro-removed",
    command: "compat",
    summary: "a feature macro was removed",
    doc: r#"A feature macro in OLD is not in NEW.

Why it matters: items that name it in `ifdef` lose their condition, and extensions
(and `_testcapi`) that test it no longer learn whether the platform has
the feature.

Example: `[feature_macro.HAVE_FORK]` deleted."#,
};
/// [`FEATURE_MACRO_REMOVED_CODE`]'s name, as findings carry it.
pub const FEATURE_MACRO_REMOVED: &str = FEATURE_MACRO_REMOVED_CODE.name;

/// `compat-windows-changed`: its registry entry (`stable-abi explain compat-windows-changed`).
pub const WINDOWS_CHANGED_CODE: Code = Code {
    name: "compat-windows-changed",
    command: "compat",
    summary: "a feature macro's `windows` changed",
    doc: r#"A feature macro's `windows` changed.

Why it matters: `windows` says whether the macro is defined on Windows, so it
decides which symbols `python3.dll` exports: a change adds or drops
exports of the Windows Stable ABI.

Example: `[feature_macro.USE_STACKCHECK] windows = 'maybe'` becomes
`windows = false`."#,
};
/// [`WINDOWS_CHANGED_CODE`]'s name, as findings carry it.
pub const WINDOWS_CHANGED: &str = WINDOWS_CHANGED_CODE.name;

/// [`WINDOWS_CHANGED`].
pub fn windows_changed(pair: &Pair, old: &Item, new: &Item) -> Option<Finding> {
    (old.windows != new.windows).then(|| {
        Finding::error(
            WINDOWS_CHANGED,
            &new.name,
            format!(
                "`windows` of feature macro {} changed from {} to {}",
                new.name,
                show(old.windows),
                show(new.windows)
            ),
        )
        .at(Some(pair.new_location(new)))
        .note(Some(pair.old_location(old)), "as it was")
    })
}

/// As the manifest writes it.
fn show(windows: Windows) -> &'static str {
    match windows {
        Windows::No => "false",
        Windows::Yes => "true",
        Windows::Maybe => "'maybe'",
    }
}
