//! `stable-abi headers`: every header check at every version, against a
//! baseline of accepted findings.

use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result};

use crate::checks::{run_checks, Baseline, Context};
use crate::cli::{HeaderOptions, HeadersArgs};
use crate::diagnostic::{print_findings, Finding, Severity};
use crate::manifest::Manifest;
use crate::view::{Headers, Profile};
use crate::Outcome;

/// Parses the headers of the manifest's tree under the `-D`/`-U` profile
/// and evaluates them at every version.
pub fn build_context<'m>(manifest: &'m Manifest, options: &HeaderOptions) -> Result<Context<'m>> {
    let profile = Profile::from_options(options)?;
    let headers = Headers::load(&manifest.root(), &profile)?;
    Context::build(manifest, &headers)
}

/// Leaves out what `--baseline` accepts (reporting its stale entries).
pub fn apply_baseline(findings: Vec<Finding>, baseline: Option<&Path>) -> Result<Vec<Finding>> {
    match baseline {
        Some(path) => Ok(Baseline::load(path)?.apply(findings)),
        None => Ok(findings),
    }
}

pub fn run(args: &HeadersArgs) -> Result<Outcome> {
    let manifest = crate::commands::load_manifest(&args.manifest, args.strict)?;
    let context = build_context(&manifest, &args.headers)?;
    let findings = run_checks(&context);
    if let Some(path) = &args.write_baseline {
        std::fs::write(path, Baseline::render(&findings))
            .with_context(|| format!("{}: cannot write the baseline", path.display()))?;
        let accepted = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        eprintln!("wrote {accepted} accepted finding(s) to {}", path.display());
        return Ok(Outcome::Success);
    }
    let findings = apply_baseline(findings, args.baseline.as_deref())?;
    let mut stdout = std::io::stdout().lock();
    print_findings(&mut stdout, &findings, args.format)?;
    stdout.flush()?;
    Ok(Outcome::of(&findings))
}
