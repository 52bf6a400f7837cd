//! The view against what a real preprocessor says (`expected/`): at every
//! Limited API version, the declared functions and data, and the defined
//! macros, for every name the manifest lists or that starts with `Py` /
//! `_Py`. Then the same on a copy of the tree without pyconfig.h.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use stable_abi::manifest::Manifest;
use stable_abi::version::Version;
use stable_abi::view::{Defines, Headers};

fn read_names(path: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(String::from)
        .collect()
}

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

fn check_tree(tree: &Path, expected: &Path, manifest: &Manifest) {
    let headers = Headers::load(tree, &Defines::default()).expect("headers load");
    assert_eq!(headers.python_version(), Version::new(3, 13));
    let relevant = |name: &str| {
        manifest.get(name).is_some() || name.starts_with("Py") || name.starts_with("_Py")
    };
    let mut problems = Vec::new();
    for version in Version::FIRST.up_to(headers.python_version()) {
        let view = headers
            .view(Some(version), &Defines::default())
            .unwrap_or_else(|err| panic!("view {version}: {err:#}"));
        let declared = view.functions.keys().chain(view.data.keys()).cloned();
        let decl_file = expected.join(format!("declarations-{version}.txt"));
        problems.extend(compare(
            &format!("{} declarations {version}", tree.display()),
            declared,
            &read_names(&decl_file),
            &relevant,
        ));
        let macro_file = expected.join(format!("macros-{version}.txt"));
        problems.extend(compare(
            &format!("{} macros {version}", tree.display()),
            view.macros.keys().cloned(),
            &read_names(&macro_file),
            &relevant,
        ));
        // The checked sets are far from empty: a view of nothing must fail.
        assert!(view.functions.len() > 500, "{version}: too few functions");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn view_matches_the_preprocessor_at_every_version() {
    let Some(tree) = common::cpython_tree("view_matches_the_preprocessor_at_every_version") else {
        return;
    };
    let Some(expected) = common::expected_dir(&tree, "view_matches_the_preprocessor") else {
        return;
    };
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).unwrap();
    check_tree(&tree, &expected, &manifest);
}

#[test]
fn view_without_pyconfig_h_matches_too() {
    let Some(tree) = common::cpython_tree("view_without_pyconfig_h_matches_too") else {
        return;
    };
    let Some(expected) = common::expected_dir(&tree, "view_without_pyconfig_h") else {
        return;
    };
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let copy = scratch.path().join("cpython");
    for part in ["Include", "Misc"] {
        common::copy_tree(&tree.join(part), &copy.join(part));
    }
    assert!(!copy.join("pyconfig.h").exists());
    check_tree(&copy, &expected, &manifest);
}
