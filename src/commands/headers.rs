//! `stable-abi headers`: every header check at every version, against a
//! baseline of accepted findings (`--baseline FILE`, else the one beside
//! the manifest when it exists).
//!
//! Its findings are errors, and it exits 1 on any, baseline or not: they
//! are defects (an extension built for 3.N that calls a function declared
//! too early fails to load on 3.N), and this is the command that lists
//! them. A release tree has some, so a clean run is reached by accepting
//! them (`--write-baseline`), after which only new ones fail; what runs on
//! every build or commit (`--all`, `pre-commit`) passes on such a tree
//! without a baseline, as `stable_abi.py` does, and says how to write one.

use std::io::Write;

use crate::checks::{apply_baseline, run_on_platforms, Baseline};
use crate::cli::HeadersArgs;
use crate::diagnostic::{print_findings, Severity};
use crate::dropin::BaselineChoice;
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
    let choice = BaselineChoice::from_flags(args.baseline.as_deref(), args.no_baseline);
    let baseline = choice.resolve(&args.manifest);
    let findings = apply_baseline(findings, baseline.as_deref(), &platforms)?;
    let mut stdout = super::stdout();
    print_findings(&mut stdout, "headers", &findings, args.format)?;
    stdout.flush()?;
    let outcome = Outcome::of(&findings);
    super::free_at_exit((headers, findings));
    super::free_at_exit(manifest);
    Ok(outcome)
}
