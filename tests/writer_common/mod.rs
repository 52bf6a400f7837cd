//! Shared by the tests of what the tool writes (`writer_*.rs`): a scratch
//! copy of this repository's sample tree with its four generated files in
//! CPython's places, and a record of files to show that nothing changed.
//! A test using it also declares `mod common;`, whose helpers it shares.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The generated files at their default paths, as `--generate-all` writes
/// them.
pub use crate::common::GENERATED_FILES as GENERATED;

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_stable-abi")
}

/// Runs the binary in `dir`.
pub use crate::common::stable_abi as run;

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A copy of the sample tree (`Misc/stable_abi.toml`, `Include/`) at
/// `<tmp>/tree`, with the directories of the generated files, the files
/// generated, and their mtimes set an hour back (so that a rewrite shows).
pub fn sample_tree() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(tree.join("Misc")).unwrap();
    std::fs::copy(
        repo.join("Misc/stable_abi.toml"),
        tree.join("Misc/stable_abi.toml"),
    )
    .unwrap();
    crate::common::copy_tree(&repo.join("Include"), &tree.join("Include"));
    for file in GENERATED {
        std::fs::create_dir_all(tree.join(file).parent().unwrap()).unwrap();
    }
    let output = run(&tree, &["--generate-all", "Misc/stable_abi.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    for file in GENERATED {
        age(&tree.join(file));
    }
    (dir, tree)
}

/// Sets the file's mtime an hour back.
pub fn age(path: &Path) {
    let old = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(old)
        .unwrap();
}

/// One file's path, bytes (`None`: missing) and mtime.
pub type FileState = (PathBuf, Option<Vec<u8>>, Option<SystemTime>);

/// Each file's bytes and mtime, to compare before and after a run.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot(Vec<FileState>);

impl Snapshot {
    pub fn files(&self) -> &[FileState] {
        &self.0
    }
}

pub fn snapshot(root: &Path, files: &[&str]) -> Snapshot {
    Snapshot(
        files
            .iter()
            .map(|file| {
                let path = root.join(file);
                let bytes = std::fs::read(&path).ok();
                let mtime = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
                (path, bytes, mtime)
            })
            .collect(),
    )
}

/// The temporary files of the writer (`.stable-abi-*`) in `dir`.
pub fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.starts_with(".stable-abi-"))
                .collect()
        })
        .unwrap_or_default()
}

/// The temporary files left in the directories of the generated files.
pub fn temporaries_in_tree(tree: &Path) -> Vec<String> {
    let mut left = temporaries(tree);
    for file in GENERATED {
        left.extend(temporaries(tree.join(file).parent().unwrap()));
    }
    left
}

/// Whether this process runs as root (CI does).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Appends `count` functions to the tree's manifest, so that its files are
/// large (a test that must land a signal while one is being written).
pub fn grow_manifest(tree: &Path, count: usize) {
    use std::fmt::Write as _;
    let path = tree.join("Misc/stable_abi.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    for i in 0..count {
        write!(text, "[function.PyGrown_Function{i}]\n    added = '3.2'\n").unwrap();
    }
    std::fs::write(&path, text).unwrap();
}
