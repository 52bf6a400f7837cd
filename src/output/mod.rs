//! The machine-readable output of every command: one JSON envelope
//! (`--format json`) and SARIF 2.1.0 (`--format sarif`), both made from the
//! same [`Finding`]s.
//!
//! # The JSON envelope (`schema_version` 1)
//!
//! ```json
//! {
//!   "schema_version": 1,
//!   "command": "headers",               // headers, library, audit, view, compat
//!   "findings": [
//!     {
//!       "check": "too-early",            // the code: `stable-abi explain too-early`
//!       "severity": "error",             // "error", "warning" or "note"
//!       "name": "PyEval_GetFrameBuiltins",
//!       "versions": ["3.2", "3.3"],      // Py_LIMITED_API versions; [] when none
//!       "message": "…",
//!       "notes": [{"location": {"path", "line", "column"} | null, "message"}],
//!       "path": "Include/ceval.h",       // null when the finding has no file
//!       "line": 25,                      // null when it is about a whole file
//!       "column": 24
//!     }
//!   ],
//!   "summary": {"errors": 1, "warnings": 0, "by_check": {"too-early": 1}}
//! }
//! ```
//!
//! A command adds its own fields beside these (the view's `version` and
//! `entries`; the audit's `table` and `inputs`) and its own counts to
//! `summary` (the audit's `inputs`, `extensions`, `clean`, …). A change
//! that removes or renames a field raises `schema_version`.

pub mod escape;
pub mod sarif;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::diagnostic::{Finding, Severity};

/// The version of the JSON envelope's schema.
pub const SCHEMA_VERSION: u32 = 1;

/// One command's report, for the JSON envelope.
pub struct Report<'a> {
    /// The subcommand (`headers`, `view`, …).
    pub command: &'static str,
    pub findings: &'a [Finding],
    /// The command's own top-level fields.
    pub extra: Map<String, Value>,
    /// The command's own counts, added to `summary`.
    pub counts: Map<String, Value>,
}

impl<'a> Report<'a> {
    pub fn new(command: &'static str, findings: &'a [Finding]) -> Report<'a> {
        Report {
            command,
            findings,
            extra: Map::new(),
            counts: Map::new(),
        }
    }

    /// Adds a top-level field.
    pub fn with(mut self, key: &str, value: impl Serialize) -> Self {
        self.extra.insert(key.to_string(), to_value(value));
        self
    }

    /// Adds the fields of `counts` (an object) to `summary`.
    pub fn with_counts(mut self, counts: impl Serialize) -> Self {
        if let Value::Object(map) = to_value(counts) {
            self.counts.extend(map);
        }
        self
    }
}

fn to_value(value: impl Serialize) -> Value {
    // Our own types always serialize: paths are written as their escaped
    // text ([`escape::serialize_path`]), map keys are strings.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    #[serde(serialize_with = "escape::serialize_optional_path")]
    path: Option<&'a Path>,
    line: Option<usize>,
    column: Option<usize>,
}

/// Counts of findings by severity and by code.
#[derive(Serialize, Default, Debug, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub notes: usize,
    pub by_check: BTreeMap<&'static str, usize>,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

pub fn summarize(findings: &[Finding]) -> Summary {
    let mut summary = Summary::default();
    for finding in findings {
        match finding.severity {
            Severity::Error => summary.errors += 1,
            Severity::Warning => summary.warnings += 1,
            Severity::Note => summary.notes += 1,
        }
        *summary.by_check.entry(finding.check).or_default() += 1;
    }
    summary
}

/// Writes the report as the JSON envelope (pretty-printed, one document).
pub fn write_json(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let findings: Vec<JsonFinding> = report
        .findings
        .iter()
        .map(|finding| JsonFinding {
            finding,
            path: finding.path(),
            line: finding.location.as_ref().map(|l| l.line),
            column: finding.location.as_ref().map(|l| l.column),
        })
        .collect();
    let mut summary = match to_value(summarize(report.findings)) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    summary.extend(report.counts.clone());
    let mut document = Map::new();
    document.insert("schema_version".into(), SCHEMA_VERSION.into());
    document.insert("command".into(), report.command.into());
    document.insert("findings".into(), to_value(findings));
    document.insert("summary".into(), Value::Object(summary));
    document.extend(report.extra.clone());
    serde_json::to_writer_pretty(&mut *out, &Value::Object(document))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;
    use crate::version::Version;

    #[test]
    fn the_envelope_has_the_documented_fields() {
        let findings = [
            Finding::error("missing", "PyFoo", "gone")
                .at(Some(Location::new("a.h", 1, 2)))
                .versions(vec![Version::new(3, 2)]),
            Finding::error("not-stable-abi", "PyBar", "no").in_file("x.so"),
        ];
        let report = Report::new("headers", &findings)
            .with("table", "t")
            .with_counts(serde_json::json!({"inputs": 3}));
        let mut out = Vec::new();
        write_json(&mut out, &report).unwrap();
        let value: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["schema_version"], SCHEMA_VERSION);
        assert_eq!(value["command"], "headers");
        let first = &value["findings"][0];
        assert_eq!(first["check"], "missing");
        assert_eq!(first["versions"][0], "3.2");
        assert_eq!(first["path"], "a.h");
        assert_eq!(first["line"], 1);
        let second = &value["findings"][1];
        assert_eq!(second["path"], "x.so");
        assert_eq!(second["line"], Value::Null);
        assert_eq!(value["summary"]["errors"], 2);
        assert_eq!(value["summary"]["by_check"]["missing"], 1);
        assert_eq!(value["summary"]["inputs"], 3);
        assert_eq!(value["table"], "t");
    }
}
