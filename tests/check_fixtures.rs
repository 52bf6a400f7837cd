//! Every header check on its own fixture tree, through the real path
//! (manifest → view → checks → output), compared with a snapshot.
//!
//! Each folder of `tests/fixtures/checks/` is named after a code and holds
//! a small tree: `Include/Python.h` (+ `patchlevel.h`, here 3.5),
//! `Misc/stable_abi.toml`, optionally `Misc/stable_abi_baseline.txt`, and
//! `expected.snap`, the output of `stable-abi headers` run in the folder
//! (`cargo insta review` accepts a changed one). A new check adds a folder;
//! this driver finds it.

mod common;

use std::path::{Path, PathBuf};

use common::stable_abi;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/checks")
}

/// The output of `stable-abi headers` in the fixture tree `dir`, and its
/// exit status.
fn run(dir: &Path) -> String {
    let mut args = vec!["headers", "--manifest", "Misc/stable_abi.toml"];
    if dir.join("Misc/stable_abi_baseline.txt").is_file() {
        args.extend(["--baseline", "Misc/stable_abi_baseline.txt"]);
    }
    common::snapshot_text(dir, &stable_abi(dir, &args))
}

#[test]
fn every_fixture_matches_its_snapshot() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures/checks")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    for dir in dirs {
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        let text = run(&dir);
        // Each fixture shows its own check, at least once.
        assert!(text.contains(&format!("[{code}]")), "{code}: {text}");
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(&dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_description(format!(
            "stable-abi headers in tests/fixtures/checks/{code}"
        ));
        settings.bind(|| insta::assert_snapshot!("expected", text));
    }
}

#[test]
fn every_header_code_has_a_fixture() {
    for code in stable_abi::codes::all() {
        if code.command == "headers" {
            let dir = fixtures().join(code.name);
            assert!(
                dir.is_dir(),
                "no fixture for `{}`: add {}",
                code.name,
                dir.display()
            );
        }
    }
}
