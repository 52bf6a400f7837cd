//! The baseline: findings accepted for now, so that a tree with known
//! defects can pass while any new finding fails.
//!
//! # Format
//!
//! Plain text, one accepted finding per line, sorted by check then name, so
//! that a change to the baseline reviews as a small diff:
//!
//! ```text
//! # stable-abi headers baseline: accepted findings, one per line:
//! #   CHECK NAME VERSIONS
//! missing METH_METHOD 3.7-3.8
//! too-early PyEval_GetFrameBuiltins 3.2-3.12
//! ```
//!
//! A finding about the free-threaded Stable ABI has a fourth field,
//! `abi3t` (`struct PyModuleDef 3.15 abi3t`): its versions are abi3t's.
//!
//! `VERSIONS` are the `Py_LIMITED_API` versions at which the finding is
//! accepted: runs of consecutive versions `3.2-3.12`, joined by `,`
//! (`3.2-3.4,3.7`), or `-` for a finding that has none. Blank lines and
//! lines starting with `#` are ignored.
//!
//! A finding is accepted when an entry has its check and name and lists
//! every version it occurs at; a finding at more versions is reported in
//! full (it got worse). An entry that matches no finding, or lists versions
//! where the finding no longer occurs, is reported as a `stale-baseline`
//! warning at its line, so that the baseline shrinks as defects are fixed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::abi::Abi;
use crate::checks::versions::{describe, format_versions, parse_versions};
use crate::codes::Code;
use crate::diagnostic::{Finding, LocatedError, Location, Severity};
use crate::error::{Error, Result};
use crate::version::Version;

/// The code of the warnings about stale baseline entries.
pub const STALE_BASELINE_CODE: Code = Code {
    name: "stale-baseline",
    command: "headers",
    summary: "a baseline entry accepts a finding that no longer occurs (a warning)",
    doc: r#"A line of the baseline (`--baseline FILE`, or the accepted breaks of
`compat --accepted FILE`) matches no finding, or lists versions at which
its finding no longer occurs. Reported as a warning at the line.

Why it matters: the baseline is there to let a tree with known defects
pass while any new finding fails. An entry for a defect that was fixed
would silently accept the defect if it came back; reporting it makes the
baseline shrink as defects are fixed.

Example: the declaration of `PyEval_GetFrameBuiltins` got its version
guard, but the baseline still accepts it:

    Misc/stable_abi_baseline.txt:3:1: warning: `too-early PyEval_GetFrameBuiltins` is in the baseline but no longer found; remove the line [stale-baseline]

When the finding still occurs at fewer versions, the warning says what
the line can shrink to."#,
};

/// The check name of the warnings about stale baseline entries.
pub const STALE_BASELINE: &str = STALE_BASELINE_CODE.name;

const HEADER: &str = "\
# stable-abi headers baseline: accepted findings, one per line:
#   CHECK NAME VERSIONS [abi3t]
# Written by `stable-abi headers --write-baseline FILE`; remove a line once
# the finding is fixed (a stale line is reported as a warning).
";

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    versions: Vec<Version>,
    line: usize,
}

/// Leaves out what the baseline file at `path` accepts (reporting its
/// stale entries); all findings when there is none.
///
/// Errors: the file cannot be read or has a malformed line.
pub fn apply_baseline(findings: Vec<Finding>, path: Option<&Path>) -> Result<Vec<Finding>> {
    match path {
        Some(path) => Ok(Baseline::load(path)?.apply(findings)),
        None => Ok(findings),
    }
}

/// A parsed baseline file.
#[derive(Debug)]
pub struct Baseline {
    path: PathBuf,
    entries: BTreeMap<Key, Entry>,
}

/// An entry's check, name, and `abi3t` or nothing.
type Key = (String, String, Option<Abi>);

/// The key of a finding: abi3 is the default, written as nothing.
fn key_of(finding: &Finding) -> Key {
    let abi = finding.abi.filter(|&abi| abi != Abi::Abi3);
    (finding.check.to_string(), finding.name.clone(), abi)
}

