//! How `port` prints its report: like a compiler (each finding, then a line
//! per source and the summary per ABI), as the JSON envelope, or as SARIF.
//!
//! JSON adds to the envelope: `headers` (`path`, `version`, `platform`,
//! `from`), `abi`
//! (the ABI of the findings), `minimum_version` (of that ABI, once the
//! replacements are made), `sources` (`path`, `abi`, `target`,
//! `target_from`, `uses`), `abis` (per ABI the summary of
//! [`super::summary::AbiSummary`]: counts, `minimum_version`,
//! `without_replacement`, and `names`, one entry per blocker with its
//! `uses`, `replacement`, `source` and `version`), and to `summary` the
//! counts `sources`, `blockers`, `uses`, `with_replacement`.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::json;

use crate::abi::Abi;
use crate::diagnostic::{print_findings, Finding, Format};
use crate::output;
use crate::platform::Platform;
use crate::version::Version;

use super::summary::AbiSummary;
use super::{Judged, Report, TargetFrom};

/// Which headers were read, and why those.
#[derive(Clone, Debug, Serialize)]
pub struct HeadersUsed {
    pub path: String,
    pub version: Version,
    /// The platform whose view of them is read (`--platform`).
    pub platform: Platform,
    /// `--cpython`, or `python3 on PATH`.
    pub from: String,
}

fn target_from(judged: &Judged) -> String {
    match &judged.target_from {
        TargetFrom::CommandLine => "--target".into(),
        TargetFrom::Source {
            location,
            raised: false,
        } => format!("its #define at {location}"),
        TargetFrom::Source {
            location,
            raised: true,
        } => format!(
            "its #define at {location}, raised to {}'s first version",
            judged.abi
        ),
        TargetFrom::Computed if judged.found.needs.is_empty() => {
            format!("the oldest {} version", judged.abi)
        }
        TargetFrom::Computed => "the oldest version its names allow".into(),
    }
}

/// The findings of the sources judged for the ABI asked for.
pub fn findings(report: &Report) -> Vec<Finding> {
    report
        .judged
        .iter()
        .flat_map(|judged| judged.findings.iter().cloned())
        .collect()
}

/// Prints the report; `summaries` has the ABI asked for first.
pub fn print(
    out: &mut dyn Write,
    report: &Report,
    summaries: &[AbiSummary],
    headers: &HeadersUsed,
    abi: Abi,
    format: Format,
) -> io::Result<()> {
    let findings = findings(report);
    match format {
        Format::Text => {
            for finding in &findings {
                writeln!(out, "{finding}")?;
            }
            writeln!(
                out,
                "headers: {} (CPython {}, as {} reads them, from {})",
                headers.path, headers.version, headers.platform, headers.from
            )?;
            for judged in &report.judged {
                writeln!(
                    out,
                    "{}: {} target {} ({}); {} blocking use(s)",
                    judged.path.display(),
                    judged.abi,
                    judged.target,
                    target_from(judged),
                    judged.findings.len()
                )?;
            }
            for summary in summaries {
                writeln!(out, "{}", summary.text())?;
            }
            if summaries.len() == 1 && abi == Abi::Abi3 {
                writeln!(
                    out,
                    "abi3t: these headers predate it (abi3t begins with 3.15)"
                )?;
            }
            Ok(())
        }
        Format::Json => {
            let selected = &summaries[0];
            let sources: Vec<_> = report
                .judged
                .iter()
                .map(|judged| {
                    json!({
                        "path": judged.path,
                        "abi": judged.abi,
                        "target": judged.target,
                        "target_from": target_from(judged),
                        "uses": judged.findings.len(),
                    })
                })
                .collect();
            let abis: serde_json::Map<String, serde_json::Value> = summaries
                .iter()
                .map(|s| {
                    (
                        s.abi.to_string(),
                        serde_json::to_value(s).unwrap_or_default(),
                    )
                })
                .collect();
            let document = output::Report::new("port", &findings)
                .with("headers", headers)
                .with("abi", abi)
                .with("minimum_version", selected.minimum_version)
                .with("sources", sources)
                .with("abis", abis)
                .with_counts(json!({
                    "sources": selected.sources,
                    "blockers": selected.blockers,
                    "uses": selected.uses,
                    "with_replacement": selected.with_replacement,
                }));
            output::write_json(out, &document)
        }
        Format::Sarif(_) => print_findings(out, "port", &findings, format),
    }
}
