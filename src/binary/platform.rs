//! `not-on-platform`: an extension imports a Stable ABI item that the
//! manifest makes conditional on a feature macro its platform lacks.
//!
//! The manifest's `ifdef` names the macro an item exists under, and its
//! `[feature_macro.NAME]` table says whether Windows defines it
//! (`windows = true`, `false` or `'maybe'`, as `Tools/build/stable_abi.py`
//! reads it). The platform is the binary's: a PE file is Windows, anything
//! else is not, and only `MS_WINDOWS` items are Windows-only there.

use crate::binary::symbols::Binary;
use crate::binary::table::AbiTable;
use crate::codes::Code;
use crate::diagnostic::Finding;
use crate::manifest::Windows;

pub const NOT_ON_PLATFORM: Code = Code {
    name: "not-on-platform",
    command: "audit",
    summary: "an extension imports a Stable ABI item its platform does not have",
    doc: r#"An extension module imports a Stable ABI item whose manifest `ifdef`
feature macro is not defined on the binary's platform: on Windows (a PE
file), an item whose macro is not `windows = true` (`HAVE_FORK`'s
`PyOS_AfterFork_Child`, say; a warning when the manifest says `'maybe'`,
which depends on the build); elsewhere, an item that needs `MS_WINDOWS`.

Why it matters: the platform's Python does not export the item, so the
extension fails to load (undefined symbol or missing DLL entry point),
although every symbol it uses is in the Stable ABI.

Example: a `.pyd` calling `PyOS_AfterFork_Child`:

    error: imports PyOS_AfterFork_Child, which exists only where HAVE_FORK is defined, not on Windows [not-on-platform]"#,
};

/// The `not-on-platform` findings of `binary`'s imports, errors and
/// warnings (`windows = 'maybe'`) alike, named by the symbol.
pub fn findings(binary: &Binary, table: &AbiTable) -> Vec<Finding> {
    let manifest = table.manifest();
    let on_windows = binary.format.is_windows();
    let mut findings = Vec::new();
    for symbol in &binary.imports {
        let Some(ifdef) = table.get(symbol).and_then(|item| item.ifdef.as_deref()) else {
            continue;
        };
        let windows = manifest
            .get(ifdef)
            .map_or(Windows::No, |feature| feature.windows);
        let (platform, wrong) = if on_windows {
            ("Windows", windows != Windows::Yes)
        } else {
            ("this platform", ifdef == "MS_WINDOWS")
        };
        if !wrong {
            continue;
        }
        let finding = Finding::error(
            NOT_ON_PLATFORM.name,
            symbol,
            format!(
                "imports {symbol}, which exists only where {ifdef} is defined, not on {platform}"
            ),
        );
        findings.push(if on_windows && windows == Windows::Maybe {
            finding.as_warning()
        } else {
            finding
        });
    }
    findings
}
