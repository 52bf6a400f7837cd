//! `stable-abi explain` and the output formats every command shares, run on
//! the sample tree of this repository.

mod common;

use std::path::Path;

use common::{stable_abi, stderr, stdout};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn explain_prints_a_codes_doc_and_lists_them_all() {
    let output = stable_abi(repo(), &["explain", "too-early"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("too-early (headers): "), "{text}");
    assert!(text.contains("Why it matters"), "{text}");

    let listed = stdout(&stable_abi(repo(), &["explain"]));
    for code in [
        "missing",
        "stale-baseline",
        "missing-export",
        "version-mismatch",
    ] {
        assert!(
            listed
                .lines()
                .any(|line| line.starts_with(&format!("{code} "))),
            "{code} not listed:\n{listed}"
        );
    }

    let unknown = stable_abi(repo(), &["explain", "no-such-code"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("no code `no-such-code`"));
}

#[test]
fn headers_speak_the_envelope_and_sarif() {
    // The sample tree has one finding without its baseline.
    let args = [
        "headers",
        "--manifest",
        "Misc/stable_abi.toml",
        "--no-baseline",
        "--format",
    ];
    let json = stable_abi(repo(), &[&args[..], &["json"]].concat());
    assert_eq!(json.status.code(), Some(1), "{}", stderr(&json));
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(document["schema_version"], 1);
    assert_eq!(document["command"], "headers");
    let findings = document["findings"].as_array().unwrap();
    assert!(!findings.is_empty());

    let sarif = stable_abi(repo(), &[&args[..], &["sarif"]].concat());
    assert_eq!(sarif.status.code(), Some(1), "{}", stderr(&sarif));
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    assert_eq!(results[0]["ruleId"], findings[0]["check"]);
    // The command line hands SARIF every code of the registry as its rules.
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), stable_abi::codes::all().len());
    let index = results[0]["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], findings[0]["check"]);
    // Every location is an RFC 3986 URI reference, relative here.
    for result in results {
        for location in ["locations", "relatedLocations"] {
            for place in result[location].as_array().into_iter().flatten() {
                let uri = place["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap();
                let parsed =
                    fluent_uri::UriRef::parse(uri).unwrap_or_else(|e| panic!("{uri}: {e}"));
                assert!(parsed.scheme().is_none(), "{uri}");
            }
        }
    }
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        findings[0]["path"]
    );
}

#[test]
fn the_view_envelope_has_entries_and_sarif_is_refused() {
    let view = |format: &str| {
        let args = [
            "view",
            "3.9",
            "--manifest",
            "Misc/stable_abi.toml",
            "--format",
        ];
        stable_abi(repo(), &[&args[..], &[format]].concat())
    };
    let json = view("json");
    assert_eq!(json.status.code(), Some(0), "{}", stderr(&json));
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(document["command"], "view");
    assert_eq!(document["version"], "3.9");
    assert_eq!(document["findings"], serde_json::json!([]));
    assert!(!document["entries"].as_array().unwrap().is_empty());

    assert_eq!(view("sarif").status.code(), Some(2));
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn examples_taken_from_cpython_are_what_the_checks_report_there() {
    let test = "examples_taken_from_cpython_are_what_the_checks_report_there";
    let Some(tree) = common::reference_tree(test) else {
        return;
    };
    let report = stdout(&stable_abi(&tree, &["headers"]));
    // The codes whose examples are CPython 3.13's own defects, as reported.
    for code in ["missing", "too-early", "ifdef", "guard-constant"] {
        let doc = stdout(&stable_abi(repo(), &["explain", code]));
        let example = doc
            .lines()
            .map(str::trim)
            .find(|line| line.ends_with(&format!("[{code}]")))
            .unwrap_or_else(|| panic!("{code} has no example"));
        assert!(
            report.lines().any(|line| line == example),
            "`explain {code}` shows a report `headers` does not give:\n{example}"
        );
    }
}
