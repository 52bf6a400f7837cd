//! Where things are, and how findings are reported: like a compiler
//! (`path:line:col: error: message [check]`) or as JSON.

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::abi::Abi;
use crate::code::Code;
use crate::output;
use crate::output::escape::line;
use crate::platform::Platform;
use crate::version::Version;

/// A place in a file; line and column count from 1. Ordered by path, then
/// line, then column.
#[derive(Clone, Debug, Eq, Serialize)]
pub struct Location {
    /// Shared: a view of the headers holds thousands of locations in a
    /// few hundred files, so each holds a reference, not a copy.
    #[serde(serialize_with = "output::escape::serialize_path")]
    pub path: Arc<Path>,
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// Whether `self` and `other` are in the same file: most locations
    /// compared (sorting findings, a view's guards) share their path's
    /// allocation, which is checked before the path's components.
    fn same_path(&self, other: &Location) -> bool {
        Arc::ptr_eq(&self.path, &other.path) || self.path == other.path
    }

    pub fn new(path: impl AsRef<Path>, line: usize, column: usize) -> Location {
        Location::shared(&Arc::from(path.as_ref()), line, column)
    }

    /// A location in a file whose path is already shared.
    pub fn shared(path: &Arc<Path>, line: usize, column: usize) -> Location {
        Location {
            path: Arc::clone(path),
            line,
            column,
        }
    }

    /// The location of byte `offset` in `text` (for one lookup; several in
    /// one text share a [`LineIndex`]).
    pub fn of_offset(path: impl AsRef<Path>, text: &str, offset: usize) -> Location {
        LineIndex::new(text).location(path, text, offset)
    }
}

impl PartialEq for Location {
    fn eq(&self, other: &Location) -> bool {
        self.line == other.line && self.column == other.column && self.same_path(other)
    }
}

impl std::hash::Hash for Location {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (&self.path, self.line, self.column).hash(state);
    }
}

impl Ord for Location {
    fn cmp(&self, other: &Location) -> std::cmp::Ordering {
        let by_path = if Arc::ptr_eq(&self.path, &other.path) {
            std::cmp::Ordering::Equal
        } else {
            self.path.cmp(&other.path)
        };
        by_path.then((self.line, self.column).cmp(&(other.line, other.column)))
    }
}

impl PartialOrd for Location {
    fn partial_cmp(&self, other: &Location) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
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
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        LineIndex { line_starts }
    }

    /// The location of byte `offset` of `text`, the text the index was made
    /// from (columns count characters, as editors do).
    pub fn location(&self, path: impl AsRef<Path>, text: &str, offset: usize) -> Location {
        let (line, column) = self.line_column(text, offset);
        Location::new(path, line, column)
    }

    /// [`LineIndex::location`] without the path: the line and column.
    pub fn line_column(&self, text: &str, offset: usize) -> (usize, usize) {
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
        (line, column)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = output::escape::path(&self.path);
        write!(f, "{path}:{}:{}", self.line, self.column)
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
        let mut text = format!("{}: warning: {}", self.location, line(&self.message));
        for note in &self.notes {
            text.push_str(&format!("\n{note}"));
        }
        text
    }
}

impl fmt::Display for LocatedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: error: {}", self.location, line(&self.message))?;
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
    #[serde(serialize_with = "output::escape::serialize_line")]
    pub message: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(location) => write!(f, "{location}: note: {}", line(&self.message)),
            None => write!(f, "note: {}", line(&self.message)),
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

/// A file inside an archive: the archive's path and the member's name in
/// it (as printed: [`crate::output::escape`]d).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InArchive {
    pub archive: PathBuf,
    pub member: String,
}

/// One thing a check found wrong with one name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The stable name of the check, e.g. `too-early`.
    pub check: &'static str,
    pub severity: Severity,
    /// The C name (or file, for findings about a whole file) concerned.
    #[serde(serialize_with = "output::escape::serialize_line")]
    pub name: String,
    /// The `Py_LIMITED_API` versions at which the finding holds; empty when
    /// it does not depend on the version.
    pub versions: Vec<Version>,
    /// Where in a file.
    #[serde(skip)]
    pub location: Option<Location>,
    /// The file concerned when the finding has no line in it (a binary);
    /// `None` when [`Finding::location`] says where.
    #[serde(skip)]
    pub file: Option<PathBuf>,
    /// When [`Finding::file`] is a member of an archive (a wheel's
    /// extension, `dist/x.whl/spam/_spam.abi3.so`): the archive's path and
    /// the member's name, as SARIF locates it (the archive is the file).
    #[serde(skip)]
    pub in_archive: Option<InArchive>,
    /// Printed through [`output::escape::line`], as every message is: one
    /// line, whatever values of files it quotes.
    #[serde(serialize_with = "output::escape::serialize_line")]
    pub message: String,
    pub notes: Vec<Note>,
    /// The Stable ABI the finding is about (header checks: abi3 or abi3t).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abi: Option<Abi>,
    /// The platforms whose view of the headers shows it, when the run read
    /// several and not all of them do (`headers --platform all`); empty
    /// otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<Platform>,
}

