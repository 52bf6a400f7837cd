//! SARIF 2.1.0 (`--format sarif`), the format code-scanning UIs (GitHub,
//! GitLab, IDEs) read: one run of the tool, its rules (the codes it is
//! handed: the command line hands every code of the registry,
//! [`crate::codes`], in [`crate::diagnostic::Format::Sarif`]), one result
//! per finding.
//!
//! Specification: <https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>.
//! A finding's location is its `physicalLocation` (a file URI relative to
//! the current directory, and its line and column when it has them); its
//! notes that have a location are `relatedLocations`; its name and versions
//! are the result's `properties`.
//!
//! A finding about a member of an archive (a wheel's extension module) is
//! located at the archive, and the member is named in the message
//! (`spam/_spam.abi3.so: ...`) and in the `member` property. SARIF can
//! also describe the member as a nested artifact (`run.artifacts`, an
//! `artifact` with `parentIndex`) located by `index` alone, but GitHub code
//! scanning reads `artifactLocation.uri` only (it requires it) and the
//! joined path `X.whl/spam/_spam.abi3.so` is no file.

use std::io::{self, Write};
use std::path::Path;

use serde_json::{json, Value};

use crate::code::Code;
use crate::diagnostic::{Finding, Location, Severity};
use crate::output::escape;

/// The schema the document declares.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Writes `findings` as one SARIF 2.1.0 log whose rules are `rules`.
pub fn write(out: &mut dyn Write, findings: &[Finding], rules: &[&Code]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(findings, rules))?;
    writeln!(out)
}

/// The SARIF log of `findings`, with `rules` as the tool's rules (a result
/// whose code is among them gets its `ruleIndex`).
pub fn log(findings: &[Finding], rules: &[&Code]) -> Value {
    let results: Vec<Value> = findings
        .iter()
        .map(|finding| result(finding, rules))
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "stable-abi",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(|code| rule(code)).collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    })
}

fn rule(code: &Code) -> Value {
    json!({
        "id": code.name,
        "shortDescription": {"text": code.summary},
        "fullDescription": {"text": code.doc},
        "help": {"text": code.doc},
        "properties": {"command": code.command},
    })
}

