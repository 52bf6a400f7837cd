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
//!
//! A platform whose view reads a built-in configuration header, because
//! the tree lacks its own (`--platform windows` on a tree without
//! `PC/pyconfig.h`), is named in a note: text, a `note:` line before the
//! findings; JSON, `notes`.

use std::io::Write;

use crate::checks::{apply_baseline, run_on_platforms, Baseline};
use crate::cli::HeadersArgs;
use crate::diagnostic::{print_findings, Format, Severity};
use crate::dropin::BaselineChoice;
use crate::error::Result;
use crate::output;
use crate::platform::Platform;
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
    let notes = stand_in_notes(&headers, &platforms);
    let mut stdout = super::stdout();
    match args.format {
        Format::Json => output::write_json(
            &mut stdout,
            &output::Report::new("headers", &findings).with("notes", &notes),
        )?,
        format => {
            if format == Format::Text {
                for note in &notes {
                    writeln!(stdout, "note: {note}")?;
                }
            }
            print_findings(&mut stdout, "headers", &findings, format)?;
        }
    }
    stdout.flush()?;
    let outcome = Outcome::of(&findings);
    super::free_at_exit((headers, findings));
    super::free_at_exit(manifest);
    Ok(outcome)
}

/// A note for each of `platforms` whose view of `headers` reads a built-in
/// configuration header in place of the tree's (see
/// [`Headers::stand_in`]): which, where it comes from, where it is kept.
pub fn stand_in_notes(headers: &Headers, platforms: &[Platform]) -> Vec<String> {
    platforms
        .iter()
        .filter_map(|&platform| {
            let stand_in = headers.with_platform(platform).stand_in()?;
            Some(format!(
                "{platform}: the tree has no {}: its headers are read with the built-in \
                 stand-in, {} ({}), which may differ from this release's",
                stand_in.in_tree.join(" or "),
                stand_in.source,
                stand_in.file
            ))
        })
        .collect()
}
