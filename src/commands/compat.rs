//! `stable-abi compat --baseline OLD [NEW]`: what NEW breaks of the Stable
//! ABI that OLD promised (see [`crate::compat`]).

use std::io::Write;
use std::path::Path;

use crate::checks::Baseline;
use crate::cli::CompatArgs;
use crate::compat::headers::{compare_headers, HeaderTree};
use crate::compat::{compare_manifests, Pair, Side};
use crate::diagnostic::{print_findings, Severity};
use crate::error::Result;
use crate::platform::Platform;
use crate::view::{Config, Headers};
use crate::write;
use crate::Outcome;

/// The comment at the top of an accepted-breaks file.
const ACCEPTED_HEADER: &str = "\
# stable-abi compat: accepted breaks of the Stable ABI, one per line:
#   RULE NAME -
# Written by `stable-abi compat --baseline OLD --write-accepted FILE`; say
# why each break is accepted in a comment above it.
";

pub fn run(args: &CompatArgs) -> Result<Outcome> {
    // Revisions are of the checkout the command runs in.
    let repo = Path::new(".");
    let old = Side::resolve(&args.baseline, repo, args.strict)?;
    let new = Side::resolve(&args.new, repo, args.strict)?;
    for warning in old.warnings.iter().chain(&new.warnings) {
        errln!("{}", warning.as_warning());
    }
    let mut findings = compare_manifests(&old, &new);
    if !args.manifest_only {
        findings.extend(header_findings(&old, &new, args.platform)?);
    }
    if let Some(path) = &args.write_accepted {
        let text = Baseline::render_with(ACCEPTED_HEADER, &findings);
        let written = write::file(path, text.as_bytes())?;
        let accepted = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        super::say_written(written, accepted, "accepted break(s)", path);
        return Ok(Outcome::Success);
    }
    let findings = match &args.accepted {
        Some(path) => Baseline::load(path)?.apply(findings, &[args.platform]),
        None => findings,
    };
    let mut stdout = super::stdout();
    print_findings(&mut stdout, "compat", &findings, args.format)?;
    stdout.flush()?;
    Ok(Outcome::of(&findings))
}

/// The header-level findings, when both sides have headers (a bare
/// manifest has none: then only the manifests are compared, and a note
/// says so).
fn header_findings(
    old: &Side,
    new: &Side,
    platform: Platform,
) -> Result<Vec<crate::diagnostic::Finding>> {
    let (Some(old_root), Some(new_root)) = (old.header_root()?, new.header_root()?) else {
        errln!("note: the header level needs both sides' headers (a tree or a revision); compared the manifests only");
        return Ok(Vec::new());
    };
    let config = Config {
        platform,
        ..Config::default()
    };
    let old_headers = Headers::load_with_outside(&old_root.root, &config, &|name| {
        old.manifest.in_limited_api(name)
    })?;
    let new_headers = Headers::load_with_outside(&new_root.root, &config, &|name| {
        new.manifest.in_limited_api(name)
    })?;
    compare_headers(
        &Pair { old, new },
        &HeaderTree {
            headers: &old_headers,
            display: old_root.display.clone(),
        },
        &HeaderTree {
            headers: &new_headers,
            display: new_root.display.clone(),
        },
    )
}
