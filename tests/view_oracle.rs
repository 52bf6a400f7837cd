//! The view against what a real preprocessor says (`expected/`): at every
//! Limited API version, the declared functions and data, and the defined
//! macros, for every name the manifest lists or that starts with `Py` /
//! `_Py`. Then the same on a copy of the tree without pyconfig.h. On both
//! shared trees (3.13.15 and 3.15.2): nothing assumes one release.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use stable_abi::manifest::Manifest;
use stable_abi::version::Version;
use stable_abi::view::{Defines, Headers};

/// Compares both directions; returns a description of every difference.
fn compare(
    what: &str,
    ours: impl IntoIterator<Item = String>,
    expected: &BTreeSet<String>,
    relevant: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    let ours: BTreeSet<String> = ours.into_iter().filter(|n| relevant(n)).collect();
    let expected: BTreeSet<String> = expected.iter().filter(|n| relevant(n)).cloned().collect();
    let mut problems = Vec::new();
    let extra: Vec<_> = ours.difference(&expected).collect();
    let missing: Vec<_> = expected.difference(&ours).collect();
    if !extra.is_empty() {
        problems.push(format!("{what}: in the view but not expected: {extra:?}"));
    }
    if !missing.is_empty() {
        problems.push(format!("{what}: expected but not in the view: {missing:?}"));
    }
    problems
}

/// `configured`: names the tree's `pyconfig.h` defines or leaves undefined
/// (`/* #undef NAME */`), which a copy
/// without it gets from the built-in default (CPython 3.13's configure
/// results) instead: a newer release's configure defines other names, so
/// those are left out of the macro comparison (every other name, and every
/// declaration, still must match).
fn check_tree(tree: &Path, expected: &Path, manifest: &Manifest, configured: &BTreeSet<String>) {
    let headers = Headers::load(tree, &Defines::default()).expect("headers load");
    // The newest version is the tree's own, as the oracle's files say.
    let newest = (2..=40u8)
        .map(|minor| Version::new(3, minor))
        .filter(|v| expected.join(format!("declarations-{v}.txt")).is_file())
        .max();
    assert_eq!(Some(headers.python_version()), newest);
    let relevant = |name: &str| {
        manifest.get(name).is_some() || name.starts_with("Py") || name.starts_with("_Py")
    };
    let relevant_macro = |name: &str| relevant(name) && !configured.contains(name);
    let mut problems = Vec::new();
    for version in Version::FIRST.up_to(headers.python_version()) {
        let view = headers
            .view(Some(version), &Defines::default())
            .unwrap_or_else(|err| panic!("view {version}: {err:#}"));
        let declared = view
            .functions
            .keys()
            .chain(view.data.keys())
            .map(|name| name.to_string());
        let decl_file = expected.join(format!("declarations-{version}.txt"));
        problems.extend(compare(
            &format!("{} declarations {version}", tree.display()),
            declared,
            &common::names_in(&decl_file),
            &relevant,
        ));
        let macro_file = expected.join(format!("macros-{version}.txt"));
        problems.extend(compare(
            &format!("{} macros {version}", tree.display()),
            view.macros.keys().map(|name| name.to_string()),
            &common::names_in(&macro_file),
            &relevant_macro,
        ));
        // The checked sets are far from empty: a view of nothing must fail.
        assert!(view.functions.len() > 500, "{version}: too few functions");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn view_matches_the_preprocessor_at_every_version() {
    for tree in common::generation_trees("view_matches_the_preprocessor_at_every_version") {
        matches_the_preprocessor(&tree);
    }
}

fn matches_the_preprocessor(tree: &Path) {
    let Some(expected) = common::expected_dir(tree, "view_matches_the_preprocessor") else {
        return;
    };
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).unwrap();
    check_tree(tree, &expected, &manifest, &BTreeSet::new());
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn view_without_pyconfig_h_matches_too() {
    for tree in common::generation_trees("view_without_pyconfig_h_matches_too") {
        without_pyconfig_h(&tree);
    }
}

fn without_pyconfig_h(tree: &Path) {
    let Some(expected) = common::expected_dir(tree, "view_without_pyconfig_h") else {
        return;
    };
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let copy = scratch.path().join("cpython");
    for part in ["Include", "Misc"] {
        common::copy_tree(&tree.join(part), &copy.join(part));
    }
    assert!(!copy.join("pyconfig.h").exists());
    let headers = Headers::load(tree, &Defines::default()).expect("headers load");
    let configured = if headers.python_version() > Version::new(3, 13) {
        let pyconfig = std::fs::read_to_string(tree.join("pyconfig.h")).unwrap_or_default();
        pyconfig
            .lines()
            .filter_map(|line| {
                line.strip_prefix("#define ")
                    .or_else(|| line.strip_prefix("/* #undef "))
            })
            .filter_map(|rest| rest.split_whitespace().next())
            .map(str::to_string)
            .collect()
    } else {
        BTreeSet::new()
    };
    check_tree(&copy, &expected, &manifest, &configured);
}
