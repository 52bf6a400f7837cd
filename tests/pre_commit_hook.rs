//! The pre-commit hook, tried for real: `pre-commit` installed from PyPI
//! into a virtualenv, a temporary git repository holding a copy of the
//! CPython 3.13.15 tree, and `pre-commit try-repo <this repository>
//! stable-abi --all-files`, which builds the hook with `cargo install`
//! (`language: rust`). It passes on the pristine tree and fails once a
//! manifest edit makes a generated file stale.
//!
//! The build is a release build of this crate (once per run: both tries
//! share one pre-commit environment; the dependencies once per machine). Without Python's
//! venv, PyPI or cargo the test is skipped with the reason — a failure
//! under `CI=true`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{edit, reference_tree, skip};

/// What the hook reads, and what a CPython checkout has besides.
const TREE_PARTS: [&str; 7] = [
    "Misc",
    "Include",
    "pyconfig.h",
    "PC",
    "Doc",
    "Lib",
    "Modules",
];

fn run(program: impl AsRef<std::ffi::OsStr>, dir: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|err| panic!("{args:?}: {err}"))
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `pre-commit` in a virtualenv under the target directory (kept between
/// runs), or why it cannot be had.
fn pre_commit() -> Result<PathBuf, String> {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-venv");
    let bin = venv.join("bin/pre-commit");
    if bin.is_file() {
        return Ok(bin);
    }
    let here = Path::new(".");
    let created = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output()
        .map_err(|err| format!("python3 -m venv: {err}"))?;
    if !created.status.success() {
        return Err(format!("python3 -m venv: {}", text(&created)));
    }
    let installed = run(venv.join("bin/pip"), here, &["install", "-q", "pre-commit"]);
    if !installed.status.success() || !bin.is_file() {
        return Err(format!("pip install pre-commit: {}", text(&installed)));
    }
    Ok(bin)
}

#[test]
#[cfg_attr(
    not(all(reference_tree, python311)),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15 and python3 >= 3.11"
)]
fn hook_passes_on_a_pristine_tree_and_fails_on_a_stale_generated_file() {
    let test = "pre_commit_hook";
    let Some(tree) = reference_tree(test) else {
        return;
    };
    if Command::new("cargo").arg("--version").output().is_err() {
        skip::<()>(
            test,
            "no cargo on PATH: pre-commit cannot build a `language: rust` hook",
        );
        return;
    }
    let pre_commit = match pre_commit() {
        Ok(bin) => bin,
        Err(reason) => {
            skip::<()>(test, reason);
            return;
        }
    };
    let (dir, checkout) = common::scratch_copy(&tree, &TREE_PARTS);
    common::git(&checkout, &["init", "-q"]);
    common::git(&checkout, &["add", "-A"]);
    common::git(&checkout, &["commit", "-q", "-m", "CPython 3.13.15"]);

    let this_repo = env!("CARGO_MANIFEST_DIR");
    let home = dir.path().join("pre-commit-home");
    // The hook's release build has a target directory of its own (not
    // this run's: `cargo test` holds that one's lock), kept between runs and
    // shared by every checkout on the machine, so that only the first run
    // pays for the dependencies (pre-commit's `cargo install` honours
    // CARGO_TARGET_DIR).
    let target = std::env::temp_dir().join("stable-abi-pre-commit-target");
    let try_repo = || {
        Command::new(&pre_commit)
            .current_dir(&checkout)
            .env("PRE_COMMIT_HOME", &home)
            .env("CARGO_TARGET_DIR", &target)
            // The hook is tried for its wiring, not its speed: without the
            // release profile's link-time optimization its build takes two
            // minutes less.
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .args([
                "try-repo",
                this_repo,
                "stable-abi",
                "--all-files",
                "--verbose",
            ])
            .output()
            .expect("pre-commit runs")
    };

    let pristine = try_repo();
    let report = text(&pristine);
    assert!(pristine.status.success(), "{report}");
    assert!(
        report.contains("Limited API / Stable ABI (generated files, headers)"),
        "{report}"
    );
    assert!(report.contains("Passed"), "{report}");

    // PyObject_Call is now documented as added in 3.3: the documentation
    // table (Doc/data/stable_abi.dat) no longer matches the manifest.
    edit(
        &checkout,
        "Misc/stable_abi.toml",
        "[function.PyObject_Call]\n    added = '3.2'",
        "[function.PyObject_Call]\n    added = '3.3'",
    );
    let stale = try_repo();
    let report = text(&stale);
    assert!(!stale.status.success(), "{report}");
    assert!(report.contains("Failed"), "{report}");
    assert!(
        report.contains("Doc/data/stable_abi.dat: error: out of date with Misc/stable_abi.toml"),
        "{report}"
    );
    assert!(report.contains("+func,PyObject_Call,3.3,,"), "{report}");
}
