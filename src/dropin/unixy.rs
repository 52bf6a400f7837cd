//! `--unixy-check`: the headers and the built library agree with the
//! manifest. Unlike the reference tool this needs no compiler and no nm.
//!
//! The header half: the [`verdicts`](super::verdicts) decide it exactly as
//! `Tools/build/stable_abi.py` does; the other header
//! checks (every version, `too-early`, `ifdef`, `struct`) are printed as
//! warnings, so the drop-in keeps its verdicts on CPython as it is today.
//! `--baseline FILE` leaves out the findings it accepts, of either kind.
//!
//! The library half: libpython exports every Stable ABI symbol (read with
//! the `object` crate, not `nm`).

use std::collections::BTreeSet;

use std::io::Write;
use std::path::Path;

use crate::binary;
use crate::checks::{self, apply_baseline, Context};
use crate::diagnostic::{has_errors, print_findings, Finding, Format};
use crate::error::Result;
use crate::manifest::Manifest;
use crate::platform::Platform;
use crate::view::Defines;

/// Runs the header and library checks, printing their findings on stderr;
/// returns whether they passed.
///
/// The libraries are read while the headers are evaluated (they share no
/// input); the library's findings need the header view's feature macros.
pub fn check(manifest: &Manifest, defines: &Defines, baseline: Option<&Path>) -> Result<bool> {
    let root = manifest.root();
    let (context, libraries) = crate::parallel::join(
        || Context::for_tree(manifest, defines),
        || binary::read_libraries(&binary::default_libraries(&root)),
    );
    let context = context?;
    let findings = header_findings(&context);
    // stable_abi.py's check is of the Linux view.
    let findings = apply_baseline(findings, baseline, &[Platform::Linux])?;
    let mut stderr = std::io::stderr().lock();
    print_findings(&mut stderr, "headers", &findings, Format::Text)?;
    let headers_ok = !has_errors(&findings);

    let library_ok = check_library(manifest, &context, &libraries?, &mut stderr)?;
    Ok(headers_ok && library_ok)
}

/// The library half: the built libpython (shared and static, as CPython's
/// build leaves them in the tree) exports every Stable ABI symbol whose
/// feature macro the headers define. An unbuilt tree has no library to
/// check: that is said, and does not fail the check, since everything else
/// here works without a build.
fn check_library(
    manifest: &Manifest,
    context: &Context,
    libraries: &[binary::Library],
    out: &mut dyn Write,
) -> Result<bool> {
    if libraries.is_empty() {
        writeln!(
            out,
            "note: no built libpython next to {}; the library check was skipped \
             (build CPython first, or run `stable-abi library PATH`)",
            manifest.root().display()
        )?;
        return Ok(true);
    }
    let features = binary::Features::Exactly(
        context.feature_macros.clone(),
        "as the headers of the configured tree define it (pyconfig.h and -D/-U)".to_string(),
    );
    let findings: Vec<Finding> = libraries
        .iter()
        .flat_map(|library| binary::library_findings(manifest, library, &features))
        .collect();
    print_findings(out, "library", &findings, Format::Text)?;
    Ok(!has_errors(&findings))
}

/// The reference tool's verdicts (errors), then the other checks' findings
/// as warnings, leaving out those that repeat a verdict's name.
pub fn header_findings(context: &Context) -> Vec<Finding> {
    let mut findings = super::verdicts(context);
    let verdicts: BTreeSet<(&str, String)> =
        findings.iter().map(|f| (f.check, f.name.clone())).collect();
    let extra: Vec<Finding> = checks::run_checks(context)
        .into_iter()
        .filter(|f| !verdicts.contains(&(f.check, f.name.clone())))
        .map(Finding::as_warning)
        .collect();
    findings.extend(extra);
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixture::{context, manifest, v, views, ViewBuilder};
    use crate::diagnostic::Severity;

    #[test]
    fn verdicts_are_errors_and_the_rest_warnings_once() {
        let manifest =
            manifest("[function.PyOld]\n    added = '3.2'\n[function.PyNew]\n    added = '3.13'\n");
        // PyOld is missing at 3.13 (a verdict) and also at 3.12 (new check:
        // same name, so left out); PyNew is declared too early (new check).
        let views = views(13, |version| {
            let view = ViewBuilder::new(version).function("PyNew", "Include/new.h", 1);
            if version < v(12) {
                view.function("PyOld", "Include/old.h", 1).build()
            } else {
                view.build()
            }
        });
        let context = context(&manifest, views);
        let findings = header_findings(&context);
        let lines: Vec<String> = findings
            .iter()
            .map(|f| format!("{} {} {}", f.severity, f.check, f.name))
            .collect();
        assert_eq!(lines, ["error missing PyOld", "warning too-early PyNew"]);
        assert_eq!(findings[0].versions, [v(13)]);
        assert_eq!(findings[1].severity, Severity::Warning);
    }
}
