//! Sets of versions written compactly: consecutive versions as a range.
//!
//! Messages use an en dash (`3.2–3.12`), the baseline file ASCII
//! (`3.2-3.12`), both with `,` between runs: `3.2-3.4,3.7`.

use crate::version::Version;

/// `versions` (sorted or not) as runs of consecutive versions joined by
/// `,`; each run `A` or `A<dash>B`. Empty versions print as `-`.
pub fn format_versions(versions: &[Version], dash: &str) -> String {
    let mut sorted = versions.to_vec();
    sorted.sort();
    sorted.dedup();
    if sorted.is_empty() {
        return "-".to_string();
    }
    let mut runs: Vec<(Version, Version)> = Vec::new();
    for version in sorted {
        match runs.last_mut() {
            Some((_, end))
                if end.major == version.major
                    && end.minor.checked_add(1) == Some(version.minor) =>
            {
                *end = version;
            }
            _ => runs.push((version, version)),
        }
    }
    runs.iter()
        .map(|(start, end)| {
            if start == end {
                start.to_string()
            } else {
                format!("{start}{dash}{end}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// For the versions where a finding holds for only part of the range of
/// `Py_LIMITED_API` values: `; at 3.9 only for Py_LIMITED_API
/// 0x030900F0…0x0309FFFF`. Empty when every finding covers its range.
pub fn describe_values(partial: &[(Version, Vec<(u32, u32)>)]) -> String {
    partial
        .iter()
        .map(|(version, values)| {
            format!(
                "; at {version} only for Py_LIMITED_API {}",
                crate::view::hex_ranges(values)
            )
        })
        .collect()
}

/// The inverse of [`format_versions`] with `-` as the dash (`-` alone is
/// no version).
pub fn parse_versions(text: &str) -> Result<Vec<Version>, String> {
    if text == "-" {
        return Ok(Vec::new());
    }
    let mut versions = Vec::new();
    for run in text.split(',') {
        match run.split_once('-') {
            Some((start, end)) => {
                let start = Version::parse(start)?;
                let end = Version::parse(end)?;
                if end < start {
                    return Err(format!("version range {run:?} runs backwards"));
                }
                versions.extend(start.up_to(end));
            }
            None => versions.push(Version::parse(run)?),
        }
    }
    versions.sort();
    versions.dedup();
    Ok(versions)
}

/// For messages: `3.2–3.12`.
pub fn describe(versions: &[Version]) -> String {
    format_versions(versions, "–").replace(',', ", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(minor: u8) -> Version {
        Version::new(3, minor)
    }

    #[test]
    fn runs_are_grouped() {
        let versions = [v(7), v(2), v(3), v(4), v(9), v(10)];
        assert_eq!(format_versions(&versions, "-"), "3.2-3.4,3.7,3.9-3.10");
        assert_eq!(describe(&versions), "3.2–3.4, 3.7, 3.9–3.10");
        assert_eq!(format_versions(&[], "-"), "-");
        // No overflow at the top of the range.
        assert_eq!(format_versions(&[v(254), v(255)], "-"), "3.254-3.255");
    }

    #[test]
    fn parse_inverts_format() {
        let versions = vec![v(2), v(3), v(4), v(7), v(9), v(10)];
        let text = format_versions(&versions, "-");
        assert_eq!(parse_versions(&text).unwrap(), versions);
        assert_eq!(parse_versions("-").unwrap(), vec![]);
    }

    #[test]
    fn parse_rejects_nonsense() {
        for bad in ["", "3.x", "3.9-3.2", "3.2-", "3.2,,3.3"] {
            assert!(parse_versions(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
