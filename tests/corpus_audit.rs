//! `stable-abi audit` on the real-wheel corpus of `tests/corpus/wheels.toml`
//! (fetched by `make fetch-wheels` into
//! `${STABLE_ABI_WHEELS:-~/.cache/stable-abi/wheels}`): every wheel's
//! verdict, error and warning checks and number of extensions are the ones
//! written beside it, with the evidence for them.
//!
//! Without the wheels the test is ignored with its reason (need
//! `fetched_wheels`, tests/common/data.rs); under `CI=true`, whose
//! `.ci/run` fetches them first, it fails.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One `[[wheel]]` entry: what the audit must say about it.
#[derive(Debug, PartialEq, Eq)]
struct Expected {
    failed: bool,
    errors: Vec<String>,
    warnings: Vec<String>,
    extensions: usize,
}

fn strings(value: &toml_edit::Item) -> Vec<String> {
    value
        .as_array()
        .map(|array| {
            array
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The corpus: file name -> what is expected of it.
fn corpus() -> BTreeMap<String, Expected> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/wheels.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let document: toml_edit::DocumentMut = text.parse().unwrap();
    let wheels = document["wheel"].as_array_of_tables().expect("[[wheel]]");
    wheels
        .iter()
        .map(|wheel| {
            let file = wheel["file"].as_str().unwrap().to_string();
            assert!(
                wheel["evidence"]
                    .as_str()
                    .is_some_and(|e| !e.trim().is_empty()),
                "{file}: no evidence"
            );
            let expect = wheel["expect"].as_str().unwrap();
            assert!(
                matches!(expect, "clean" | "fail"),
                "{file}: expect = {expect}"
            );
            let expected = Expected {
                failed: expect == "fail",
                errors: strings(&wheel["errors"]),
                warnings: strings(&wheel["warnings"]),
                extensions: wheel["extensions"].as_integer().unwrap() as usize,
            };
            (file, expected)
        })
        .collect()
}

fn wheel_dir() -> PathBuf {
    common::data::wheel_dir()
}

#[test]
fn the_corpus_is_what_the_issue_asks_for() {
    let corpus = corpus();
    let projects: std::collections::BTreeSet<&str> = corpus
        .keys()
        .map(|file| file.split('-').next().unwrap())
        .collect();
    assert!(projects.len() >= 40, "{} projects", projects.len());
    for platform in ["linux", "macosx", "win"] {
        assert!(
            corpus.keys().any(|file| file.contains(platform)),
            "{platform}"
        );
    }
    assert!(corpus.keys().filter(|file| file.contains("abi3t")).count() >= 10);
}

#[test]
#[cfg_attr(
    not(fetched_wheels),
    ignore = "needs the wheels `make fetch-wheels` downloads (~/.cache/stable-abi)"
)]
fn every_corpus_wheel_gets_its_expected_verdict() {
    let test = "every_corpus_wheel_gets_its_expected_verdict";
    let corpus = corpus();
    let dir = wheel_dir();
    let missing: Vec<&String> = corpus
        .keys()
        .filter(|file| !dir.join(file).is_file())
        .collect();
    if !missing.is_empty() {
        common::missing::<()>(
            test,
            "fetched_wheels",
            format!(
                "{} of {} corpus wheels are not in {} (run `make fetch-wheels`), e.g. {}",
                missing.len(),
                corpus.len(),
                dir.display(),
                missing[0]
            ),
        );
        return;
    }
    let mut args = vec!["audit", "--format", "json"];
    args.extend(corpus.keys().map(String::as_str));
    let output = common::stable_abi(&dir, &args);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}", common::stderr(&output)));
    let mut actual: BTreeMap<String, Expected> = BTreeMap::new();
    for input in report["inputs"].as_array().unwrap() {
        let file = input["path"].as_str().unwrap().to_string();
        let extensions = input["extensions"].as_array().unwrap();
        let failed = input["problems"].as_u64().unwrap() > 0
            || extensions
                .iter()
                .any(|e| e["problems"].as_u64().unwrap() > 0);
        actual.insert(
            file,
            Expected {
                failed,
                errors: Vec::new(),
                warnings: Vec::new(),
                extensions: extensions.len(),
            },
        );
    }
    for finding in report["findings"].as_array().unwrap() {
        let path = finding["path"].as_str().unwrap();
        let file = &path[..path.find(".whl").unwrap() + 4];
        let entry = actual.get_mut(file).unwrap();
        let list = match finding["severity"].as_str().unwrap() {
            "error" => &mut entry.errors,
            _ => &mut entry.warnings,
        };
        list.push(finding["check"].as_str().unwrap().to_string());
    }
    for entry in actual.values_mut() {
        for list in [&mut entry.errors, &mut entry.warnings] {
            list.sort();
            list.dedup();
        }
    }
    let differences: Vec<String> = corpus
        .iter()
        .filter(|(file, expected)| actual.get(*file) != Some(expected))
        .map(|(file, expected)| {
            format!("{file}: expected {expected:?}, got {:?}", actual.get(file))
        })
        .collect();
    assert_eq!(differences, Vec::<String>::new());
    let failed = corpus.values().filter(|e| e.failed).count();
    assert_eq!(output.status.code(), Some(i32::from(failed > 0)));
}
