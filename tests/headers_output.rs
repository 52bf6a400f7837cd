//! What `stable-abi headers` prints: compiler-style text, the documented
//! JSON, and the drop-in's verdict on CPython as it is.

mod common;

use serde_json::Value;

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn text_reads_like_a_compiler() {
    let Some(tree) = common::reference_tree("text_reads_like_a_compiler") else {
        return;
    };
    let output = common::stable_abi(&tree, &["headers"]);
    let stdout = common::stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{}", common::stderr(&output));
    let mut lines = stdout.lines();
    let line = lines
        .find(|l| l.contains("PyEval_GetFrameBuiltins is declared"))
        .expect("PyEval_GetFrameBuiltins finding");
    assert!(line.starts_with("Include/ceval.h:25:"), "{line}");
    assert!(
        line.ends_with(
            ": error: PyEval_GetFrameBuiltins is declared for Py_LIMITED_API 3.2–3.12 \
             but was added in 3.13 [too-early]"
        ),
        "{line}"
    );
    let note = lines.next().unwrap();
    assert!(note.starts_with("    Misc/stable_abi.toml:"), "{note}");
    assert!(
        note.ends_with(": note: added in 3.13 according to the manifest"),
        "{note}"
    );
    // One finding per name.
    let count = stdout
        .matches("PyEval_GetFrameBuiltins is declared")
        .count();
    assert_eq!(count, 1);
    // The count, and a note: pythread.h defines PY_HAVE_THREAD_NATIVE_ID.
    assert!(stdout
        .lines()
        .last()
        .unwrap()
        .ends_with("error(s), 0 warning(s), 1 note(s)"));
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn json_has_the_documented_shape() {
    let Some(tree) = common::reference_tree("json_has_the_documented_shape") else {
        return;
    };
    let output = common::stable_abi(&tree, &["headers", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = document["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for finding in findings {
        for key in [
            "check", "severity", "name", "versions", "message", "notes", "path", "line", "column",
        ] {
            assert!(finding.get(key).is_some(), "{key} in {finding}");
        }
    }
    let method = findings
        .iter()
        .find(|f| f["check"] == "missing" && f["name"] == "METH_METHOD")
        .unwrap();
    assert_eq!(method["versions"], serde_json::json!(["3.7", "3.8"]));
    assert_eq!(method["path"], "Misc/stable_abi.toml");
    assert!(method["line"].as_u64().unwrap() > 0);
    let summary = &document["summary"];
    let counted = summary["errors"].as_u64().unwrap()
        + summary["warnings"].as_u64().unwrap()
        + summary["notes"].as_u64().unwrap();
    assert_eq!(counted as usize, findings.len());
    assert!(summary["by_check"]["too-early"].as_u64().unwrap() >= 100);
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn unixy_check_keeps_the_reference_verdict() {
    let Some(tree) = common::reference_tree("unixy_check_keeps_the_reference_verdict") else {
        return;
    };
    let output = common::stable_abi(&tree, &["--unixy-check", "--verbose"]);
    let stderr = common::stderr(&output);
    // CPython passes the reference check today; the new checks only warn
    // (shown with --verbose; otherwise counted in one line).
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(": warning: PyEval_GetFrameBuiltins is declared"),
        "{stderr}"
    );
    assert!(!stderr.contains(": error: "), "{stderr}");
}

#[test]
fn missing_manifest_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = common::stable_abi(dir.path(), &["headers"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(common::stderr(&output).contains("stable_abi.toml"));
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn unconfigured_tree_has_the_same_findings() {
    let Some(tree) = common::reference_tree("unconfigured_tree_has_the_same_findings") else {
        return;
    };
    // A copy without pyconfig.h: the documented default profile stands in.
    let dir = tempfile::tempdir().unwrap();
    for sub in ["Include", "Misc"] {
        common::copy_tree(&tree.join(sub), &dir.path().join(sub));
    }
    let configured = common::stable_abi(&tree, &["headers", "--format", "json"]);
    let unconfigured = common::stable_abi(dir.path(), &["headers", "--format", "json"]);
    assert_eq!(unconfigured.status.code(), Some(1));
    let configured: Value = serde_json::from_slice(&configured.stdout).unwrap();
    let unconfigured: Value = serde_json::from_slice(&unconfigured.stdout).unwrap();
    assert!(!configured["findings"].as_array().unwrap().is_empty());
    assert_eq!(configured, unconfigured);
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn command_line_feature_macro_counts_as_defined() {
    let Some(tree) = common::reference_tree("command_line_feature_macro_counts_as_defined") else {
        return;
    };
    // `-D MS_WINDOWS`: the Windows-only items are expected, so their
    // declarations are not `unlisted`, and their missing version guards
    // show as `too-early`.
    let output = common::stable_abi(&tree, &["headers", "--format", "json", "-D", "MS_WINDOWS"]);
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = document["findings"].as_array().unwrap();
    let named = |check: &str| {
        findings
            .iter()
            .find(|f| f["check"] == check && f["name"] == "PyErr_SetFromWindowsErr")
    };
    assert!(named("unlisted").is_none(), "{findings:?}");
    let early = named("too-early").expect("too-early PyErr_SetFromWindowsErr");
    assert_eq!(
        early["versions"],
        serde_json::json!(["3.2", "3.3", "3.4", "3.5", "3.6"])
    );
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn a_feature_macro_the_headers_define_themselves_is_a_located_note() {
    let test = "a_feature_macro_the_headers_define_themselves_is_a_located_note";
    let Some(tree) = common::reference_tree(test) else {
        return;
    };
    // pythread.h defines PY_HAVE_THREAD_NATIVE_ID itself on Linux: -U
    // cannot take it away, so its item is not checked; the warning is where
    // the headers define it, in text and in SARIF.
    let output = common::stable_abi(&tree, &["headers"]);
    let stdout = common::stdout(&output);
    let warning = stdout
        .lines()
        .find(|l| l.contains("PY_HAVE_THREAD_NATIVE_ID cannot be toggled"))
        .expect("the warning");
    assert!(
        warning.starts_with("Include/pythread.h:46:9: note: "),
        "{warning}"
    );
    let output = common::stable_abi(&tree, &["headers", "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["properties"]["name"] == "PY_HAVE_THREAD_NATIVE_ID")
        .expect("the SARIF result");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "Include/pythread.h");
    assert_eq!(location["region"]["startLine"], 46);
}
