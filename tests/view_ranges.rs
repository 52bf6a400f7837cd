//! A Limited API version is every value of its range: each guard shape on
//! a fixture (`tests/fixtures/view/ranges/`), and the checks on a copy of
//! the 3.13.15 tree whose guard has release bits.

mod common;

use std::path::{Path, PathBuf};

use common::{stable_abi, stdout};
use stable_abi::version::Version;
use stable_abi::view::{sample_views, Defines, Headers, Listing, RangeViews};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/view/ranges")
}

fn range_views(minor: u8) -> RangeViews {
    let headers = Headers::load(&fixture(), &Defines::default()).expect("fixture loads");
    headers
        .range_views(Version::new(3, minor), &Defines::default(), &Listing::All)
        .unwrap_or_else(|err| panic!("{err:#}"))
}

/// The values of the range where `name` is declared, adjacent intervals
/// joined.
fn declared(range: &RangeViews, name: &str) -> Vec<(u32, u32)> {
    let mut values: Vec<(u32, u32)> = Vec::new();
    for (sample, view) in sample_views(&range.base, &range.extra, &range.samples) {
        if !view.functions.contains_key(name) {
            continue;
        }
        match values.last_mut() {
            Some((_, last)) if *last + 1 == sample.first => *last = sample.last,
            _ => values.push((sample.first, sample.last)),
        }
    }
    values
}

#[test]
fn each_guard_shape_splits_the_range_where_it_changes() {
    let range = range_views(9);
    assert_eq!(declared(&range, "Py_AtLeast"), [(0x0309_00F0, 0x0309_FFFF)]);
    assert_eq!(declared(&range, "Py_Above"), [(0x0309_00F1, 0x0309_FFFF)]);
    assert_eq!(declared(&range, "Py_Below"), [(0x0309_0000, 0x0309_00EF)]);
    assert_eq!(declared(&range, "Py_Exactly"), [(0x0309_00F0, 0x0309_00F0)]);
    assert_eq!(
        declared(&range, "Py_NotExactly"),
        [(0x0309_0000, 0x0309_00EF), (0x0309_00F1, 0x0309_FFFF)]
    );
    assert_eq!(declared(&range, "Py_Since310"), []);
    // The base value sees none of what the release bits guard.
    for name in ["Py_AtLeast", "Py_Exactly", "Py_Nested", "Py_FinalRelease"] {
        assert!(!range.base.functions.contains_key(name), "{name}");
    }
}

#[test]
fn a_bit_test_is_sampled_with_its_bits_set() {
    let range = range_views(9);
    let found = declared(&range, "Py_FinalRelease");
    assert!(
        found
            .iter()
            .any(|&(first, last)| first <= 0x0309_00F0 && 0x0309_00F0 <= last),
        "{found:x?}"
    );
    assert!(
        !found.iter().any(|&(first, _)| first == 0x0309_0000),
        "{found:x?}"
    );
}

#[test]
fn a_nested_guard_is_found_once_its_region_is_walked() {
    // The inner `< 0x03090020` is only evaluated for values from 0x03090010.
    let range = range_views(9);
    assert_eq!(declared(&range, "Py_Nested"), [(0x0309_0010, 0x0309_001F)]);
    let walks = 1 + range.extra.len();
    assert!(walks <= 12, "{walks} walks for one version");
    let headers = Headers::load(&fixture(), &Defines::default()).unwrap();
    let exact = headers
        .view_value(Some(0x0309_0015), &Defines::default())
        .unwrap();
    assert!(exact.functions.contains_key("Py_Nested"));
    assert_eq!(exact.limited, Some(Version::new(3, 9)));
}

