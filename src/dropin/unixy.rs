//! `--unixy-check`: the headers and the built library agree with the
//! manifest. Unlike the reference tool this needs no compiler and no nm.
//!
//! The header half: without a baseline the [`verdicts`](super::verdicts)
//! decide it exactly as `Tools/build/stable_abi.py` does, and the other
//! header checks (every version, `too-early`, `ifdef`, `struct`) are one
//! summary line; with a baseline every finding it does not accept fails
//! ([`HeaderReport`]).
//!
//! The library half: libpython exports every Stable ABI symbol (read with
//! the `object` crate, not `nm`).

use std::io::Write;
use std::path::Path;

use crate::binary;
use crate::checks::Context;
use crate::diagnostic::{has_errors, print_findings, Finding, Format};
use crate::error::Result;
use crate::manifest::Manifest;
use crate::platform::Platform;
use crate::view::{Defines, Headers};

use super::{other_platforms, HeaderReport};

/// Runs the header and library checks, printing their findings on stderr;
/// returns whether they passed. The headers are checked as Linux sees them
/// (the reference's view) and as each of `platforms` does; `baseline` is
/// the one in effect (see [`HeaderReport`]); `verbose` prints every header
/// finding.
///
/// The libraries are read while the headers are evaluated (they share no
/// input); the library's findings need the header view's feature macros.
pub fn check(
    manifest: &Manifest,
    defines: &Defines,
    platforms: &[Platform],
    baseline: Option<&Path>,
    verbose: bool,
) -> Result<bool> {
    let root = manifest.root();
    let (loaded, libraries) = crate::parallel::join(
        || -> Result<(Headers, Context)> {
            let headers = Headers::load(&root, defines)?;
            let context = Context::build(manifest, &headers)?;
            Ok((headers, context))
        },
        || binary::read_libraries(&binary::default_libraries(&root)),
    );
    let (headers, context) = loaded?;
    let others = other_platforms(&context, &headers, platforms)?;
    let report = HeaderReport::new(&context, others, baseline, verbose)?;
    let mut stderr = std::io::stderr().lock();
    report.print(&mut stderr, &manifest.path, true)?;
    let headers_ok = report.passed();

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