impl Finding {
    pub fn error(check: &'static str, name: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            check,
            severity: Severity::Error,
            name: name.into(),
            versions: Vec::new(),
            location: None,
            file: None,
            in_archive: None,
            message: message.into(),
            notes: Vec::new(),
            abi: None,
            platforms: Vec::new(),
        }
    }

    /// A finding about the whole file `path` (no line in it).
    pub fn in_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = Some(path.into());
        self
    }

    /// The file the finding is in, whether or not at a line.
    pub fn path(&self) -> Option<&Path> {
        self.location
            .as_ref()
            .map(|l| &*l.path)
            .or(self.file.as_deref())
    }

    /// The finding is about `abi`.
    pub fn abi(mut self, abi: Abi) -> Self {
        self.abi = Some(abi);
        self
    }

    /// Only `platforms`' views of the headers show the finding.
    pub fn platforms(mut self, platforms: &[Platform]) -> Self {
        self.platforms = platforms.to_vec();
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
        } else if let Some(file) = &self.file {
            write!(f, "{}: ", output::escape::path(file))?;
        }
        write!(
            f,
            "{}: {} [{}]",
            self.severity,
            line(&self.message),
            self.check
        )?;
        for note in &self.notes {
            write!(f, "\n    {note}")?;
        }
        Ok(())
    }
}

/// How findings are printed: `--format text|json|sarif`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Like a compiler: `path:line:col: error: message [check]`.
    #[default]
    Text,
    /// The JSON envelope of [`crate::output`].
    Json,
    /// SARIF 2.1.0 ([`crate::output::sarif`]) with these codes as the
    /// tool's rules: the command line gives every code of the registry
    /// ([`crate::codes::all`]), which sits above the code that prints.
    Sarif(&'static [&'static Code]),
}

/// Prints the findings of `command` one after another with a count (text),
/// as the JSON envelope ([`crate::output`]) or as SARIF.
pub fn print_findings(
    out: &mut dyn Write,
    command: &'static str,
    findings: &[Finding],
    format: Format,
) -> io::Result<()> {
    match format {
        Format::Text => {
            for finding in findings {
                writeln!(out, "{finding}")?;
            }
            let summary = output::summarize(findings);
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
        Format::Json => output::write_json(out, &output::Report::new(command, findings))?,
        Format::Sarif(rules) => output::sarif::write(out, findings, rules)?,
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
    fn a_message_quoting_control_characters_is_one_line_in_every_format() {
        let finding = Finding::error("x", "PyA\u{202e}", "ifdef = 'X\nerror: forged'")
            .at(Some(Location::new("m.toml", 1, 1)))
            .note(None, "a\x1b[2Jb");
        let printed = |format| {
            let mut out = Vec::new();
            print_findings(&mut out, "headers", std::slice::from_ref(&finding), format).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            printed(Format::Text),
            "m.toml:1:1: error: ifdef = 'X\\nerror: forged' [x]\n    note: a\\x1b[2Jb\n\
             1 error(s), 0 warning(s)\n"
        );
        let json: serde_json::Value = serde_json::from_str(&printed(Format::Json)).unwrap();
        let first = &json["findings"][0];
        assert_eq!(first["message"], "ifdef = 'X\\nerror: forged'");
        assert_eq!(first["name"], "PyA\\u{202e}");
        assert_eq!(first["notes"][0]["message"], "a\\x1b[2Jb");
        let sarif: serde_json::Value = serde_json::from_str(&printed(Format::Sarif(&[]))).unwrap();
        let result = &sarif["runs"][0]["results"][0];
        assert_eq!(result["message"]["text"], "ifdef = 'X\\nerror: forged'");
        assert_eq!(result["properties"]["name"], "PyA\\u{202e}");
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
}
