//! What the drop-in says about the headers (`--unixy-check`, `--all`, and
//! `stable-abi pre-commit`): quiet when all is well, as CPython's
//! `Tools/build/stable_abi.py` is.
//!
//! The reference checks the headers at the tree's own version only. The
//! tool checks every version and more ([`crate::checks`]); a core developer
//! who swaps the reference for the tool wants the reference's output when
//! all is well and its verdicts always. So:
//!
//! - **Without a baseline**, the reference's [`verdicts`](super::verdicts)
//!   are errors and decide, and the other findings are counted in one
//!   summary line (printed in full with `--verbose`, and listed by
//!   `stable-abi headers`).
//! - **With a baseline** (`--baseline FILE`, or `Misc/stable_abi_baseline.txt`
//!   beside the manifest), every finding it does not accept is an error,
//!   as `stable-abi headers --baseline` has it: the tree has accepted
//!   today's findings, so a new one is a regression. Its stale entries are
//!   warnings; the checks' own warnings (which a baseline does not hold,
//!   and which never fail) are printed with `--verbose` only.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::checks::{apply_baseline, merge_platforms, run_checks, Context, STALE_BASELINE};
use crate::diagnostic::{has_errors, print_findings, Finding, Format, Severity};
use crate::error::Result;
use crate::platform::Platform;
use crate::view::Headers;

/// The header findings of one run, as they are printed.
#[derive(Debug)]
pub struct HeaderReport {
    /// Printed in full, in order.
    pub shown: Vec<Finding>,
    /// Findings beyond the reference's checks left out of [`Self::shown`]
    /// (no baseline, not `verbose`): only their number is printed.
    pub summarized: usize,
    /// Findings the baseline accepted (none without one).
    pub accepted: usize,
    /// The baseline applied, if any.
    pub baseline: Option<PathBuf>,
    /// Whether every finding is shown (`--verbose`).
    pub verbose: bool,
}

impl HeaderReport {
    /// The findings of `context` (the Linux view, whose verdicts are the
    /// reference's) and `others`, the checks' findings on other platforms
    /// ([`other_platforms`]; merged as `headers --platform all` merges them),
    /// with the `baseline` applied when there is one (see the module's
    /// documentation); `verbose` shows the findings beyond the reference's
    /// checks rather than counting them.
    ///
    /// Errors: the baseline cannot be read or has a malformed line.
    pub fn new(
        context: &Context,
        others: Vec<(Platform, Vec<Finding>)>,
        baseline: Option<&Path>,
        verbose: bool,
    ) -> Result<HeaderReport> {
        let verdicts = super::verdicts(context);
        let run: Vec<Platform> = std::iter::once(Platform::Linux)
            .chain(others.iter().map(|(platform, _)| *platform))
            .collect();
        let mut found = vec![(Platform::Linux, run_checks(context))];
        found.extend(others);
        let checks = merge_platforms(found);
        let Some(path) = baseline else {
            // The other checks' findings, but for the names a verdict has.
            let named = names(&verdicts);
            let beyond: Vec<Finding> = checks
                .into_iter()
                .filter(|f| !named.contains(&(f.check, f.name.as_str())))
                .map(Finding::as_warning)
                .collect();
            let (shown, summarized) = if verbose {
                (verdicts.into_iter().chain(beyond).collect(), 0)
            } else {
                (verdicts, beyond.len())
            };
            return Ok(HeaderReport {
                shown,
                summarized,
                accepted: 0,
                baseline: None,
                verbose,
            });
        };
        // Every check's findings, as `headers --write-baseline` writes them
        // (a verdict is one of them, at one version), and the verdicts no
        // check has.
        let named = names(&checks);
        let only_verdicts: Vec<Finding> = verdicts
            .into_iter()
            .filter(|f| !named.contains(&(f.check, f.name.as_str())))
            .collect();
        let every: Vec<Finding> = only_verdicts.into_iter().chain(checks).collect();
        let total = every.len();
        let mut shown = apply_baseline(every, Some(path), &run)?;
        let kept = shown.iter().filter(|f| f.check != STALE_BASELINE).count();
        if !verbose {
            // A check's warning never fails and is no regression (a
            // baseline holds errors only): `headers` lists them.
            shown.retain(|f| f.severity == Severity::Error || f.check == STALE_BASELINE);
        }
        Ok(HeaderReport {
            shown,
            summarized: 0,
            accepted: total.saturating_sub(kept),
            baseline: Some(path.to_path_buf()),
            verbose,
        })
    }

    /// Whether the headers pass: no error among the findings shown.
    pub fn passed(&self) -> bool {
        !has_errors(&self.shown)
    }

    /// Prints the findings shown, then one line about those summarized (or,
    /// when verbose, those the baseline accepted). `manifest` is the
    /// manifest as the command line named it, for the commands the line
    /// suggests; `verbose_flag` says whether the command has `--verbose`.
    pub fn print(
        &self,
        out: &mut dyn Write,
        manifest: &Path,
        verbose_flag: bool,
    ) -> io::Result<()> {
        print_findings(out, "headers", &self.shown, Format::Text)?;
        if self.summarized > 0 {
            writeln!(
                out,
                "note: {} stable_abi.py does not check (older Py_LIMITED_API versions, more \
                 checks), not errors without a baseline: `{}`{} lists them; \
                 `{} --write-baseline {}` accepts them",
                plural(self.summarized, "header finding"),
                headers_command(manifest),
                if verbose_flag { " (or --verbose)" } else { "" },
                headers_command(manifest),
                super::baseline_beside(manifest).display(),
            )?;
        }
        if let (true, Some(baseline)) = (self.verbose, &self.baseline) {
            writeln!(
                out,
                "note: {} accepted by {}",
                plural(self.accepted, "header finding"),
                baseline.display()
            )?;
        }
        Ok(())
    }
}

