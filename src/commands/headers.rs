//! `stable-abi headers`: every header check at every version, against a
//! baseline of accepted findings.

use std::io::Write;

use crate::checks::{apply_baseline, run_on_platforms, Baseline};
use crate::cli::HeadersArgs;
use crate::diagnostic::{print_findings, Severity};
use crate::error::Result;
use crate::view::Headers;
use crate::write;
use crate::Outcome;

pub fn run(args: &HeadersArgs) -> Result<Outcome> {
    let manifest = super::load_manifest(&args.manifest, args.strict)?;
    let platforms = args.platform.platforms();
    let config = super::config(platforms[0], &args.headers)?;
    // Parsed once; each platform's views are evaluated from the one parse.
    let listed = |name: &str| manifest.in_limited_api(name);
    let headers = Headers::load_with_outside(&manifest.root(), &config, &listed)?;
    let findings = run_on_platforms(&manifest, &headers, &platforms)?;
    if let Some(path) = &args.write_baseline {
        let written = write::file(path, Baseline::render(&findings).as_bytes())?;
        let accepted = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        super::say_written(written, accepted, "accepted finding(s)", path);
        return Ok(Outcome::Success);
    }
    let findings = apply_baseline(findings, args.baseline.as_deref(), &platforms)?;
    let mut stdout = super::stdout();
    print_findings(&mut stdout, "headers", &findings, args.format)?;
    stdout.flush()?;
    let outcome = Outcome::of(&findings);
    super::free_at_exit((headers, findings));
    super::free_at_exit(manifest);
    Ok(outcome)
}