impl Baseline {
    /// Reads a baseline file; errors name the file and line.
    pub fn load(path: &Path) -> Result<Baseline> {
        let text = crate::input::read_to_string(path)
            .map_err(|err| Error::io(path, "cannot read the baseline", err))?;
        Ok(Baseline::parse(&text, path)?)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Baseline, LocatedError> {
        let mut entries: BTreeMap<Key, Entry> = BTreeMap::new();
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let content = line.trim();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let location = Location::new(path, number, 1);
            let fields: Vec<&str> = content.split_whitespace().collect();
            let (check, name, versions, abi) = match fields[..] {
                [check, name, versions] => (check, name, versions, None),
                [check, name, versions, "abi3t"] => (check, name, versions, Some(Abi::Abi3t)),
                _ => {
                    return Err(LocatedError::new(
                        location,
                        format!("expected `CHECK NAME VERSIONS [abi3t]`, found {content:?}"),
                    ))
                }
            };
            let versions = parse_versions(versions)
                .map_err(|message| LocatedError::new(location.clone(), message))?;
            let key = (check.to_string(), name.to_string(), abi);
            if let Some(first) = entries.get(&key) {
                return Err(LocatedError::new(
                    location,
                    format!("`{check} {name}` is listed twice"),
                )
                .with_note(
                    Some(Location::new(path, first.line, 1)),
                    "first listed here",
                ));
            }
            entries.insert(
                key,
                Entry {
                    versions,
                    line: number,
                },
            );
        }
        Ok(Baseline {
            path: path.to_path_buf(),
            entries,
        })
    }

    /// The baseline file that accepts exactly the errors among `findings`
    /// (warnings do not fail a run, so they need no accepting).
    pub fn render(findings: &[Finding]) -> String {
        Baseline::render_with(HEADER, findings)
    }

    /// [`Baseline::render`] under another comment `header` (each line
    /// starting with `#`), for other commands' accepted findings.
    pub fn render_with(header: &str, findings: &[Finding]) -> String {
        let mut lines: Vec<String> = findings
            .iter()
            .filter(|finding| finding.severity == Severity::Error)
            .map(|finding| {
                let abi = match key_of(finding).2 {
                    Some(abi) => format!(" {abi}"),
                    None => String::new(),
                };
                format!(
                    "{} {} {}{abi}",
                    finding.check,
                    finding.name,
                    format_versions(&finding.versions, "-")
                )
            })
            .collect();
        lines.sort();
        lines.dedup();
        let mut text = header.to_string();
        for line in lines {
            text.push_str(&line);
            text.push('\n');
        }
        text
    }

