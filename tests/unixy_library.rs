//! The library half of `--unixy-check`: the built libpython in the tree must
//! export every Stable ABI symbol whose feature macro the headers define.

mod cc;
mod common;

use std::collections::BTreeSet;

use common::{reference_tree, stable_abi, stderr};
use stable_abi::manifest::{Kind, Manifest, Selection};

/// What `--unixy-check` reads: manifest, headers, pyconfig.h and the built
/// libraries.
const UNIXY_PARTS: [&str; 4] = ["Misc", "Include", "lib", "pyconfig.h"];

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn the_built_libraries_pass() {
    let Some(tree) = reference_tree("the_built_libraries_pass") else {
        return;
    };
    let (_scratch, root) = common::scratch_copy(&tree, &UNIXY_PARTS);
    let output = stable_abi(root.as_path(), &["--unixy-check"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(!err.contains("library check was skipped"), "{err}");
}

#[test]
#[cfg_attr(
    not(all(reference_tree, c_compiler)),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15 and a C compiler"
)]
fn a_library_lacking_a_symbol_fails_naming_it() {
    let Some(tree) = reference_tree("a_library_lacking_a_symbol_fails_naming_it") else {
        return;
    };
    let Some(cc) = cc::compiler("a_library_lacking_a_symbol_fails_naming_it") else {
        return;
    };
    let (_scratch, root) = common::scratch_copy(&tree, &UNIXY_PARTS);
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).unwrap();
    let defined: BTreeSet<String> = ["HAVE_FORK", "PY_HAVE_THREAD_NATIVE_ID"]
        .map(String::from)
        .into();
    let dropped = "PyObject_GetAttrString";
    let source: String = manifest
        .select(Selection::of(&Kind::SYMBOLS).where_defined(&defined))
        .iter()
        .filter(|item| item.name != dropped)
        .map(|item| format!("int {} = 1;\n", item.name))
        .collect();
    let lib = root.join("lib");
    std::fs::remove_file(lib.join("libpython3.13.a")).unwrap();
    std::fs::remove_file(lib.join("libpython3.13.so.1.0")).unwrap();
    cc::shared_object(&cc, &lib, "libpython3.13.so.1.0", &source, &[]);

    let output = stable_abi(root.as_path(), &["--unixy-check"]);
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
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn an_unbuilt_tree_says_the_library_check_was_skipped() {
    let Some(tree) = reference_tree("an_unbuilt_tree_says_the_library_check_was_skipped") else {
        return;
    };
    let (_scratch, root) = common::scratch_copy(&tree, &UNIXY_PARTS);
    std::fs::remove_dir_all(root.as_path().join("lib")).unwrap();
    let output = stable_abi(root.as_path(), &["--unixy-check"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(err.contains("no built libpython next to"), "{err}");
}
