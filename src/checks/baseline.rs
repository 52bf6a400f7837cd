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
//! A finding about the free-threaded Stable ABI has a further field,
//! `abi3t` (`struct PyModuleDef 3.15 abi3t`): its versions are abi3t's.
//! A finding that only some platforms' views show (`headers --platform
//! all`) ends in them, joined by `,` (`too-early PyErr_SetFromWindowsErr
//! 3.2-3.6 windows`); an entry without platforms accepts its finding on
//! any platform. An entry for platforms none of which the run reads is
//! neither applied nor stale (a run of `--platform linux` leaves the
//! `windows` entries be).
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
use crate::code::Code;
use crate::diagnostic::{Finding, LocatedError, Location, Severity};
use crate::error::{Error, Result};
use crate::platform::Platform;
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
#   CHECK NAME VERSIONS [abi3t] [PLATFORM,...]
# Written by `stable-abi headers --write-baseline FILE`; remove a line once
# the finding is fixed (a stale line is reported as a warning).
";

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    versions: Vec<Version>,
    line: usize,
}

/// Leaves out what the baseline file at `path` accepts (reporting its
/// stale entries) of the findings of a run on the platforms `run`; all
/// findings when there is none.
///
/// Errors: the file cannot be read or has a malformed line.
pub fn apply_baseline(
    findings: Vec<Finding>,
    path: Option<&Path>,
    run: &[Platform],
) -> Result<Vec<Finding>> {
    match path {
        Some(path) => Ok(Baseline::load(path)?.apply(findings, run)),
        None => Ok(findings),
    }
}

/// A parsed baseline file.
#[derive(Debug)]
pub struct Baseline {
    path: PathBuf,
    entries: BTreeMap<Key, Entry>,
}

/// An entry's check, name, `abi3t` or nothing, and its platforms (none:
/// any).
type Key = (String, String, Option<Abi>, Vec<Platform>);

/// The key of a finding: abi3 is the default, written as nothing.
fn key_of(finding: &Finding) -> Key {
    let abi = finding.abi.filter(|&abi| abi != Abi::Abi3);
    (
        finding.check.to_string(),
        finding.name.clone(),
        abi,
        finding.platforms.clone(),
    )
}

/// `linux,windows` as platforms; `None` when a name is not a platform's.
fn parse_platforms(field: &str) -> Option<Vec<Platform>> {
    let mut platforms: Vec<Platform> = field
        .split(',')
        .map(Platform::from_name)
        .collect::<Option<_>>()?;
    platforms.sort();
    platforms.dedup();
    Some(platforms)
}

