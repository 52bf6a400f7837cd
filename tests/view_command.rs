//! `stable-abi view 3.N`: text and JSON output on the fixture tree, and its
//! usage errors.

mod common;

use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    fixture_named("basic")
}

/// `tests/fixtures/view/NAME`.
fn fixture_named(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/view")
        .join(name)
}

#[test]
fn text_lists_names_with_locations_and_manifest_status() {
    let output = common::stable_abi(&fixture(), &["view", "3.9"]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let text = common::stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.contains(&"Include/guarded.h:3:17: function Py_Guarded (in the manifest since 3.2)"),
        "{text}"
    );
    assert!(
        lines.contains(&"Include/Python.h:15:17: function Py_Since39 (in the manifest since 3.9)"),
        "{text}"
    );
    assert!(
        lines
            .contains(&"Include/Python.h:51:9: struct PyFull (in the manifest since 3.2) { a, c }"),
        "{text}"
    );
    assert!(
        lines.contains(&"Include/Python.h:50:9: struct PyOpaque (not in the manifest) opaque"),
        "{text}"
    );
    assert!(lines
        .iter()
        .any(|l| l.ends_with("macro Py_TWICE (not in the manifest)")));
    // 3.9 does not see what is guarded for 3.5–3.8.
    assert!(!text.contains("Py_From35To38"), "{text}");
    // Functions come first, sorted by name.
    assert!(lines[0].contains("function Py_Guarded"), "{text}");
}

#[test]
fn kind_filter_and_json() {
    let output = common::stable_abi(
        &fixture(),
        &["view", "3.4", "--kind", "function", "--format", "json"],
    );
    assert!(output.status.success(), "{}", common::stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["version"], "3.4");
    let entries = json["entries"].as_array().unwrap();
    let names: Vec<&str> = entries
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Py_Before35", "Py_Guarded"]);
    let guarded = &entries[1];
    assert_eq!(guarded["kind"], "function");
    assert_eq!(guarded["path"], "Include/guarded.h");
    assert_eq!(guarded["line"], 3);
    assert_eq!(guarded["column"], 17);
    assert_eq!(guarded["in_manifest"], true);
    assert_eq!(guarded["added"], "3.2");
    assert_eq!(entries[0]["in_manifest"], false);
    assert!(entries[0]["added"].is_null());
}

#[test]
fn defines_reach_the_view() {
    let output = common::stable_abi(
        &fixture(),
        &["view", "3.13", "--kind", "function", "-D", "Py_FEATURE"],
    );
    assert!(output.status.success(), "{}", common::stderr(&output));
    assert!(common::stdout(&output).contains("function Py_WithFeature"));
    // A -D macro is defined in the view, as `gcc -dM` lists it.
    let output = common::stable_abi(
        &fixture(),
        &["view", "3.13", "--kind", "macro", "-D", "Py_FEATURE"],
    );
    let listed = common::stdout(&output);
    let line = listed.lines().find(|l| l.contains("macro Py_FEATURE"));
    assert!(
        line.is_some_and(|l| l.starts_with("<command line>:")),
        "{listed}"
    );
}

#[test]
fn a_define_that_is_not_a_macro_name_is_a_usage_error() {
    for (args, message) in [
        (
            &["view", "3.9", "-D", "A B=2"][..],
            "-D \"A B=2\": `A B` is not a macro name",
        ),
        (&["view", "3.9", "-D", "=1"][..], "`` is not a macro name"),
        (
            &["headers", "-U", "3x"][..],
            "-U \"3x\": `3x` is not a macro name",
        ),
    ] {
        let output = common::stable_abi(&fixture(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            common::stderr(&output).contains(message),
            "{}",
            common::stderr(&output)
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["view", "3.9", "--kind", "enum"][..],
        &["view", "3.14"][..],
        &["view", "3.1"][..],
        &["view", "3.9", "--manifest", "nowhere/Misc/stable_abi.toml"][..],
    ] {
        let output = common::stable_abi(&fixture(), args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            common::stderr(&output)
        );
        assert!(!common::stderr(&output).is_empty());
    }
}

#[test]
fn bad_headers_exit_2_with_a_location() {
    let scratch = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture(), scratch.path());
    let guarded = scratch.path().join("Include/guarded.h");
    let text = std::fs::read_to_string(&guarded).unwrap();
    std::fs::write(&guarded, text.replace("#endif\n", "")).unwrap();
    let output = common::stable_abi(scratch.path(), &["view", "3.9"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = common::stderr(&output);
    assert!(
        stderr.contains("Include/guarded.h:1:1: error: unterminated #ifndef"),
        "{stderr}"
    );
}

/// A 3.11-like tree whose `structmember.h` (outside `Python.h`'s graph)
/// defines `PyMemberDef` and declares `PyMember_GetOne`.
fn outside_fixture() -> PathBuf {
    fixture_named("outside")
}

#[test]
fn public_headers_outside_python_h_that_provide_an_item_are_in_the_view() {
    let output = common::stable_abi(&outside_fixture(), &["view", "3.11"]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let text = common::stdout(&output);
    assert!(
        text.contains(
            "Include/structmember.h:4:8: struct PyMemberDef (in the manifest since 3.2) \
             { name, type, offset, flags, doc }"
        ),
        "{text}"
    );
    assert!(
        text.contains("Include/structmember.h:14:24: function PyMember_GetOne"),
        "{text}"
    );
    assert!(text.contains("macro T_INT (not in the manifest)"), "{text}");
    // marshal.h provides only an abi_only item, datetime.h none.
    assert!(!text.contains("Py_MARSHAL_H"), "{text}");
    assert!(!text.contains("PyDateTime_IMPORT"), "{text}");

    // So the header checks find PyMemberDef complete and PyMember_GetOne
    // declared at every version.
    let output = common::stable_abi(&outside_fixture(), &["headers"]);
    let report = common::stdout(&output);
    assert!(!report.contains("PyMemberDef"), "{report}");
    assert!(!report.contains("PyMember_GetOne"), "{report}");
    // The drop-in's --unixy-check, like stable_abi.py's gcc run, reads
    // Python.h alone: there PyMember_GetOne is not declared.
    let output = common::stable_abi(
        &outside_fixture(),
        &["Misc/stable_abi.toml", "--unixy-check"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", common::stderr(&output));
    let err = common::stderr(&output);
    assert!(
        err.contains("PyMember_GetOne is not declared in \"Include/Python.h\""),
        "{err}"
    );
}
