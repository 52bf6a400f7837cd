//! `stable-abi add` on a scratch copy of a real CPython tree: the item is
//! appended in the manifest's style with every other byte unchanged, the
//! refusals leave the file alone, and `--regen` rewrites exactly the
//! derived files that list the item.

mod common;

use common::{reference_tree, scratch_copy, stable_abi, stderr, stdout, GENERATED_FILES};

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn appends_at_the_end_in_the_files_style_and_says_what_next() {
    let Some(tree) = reference_tree("add_appends_at_the_end") else {
        return;
    };
    let (_dir, copy) = scratch_copy(&tree, &["Misc", "Include/patchlevel.h"]);
    let manifest = copy.join("Misc/stable_abi.toml");
    let before = std::fs::read_to_string(&manifest).unwrap();
    let output = stable_abi(&copy, &["add", "function", "PyFoo_New"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let after = std::fs::read_to_string(&manifest).unwrap();
    // The manifest ends with a blank line, which stays last: every byte
    // before it is unchanged, the entry follows them.
    let head = before.strip_suffix('\n').unwrap();
    assert!(head.ends_with("added = '3.13'\n"));
    assert!(after.starts_with(head), "the existing bytes are unchanged");
    assert_eq!(
        &after[head.len()..],
        "[function.PyFoo_New]\n    added = '3.13'\n\n"
    );
    let text = stdout(&output);
    let lines = head.lines().count();
    assert!(
        text.starts_with(&format!(
            "Misc/stable_abi.toml:{}:1: note: added function PyFoo_New (added in 3.13)\n",
            lines + 1
        )),
        "{text}"
    );
    assert!(
        text.contains("       #if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030D0000\n           PyAPI_FUNC(...) PyFoo_New(...);\n       #endif\n"),
        "{text}"
    );
    assert!(
        text.contains("stable-abi --generate-all Misc/stable_abi.toml"),
        "{text}"
    );

    // A second time it is a duplicate: refused, the file unchanged.
    let output = stable_abi(&copy, &["add", "macro", "PyFoo_New"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(&format!(
            "Misc/stable_abi.toml:{}:1: error: PyFoo_New is already in the manifest, as a function",
            lines + 1
        )),
        "{}",
        stderr(&output)
    );
    assert!(std::fs::read_to_string(&manifest).unwrap() == after);
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn refusals_leave_the_manifest_alone() {
    let Some(tree) = reference_tree("add_refusals") else {
        return;
    };
    let (_dir, copy) = scratch_copy(&tree, &["Misc", "Include/patchlevel.h"]);
    let manifest = copy.join("Misc/stable_abi.toml");
    let before = std::fs::read(&manifest).unwrap();
    for (args, expected) in [
        (&["add", "function", "_PyFoo"][..], "pass --abi-only"),
        (
            &["add", "function", "PyFoo", "--ifdef", "HAVE_SPOON"],
            "not a feature macro",
        ),
        (&["add", "struct", "PyFoo"], "needs --struct-abi-kind"),
        (
            &["add", "function", "PyObject_Call"],
            "already in the manifest",
        ),
    ] {
        let output = stable_abi(&copy, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(std::fs::read(&manifest).unwrap(), before, "{args:?}");
    }
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn regen_rewrites_the_files_that_list_the_item() {
    let Some(tree) = reference_tree("add_regen") else {
        return;
    };
    let mut parts = vec!["Misc", "Include/patchlevel.h"];
    parts.extend(GENERATED_FILES);
    let (_dir, copy) = scratch_copy(&tree, &parts);
    let output = stable_abi(
        &copy,
        &[
            "add",
            "function",
            "PyFoo_New",
            "--ifdef",
            "HAVE_FORK",
            "--regen",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("       #ifdef HAVE_FORK\n       #if !defined"),
        "{text}"
    );
    assert!(
        text.contains(
            "  2. Regenerated: Doc/data/stable_abi.dat, Lib/test/test_stable_abi_ctypes.py\n"
        ),
        "{text}"
    );
    for file in &GENERATED_FILES[1..3] {
        let content = std::fs::read_to_string(copy.join(file)).unwrap();
        assert!(content.contains("PyFoo_New"), "{file}");
    }
    // HAVE_FORK is not a Windows feature macro: python3.dll does not
    // export the function.
    let dll = std::fs::read_to_string(copy.join(GENERATED_FILES[0])).unwrap();
    assert!(!dll.contains("PyFoo_New"));
    // The tree checks clean afterwards.
    let output = stable_abi(&copy, &["Misc/stable_abi.toml", "--generate-all"]);
    assert_eq!(output.status.code(), Some(0));
}
