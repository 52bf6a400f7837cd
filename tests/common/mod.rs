//! Shared by the integration tests: where the real CPython tree is, and a
//! scratch copy of it.
#![allow(dead_code)]

pub mod mutation;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The files `stable_abi.py --generate-all` writes, relative to the tree:
/// stated here once, apart from the tool's own table, as the contract the
/// tests hold it to.
pub const GENERATED_FILES: [&str; 4] = [
    "PC/python3dll.c",
    "Doc/data/stable_abi.dat",
    "Lib/test/test_stable_abi_ctypes.py",
    "Modules/_testcapi_feature_macros.inc",
];

/// The environment variable that points the tests at a CPython checkout.
pub const CPYTHON_ENV: &str = "STABLE_ABI_CPYTHON";

/// The CPython tree the tests run against: `$STABLE_ABI_CPYTHON`, else
/// `../shared/cpython/3.13.15` beside this repository.
///
/// When it is missing, a test is skipped with the reason printed, except
/// under `CI=true`, where a missing tree fails the test: CI must never pass
/// by running nothing.
pub fn cpython_tree(test: &str) -> Option<PathBuf> {
    let path = match std::env::var_os(CPYTHON_ENV) {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cpython/3.13.15"),
    };
    if path.join("Misc/stable_abi.toml").is_file() {
        return Some(path);
    }
    skip(
        test,
        format!(
            "no CPython tree at {} (set {CPYTHON_ENV} to a CPython checkout)",
            path.display()
        ),
    )
}

/// Skips a test for want of something outside this repository, saying why.
/// Under `CI=true` that is a failure instead: CI must never pass by running
/// nothing.
pub fn skip<T>(test: &str, reason: impl std::fmt::Display) -> Option<T> {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{test}: {reason}; under CI=true this is a failure");
    }
    eprintln!("skipped {test}: {reason}");
    None
}

/// A tree of `../shared/cpython/` by its release (`3.15.2`), or `None`
/// (skipped with the reason printed; a failure under `CI=true`).
pub fn shared_tree(test: &str, release: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/cpython")
        .join(release);
    if path.join("Misc/stable_abi.toml").is_file() {
        return Some(path);
    }
    skip(
        test,
        format!("no CPython {release} tree at {}", path.display()),
    )
}

/// The trees that show the tool follows each tree's release: [`cpython_tree`]
/// (3.13.15 or `$STABLE_ABI_CPYTHON`) and the shared 3.15.2 tree (3.14+
/// formats of the generated files, headers up to 3.15).
pub fn generation_trees(test: &str) -> Vec<PathBuf> {
    let mut trees: Vec<PathBuf> = cpython_tree(test).into_iter().collect();
    trees.extend(shared_tree(test, "3.15.2"));
    trees.dedup();
    trees
}

/// The version of CPython the reference tree is: tests that inject faults
/// into particular lines of its headers, or read its built `lib/`, need it.
pub const REFERENCE_VERSION: &str = "3.13.15";

/// [`cpython_tree`], when it is the reference tree (CPython 3.13.15 with its
/// `lib/`): a checkout of another version, named by `STABLE_ABI_CPYTHON`,
/// skips the test with the reason printed, since what the test asserts is
/// about that tree's content. The default `../shared` tree must be it.
pub fn reference_tree(test: &str) -> Option<PathBuf> {
    let tree = cpython_tree(test)?;
    let patchlevel = std::fs::read_to_string(tree.join("Include/patchlevel.h")).unwrap_or_default();
    let wanted = format!("#define PY_VERSION              \"{REFERENCE_VERSION}\"");
    if patchlevel.contains(&wanted) && tree.join("lib").is_dir() {
        return Some(tree);
    }
    let reason = format!(
        "{} is not the built CPython {REFERENCE_VERSION} tree this test is about",
        tree.display()
    );
    if std::env::var_os(CPYTHON_ENV).is_none() {
        return skip(test, reason);
    }
    eprintln!("skipped {test}: {reason}");
    None
}

/// The tree's `expected/` directory (what a real preprocessor says), which
/// only the shared test tree has. Under `CI=true` it must be there.
pub fn expected_dir(tree: &Path, test: &str) -> Option<PathBuf> {
    let dir = tree.join("expected");
    if dir.is_dir() {
        return Some(dir);
    }
    skip(test, format!("{} has no expected/ oracle", tree.display()))
}

/// Copies a directory tree (the tests never write into the shared tree).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// What `stable-abi headers` reads of a tree.
pub const HEADER_PARTS: [&str; 3] = ["Include", "Misc", "pyconfig.h"];

/// A scratch copy of some `parts` (directories or files) of `tree`, at
/// `<temporary directory>/cpython`: the tests never write into the shared
/// tree. Keep the directory alive as long as the copy is used.
pub fn scratch_copy(tree: &Path, parts: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("cpython");
    for part in parts {
        let (from, to) = (tree.join(part), copy.join(part));
        if from.is_dir() {
            copy_tree(&from, &to);
        } else {
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&from, &to).unwrap();
        }
    }
    (dir, copy)
}

/// [`scratch_copy`] of the reference tree, or `None` as [`reference_tree`] says.
pub fn scratch_cpython(test: &str, parts: &[&str]) -> Option<(tempfile::TempDir, PathBuf)> {
    let tree = reference_tree(test)?;
    Some(scratch_copy(&tree, parts))
}

/// Replaces the one occurrence of `old` in the file `root/file`.
pub fn edit(root: &Path, file: &str, old: &str, new: &str) {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches(old).count(), 1, "{old:?} in {file}");
    std::fs::write(&path, text.replacen(old, new, 1)).unwrap();
}

/// Runs the `stable-abi` binary in `dir` with `args`.
pub fn stable_abi(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stable-abi"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the stable-abi binary runs")
}

/// A fixture's run as its snapshot records it: the standard output and
/// the exit status. The standard error must be empty.
pub fn snapshot_text(dir: &Path, output: &Output) -> String {
    assert!(
        stderr(output).is_empty(),
        "{}: {}",
        dir.display(),
        stderr(output)
    );
    format!(
        "{}exit status: {}\n",
        stdout(output),
        output.status.code().unwrap_or(-1)
    )
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The names listed one per line in an oracle file of `expected/` (blank
/// lines ignored).
pub fn names_in(path: &Path) -> std::collections::BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(String::from)
        .collect()
}

/// The shared data beside this repository, `../shared` (which may be
/// missing: [`shared_dir`] says so).
pub fn shared_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

/// A directory of the shared data beside this repository (`../shared/NAME`),
/// or `None` as [`skip`] says.
pub fn shared_dir(test: &str, name: &str) -> Option<PathBuf> {
    let dir = shared_root().join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    skip(test, format!("no {}", dir.display()))
}

/// The CPython 3.15 tree with the free-threaded Stable ABI (abi3t) and its
/// oracle, `../shared/cpython/3.15.2`; skipped (a failure under `CI=true`)
/// when it is missing.
pub fn abi3t_tree(test: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cpython/3.15.2");
    if path.join("Misc/stable_abi.toml").is_file() && path.join("expected/abi3t").is_dir() {
        return Some(path);
    }
    skip(
        test,
        format!(
            "no CPython 3.15 tree with expected/abi3t at {}",
            path.display()
        ),
    )
}

/// Runs `git ARGS` in `dir` as a test repository's committer (a fixed
/// identity, no signing), and asserts that it succeeds.
#[allow(dead_code)]
pub fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@t"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}{}",
        stdout(&output),
        stderr(&output)
    );
}
