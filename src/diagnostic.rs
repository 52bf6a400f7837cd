//! Where things are, and how findings are reported: like a compiler
//! (`path:line:col: error: message [check]`) or as JSON.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;

use serde::Serialize;

use crate::abi::Abi;
use crate::version::Version;

/// A place in a file; line and column count from 1.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub fn new(path: impl Into<PathBuf>, line: usize, column: usize) -> Location {
        Location {
            path: path.into(),
            line,
            column,
        }
    }

    /// The location of byte `offset` in `text`.
    pub fn of_offset(path: impl Into<PathBuf>, text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        let before = &text.as_bytes()[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        // Columns count characters, as editors do.
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        Location::new(path, line, column)
    }
}

/// Byte offsets to line:column in one text, without rescanning the text for
/// every lookup (a manifest has a thousand items, a header hundreds of
/// declarations). It keeps only where lines start; lookups take the text.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { line_starts }
    }

    /// The location of byte `offset` of `text`, the text the index was made
    /// from (columns count characters, as editors do).
    pub fn location(&self, path: impl Into<PathBuf>, text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .max(1);
        let start = self
            .line_starts
            .get(line - 1)
            .copied()
            .unwrap_or(0)
            .min(offset);
        let column = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        Location::new(path, line, column)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// An error in a file the user handed us, with where it is.
#[derive(Debug, Clone)]
pub struct LocatedError {
    pub location: Location,
    pub message: String,
    pub notes: Vec<Note>,
}

impl LocatedError {
    pub fn new(location: Location, message: impl Into<String>) -> LocatedError {
        LocatedError {
            location,
            message: message.into(),
            notes: Vec::new(),
        }
    }

    pub fn with_note(mut self, location: Option<Location>, message: impl Into<String>) -> Self {
        self.notes.push(Note {
            location,
            message: message.into(),
        });
        self
    }
}

impl LocatedError {
    /// The text of the error as a warning: `path:line:col: warning: …`.
    pub fn as_warning(&self) -> String {
        let mut text = format!("{}: warning: {}", self.location, self.message);
        for note in &self.notes {
            text.push_str(&format!("\n{note}"));
        }
        text
    }
}

impl fmt::Display for LocatedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: error: {}", self.location, self.message)?;
        for note in &self.notes {
            write!(f, "\n{note}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LocatedError {}

/// Extra context attached to an error or a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    pub location: Option<Location>,
    pub message: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(location) => write!(f, "{location}: note: {}", self.message),
            None => write!(f, "note: {}", self.message),
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Allowed but worth reporting (a compiler's `note:`); never fails a run.
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// One thing a check found wrong with one name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The stable name of the check, e.g. `too-early`.
    pub check: &'static str,
    pub severity: Severity,
    /// The C name (or file, for findings about a whole file) concerned.
    pub name: String,
    /// The `Py_LIMITED_API` versions at which the finding holds; empty when
    /// it does not depend on the version.
    pub versions: Vec<Version>,
    #[serde(skip)]
    pub location: Option<Location>,
    pub message: String,
    pub notes: Vec<Note>,
    /// The Stable ABI the finding is about (header checks: abi3 or abi3t).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abi: Option<Abi>,
}

impl Finding {
    pub fn error(check: &'static str, name: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            check,
            severity: Severity::Error,
            name: name.into(),
            versions: Vec::new(),
            location: None,
            message: message.into(),
            notes: Vec::new(),
            abi: None,
        }
    }

    /// The finding is about `abi`.
    pub fn abi(mut self, abi: Abi) -> Self {
        self.abi = Some(abi);
        self
    }

    pub fn at(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    pub fn versions(mut self, versions: Vec<Version>) -> Self {
        self.versions = versions;
        self
    }

    pub fn note(mut self, location: Option<Location>, message: impl Into<String>) -> Self {
        self.notes.push(Note {
            location,
            message: message.into(),
        });
        self
    }

    /// Adds a note without a location, when there is one to add.
    pub fn notes_from(self, message: Option<String>) -> Self {
        match message {
            Some(message) => self.note(None, message),
            None => self,
        }
    }

    pub fn as_warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn as_note(mut self) -> Self {
        self.severity = Severity::Note;
        self
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(f, "{}: {} [{}]", self.severity, self.message, self.check)?;
        for note in &self.notes {
            write!(f, "\n    {note}")?;
        }
        Ok(())
    }
}

/// How findings are printed: `--format text|json`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    path: Option<&'a PathBuf>,
    line: Option<usize>,
    column: Option<usize>,
}

#[derive(Serialize, Default)]
struct Summary {
    errors: usize,
    warnings: usize,
    #[serde(skip_serializing_if = "is_zero")]
    notes: usize,
    by_check: BTreeMap<&'static str, usize>,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

fn summarize(findings: &[Finding]) -> Summary {
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

/// Prints findings one after another (text), or as one JSON document:
/// `{"findings": [{"check", "severity", "name", "versions", "path", "line",
/// "column", "message", "notes"}], "summary": {"errors", "warnings", "by_check"}}`.
pub fn print_findings(out: &mut dyn Write, findings: &[Finding], format: Format) -> io::Result<()> {
    match format {
        Format::Text => {
            for finding in findings {
                writeln!(out, "{finding}")?;
            }
            let summary = summarize(findings);
            if summary.errors + summary.warnings > 0 {
                write!(
                    out,
                    "{} error(s), {} warning(s)",
                    summary.errors, summary.warnings
                )?;
            }
            if summary.notes > 0 {
                let lead = if summary.errors + summary.warnings > 0 {
                    ", "
                } else {
                    ""
                };
                write!(out, "{lead}{} note(s)", summary.notes)?;
            }
            if summary.errors + summary.warnings + summary.notes > 0 {
                writeln!(out)?;
            }
        }
        Format::Json => {
            let findings_json: Vec<JsonFinding> = findings
                .iter()
                .map(|finding| JsonFinding {
                    finding,
                    path: finding.location.as_ref().map(|l| &l.path),
                    line: finding.location.as_ref().map(|l| l.line),
                    column: finding.location.as_ref().map(|l| l.column),
                })
                .collect();
            let document = serde_json::json!({
                "findings": findings_json,
                "summary": summarize(findings),
            });
            serde_json::to_writer_pretty(&mut *out, &document)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// True when any finding is an error (so the command must fail).
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_of_offset_counts_lines_and_chars() {
        let text = "ab\ncdé\nfg";
        assert_eq!(Location::of_offset("f", text, 0), Location::new("f", 1, 1));
        assert_eq!(Location::of_offset("f", text, 4), Location::new("f", 2, 2));
        // After the two-byte 'é', the column counts one character.
        assert_eq!(Location::of_offset("f", text, 7), Location::new("f", 2, 4));
        assert_eq!(Location::of_offset("f", text, 8), Location::new("f", 3, 1));
    }

    #[test]
    fn finding_prints_like_a_compiler() {
        let finding = Finding::error("too-early", "PyFoo", "PyFoo is declared too early")
            .at(Some(Location::new("Include/foo.h", 3, 1)))
            .note(
                Some(Location::new("Misc/stable_abi.toml", 9, 1)),
                "added here",
            );
        assert_eq!(
            finding.to_string(),
            "Include/foo.h:3:1: error: PyFoo is declared too early [too-early]\n    \
             Misc/stable_abi.toml:9:1: note: added here"
        );
    }

    #[test]
    fn json_has_documented_fields() {
        let finding = Finding::error("missing", "PyFoo", "gone")
            .at(Some(Location::new("a.h", 1, 2)))
            .versions(vec![Version::new(3, 2)]);
        let mut out = Vec::new();
        print_findings(&mut out, &[finding], Format::Json).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let first = &value["findings"][0];
        assert_eq!(first["check"], "missing");
        assert_eq!(first["versions"][0], "3.2");
        assert_eq!(first["path"], "a.h");
        assert_eq!(first["line"], 1);
        assert_eq!(value["summary"]["errors"], 1);
    }
}