    /// `findings` without those the baseline accepts, followed by a
    /// warning for each stale entry.
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        // For each entry: the versions at which its finding still occurs.
        let mut occurring: BTreeMap<&Key, Vec<Version>> = BTreeMap::new();
        let mut kept = Vec::new();
        for finding in findings {
            let key = key_of(&finding);
            let Some((key, entry)) = self.entries.get_key_value(&key) else {
                kept.push(finding);
                continue;
            };
            occurring
                .entry(key)
                .or_default()
                .extend(finding.versions.iter().copied());
            if finding.versions.iter().all(|v| entry.versions.contains(v)) {
                continue;
            }
            let accepted = format_versions(&entry.versions, "-");
            kept.push(finding.note(
                Some(self.location(entry)),
                format!("the baseline accepts it only at {accepted}"),
            ));
        }
        for (key, entry) in &self.entries {
            let (check, name, abi) = key;
            let still = occurring.get(key);
            let message = match still {
                None => format!(
                    "`{check} {name}` is in the baseline but no longer found; remove the line"
                ),
                Some(versions) => {
                    let gone: Vec<Version> = entry
                        .versions
                        .iter()
                        .filter(|v| !versions.contains(v))
                        .copied()
                        .collect();
                    if gone.is_empty() {
                        continue;
                    }
                    format!(
                        "`{check} {name}` no longer occurs at {}; the line can shrink to `{check} {name} {}`",
                        describe(&gone),
                        format_versions(versions, "-")
                    )
                }
            };
            let mut stale = Finding::error(STALE_BASELINE, name, message)
                .at(Some(self.location(entry)))
                .versions(entry.versions.clone())
                .as_warning();
            stale.abi = *abi;
            kept.push(stale);
        }
        kept
    }

    fn location(&self, entry: &Entry) -> Location {
        Location::new(&self.path, entry.line, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(minor: u8) -> Version {
        Version::new(3, minor)
    }

    fn finding(check: &'static str, name: &str, versions: &[u8]) -> Finding {
        Finding::error(check, name, format!("{name} is wrong"))
            .versions(versions.iter().map(|&m| v(m)).collect())
    }

    #[test]
    fn render_is_sorted_and_parses_back() {
        let findings = [
            finding("too-early", "PyB", &[2, 3, 4]),
            finding("missing", "METH_METHOD", &[7, 8]),
            finding("too-early", "PyA", &[2, 5]),
            finding("ifdef", "MS_WINDOWS", &[]).as_warning(),
        ];
        let text = Baseline::render(&findings);
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            lines,
            [
                "missing METH_METHOD 3.7-3.8",
                "too-early PyA 3.2,3.5",
                "too-early PyB 3.2-3.4"
            ]
        );
        let baseline = Baseline::parse(&text, Path::new("b.txt")).unwrap();
        let reported = baseline.apply(findings.to_vec());
        assert_eq!(reported.len(), 1);
        assert_eq!(reported[0].severity, Severity::Warning);
    }

    #[test]
    fn new_worse_and_stale_findings_are_reported() {
        let text = "# accepted\n\
                    too-early PyA 3.2-3.4\n\
                    missing PyGone 3.9\n\
                    too-early PyShrunk 3.2-3.5\n";
        let baseline = Baseline::parse(text, Path::new("b.txt")).unwrap();
        let reported = baseline.apply(vec![
            finding("too-early", "PyA", &[2, 3, 4, 5]),
            finding("unlisted", "PyNew", &[13]),
            finding("too-early", "PyShrunk", &[2, 3]),
        ]);
        let lines: Vec<String> = reported.iter().map(|f| f.to_string()).collect();
        assert_eq!(
            lines,
            [
                "error: PyA is wrong [too-early]\n    b.txt:2:1: note: the baseline accepts it only at 3.2-3.4",
                "error: PyNew is wrong [unlisted]",
                "b.txt:3:1: warning: `missing PyGone` is in the baseline but no longer found; \
                 remove the line [stale-baseline]",
                "b.txt:4:1: warning: `too-early PyShrunk` no longer occurs at 3.4–3.5; the line \
                 can shrink to `too-early PyShrunk 3.2-3.3` [stale-baseline]",
            ]
        );
        assert_eq!(reported[2].severity, Severity::Warning);
    }

    #[test]
    fn garbage_never_panics() {
        let inputs = [
            "\u{0}\u{feff}too-early",
            "a b c d",
            "x y 3.2-3.255",
            "x y 3.256",
            "x y 3.2--3.3",
            "x y ,",
            "x y 3.13-3.2",
            "   \t# only a comment",
            "x y -,3.2",
        ];
        for input in inputs {
            let _ = Baseline::parse(input, Path::new("b.txt"));
        }
        let long = "too-early P 3.2\n"
            .repeat(2)
            .replace('P', &"P".repeat(10_000));
        assert!(Baseline::parse(&long, Path::new("b.txt")).is_err());
    }

    #[test]
    fn abi3t_findings_have_their_own_entries() {
        let abi3 = finding("struct", "PyModuleDef", &[15]);
        let abi3t = finding("struct", "PyModuleDef", &[15]).abi(Abi::Abi3t);
        let text = Baseline::render(std::slice::from_ref(&abi3t));
        assert!(
            text.ends_with("\nstruct PyModuleDef 3.15 abi3t\n"),
            "{text}"
        );
        let baseline = Baseline::parse(&text, Path::new("b.txt")).unwrap();
        // The abi3t entry accepts the abi3t finding, not the abi3 one.
        let kept = baseline.apply(vec![abi3.clone(), abi3t]);
        assert_eq!(kept, [abi3]);
    }

    #[test]
    fn malformed_lines_are_located_errors() {
        for (text, expected) in [
            (
                "too-early PyA\n",
                "b.txt:1:1: error: expected `CHECK NAME VERSIONS [abi3t]`",
            ),
            (
                "struct PyA 3.15 abi4\n",
                "b.txt:1:1: error: expected `CHECK NAME VERSIONS [abi3t]`",
            ),
            ("\nmissing PyA 3.x\n", "b.txt:2:1: error: malformed version"),
            (
                "missing PyA 3.2\nmissing PyA 3.3\n",
                "b.txt:2:1: error: `missing PyA` is listed twice",
            ),
        ] {
            let err = Baseline::parse(text, Path::new("b.txt")).unwrap_err();
            assert!(err.to_string().starts_with(expected), "{err}");
        }
    }
}
