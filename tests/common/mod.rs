//! Shared by the integration tests: where the real CPython trees and the
//! other data outside this repository are, and scratch copies of them.
//!
//! # A test that needs data from outside this repository
//!
//! It is declared so, with the need's cfg (a row of [`data::NEEDS`], set by
//! `build.rs` when the data is at hand, and always under `CI=true`):
//!
//! ```ignore
//! #[test]
//! #[cfg_attr(not(reference_tree), ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15")]
//! fn a_test_about_the_3_13_15_tree() {
//!     let Some(tree) = common::reference_tree("a_test_about_the_3_13_15_tree") else {
//!         return;
//!     };
//!     ...
//! }
//! ```
//!
//! Several needs: `not(all(shared_3_15_2, python311))`, and a reason naming
//! each. The cfgs: `cpython_tree` ([`cpython_tree`]), `reference_tree`
//! ([`reference_tree`], [`scratch_cpython`], `expected/` of 3.13.15),
//! `shared_3_13_15` and `shared_3_15_2` ([`shared_tree`], [`abi3t_tree`]),
//! `shared_reference`, `shared_manifests`, `shared_releases`,
//! `shared_extensions` ([`shared_dir`]), `sdists` ([`sdist_sources`]), `python311` ([`python`]), `gcc`
//! and `c_compiler` (`tests/cc`). Without its data such a test is then
//! *ignored*, with the reason, in the test runner's summary (and `make test`
//! counts them). A test that is not declared so and finds its data missing
//! fails, saying how to declare it: it must not pass by running nothing.
//!
//! [`skip`] is for what cannot be known when the tests are built (PyPI
//! reachable, a tool that a probe cannot judge): it prints the reason and
//! the test passes, except under `CI=true`.
#![allow(dead_code)]

pub mod data;
pub mod mutation;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use data::CPYTHON_ENV;

/// The files `stable_abi.py --generate-all` writes, relative to the tree:
/// stated here once, apart from the tool's own table, as the contract the
/// tests hold it to.
pub const GENERATED_FILES: [&str; 4] = [
    "PC/python3dll.c",
    "Doc/data/stable_abi.dat",
    "Lib/test/test_stable_abi_ctypes.py",
    "Modules/_testcapi_feature_macros.inc",
];

/// The drop-in's flags that check the four generated files at their
/// default paths (after the manifest's).
pub const CHECK_GENERATED: [&str; 5] = [
    "Misc/stable_abi.toml",
    "--python3dll",
    "--doc-list",
    "--ctypes-test",
    "--testcapi-feature-macros",
];