fn result(finding: &Finding, rules: &[&Code]) -> Value {
    let mut result = json!({
        "ruleId": finding.check,
        "level": level(finding.severity),
        "message": {"text": escape::line(&finding.message)},
        "properties": {"name": escape::line(&finding.name), "versions": finding.versions},
    });
    if let Some(index) = rules.iter().position(|code| code.name == finding.check) {
        result["ruleIndex"] = index.into();
    }
    let location = match (&finding.location, &finding.in_archive, &finding.file) {
        (Some(location), _, _) => Some(physical(location)),
        // A wheel's member is no file: the wheel is the location, and the
        // member is named in the message and the properties.
        (None, Some(inside), _) => {
            result["message"]["text"] =
                format!("{}: {}", inside.member, escape::line(&finding.message)).into();
            result["properties"]["member"] = inside.member.clone().into();
            Some(json!({"physicalLocation": {
                "artifactLocation": {"uri": uri(&inside.archive)},
            }}))
        }
        (None, None, Some(file)) => Some(json!({"physicalLocation": {
            "artifactLocation": {"uri": uri(file)},
        }})),
        (None, None, None) => None,
    };
    if let Some(location) = location {
        result["locations"] = json!([location]);
    }
    let related: Vec<Value> = finding
        .notes
        .iter()
        .filter_map(|note| {
            let mut location = physical(note.location.as_ref()?);
            location["message"] = json!({"text": escape::line(&note.message)});
            Some(location)
        })
        .collect();
    if !related.is_empty() {
        result["relatedLocations"] = related.into();
    }
    result
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn physical(location: &Location) -> Value {
    json!({"physicalLocation": {
        "artifactLocation": {"uri": uri(&location.path)},
        "region": {"startLine": location.line, "startColumn": location.column},
    }})
}

/// A path as an RFC 3986 URI: a relative path is a relative reference
/// (`dist/my%20wheel.whl/x.abi3.so`), an absolute one a `file:` URI
/// (`file:///tmp/x.so`). Each byte outside the characters a path segment
/// may hold as they are (unreserved, sub-delims, `:`, `@`) is
/// percent-encoded, so control characters and bytes that are not UTF-8
/// keep their exact value (`bad%FF.so`, never U+FFFD). A first segment
/// with a `:` gets `./` before it, lest `HEAD:Misc/stable_abi.toml` read
/// as a URI of scheme `HEAD` (RFC 3986, section 4.2).
pub fn uri(path: &Path) -> String {
    let (raw, absolute) = path_bytes(path);
    let mut uri = String::with_capacity(raw.len() + 8);
    if absolute {
        uri.push_str("file://");
        if !raw.starts_with(b"/") {
            uri.push('/'); // C:/… on Windows
        }
    } else if raw
        .split(|&b| b == b'/')
        .next()
        .is_some_and(|first| first.contains(&b':'))
    {
        uri.push_str("./");
    }
    for &byte in raw.iter() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&byte);
        if keep {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// The path's bytes with `/` between components, and whether it is
/// absolute.
fn path_bytes(path: &Path) -> (std::borrow::Cow<'_, [u8]>, bool) {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        (path.as_os_str().as_bytes().into(), path.has_root())
    }
    #[cfg(not(unix))]
    {
        let text = path.to_string_lossy().replace('\\', "/");
        (text.into_bytes().into(), path.is_absolute())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOO_EARLY: Code = Code {
        name: "too-early",
        command: "headers",
        summary: "declared too early",
        doc: "What it finds.",
    };
    const NOT_STABLE_ABI: Code = Code {
        name: "not-stable-abi",
        command: "audit",
        summary: "not in the Stable ABI",
        doc: "What it finds.",
    };

    #[test]
    fn findings_become_results_of_registered_rules() {
        let findings = [
            Finding::error("too-early", "PyFoo", "PyFoo is declared too early")
                .at(Some(Location::new("Include/foo.h", 3, 5)))
                .note(
                    Some(Location::new("Misc/stable_abi.toml", 9, 1)),
                    "added here",
                ),
            Finding::error("not-stable-abi", "PyBar", "not stable")
                .in_file("dist/my wheel.whl/x.abi3.so")
                .as_warning(),
        ];
        let log = log(&findings, &[&NOT_STABLE_ABI, &TOO_EARLY]);
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[1]["shortDescription"]["text"], "declared too early");
        let first = &run["results"][0];
        assert_eq!(first["ruleId"], "too-early");
        assert_eq!(
            rules[first["ruleIndex"].as_u64().unwrap() as usize]["id"],
            "too-early"
        );
        assert_eq!(first["level"], "error");
        let region = &first["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (region["startLine"].as_u64(), region["startColumn"].as_u64()),
            (Some(3), Some(5))
        );
        assert_eq!(
            first["relatedLocations"][0]["message"]["text"],
            "added here"
        );
        let member = Finding::error("not-stable-abi", "PyBar", "not stable")
            .in_file("dist/my wheel.whl/x.abi3.so");
        let member = Finding {
            in_archive: Some(crate::diagnostic::InArchive {
                archive: "dist/my wheel.whl".into(),
                member: "x.abi3.so".into(),
            }),
            ..member
        };
        let inside = &super::log(&[member], &[])["runs"][0]["results"][0];
        assert_eq!(
            inside["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "dist/my%20wheel.whl"
        );
        assert_eq!(inside["message"]["text"], "x.abi3.so: not stable");
        assert_eq!(inside["properties"]["member"], "x.abi3.so");
        let second = &run["results"][1];
        assert_eq!(second["level"], "warning");
        assert_eq!(
            second["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "dist/my%20wheel.whl/x.abi3.so"
        );
        assert!(second["locations"][0]["physicalLocation"]
            .get("region")
            .is_none());
    }

    #[test]
    fn uris_are_rfc_3986_references_of_the_exact_bytes() {
        let cases: Vec<(std::path::PathBuf, &str)> = vec![
            (
                "HEAD:Misc/stable_abi.toml".into(),
                "./HEAD:Misc/stable_abi.toml",
            ),
            (
                "dist/a b#c?.whl/x%.so".into(),
                "dist/a%20b%23c%3F.whl/x%25.so",
            ),
            ("x/m.so\n\x1b[2K\r".into(), "x/m.so%0A%1B%5B2K%0D"),
            ("/tmp/ü.so".into(), "file:///tmp/%C3%BC.so"),
        ];
        #[cfg(unix)]
        let cases = {
            use std::os::unix::ffi::OsStrExt;
            let mut cases = cases;
            let raw = std::ffi::OsStr::from_bytes(b"bad\xff.so");
            cases.push((raw.into(), "bad%FF.so"));
            cases
        };
        for (path, expected) in cases {
            let uri = uri(&path);
            assert_eq!(uri, expected);
            let parsed = fluent_uri::UriRef::parse(uri.as_str()).unwrap();
            assert_eq!(
                parsed.scheme().is_some(),
                expected.starts_with("file:"),
                "{uri}"
            );
        }
    }
}