/// The checks' findings on each of `platforms` but Linux, whose view is the
/// reference's and is the [`Context`] the drop-in already has: the headers
/// are parsed once, and each platform's views are dropped before the next
/// platform's are made.
///
/// Errors: a header is bad on one of those platforms at some version.
pub fn other_platforms(
    context: &Context,
    headers: &Headers,
    platforms: &[Platform],
) -> Result<Vec<(Platform, Vec<Finding>)>> {
    let mut found = Vec::new();
    for &platform in platforms.iter().filter(|&&p| p != Platform::Linux) {
        let other = Context::build(context.manifest, &headers.with_platform(platform))?;
        found.push((platform, run_checks(&other)));
    }
    Ok(found)
}

/// `1 thing`, `2 things`.
fn plural(count: usize, thing: &str) -> String {
    match count {
        1 => format!("1 {thing}"),
        _ => format!("{count} {thing}s"),
    }
}

/// The check and name of each finding.
fn names(findings: &[Finding]) -> BTreeSet<(&'static str, &str)> {
    findings
        .iter()
        .map(|f| (f.check, f.name.as_str()))
        .collect()
}

/// `stable-abi headers`, naming the manifest when it is not the default.
fn headers_command(manifest: &Path) -> String {
    if manifest == Path::new(crate::manifest::MANIFEST_IN_TREE) {
        "stable-abi headers".to_string()
    } else {
        format!("stable-abi headers --manifest {}", manifest.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixture::{context, manifest, v, views, ViewBuilder};

    /// PyOld is missing at 3.13 (a verdict) and also at 3.12 (beyond the
    /// reference's checks, but the same name: left out); PyNew is declared
    /// too early (beyond).
    fn findings_of(
        baseline: Option<&str>,
        verbose: bool,
    ) -> (HeaderReport, String, tempfile::TempDir) {
        let manifest =
            manifest("[function.PyOld]\n    added = '3.2'\n[function.PyNew]\n    added = '3.13'\n");
        let views = views(13, |version| {
            let view = ViewBuilder::new(version).function("PyNew", "Include/new.h", 1);
            if version < v(12) {
                view.function("PyOld", "Include/old.h", 1).build()
            } else {
                view.build()
            }
        });
        let context = context(&manifest, views);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stable_abi_baseline.txt");
        if let Some(text) = baseline {
            std::fs::write(&path, text).unwrap();
        }
        let report = HeaderReport::new(
            &context,
            Vec::new(),
            baseline.map(|_| path.as_path()),
            verbose,
        )
        .unwrap();
        let mut out = Vec::new();
        report
            .print(&mut out, Path::new("Misc/stable_abi.toml"), true)
            .unwrap();
        (report, String::from_utf8(out).unwrap(), dir)
    }

    fn lines(report: &HeaderReport) -> Vec<String> {
        report
            .shown
            .iter()
            .map(|f| format!("{} {} {}", f.severity, f.check, f.name))
            .collect()
    }

    #[test]
    fn without_a_baseline_the_verdicts_decide_and_the_rest_is_one_line() {
        let (report, text, _dir) = findings_of(None, false);
        assert_eq!(lines(&report), ["error missing PyOld"]);
        assert_eq!(report.shown[0].versions, [v(13)]);
        assert_eq!(report.summarized, 1);
        assert!(!report.passed());
        let notes: Vec<&str> = text.lines().filter(|l| l.starts_with("note:")).collect();
        assert_eq!(notes.len(), 1, "{text}");
        assert!(
            notes[0].starts_with("note: 1 header finding stable_abi.py does not check"),
            "{text}"
        );
        assert!(
            notes[0].contains("`stable-abi headers --write-baseline Misc/stable_abi_baseline.txt`"),
            "{text}"
        );
    }

    #[test]
    fn verbose_shows_every_finding_once() {
        let (report, text, _dir) = findings_of(None, true);
        assert_eq!(
            lines(&report),
            ["error missing PyOld", "warning too-early PyNew"]
        );
        assert_eq!(report.shown[1].severity, Severity::Warning);
        assert_eq!(report.summarized, 0);
        assert!(!text.lines().any(|l| l.starts_with("note:")), "{text}");
    }

    #[test]
    fn with_a_baseline_only_what_it_does_not_accept_shows_and_fails() {
        let (report, text, _dir) = findings_of(Some("missing PyOld 3.12-3.13\n"), false);
        assert_eq!(lines(&report), ["error too-early PyNew"]);
        assert_eq!((report.summarized, report.accepted), (0, 1));
        assert!(!report.passed());
        assert!(!text.lines().any(|l| l.starts_with("note:")), "{text}");

        let (report, text, _dir) = findings_of(
            Some("missing PyOld 3.12-3.13\ntoo-early PyNew 3.2-3.12\n"),
            true,
        );
        assert!(report.shown.is_empty(), "{text}");
        assert!(report.passed());
        assert!(
            text.contains("note: 2 header findings accepted by "),
            "{text}"
        );
    }
}
