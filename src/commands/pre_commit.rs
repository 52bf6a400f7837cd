//! `stable-abi pre-commit`: what a commit to a CPython checkout must pass,
//! without a build: every generated file up to date, and the header checks.
//! The library check is left out (nothing is built before a commit).

use std::io::Write;

use crate::error::Result;

use crate::checks::run_checks;
use crate::checks::{apply_baseline, each_platform};
use crate::cli::PreCommitArgs;
use crate::diagnostic::{has_errors, print_findings, Finding, Format};
use crate::dropin::header_findings;
use crate::generate::{update_file, Update};
use crate::manifest::Manifest;
use crate::platform::Platform;
use crate::view::{Defines, Headers};
use crate::Outcome;

/// The baseline's place beside the manifest.
const BASELINE: &str = "stable_abi_baseline.txt";

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

/// Every header check at every version on each of `platforms` against
/// the baseline beside the manifest; without one, the checks of
/// `stable_abi.py` decide and the others warn (as `--unixy-check` does).
fn check_headers(manifest: &Manifest, platforms: &[Platform], out: &mut dyn Write) -> Result<bool> {
    let headers = Headers::load(&manifest.root(), &Defines::default())?;
    let baseline = manifest.path.with_file_name(BASELINE);
    let findings = if baseline.is_file() {
        let findings = each_platform(manifest, &headers, platforms, |_, context| {
            run_checks(context)
        })?;
        apply_baseline(findings, Some(&baseline), platforms)?
    } else {
        // stable_abi.py's verdicts are of the Linux view: the other
        // platforms' findings warn, unless Linux is not checked.
        let linux = platforms.contains(&Platform::Linux);
        each_platform(manifest, &headers, platforms, |platform, context| {
            let findings = header_findings(context);
            if !linux || platform == Platform::Linux {
                findings
            } else {
                findings.into_iter().map(Finding::as_warning).collect()
            }
        })?
    };
    print_findings(out, "headers", &findings, Format::Text)?;
    Ok(!has_errors(&findings))
}
