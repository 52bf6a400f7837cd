//! Differential: for each of CPython's own `stable_abi.py` scripts in
//! `../shared/reference/` and each manifest (CPython main's history in
//! `../shared/manifests/`, and the two shared trees' manifests), the four
//! files `stable-abi --generate-all --release <the script's release>` writes
//! are byte-identical to those the script writes. Where the script rejects
//! a manifest (an older script does not know a newer field), the drop-in
//! must reject it too, writing nothing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The reference scripts and the release each one is.
const SCRIPTS: [(&str, &str); 3] = [
    ("stable_abi-3.11.py", "3.11.2"),
    ("stable_abi-3.13.py", "3.13.15"),
    ("stable_abi-3.14.py", "3.14.10"),
];

const FILES: [&str; 4] = [
    "PC/python3dll.c",
    "Doc/data/stable_abi.dat",
    "Lib/test/test_stable_abi_ctypes.py",
    "Modules/_testcapi_feature_macros.inc",
];

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

/// A Python the scripts run under (they need `tomllib`: 3.11 or newer).
fn python(test: &str) -> Option<String> {
    for candidate in [
        "python3",
        "python3.14",
        "python3.13",
        "python3.12",
        "python3.11",
    ] {
        let ok = Command::new(candidate)
            .args([
                "-c",
                "import sys, tomllib; sys.exit(sys.version_info < (3, 11))",
            ])
            .output()
            .is_ok_and(|out| out.status.success());
        if ok {
            return Some(candidate.to_string());
        }
    }
    common::skip(test, "no Python 3.11 or newer to run the reference scripts")
}

/// A tree with only the manifest and the four files, empty (the scripts
/// read a file before they rewrite it).
fn tree_with(manifest: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("cpython");
    std::fs::create_dir_all(root.join("Misc")).unwrap();
    std::fs::copy(manifest, root.join("Misc/stable_abi.toml")).unwrap();
    for file in FILES {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "").unwrap();
    }
    (dir, root)
}

/// The four files after generation, or `None` when generation failed.
fn generated(root: &Path, ok: bool) -> Option<Vec<String>> {
    ok.then(|| {
        FILES
            .iter()
            .map(|file| std::fs::read_to_string(root.join(file)).unwrap())
            .collect()
    })
}

/// One comparison; returns a description of the difference, if any.
fn compare(python: &str, script: &Path, release: &str, manifest: &Path) -> Option<String> {
    let (_dir, by_script) = tree_with(manifest);
    let status = Command::new(python)
        .arg(script)
        .args(["--generate-all", "Misc/stable_abi.toml"])
        .current_dir(&by_script)
        .output()
        .unwrap();
    let expected = generated(&by_script, status.status.success());

    let (_dir2, by_tool) = tree_with(manifest);
    let output = common::stable_abi(
        &by_tool,
        &[
            "--generate-all",
            "--release",
            release,
            "Misc/stable_abi.toml",
        ],
    );
    let actual = generated(&by_tool, output.status.success());
    let name = manifest.display();
    match (expected, actual) {
        (None, None) => {
            // Both reject it; the tool with a located error, and untouched files.
            let untouched = FILES
                .iter()
                .all(|f| std::fs::read(by_tool.join(f)).unwrap().is_empty());
            (!untouched || output.status.code() != Some(2))
                .then(|| format!("{name} @ {release}: rejected, but not cleanly"))
        }
        (Some(_), None) => Some(format!(
            "{name} @ {release}: the script accepts it, the tool does not:\n{}",
            common::stderr(&output)
        )),
        (None, Some(_)) => Some(format!(
            "{name} @ {release}: the script rejects it, the tool does not:\n{}",
            String::from_utf8_lossy(&status.stderr)
        )),
        (Some(expected), Some(actual)) => FILES
            .iter()
            .zip(expected.iter().zip(&actual))
            .find(|(_, (e, a))| e != a)
            .map(|(file, (e, a))| {
                let diff = similar::TextDiff::from_lines(e.as_str(), a.as_str())
                    .unified_diff()
                    .header("script", "stable-abi")
                    .to_string();
                format!("{name} @ {release}: {file} differs\n{diff}")
            }),
    }
}

#[test]
fn every_script_and_manifest_give_the_same_files() {
    let test = "every_script_and_manifest_give_the_same_files";
    let Some(python) = python(test) else { return };
    let reference = shared().join("reference");
    let manifests_dir = shared().join("manifests");
    if !manifests_dir.is_dir() || !reference.is_dir() {
        common::skip::<()>(test, "no ../shared/reference or ../shared/manifests");
        return;
    }
    let mut manifests: Vec<PathBuf> = std::fs::read_dir(&manifests_dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    manifests.sort();
    for tree in ["3.13.15", "3.15.2"] {
        manifests.push(
            shared()
                .join("cpython")
                .join(tree)
                .join("Misc/stable_abi.toml"),
        );
    }
    assert!(manifests.len() >= 60, "{} manifests", manifests.len());

    let cases: Vec<(PathBuf, &str, &PathBuf)> = SCRIPTS
        .iter()
        .flat_map(|(script, release)| {
            let script = reference.join(script);
            manifests.iter().map(move |m| (script.clone(), *release, m))
        })
        .collect();
    let next = Mutex::new(0usize);
    let failures = Mutex::new(Vec::new());
    let accepted = Mutex::new(0usize);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| loop {
                let index = {
                    let mut next = next.lock().unwrap();
                    *next += 1;
                    *next - 1
                };
                let Some((script, release, manifest)) = cases.get(index) else {
                    break;
                };
                match compare(&python, script, release, manifest) {
                    Some(failure) => failures.lock().unwrap().push(failure),
                    None => *accepted.lock().unwrap() += 1,
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(accepted.into_inner().unwrap(), cases.len());
}