#[test]
fn versions_without_constants_inside_are_one_walk() {
    // The basic fixture compares Py_LIMITED_API with 0x03NN0000 constants,
    // and with 6 (`Py_TWICE(Py_LIMITED_API) == 6`), which parts `3` from
    // 0x03020000 at 3.2.
    let basic = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/view/basic");
    let headers = Headers::load(&basic, &Defines::default()).expect("fixture loads");
    for minor in 2..=13 {
        let range = headers
            .range_views(Version::new(3, minor), &Defines::default(), &Listing::All)
            .unwrap();
        let walks = 1 + range.extra.len();
        assert_eq!(
            walks,
            if minor == 2 { 2 } else { 1 },
            "3.{minor}: {:?}",
            range.samples
        );
    }
    // A bit test samples each version with none, the lowest and all of its
    // bits set (and the compared value's own bits).
    for minor in [10, 13] {
        let range = range_views(minor);
        assert!(range.extra.len() <= 4, "3.{minor}: {:?}", range.samples);
        let hex = Version::new(3, minor).hex();
        assert_eq!(declared(&range, "Py_Since310"), [(hex, hex | 0xFFFF)]);
    }
}

/// The guard of `PyUnicode_AsUTF8AndSize` (added in 3.10) in 3.13.15.
const GUARD: &str = "#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030A0000\n\
                     PyAPI_FUNC(const char *) PyUnicode_AsUTF8AndSize(";

fn with_guard(test: &str, constant: &str) -> Option<(tempfile::TempDir, PathBuf)> {
    let (dir, tree) = common::scratch_cpython(test, &common::HEADER_PARTS)?;
    let edited = GUARD.replace("0x030A0000", constant);
    common::edit(&tree, "Include/unicodeobject.h", GUARD, &edited);
    Some((dir, tree))
}

fn headers_json(tree: &Path) -> serde_json::Value {
    let output = stable_abi(
        tree,
        &[
            "headers",
            "--manifest",
            "Misc/stable_abi.toml",
            "--format",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", common::stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn finding<'a>(
    report: &'a serde_json::Value,
    check: &str,
    name: &str,
) -> Option<&'a serde_json::Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == check && f["name"] == name)
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn a_guard_with_release_bits_is_too_early_for_the_version_it_splits() {
    let test = "a_guard_with_release_bits_is_too_early_for_the_version_it_splits";
    let Some((_dir, tree)) = with_guard(test, "0x030900F0") else {
        return;
    };
    let report = headers_json(&tree);
    let early = finding(&report, "too-early", "PyUnicode_AsUTF8AndSize").expect("too-early");
    assert_eq!(early["versions"], serde_json::json!(["3.9"]));
    let message = early["message"].as_str().unwrap();
    assert!(
        message.contains("at 3.9 only for Py_LIMITED_API 0x030900F0…0x0309FFFF"),
        "{message}"
    );
    let guard = finding(&report, "guard-constant", "0x030900F0").expect("guard-constant");
    assert_eq!(guard["path"], "Include/unicodeobject.h");
    assert_eq!(guard["versions"], serde_json::json!(["3.9"]));

    // `view 3.9` is the base value; the exact value shows the declaration.
    let view = |extra: &[&str]| {
        let mut args = vec![
            "view",
            "3.9",
            "--manifest",
            "Misc/stable_abi.toml",
            "--kind",
            "function",
        ];
        args.extend_from_slice(extra);
        stdout(&stable_abi(&tree, &args))
    };
    assert!(!view(&[]).contains("PyUnicode_AsUTF8AndSize"));
    assert!(view(&["--limited-api", "0x030900F0"]).contains("function PyUnicode_AsUTF8AndSize"));
    let outside = stable_abi(
        &tree,
        &[
            "view",
            "3.9",
            "--manifest",
            "Misc/stable_abi.toml",
            "--limited-api",
            "0x030A0000",
        ],
    );
    assert_eq!(outside.status.code(), Some(2));
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn a_guard_with_release_bits_leaves_the_version_it_splits_missing() {
    let test = "a_guard_with_release_bits_leaves_the_version_it_splits_missing";
    let Some((_dir, tree)) = with_guard(test, "0x030A00F0") else {
        return;
    };
    let report = headers_json(&tree);
    let missing = finding(&report, "missing", "PyUnicode_AsUTF8AndSize").expect("missing");
    assert_eq!(missing["versions"], serde_json::json!(["3.10"]));
    let message = missing["message"].as_str().unwrap();
    assert!(
        message.contains("at 3.10 only for Py_LIMITED_API 0x030A0000…0x030A00EF"),
        "{message}"
    );
    assert!(finding(&report, "too-early", "PyUnicode_AsUTF8AndSize").is_none());
}
