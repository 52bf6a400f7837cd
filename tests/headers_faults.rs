//! Fault injection on a copy of the CPython 3.13.15 headers: each defect
//! becomes exactly the finding it should, and broken headers are a clear
//! error (exit status 2), never a panic.

mod common;

use common::edit;

use std::path::Path;

use serde_json::Value;

/// Runs `stable-abi headers --format json` in `tree`: status and findings.
fn headers_json(tree: &Path, extra: &[&str]) -> (Option<i32>, Vec<Value>) {
    let mut args = vec!["headers", "--format", "json"];
    args.extend(extra);
    let output = common::stable_abi(tree, &args);
    let stdout = common::stdout(&output);
    let document: Value = serde_json::from_str(&stdout).unwrap_or_else(|err| {
        panic!(
            "not JSON ({err}): {stdout}\nstderr: {}",
            common::stderr(&output)
        )
    });
    let findings = document["findings"].as_array().unwrap().clone();
    (output.status.code(), findings)
}

fn find<'a>(findings: &'a [Value], check: &str, name: &str) -> Option<&'a Value> {
    findings
        .iter()
        .find(|f| f["check"] == check && f["name"] == name)
}

fn versions(finding: &Value) -> Vec<String> {
    finding["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn all_versions() -> Vec<String> {
    (2..=13).map(|minor| format!("3.{minor}")).collect()
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn deleted_declaration_is_missing_at_every_version() {
    let Some((_dir, tree)) = common::scratch_cpython(
        "deleted_declaration_is_missing_at_every_version",
        &common::HEADER_PARTS,
    ) else {
        return;
    };
    let (_, before) = headers_json(&tree, &[]);
    assert!(find(&before, "missing", "PyObject_Repr").is_none());
    edit(
        &tree,
        "Include/object.h",
        "PyAPI_FUNC(PyObject *) PyObject_Repr(PyObject *);\n",
        "\n",
    );
    let (status, after) = headers_json(&tree, &[]);
    assert_eq!(status, Some(1));
    let missing = find(&after, "missing", "PyObject_Repr").expect("missing PyObject_Repr");
    assert_eq!(versions(missing), all_versions());
    assert_eq!(missing["path"], "Misc/stable_abi.toml");
    // The drop-in fails too, as the reference tool does.
    let legacy = common::stable_abi(&tree, &["--unixy-check"]);
    assert_eq!(legacy.status.code(), Some(1), "{}", common::stderr(&legacy));
    assert!(common::stderr(&legacy).contains("PyObject_Repr"));
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn unlisted_declaration_is_reported_where_it_is() {
    let Some((_dir, tree)) = common::scratch_cpython(
        "unlisted_declaration_is_reported_where_it_is",
        &common::HEADER_PARTS,
    ) else {
        return;
    };
    let text = std::fs::read_to_string(tree.join("Include/object.h")).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("PyAPI_FUNC(PyObject *) PyObject_Repr("))
        .unwrap()
        + 1;
    edit(
        &tree,
        "Include/object.h",
        "PyAPI_FUNC(PyObject *) PyObject_Repr(PyObject *);\n",
        "PyAPI_FUNC(int) PyObject_Unlisted(void);\n\
         PyAPI_FUNC(PyObject *) PyObject_Repr(PyObject *);\n",
    );
    let (status, findings) = headers_json(&tree, &[]);
    assert_eq!(status, Some(1));
    let unlisted = find(&findings, "unlisted", "PyObject_Unlisted").expect("unlisted finding");
    assert_eq!(unlisted["path"], "Include/object.h");
    assert_eq!(unlisted["line"], line);
    assert_eq!(versions(unlisted), all_versions());
    let legacy = common::stable_abi(&tree, &["--unixy-check"]);
    assert_eq!(legacy.status.code(), Some(1));
    assert!(common::stderr(&legacy).contains(&format!("Include/object.h:{line}:")));
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn loosened_guard_makes_its_names_too_early() {
    let Some((_dir, tree)) = common::scratch_cpython(
        "loosened_guard_makes_its_names_too_early",
        &common::HEADER_PARTS,
    ) else {
        return;
    };
    let (_, before) = headers_json(&tree, &[]);
    assert!(find(&before, "too-early", "PyList_GetItemRef").is_none());
    edit(
        &tree,
        "Include/listobject.h",
        "Py_LIMITED_API+0 >= 0x030d0000\nPyAPI_FUNC(PyObject *) PyList_GetItemRef",
        "Py_LIMITED_API+0 >= 0x030c0000\nPyAPI_FUNC(PyObject *) PyList_GetItemRef",
    );
    let (status, after) = headers_json(&tree, &[]);
    assert_eq!(status, Some(1));
    let early = find(&after, "too-early", "PyList_GetItemRef").expect("too-early finding");
    assert_eq!(versions(early), ["3.12"]);
    assert_eq!(early["path"], "Include/listobject.h");
    assert_eq!(early["line"], 33);
    // Nothing else changed.
    assert_eq!(after.len(), before.len() + 1);
}

/// Runs `stable-abi headers` on a broken tree: exit status 2, an error
/// naming `file`, and no panic. Returns the error output.
fn assert_clear_error(tree: &Path, file: &str) -> String {
    let output = common::stable_abi(tree, &["headers"]);
    let stderr = common::stderr(&output);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains(file), "the error names {file}: {stderr}");
    assert!(stderr.contains("error"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn unbalanced_if_is_a_clear_error() {
    let Some((_dir, tree)) =
        common::scratch_cpython("unbalanced_if_is_a_clear_error", &common::HEADER_PARTS)
    else {
        return;
    };
    edit(
        &tree,
        "Include/listobject.h",
        "PyAPI_FUNC(PyObject *) PyList_GetItemRef(PyObject *, Py_ssize_t);\n#endif\n",
        "PyAPI_FUNC(PyObject *) PyList_GetItemRef(PyObject *, Py_ssize_t);\n",
    );
    assert_clear_error(&tree, "Include/listobject.h");
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn include_cycle_is_a_clear_error() {
    let Some((_dir, tree)) =
        common::scratch_cpython("include_cycle_is_a_clear_error", &common::HEADER_PARTS)
    else {
        return;
    };
    std::fs::write(tree.join("Include/cycle_a.h"), "#include \"cycle_b.h\"\n").unwrap();
    std::fs::write(tree.join("Include/cycle_b.h"), "#include \"cycle_a.h\"\n").unwrap();
    edit(
        &tree,
        "Include/Python.h",
        "#include \"listobject.h\"\n",
        "#include \"listobject.h\"\n#include \"cycle_a.h\"\n",
    );
    assert_clear_error(&tree, "cycle_");
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn struct_defects_are_reported() {
    let Some((_dir, tree)) =
        common::scratch_cpython("struct_defects_are_reported", &common::HEADER_PARTS)
    else {
        return;
    };
    let (_, before) = headers_json(&tree, &[]);
    assert!(before.iter().all(|f| f["check"] != "struct"));
    // An opaque struct gets a complete definition...
    edit(
        &tree,
        "Include/pytypedefs.h",
        "typedef struct _ts PyThreadState;\n",
        "typedef struct _ts PyThreadState;\nstruct _ts { int interp; };\n",
    );
    // ...and the manifest lists a struct's members out of order.
    edit(
        &tree,
        "Misc/stable_abi.toml",
        "members = ['ob_base', 'ob_size']",
        "members = ['ob_size', 'ob_base']",
    );
    let (status, after) = headers_json(&tree, &[]);
    assert_eq!(status, Some(1));
    let opaque = find(&after, "struct", "PyThreadState").expect("opaque struct finding");
    assert_eq!(opaque["path"], "Include/pytypedefs.h");
    assert_eq!(versions(opaque), all_versions());
    let order = find(&after, "struct", "PyVarObject").expect("member order finding");
    assert!(
        order["message"]
            .as_str()
            .unwrap()
            .contains("in the order ob_base, ob_size, not ob_size, ob_base"),
        "{order}"
    );
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn ifdef_defects_are_reported() {
    let Some((_dir, tree)) =
        common::scratch_cpython("ifdef_defects_are_reported", &common::HEADER_PARTS)
    else {
        return;
    };
    let (_, before) = headers_json(&tree, &[]);
    assert!(find(&before, "ifdef", "PyOS_BeforeFork").is_none());
    assert!(find(&before, "ifdef", "PyErr_SetFromWindowsErr").is_none());
    // A HAVE_FORK function declared outside `#ifdef HAVE_FORK`...
    edit(
        &tree,
        "Include/intrcheck.h",
        "#ifdef HAVE_FORK\n#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03070000\n\
         PyAPI_FUNC(void) PyOS_BeforeFork(void);\n",
        "PyAPI_FUNC(void) PyOS_BeforeFork(void);\n\
         #ifdef HAVE_FORK\n#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03070000\n",
    );
    // ...and a Windows-only function whose manifest entry lost its ifdef.
    edit(
        &tree,
        "Misc/stable_abi.toml",
        "[function.PyErr_SetFromWindowsErr]\n    added = '3.7'  # (and 3.6.1 and 3.5.3)\n    \
         ifdef = 'MS_WINDOWS'\n",
        "[function.PyErr_SetFromWindowsErr]\n    added = '3.7'  # (and 3.6.1 and 3.5.3)\n",
    );
    let (status, after) = headers_json(&tree, &[]);
    assert_eq!(status, Some(1));
    let fork = find(&after, "ifdef", "PyOS_BeforeFork").expect("HAVE_FORK finding");
    assert_eq!(fork["path"], "Include/intrcheck.h");
    assert!(fork["message"]
        .as_str()
        .unwrap()
        .contains("even when HAVE_FORK is not defined"));
    let windows = find(&after, "ifdef", "PyErr_SetFromWindowsErr").expect("MS_WINDOWS finding");
    assert!(windows["message"]
        .as_str()
        .unwrap()
        .contains("declared only when MS_WINDOWS is defined"));
}

/// When the headers are bad at several versions, each version's evaluation
/// fails on its own; the error reported is the oldest version's.
#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn the_oldest_version_s_error_is_reported() {
    let Some((_dir, tree)) = common::scratch_cpython(
        "the_oldest_version_s_error_is_reported",
        &common::HEADER_PARTS,
    ) else {
        return;
    };
    // At every version, `Py_LIMITED_API` expands to that version's value,
    // the token the error names: `0x3` is 3.2's.
    std::fs::write(
        tree.join("Include/bad_guard.h"),
        "#if 1 Py_LIMITED_API\n#endif\n",
    )
    .unwrap();
    edit(
        &tree,
        "Include/Python.h",
        "#include \"listobject.h\"\n",
        "#include \"listobject.h\"\n#include \"bad_guard.h\"\n",
    );
    let stderr = assert_clear_error(&tree, "Include/bad_guard.h:1:1");
    assert!(
        stderr.contains("missing binary operator before token \"0x3\""),
        "{stderr}"
    );
}