/// The expected shape of a line, for errors.
const SHAPE: &str = "expected `CHECK NAME VERSIONS [abi3t] [PLATFORM,...]`";

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
            let malformed =
                || LocatedError::new(location.clone(), format!("{SHAPE}, found {content:?}"));
            let [check, name, versions, ref rest @ ..] = fields[..] else {
                return Err(malformed());
            };
            let (abi, rest) = match rest {
                ["abi3t", rest @ ..] => (Some(Abi::Abi3t), rest),
                rest => (None, rest),
            };
            let platforms = match rest {
                [] => Vec::new(),
                [field] => parse_platforms(field).ok_or_else(malformed)?,
                _ => return Err(malformed()),
            };
            let versions = parse_versions(versions)
                .map_err(|message| LocatedError::new(location.clone(), message))?;
            let key = (check.to_string(), name.to_string(), abi, platforms);
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
                let (_, _, abi, platforms) = key_of(finding);
                let abi = match abi {
                    Some(abi) => format!(" {abi}"),
                    None => String::new(),
                };
                let names: Vec<&str> = platforms.iter().map(|p| p.as_str()).collect();
                let platforms = match names.is_empty() {
                    true => String::new(),
                    false => format!(" {}", names.join(",")),
                };
                format!(
                    "{} {} {}{abi}{platforms}",
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

    /// `findings` of a run on the platforms `run` without those the
    /// baseline accepts, followed by a warning for each stale entry.
    ///
    /// A finding is accepted by an entry of its check, name and ABI whose
    /// platforms (none: any) include those of the finding (its
    /// [`Finding::platforms`], or the run's when it names none).
    pub fn apply(&self, findings: Vec<Finding>, run: &[Platform]) -> Vec<Finding> {
        // For each entry: the versions at which its finding still occurs.
        let mut occurring: BTreeMap<&Key, Vec<Version>> = BTreeMap::new();
        let mut kept = Vec::new();
        for finding in findings {
            let (check, name, abi, platforms) = key_of(&finding);
            let on = if platforms.is_empty() {
                run
            } else {
                &platforms[..]
            };
            // The entries of the check, name and ABI, in order: those
            // with no platforms (any) first.
            let entry = self
                .entries
                .range((check.clone(), name.clone(), abi, Vec::new())..)
                .take_while(|((c, n, a, _), _)| (c, n, a) == (&check, &name, &abi))
                .find(|((_, _, _, listed), _)| {
                    listed.is_empty() || on.iter().all(|p| listed.contains(p))
                });
            let Some((key, entry)) = entry else {
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
            let (check, name, abi, platforms) = key;
            let in_run = platforms.is_empty() || platforms.iter().any(|p| run.contains(p));
            if !in_run {
                continue;
            }
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
            stale.platforms = platforms.clone();
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
        let reported = baseline.apply(findings.to_vec(), &[Platform::Linux]);
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
        let reported = baseline.apply(
            vec![
                finding("too-early", "PyA", &[2, 3, 4, 5]),
                finding("unlisted", "PyNew", &[13]),
                finding("too-early", "PyShrunk", &[2, 3]),
            ],
            &[Platform::Linux],
        );
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
        let kept = baseline.apply(vec![abi3.clone(), abi3t], &[Platform::Linux]);
        assert_eq!(kept, [abi3]);
    }

    #[test]
    fn platform_entries_accept_their_platforms_findings_only() {
        let windows = finding("too-early", "PyW", &[2, 3]).platforms(&[Platform::Windows]);
        let linux_and_macos =
            finding("too-early", "PyB", &[2]).platforms(&[Platform::Linux, Platform::Macos]);
        let on_windows = finding("too-early", "PyB", &[2, 3]).platforms(&[Platform::Windows]);
        let everywhere = finding("too-early", "PyA", &[2]);
        let all = [
            windows.clone(),
            linux_and_macos.clone(),
            on_windows.clone(),
            everywhere.clone(),
        ];
        let text = Baseline::render(&all);
        assert!(
            text.ends_with(
                "\ntoo-early PyA 3.2\ntoo-early PyB 3.2 linux,macos\n\
                 too-early PyB 3.2-3.3 windows\ntoo-early PyW 3.2-3.3 windows\n"
            ),
            "{text}"
        );
        let baseline = Baseline::parse(&text, Path::new("b.txt")).unwrap();
        assert_eq!(baseline.apply(all.to_vec(), &Platform::ALL), []);
        // A run on Linux alone: its findings name no platform; the Windows
        // entries are out of the run, neither applied nor stale.
        let linux = vec![finding("too-early", "PyB", &[2]), everywhere];
        assert_eq!(baseline.apply(linux, &[Platform::Linux]), []);
        // The Windows entry does not accept the finding on Linux.
        let moved = finding("too-early", "PyW", &[2]);
        let mut kept = baseline.apply(vec![moved.clone()], &[Platform::Linux]);
        kept.retain(|f| f.check != STALE_BASELINE);
        assert_eq!(kept, [moved]);
        let stale = baseline.apply(Vec::new(), &[Platform::Windows]);
        let names: Vec<(&str, &[Platform])> = stale
            .iter()
            .map(|f| (f.name.as_str(), &f.platforms[..]))
            .collect();
        let windows = &[Platform::Windows][..];
        assert_eq!(
            names,
            [("PyA", &[][..]), ("PyB", windows), ("PyW", windows)]
        );
        let err =
            Baseline::parse("too-early PyW 3.2 windows,beos\n", Path::new("b.txt")).unwrap_err();
        assert!(err.to_string().contains("[PLATFORM,...]"), "{err}");
    }

    #[test]
    fn malformed_lines_are_located_errors() {
        for (text, expected) in [
            (
                "too-early PyA\n",
                "b.txt:1:1: error: expected `CHECK NAME VERSIONS [abi3t] [PLATFORM,...]`",
            ),
            (
                "struct PyA 3.15 abi4\n",
                "b.txt:1:1: error: expected `CHECK NAME VERSIONS [abi3t] [PLATFORM,...]`",
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
