//! Manifest-level rules about feature macros (`[feature_macro.X]`).

use crate::diagnostic::Finding;
use crate::manifest::{Item, Windows};

use super::Pair;

/// `compat-feature-macro-removed`: a feature macro in OLD is not in NEW.
///
/// Why: items that name it in `ifdef` lose their condition, and extensions
/// (and `_testcapi`) that test it no longer learn whether the platform has
/// the feature.
///
/// Example: `[feature_macro.HAVE_FORK]` deleted.
pub const FEATURE_MACRO_REMOVED: &str = "compat-feature-macro-removed";

/// `compat-windows-changed`: a feature macro's `windows` changed.
///
/// Why: `windows` says whether the macro is defined on Windows, so it
/// decides which symbols `python3.dll` exports: a change adds or drops
/// exports of the Windows Stable ABI.
///
/// Example: `[feature_macro.USE_STACKCHECK] windows = 'maybe'` becomes
/// `windows = false`.
pub const WINDOWS_CHANGED: &str = "compat-windows-changed";

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
