//! The 3.15 headers (`../shared/cpython/3.15.2`): the struct member reader
//! survives them, and the abi3t view equals `gcc -E -DPy_TARGET_ABI3T`.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use stable_abi::abi::Abi;
use stable_abi::manifest::{Kind, Manifest};
use stable_abi::version::Version;
use stable_abi::view::{Defines, Headers};

#[test]
#[cfg_attr(not(shared_3_15_2), ignore = "needs ../shared/cpython/3.15.2")]
fn pyobject_has_all_its_members_at_3_15() {
    let Some(tree) = common::abi3t_tree("pyobject_has_all_its_members_at_3_15") else {
        return;
    };
    let headers = Headers::load(&tree, &Defines::default()).expect("headers load");
    let view = headers
        .view(Some(Version::new(3, 15)), &Defines::default())
        .expect("view");
    let members = view.structs["PyObject"].members.clone().expect("complete");
    // The anonymous union's members, then the member after it.
    assert_eq!(
        members,
        [
            "ob_refcnt_full",
            "ob_refcnt",
            "ob_overflow",
            "ob_flags",
            "_aligner",
            "ob_type"
        ]
    );
}

#[test]
#[cfg_attr(not(shared_3_15_2), ignore = "needs ../shared/cpython/3.15.2")]
fn struct_findings_on_3_15_are_the_true_ones() {
    let Some(tree) = common::abi3t_tree("struct_findings_on_3_15_are_the_true_ones") else {
        return;
    };
    let output = common::stable_abi(&tree, &["headers", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let findings = json["findings"].as_array().expect("findings");
    let structs: Vec<String> = findings
        .iter()
        .filter(|f| f["check"] == "struct")
        .map(|f| format!("{} {} {}", f["abi"], f["name"], f["versions"]))
        .collect();
    // No abi3 finding (the PyObject false positive is gone). Under abi3t
    // the 3.15 headers hide PyModuleDef, which this manifest (older than
    // CPython's 'abi3t-opaque') still calls 'full-abi': a true finding.
    assert_eq!(
        structs,
        [r#""abi3t" "PyModuleDef" ["3.15"]"#],
        "{structs:#?}"
    );
    // The 3.15 headers hide every use of the hidden structs from abi3t.
    assert!(!findings.iter().any(|f| f["check"] == "abi3t-hidden"));
    // Every header finding says which ABI it is about.
    assert!(findings
        .iter()
        .all(|f| f["abi"] == "abi3" || f["abi"] == "abi3t"));
}

/// Both directions of the difference, described.
fn differences(what: &str, ours: &BTreeSet<String>, expected: &BTreeSet<String>) -> Vec<String> {
    let mut problems = Vec::new();
    let extra: Vec<_> = ours.difference(expected).collect();
    let missing: Vec<_> = expected.difference(ours).collect();
    if !extra.is_empty() {
        problems.push(format!("{what}: in the view but not expected: {extra:?}"));
    }
    if !missing.is_empty() {
        problems.push(format!("{what}: expected but not in the view: {missing:?}"));
    }
    problems
}

/// The view of `abi` at 3.15 against `expected` (declarations, macros and,
/// when the oracle has them, which manifest structs are complete), exactly.
fn compare_with_oracle(abi: Abi, expected: &Path) -> Vec<String> {
    let tree = expected.parent().unwrap();
    let tree = if abi == Abi::Abi3t {
        tree.parent().unwrap()
    } else {
        tree
    };
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).expect("manifest");
    let headers = Headers::load(tree, &Defines::default()).expect("headers load");
    let view = headers
        .view_abi(abi, Version::new(3, 15), &Defines::default())
        .expect("view");
    let declared = view
        .functions
        .keys()
        .chain(view.data.keys())
        .map(|name| name.to_string())
        .collect();
    let mut problems = differences(
        &format!("{abi} declarations"),
        &declared,
        &common::names_in(&expected.join("declarations-3.15.txt")),
    );
    let macros = view.macros.keys().map(|name| name.to_string()).collect();
    problems.extend(differences(
        &format!("{abi} macros"),
        &macros,
        &common::names_in(&expected.join("macros-3.15.txt")),
    ));
    let structs_file = expected.join("structs-3.15.txt");
    if structs_file.is_file() {
        let ours = manifest
            .items
            .iter()
            .filter(|item| item.kind == Kind::Struct)
            .map(|item| {
                let complete = view
                    .structs
                    .get(item.name.as_str())
                    .is_some_and(|def| def.members.is_some());
                let state = if complete { "complete" } else { "incomplete" };
                format!("{} {state}", item.name)
            })
            .collect();
        problems.extend(differences(
            &format!("{abi} structs"),
            &ours,
            &common::names_in(&structs_file),
        ));
    }
    problems
}

#[test]
#[cfg_attr(not(shared_3_15_2), ignore = "needs ../shared/cpython/3.15.2")]
fn abi3t_view_equals_gcc() {
    let Some(tree) = common::abi3t_tree("abi3t_view_equals_gcc") else {
        return;
    };
    let problems = compare_with_oracle(Abi::Abi3t, &tree.join("expected/abi3t"));
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
#[cfg_attr(not(shared_3_15_2), ignore = "needs ../shared/cpython/3.15.2")]
fn abi3_view_at_3_15_equals_gcc() {
    let Some(tree) = common::abi3t_tree("abi3_view_at_3_15_equals_gcc") else {
        return;
    };
    let problems = compare_with_oracle(Abi::Abi3, &tree.join("expected"));
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
#[cfg_attr(not(shared_3_15_2), ignore = "needs ../shared/cpython/3.15.2")]
fn view_command_takes_the_abi() {
    let Some(tree) = common::abi3t_tree("view_command_takes_the_abi") else {
        return;
    };
    let manifest = tree.join("Misc/stable_abi.toml");
    let manifest = manifest.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["view", "--manifest", manifest, "--kind", "struct"];
        all.extend(args);
        common::stable_abi(&tree, &all)
    };
    let abi3t = run(&["3.15", "--abi", "abi3t", "--format", "json"]);
    assert!(abi3t.status.success(), "{}", common::stderr(&abi3t));
    let json: serde_json::Value = serde_json::from_slice(&abi3t.stdout).expect("JSON");
    assert_eq!(json["abi"], "abi3t");
    let pyobject = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "PyObject")
        .expect("PyObject is declared");
    assert!(pyobject["members"].is_null(), "{pyobject}");
    // abi3 is the default, and there PyObject is complete.
    let abi3 = common::stdout(&run(&["3.15"]));
    assert!(abi3.contains("struct PyObject (in the manifest since 3.2) { ob_refcnt_full"));
    // abi3t has no version before 3.15: a usage error.
    let early = run(&["3.14", "--abi", "abi3t"]);
    assert_eq!(early.status.code(), Some(2));
    assert!(common::stderr(&early).contains("abi3t begins with 3.15"));
}

#[test]
fn abi3t_hidden_finds_macros_that_need_what_abi3t_hides() {
    let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/view/abi3t_hidden");
    let output = common::stable_abi(&tree, &["headers", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", common::stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let findings: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f["check"], f["abi"], f["name"], f["versions"]
            )
        })
        .collect();
    assert_eq!(
        findings,
        [
            r#""abi3t-hidden" "abi3t" "Py_HEAD_TOO" ["3.15"]"#,
            r#""abi3t-hidden" "abi3t" "Py_OBJECT_SIZE" ["3.15"]"#,
            r#""abi3t-hidden" "abi3t" "Py_REFCNT" ["3.15"]"#,
        ]
    );
}
