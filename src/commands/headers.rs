//! `stable-abi headers`: every header check at every version, against a
//! baseline of accepted findings.

use std::io::Write;

use crate::checks::{apply_baseline, run_checks, Baseline, Context};
use crate::cli::HeadersArgs;
use crate::diagnostic::{print_findings, Severity};
use crate::error::{Error, Result};
use crate::view::Headers;
use crate::Outcome;

pub fn run(args: &HeadersArgs) -> Result<Outcome> {
    let manifest = super::load_manifest(&args.manifest, args.strict)?;
    let defines = super::defines(&args.headers)?;
    let listed = |name: &str| manifest.in_limited_api(name);
    let headers = Headers::load_with_outside(&manifest.root(), &defines, &listed)?;
    let context = Context::build(&manifest, &headers)?;
    let findings = run_checks(&context);
    if let Some(path) = &args.write_baseline {
        std::fs::write(path, Baseline::render(&findings))
            .map_err(|err| Error::io(path, "cannot write the baseline", err))?;
        let accepted = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        eprintln!("wrote {accepted} accepted finding(s) to {}", path.display());
        return Ok(Outcome::Success);
    }
    let findings = apply_baseline(findings, args.baseline.as_deref())?;
    let mut stdout = super::stdout();
    print_findings(&mut stdout, "headers", &findings, args.format)?;
    stdout.flush()?;
    let outcome = Outcome::of(&findings);
    super::free_at_exit((context, headers, findings));
    super::free_at_exit(manifest);
    Ok(outcome)
}
