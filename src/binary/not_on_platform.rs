//! `not-on-platform`: an extension imports a Stable ABI item that the
//! manifest makes conditional on a feature macro its platform lacks.
//!
//! The manifest's `ifdef` names the macro an item exists under; whether
//! the binary's platform defines it is the platform table's answer
//! ([`crate::binary::platform::assume`]: the platform the file names, then `--feature` /
//! `--no-feature`), so a Solaris extension importing
//! `PyThread_get_thread_native_id` is reported as a Windows one calling
//! `PyOS_AfterFork_Child` is.

use crate::binary::platform::{Assumptions, Platform};
use crate::binary::symbols::Binary;
use crate::binary::table::AbiTable;
use crate::code::Code;
use crate::diagnostic::Finding;
use crate::manifest::Windows;

pub const NOT_ON_PLATFORM: Code = Code {
    name: "not-on-platform",
    command: "audit",
    summary: "an extension imports a Stable ABI item its platform does not have",
    doc: r#"An extension module imports a Stable ABI item whose manifest `ifdef`
feature macro is not defined on the binary's platform, as the platform
table has it (`stable-abi audit` notes the feature macros assumed; adjust
them with `--feature` / `--no-feature`): on Windows (a PE file), an item
under `HAVE_FORK` like `PyOS_AfterFork_Child` (a warning when the
manifest says `windows = 'maybe'`, which depends on the build);
elsewhere, an item that needs `MS_WINDOWS`, or on Solaris one that needs
`PY_HAVE_THREAD_NATIVE_ID`.

Why it matters: the platform's Python does not export the item, so the
extension fails to load (undefined symbol or missing DLL entry point),
although every symbol it uses is in the Stable ABI.

Example: a `.pyd` calling `PyOS_AfterFork_Child`:

    spam-1.0-cp37-abi3-win_amd64.whl: wheel tagged cp37-abi3-win_amd64; target Python 3.7 (from the wheel tag)
      spam/_spam.pyd: judged as abi3; 1 Python symbol, 1 problem
        note: platform Windows (from PE/COFF file); feature macros: MS_WINDOWS, PY_HAVE_THREAD_NATIVE_ID; not HAVE_FORK, Py_REF_DEBUG, Py_TRACE_REFS, USE_STACKCHECK
        error: imports PyOS_AfterFork_Child, which exists only where HAVE_FORK is defined, not on this platform (Windows; configure defines it in pyconfig.h where fork() exists (every POSIX system); PC/pyconfig.h does not; Include/intrcheck.h:9 guards PyOS_AfterFork* with it) [not-on-platform]"#,
};

/// The `not-on-platform` findings of `binary`'s imports, errors and
/// warnings (`windows = 'maybe'` on Windows) alike, named by the symbol:
/// an import whose `ifdef` is not defined in `assumed` (the feature macros
/// of the binary's platform, [`crate::binary::platform::assume`]).
pub fn findings(binary: &Binary, table: &AbiTable, assumed: &Assumptions) -> Vec<Finding> {
    let manifest = table.manifest();
    let on_windows = matches!(assumed.platform, Platform::Windows | Platform::WindowsX86);
    let mut findings = Vec::new();
    for symbol in &binary.imports {
        let Some(ifdef) = table.get(symbol).and_then(|item| item.ifdef.as_deref()) else {
            continue;
        };
        let Some(feature) = assumed.features.iter().find(|f| f.name == ifdef) else {
            continue;
        };
        if feature.defined {
            continue;
        }
        let windows = manifest
            .get(ifdef)
            .map_or(Windows::No, |feature| feature.windows);
        let finding = Finding::error(
            NOT_ON_PLATFORM.name,
            symbol,
            format!(
                "imports {symbol}, which exists only where {ifdef} is defined, \
                 not on this platform ({}; {})",
                assumed.platform, feature.why
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
