//! The baseline round trip: CPython's accepted defects pass, a new defect
//! fails naming only itself, and a fixed defect leaves a stale-entry warning.

mod common;

use common::edit;

/// The `[check]`-suffixed finding lines of text output.
fn finding_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| l.contains(": error: ") || l.contains(": warning: "))
        .filter(|l| !l.starts_with(' '))
        .collect()
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn baseline_round_trip() {
    let Some((dir, tree)) = common::scratch_cpython("baseline_round_trip", &common::HEADER_PARTS)
    else {
        return;
    };
    let baseline = dir.path().join("baseline.txt");
    let baseline_arg = baseline.to_str().unwrap();

    // CPython has defects today: without a baseline, the check fails.
    let plain = common::stable_abi(&tree, &["headers"]);
    assert_eq!(plain.status.code(), Some(1), "{}", common::stderr(&plain));

    let written = common::stable_abi(&tree, &["headers", "--write-baseline", baseline_arg]);
    assert_eq!(
        written.status.code(),
        Some(0),
        "{}",
        common::stderr(&written)
    );
    let text = std::fs::read_to_string(&baseline).unwrap();
    assert!(text.starts_with('#'), "commented header: {text}");
    assert!(text.contains("\ntoo-early PyEval_GetFrameBuiltins 3.2-3.12\n"));
    assert!(text.contains("\nmissing METH_METHOD 3.7-3.8\n"));
    let entries: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    let mut sorted = entries.clone();
    sorted.sort();
    assert_eq!(entries, sorted, "entries are sorted");

    // Unchanged tree + baseline: passes, nothing reported.
    let clean = common::stable_abi(&tree, &["headers", "--baseline", baseline_arg]);
    assert_eq!(clean.status.code(), Some(0), "{}", common::stdout(&clean));
    assert_eq!(finding_lines(&common::stdout(&clean)), Vec::<&str>::new());

    // A new defect fails, and is the only thing reported.
    edit(
        &tree,
        "Include/listobject.h",
        "Py_LIMITED_API+0 >= 0x030d0000\nPyAPI_FUNC(PyObject *) PyList_GetItemRef",
        "Py_LIMITED_API+0 >= 0x030c0000\nPyAPI_FUNC(PyObject *) PyList_GetItemRef",
    );
    let broken = common::stable_abi(&tree, &["headers", "--baseline", baseline_arg]);
    assert_eq!(broken.status.code(), Some(1));
    let stdout = common::stdout(&broken);
    let lines = finding_lines(&stdout);
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(lines[0].starts_with("Include/listobject.h:33:"), "{stdout}");
    assert!(
        lines[0].ends_with(
            ": error: PyList_GetItemRef is declared for Py_LIMITED_API 3.12 but was added \
             in 3.13 [too-early]"
        ),
        "{stdout}"
    );

    // Fixing an accepted defect passes, with a warning to shrink the baseline.
    edit(
        &tree,
        "Include/listobject.h",
        "Py_LIMITED_API+0 >= 0x030c0000\nPyAPI_FUNC(PyObject *) PyList_GetItemRef",
        "Py_LIMITED_API+0 >= 0x030d0000\nPyAPI_FUNC(PyObject *) PyList_GetItemRef",
    );
    edit(
        &tree,
        "Include/ceval.h",
        "PyAPI_FUNC(PyObject *) PyEval_GetFrameBuiltins(void);\n",
        "#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030d0000\n\
         PyAPI_FUNC(PyObject *) PyEval_GetFrameBuiltins(void);\n#endif\n",
    );
    let fixed = common::stable_abi(&tree, &["headers", "--baseline", baseline_arg]);
    assert_eq!(fixed.status.code(), Some(0));
    let stdout = common::stdout(&fixed);
    let lines = finding_lines(&stdout);
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(lines[0].contains(
        ": warning: `too-early PyEval_GetFrameBuiltins` is in the baseline but no longer found"
    ));
    assert!(lines[0].ends_with("[stale-baseline]"));
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn malformed_baseline_is_an_input_error() {
    let Some((dir, tree)) = common::scratch_cpython(
        "malformed_baseline_is_an_input_error",
        &common::HEADER_PARTS,
    ) else {
        return;
    };
    let baseline = dir.path().join("baseline.txt");
    std::fs::write(&baseline, "# ok\ntoo-early PyFoo\n").unwrap();
    let output = common::stable_abi(
        &tree,
        &["headers", "--baseline", baseline.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(common::stderr(&output).contains(
        "baseline.txt:2:1: error: expected `CHECK NAME VERSIONS [abi3t] [PLATFORM,...]`"
    ));
}
