//! `stable-abi pre-commit`: what a commit to a CPython checkout must pass,
//! without a build: every generated file up to date, and the header checks.
//! The library check is left out (nothing is built before a commit).

use std::io::Write;

use crate::error::Result;

use crate::checks::Context;
use crate::cli::PreCommitArgs;
use crate::dropin::{other_platforms, BaselineChoice, HeaderReport};
use crate::generate::{update_file, Update};
use crate::manifest::Manifest;
use crate::platform::Platform;
use crate::view::{Defines, Headers};
use crate::Outcome;

pub fn run(args: &PreCommitArgs) -> Result<Outcome> {
    let manifest = super::load_manifest(&args.manifest, false)?;
    let mut out = std::io::stdout().lock();
    let generated_ok = check_generated(&manifest, &mut out)?;
    let headers_ok = check_headers(&manifest, &args.platform.platforms(), &mut out)?;
    out.flush()?;
    if generated_ok && headers_ok {
        Ok(Outcome::Success)
    } else {
        Ok(Outcome::Failure)
    }
}

/// Each generated file, at its place in the tree, is what generation
/// writes; a stale one is shown as a diff, with the command that fixes it.
fn check_generated(manifest: &Manifest, out: &mut dyn Write) -> Result<bool> {
    let mut ok = true;
    for (path, text) in crate::dropin::tree_files(manifest)? {
        match update_file(&path, &text, false)? {
            Update::UpToDate | Update::Written => {}
            Update::Missing => {
                writeln!(out, "{}: error: missing generated file", path.display())?;
                ok = false;
            }
            Update::Stale { diff } => {
                writeln!(
                    out,
                    "{}: error: out of date with {}",
                    path.display(),
                    manifest.path.display()
                )?;
                write!(out, "{diff}")?;
                ok = false;
            }
        }
    }
    if !ok {
        writeln!(
            out,
            "note: regenerate with `stable-abi --generate-all {}` (make regen-limited-abi)",
            manifest.path.display()
        )?;
    }
    Ok(ok)
}

/// Every header check at every version, reported as `--unixy-check` does
/// ([`HeaderReport`]): as Linux sees the headers (the reference's view) and
/// each of `platforms`; with the baseline beside the manifest, every finding
/// it does not accept fails; without one, the checks of `stable_abi.py`
/// decide and the others are one summary line.
fn check_headers(manifest: &Manifest, platforms: &[Platform], out: &mut dyn Write) -> Result<bool> {
    let headers = Headers::load(&manifest.root(), &Defines::default())?;
    let context = Context::build(manifest, &headers)?;
    let others = other_platforms(&context, &headers, platforms)?;
    let baseline = BaselineChoice::Beside.resolve(&manifest.path);
    let report = HeaderReport::new(&context, others, baseline.as_deref(), false)?;
    report.print(out, &manifest.path, false)?;
    Ok(report.passed())
}
