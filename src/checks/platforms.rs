//! The header checks on several platforms (`headers --platform all`): each
//! platform's view of the one parse is checked on its own, and the findings
//! merged. A finding every platform shows is reported once, as a run on one
//! platform reports it; one that only some show is reported once for them,
//! naming them ([`Finding::platforms`], and a note).

use std::collections::HashMap;

use crate::diagnostic::{Finding, Severity};
use crate::error::Result;
use crate::manifest::Manifest;
use crate::platform::Platform;
use crate::view::Headers;

use super::{run_checks, Context, CHECKS};

/// Every check on each of `platforms`' view of `headers` (loaded once),
/// merged ([`merge`]). With one platform, that platform's findings as
/// [`run_checks`] gives them.
///
/// Errors: a header is bad on some platform at some version.
pub fn run_on_platforms(
    manifest: &Manifest,
    headers: &Headers,
    platforms: &[Platform],
) -> Result<Vec<Finding>> {
    each_platform(manifest, headers, platforms, |_, context| {
        run_checks(context)
    })
}

/// `findings` of each platform's [`Context`], merged ([`merge`]).
///
/// Errors: a header is bad on some platform at some version.
pub fn each_platform(
    manifest: &Manifest,
    headers: &Headers,
    platforms: &[Platform],
    findings: impl Fn(Platform, &Context) -> Vec<Finding>,
) -> Result<Vec<Finding>> {
    let mut found = Vec::new();
    for &platform in platforms {
        let context = Context::build(manifest, &headers.with_platform(platform))?;
        // Each platform's views are dropped before the next platform's are
        // made, which then reuse their memory: `--platform all` peaks at a
        // third more memory than one platform, not three times as much.
        found.push((platform, findings(platform, &context)));
    }
    Ok(merge(found))
}

/// One finding for each group of equal findings (equal but for the
/// platform and the severity, which is the gravest of the group's), in the
/// order of the checks ([`CHECKS`]), then by name, ABI and platforms. A
/// finding that only some of the platforms show says which, in
/// [`Finding::platforms`] and in a note.
pub fn merge(found: Vec<(Platform, Vec<Finding>)>) -> Vec<Finding> {
    let run: Vec<Platform> = found.iter().map(|(platform, _)| *platform).collect();
    if run.len() == 1 {
        return found
            .into_iter()
            .flat_map(|(_, findings)| findings)
            .collect();
    }
    let mut merged: Vec<Finding> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (platform, findings) in found {
        for finding in findings {
            let key = identity(&finding);
            match index.get(&key) {
                Some(&at) => {
                    let group = &mut merged[at];
                    group.platforms.push(platform);
                    group.severity = group.severity.min(finding.severity);
                }
                None => {
                    index.insert(key, merged.len());
                    let mut finding = finding;
                    finding.platforms = vec![platform];
                    merged.push(finding);
                }
            }
        }
    }
    for finding in &mut merged {
        if finding.platforms.len() == run.len() {
            finding.platforms.clear();
        } else {
            let others: Vec<Platform> = run
                .iter()
                .copied()
                .filter(|p| !finding.platforms.contains(p))
                .collect();
            let note = format!(
                "only on {} (not on {})",
                Platform::list(&finding.platforms),
                Platform::list(&others)
            );
            finding.notes.push(crate::diagnostic::Note {
                location: None,
                message: note,
            });
        }
    }
    let order = |check: &str| CHECKS.iter().position(|c| c.code.name == check);
    merged.sort_by(|a, b| {
        (order(a.check), &a.name, a.abi, &a.platforms).cmp(&(
            order(b.check),
            &b.name,
            b.abi,
            &b.platforms,
        ))
    });
    merged
}

/// What makes two findings the same finding on two platforms: all but the
/// platform and the severity (the text shows the place, message and notes).
fn identity(finding: &Finding) -> String {
    let mut finding = finding.clone();
    finding.severity = Severity::Error;
    format!(
        "{finding}\u{0}{}\u{0}{:?}\u{0}{:?}",
        finding.name, finding.versions, finding.abi
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;
    use crate::version::Version;

    fn too_early(name: &str, last: u8) -> Finding {
        Finding::error("too-early", name, format!("{name} is early"))
            .at(Some(Location::new("Include/x.h", 1, 1)))
            .versions((2..=last).map(|m| Version::new(3, m)).collect())
    }

    #[test]
    fn a_finding_of_some_platforms_names_them() {
        let merged = merge(vec![
            (
                Platform::Linux,
                vec![too_early("PyA", 4), too_early("PyB", 4)],
            ),
            (
                Platform::Windows,
                vec![
                    too_early("PyA", 4),
                    too_early("PyB", 6),
                    too_early("PyW", 6),
                ],
            ),
            (
                Platform::Macos,
                vec![too_early("PyA", 4), too_early("PyB", 4)],
            ),
        ]);
        let lines: Vec<String> = merged
            .iter()
            .map(|f| format!("{} {} {:?}", f.name, f.versions.len(), f.platforms))
            .collect();
        assert_eq!(
            lines,
            [
                "PyA 3 []",
                "PyB 3 [Linux, Macos]",
                "PyB 5 [Windows]",
                "PyW 5 [Windows]"
            ]
        );
        assert!(merged[0].notes.is_empty());
        assert_eq!(
            merged[3].notes[0].message,
            "only on windows (not on linux and macos)"
        );
        assert_eq!(
            merged[1].notes[0].message,
            "only on linux and macos (not on windows)"
        );
    }

    #[test]
    fn the_gravest_severity_of_a_group_wins() {
        let merged = merge(vec![
            (Platform::Linux, vec![too_early("PyA", 4)]),
            (Platform::Windows, vec![too_early("PyA", 4).as_warning()]),
        ]);
        assert_eq!(merged, [too_early("PyA", 4)]);
    }

    #[test]
    fn one_platform_is_reported_as_it_is() {
        let findings = vec![too_early("PyB", 4), too_early("PyA", 4)];
        assert_eq!(merge(vec![(Platform::Windows, findings.clone())]), findings);
    }
}