/// This repository.
fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether the tests were built with the need `cfg` at hand (a row of
/// [`data::NEEDS`]).
pub fn built_with(cfg: &str) -> bool {
    match cfg {
        "cpython_tree" => cfg!(cpython_tree),
        "reference_tree" => cfg!(reference_tree),
        "shared_3_13_15" => cfg!(shared_3_13_15),
        "shared_3_15_2" => cfg!(shared_3_15_2),
        "shared_reference" => cfg!(shared_reference),
        "shared_manifests" => cfg!(shared_manifests),
        "shared_releases" => cfg!(shared_releases),
        "shared_extensions" => cfg!(shared_extensions),
        "sdists" => cfg!(sdists),
        "system_names_machine" => cfg!(system_names_machine),
        "python311" => cfg!(python311),
        "gcc" => cfg!(gcc),
        "c_compiler" => cfg!(c_compiler),
        "mingw" => cfg!(mingw),
        "fetched_wheels" => cfg!(fetched_wheels),
        _ => panic!("no need {cfg} in tests/common/data.rs"),
    }
}

/// What a test does when the data it needs (the need `cfg`) is missing.
///
/// Under `CI=true`: fails. Otherwise, when the tests were built with it (it
/// went away since): skipped, with the reason printed. When they were built
/// without it, the test should have been ignored (see the module's
/// documentation): it is not declared so, or was run with `--ignored`, and
/// fails, saying so.
pub fn missing<T>(test: &str, cfg: &str, what: impl std::fmt::Display) -> Option<T> {
    if data::under_ci() {
        panic!("{test}: {what}; under CI=true this is a failure");
    }
    if built_with(cfg) {
        eprintln!("skipped {test}: {what} (it was there when the tests were built)");
        return None;
    }
    panic!(
        "{test}: {what}. A test that needs it is declared with \
         #[cfg_attr(not({cfg}), ignore = \"needs ...\")] (tests/common/mod.rs), and is \
         then ignored without it"
    );
}

/// The CPython tree the tests run against: the first of `$STABLE_ABI_CPYTHON`
/// (see [`cpython_trees`]), else `../shared/cpython/3.13.15` beside this
/// repository. Need: `cpython_tree` (see [`missing`]).
pub fn cpython_tree(test: &str) -> Option<PathBuf> {
    let path = data::first_cpython_tree(repo());
    if path.join("Misc/stable_abi.toml").is_file() {
        return Some(path);
    }
    missing(
        test,
        "cpython_tree",
        format!(
            "no CPython tree at {} (set {CPYTHON_ENV} to CPython checkouts)",
            path.display()
        ),
    )
}

/// Every CPython checkout the tests are pointed at: those of
/// `$STABLE_ABI_CPYTHON`, one path or several separated as in `PATH`
/// (`~/cpython-3.12:~/cpython-3.13:~/cpython`), else
/// `../shared/cpython/3.13.15`. Need: `cpython_tree` (of the first).
pub fn cpython_trees(test: &str) -> Vec<PathBuf> {
    let trees = data::cpython_trees(repo());
    for tree in &trees {
        if !tree.join("Misc/stable_abi.toml").is_file() {
            missing::<()>(
                test,
                "cpython_tree",
                format!("no CPython tree at {}", tree.display()),
            );
            return Vec::new();
        }
    }
    trees
}

/// Skips a test for want of something outside this repository that cannot
/// be known when the tests are built (PyPI reachable, ...), saying why. Under
/// `CI=true` that is a failure instead: CI must never pass by running
/// nothing. Data and tools that can be known are needs (see the module's
/// documentation), not skips.
pub fn skip<T>(test: &str, reason: impl std::fmt::Display) -> Option<T> {
    if data::under_ci() {
        panic!("{test}: {reason}; under CI=true this is a failure");
    }
    eprintln!("skipped {test}: {reason}");
    None
}

/// A tree of `../shared/cpython/` by its release (`3.13.15`, `3.15.2`), or
/// `None` as [`missing`] says. Need: `shared_3_13_15`, `shared_3_15_2`.
pub fn shared_tree(test: &str, release: &str) -> Option<PathBuf> {
    let path = data::shared(repo()).join("cpython").join(release);
    if path.join("Misc/stable_abi.toml").is_file() {
        return Some(path);
    }
    missing(
        test,
        &format!("shared_{}", release.replace('.', "_")),
        format!("no CPython {release} tree at {}", path.display()),
    )
}

/// The sources of `tests/sdists.txt` in the sdists' cache (`make
/// fetch-sdists`), or `None` as [`missing`] says. Need: `sdists`.
pub fn sdist_sources(test: &str) -> Option<Vec<PathBuf>> {
    let sources = data::sdist_sources(repo());
    match sources.iter().find(|path| !path.is_file()) {
        _ if sources.is_empty() => missing(test, "sdists", "tests/sdists.txt lists no source"),
        Some(gone) => missing(
            test,
            "sdists",
            format!("{} is missing: run `make fetch-sdists`", gone.display()),
        ),
        None => Some(sources),
    }
}

/// A Python 3.11 or newer (it has `tomllib`, which CPython's
/// `stable_abi.py` imports), by the name that runs it. Need: `python311`.
pub fn python(test: &str) -> Option<&'static str> {
    data::python().or_else(|| missing(test, "python311", "no Python 3.11 or newer on PATH"))
}

/// The trees that show the tool follows each tree's release: those of
/// [`cpython_trees`] (3.13.15, or every checkout of `$STABLE_ABI_CPYTHON`)
/// and the shared 3.15.2 tree (3.14+ formats of the generated files,
/// headers up to 3.15) when it is there (a failure under `CI=true` when it
/// is not). Need: `cpython_tree`.
pub fn generation_trees(test: &str) -> Vec<PathBuf> {
    let mut trees = cpython_trees(test);
    let newest = data::shared(repo()).join("cpython/3.15.2");
    if newest.join("Misc/stable_abi.toml").is_file() {
        trees.push(newest);
    } else if data::under_ci() {
        panic!(
            "{test}: no {}; under CI=true this is a failure",
            newest.display()
        );
    }
    trees.dedup();
    trees
}

/// The version of CPython the reference tree is: tests that inject faults
/// into particular lines of its headers, or read its built `lib/`, need it.
pub const REFERENCE_VERSION: &str = "3.13.15";

