//! The library half of `--unixy-check`: the built libpython in the tree must
//! export every Stable ABI symbol whose feature macro the headers define.

mod cc;
mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{copy_tree, cpython_tree, stable_abi, stderr};
use stable_abi::manifest::{Kind, Manifest};

/// A copy of what `--unixy-check` reads: manifest, headers, pyconfig.h and
/// the built libraries.
fn scratch_tree(tree: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["Misc", "Include", "lib"] {
        copy_tree(&tree.join(sub), &dir.path().join(sub));
    }
    std::fs::copy(tree.join("pyconfig.h"), dir.path().join("pyconfig.h")).unwrap();
    dir
}

#[test]
fn the_built_libraries_pass() {
    let Some(tree) = cpython_tree("the_built_libraries_pass") else {
        return;
    };
    let scratch = scratch_tree(&tree);
    let output = stable_abi(scratch.path(), &["--unixy-check"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(!err.contains("library check was skipped"), "{err}");
}

#[test]
fn a_library_lacking_a_symbol_fails_naming_it() {
    let Some(tree) = cpython_tree("a_library_lacking_a_symbol_fails_naming_it") else {
        return;
    };
    let Some(cc) = cc::compiler("a_library_lacking_a_symbol_fails_naming_it") else {
        return;
    };
    let scratch = scratch_tree(&tree);
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).unwrap();
    let defined: BTreeSet<String> = ["HAVE_FORK", "PY_HAVE_THREAD_NATIVE_ID"]
        .map(String::from)
        .into();
    let dropped = "PyObject_GetAttrString";
    let source: String = manifest
        .select(&[Kind::Function, Kind::Data], true, Some(&defined))
        .iter()
        .filter(|item| item.name != dropped)
        .map(|item| format!("int {} = 1;\n", item.name))
        .collect();
    let lib = scratch.path().join("lib");
    std::fs::remove_file(lib.join("libpython3.13.a")).unwrap();
    std::fs::remove_file(lib.join("libpython3.13.so.1.0")).unwrap();
    cc::shared_object(&cc, &lib, "libpython3.13.so.1.0", &source, &[]);

    let output = stable_abi(scratch.path(), &["--unixy-check"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    let missing: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("[missing-export]"))
        .collect();
    assert_eq!(missing.len(), 1, "{err}");
    assert!(missing[0].contains(dropped), "{err}");
    assert!(err.contains("did not succeed: unixy_check"), "{err}");
}

#[test]
fn an_unbuilt_tree_says_the_library_check_was_skipped() {
    let Some(tree) = cpython_tree("an_unbuilt_tree_says_the_library_check_was_skipped") else {
        return;
    };
    let scratch = scratch_tree(&tree);
    std::fs::remove_dir_all(scratch.path().join("lib")).unwrap();
    let output = stable_abi(scratch.path(), &["--unixy-check"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(err.contains("no built libpython next to"), "{err}");
}