/// [`cpython_tree`], when it is the reference tree (CPython 3.13.15 with its
/// `lib/`), what tests about that tree's content need. Need:
/// `reference_tree` (which a `$STABLE_ABI_CPYTHON` naming another checkout
/// does not meet, under `CI=true` too: those tests then step aside).
pub fn reference_tree(test: &str) -> Option<PathBuf> {
    let tree = cpython_tree(test)?;
    let patchlevel = std::fs::read_to_string(tree.join("Include/patchlevel.h")).unwrap_or_default();
    if patchlevel.contains(data::REFERENCE_PY_VERSION) && tree.join("lib").is_dir() {
        return Some(tree);
    }
    missing(
        test,
        "reference_tree",
        format!(
            "{} is not the built CPython {REFERENCE_VERSION} tree this test is about",
            tree.display()
        ),
    )
}

/// The tree's `expected/` directory (what a real preprocessor says), which
/// only the shared trees have. Need: `reference_tree` (3.13.15) or
/// `shared_3_15_2`.
pub fn expected_dir(tree: &Path, test: &str) -> Option<PathBuf> {
    let dir = tree.join("expected");
    if dir.is_dir() {
        return Some(dir);
    }
    let need = if tree.ends_with("3.15.2") {
        "shared_3_15_2"
    } else {
        "reference_tree"
    };
    missing(
        test,
        need,
        format!("{} has no expected/ oracle", tree.display()),
    )
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

/// `../shared/tools/python3.15` when it runs here (it unpacks Debian's
/// 3.15.2 on first use); `None` with the reason printed otherwise: it is an
/// extra oracle of the tests that use it, not their subject.
pub fn python315(test: &str) -> Option<PathBuf> {
    let tool = shared_root().join("tools/python3.15");
    let runs = tool.is_file()
        && Command::new(&tool)
            .args(["-c", "import sys; assert sys.version_info[:2] == (3, 15)"])
            .output()
            .is_ok_and(|out| out.status.success());
    if runs {
        return Some(tool);
    }
    eprintln!(
        "{test}: no runnable {}: the import on 3.15.2 is not tried",
        tool.display()
    );
    None
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

/// Runs `stable-abi ARGS` in `dir`, killed (and the test failed) after
/// `seconds`: for inputs that could make it hang (a FIFO, a device).
pub fn stable_abi_within(dir: &Path, args: &[&std::ffi::OsStr], seconds: u64) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_stable-abi"))
        .current_dir(dir)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("stable-abi runs");
    let pid = child.id();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || sender.send(child.wait_with_output()));
    match receiver.recv_timeout(std::time::Duration::from_secs(seconds)) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            #[cfg(unix)]
            // SAFETY: signals our own child, still running (not reaped).
            unsafe {
                libc::kill(pid as i32, libc::SIGKILL);
            }
            panic!("stable-abi {args:?} ran for more than {seconds} s (pid {pid})");
        }
    }
}

/// Writes `to` over every `from` (of the same length) in `bytes`: a zip
/// member renamed in its local and central headers alike, to make a name
/// stored twice (which the zip writer refuses).
pub fn replace_all(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let mut at = 0;
    while let Some(found) = bytes[at..].windows(from.len()).position(|w| w == from) {
        let start = at + found;
        bytes[start..start + to.len()].copy_from_slice(to);
        at = start + to.len();
    }
}

/// `mkfifo dir/name`.
#[cfg(unix)]
pub fn fifo(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string; mkfifo only creates the file.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    path
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
    data::shared(repo())
}

/// A directory of the shared data beside this repository (`../shared/NAME`),
/// or `None` as [`missing`] says. Need: `shared_NAME` (`manifests`,
/// `reference`, `releases`, `extensions`; `cpython`: both shared trees).
pub fn shared_dir(test: &str, name: &str) -> Option<PathBuf> {
    let dir = shared_root().join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    // The need is named by the first component: `releases/3.15.2` is
    // `shared_releases`, `extensions/...` `shared_extensions`.
    let need = match name.split('/').next().unwrap_or(name) {
        "cpython" => "shared_3_13_15".to_string(),
        other => format!("shared_{other}"),
    };
    missing(test, &need, format!("no {}", dir.display()))
}

/// The CPython 3.15 tree with the free-threaded Stable ABI (abi3t) and its
/// oracle, `../shared/cpython/3.15.2`. Need: `shared_3_15_2`.
pub fn abi3t_tree(test: &str) -> Option<PathBuf> {
    let path = shared_root().join("cpython/3.15.2");
    if path.join("Misc/stable_abi.toml").is_file() && path.join("expected/abi3t").is_dir() {
        return Some(path);
    }
    missing(
        test,
        "shared_3_15_2",
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
