//! The pre-commit hooks, tried for real with the configuration README.md
//! gives, taken from the README's text: `pre-commit` installed from PyPI
//! into a virtualenv, a temporary git repository holding a copy of the
//! CPython 3.13.15 tree, and `pre-commit run --all-files` with that
//! configuration. It passes on the pristine tree and, after a one-item
//! manifest edit, fails showing the stale file's diff in under 40 lines.
//!
//! The README's `repo:` is where one clones this repository from, and its
//! `rev:` a commit of it: the test checks that the commit is one of this
//! repository's with both hooks, then points `repo:` and `rev:` at a
//! temporary repository holding this checkout's files as one commit, so
//! that what is tried is this checkout. All else is the README's text.
//!
//! The `stable-abi` hook (`language: rust`) is built by pre-commit with
//! `cargo install`, in a target directory kept between runs
//! (`CARGO_TARGET_DIR`, which `cargo install` honours), so only the first
//! run compiles the dependencies; `stable-abi-system` runs the binary of
//! this build, on `PATH`. Without PyPI or cargo the test is skipped with the
//! reason (those cannot be known when the tests are built) — a failure
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

/// The hooks the README's configuration may name.
const HOOKS: [&str; 2] = ["stable-abi", "stable-abi-system"];

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
fn pre_commit(python: &str) -> Result<PathBuf, String> {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-venv");
    let bin = venv.join("bin/pre-commit");
    if bin.is_file() {
        return Ok(bin);
    }
    let here = Path::new(".");
    let created = Command::new(python)
        .args(["-m", "venv"])
        .arg(&venv)
        .output()
        .map_err(|err| format!("{python} -m venv: {err}"))?;
    if !created.status.success() {
        return Err(format!("{python} -m venv: {}", text(&created)));
    }
    let installed = run(venv.join("bin/pip"), here, &["install", "-q", "pre-commit"]);
    if !installed.status.success() || !bin.is_file() {
        return Err(format!("pip install pre-commit: {}", text(&installed)));
    }
    Ok(bin)
}

/// The README's `.pre-commit-config.yaml`: the YAML block of its
/// pre-commit section that starts with `repos:`.
fn readme_config() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let section = readme
        .split("\n### pre-commit\n")
        .nth(1)
        .expect("README.md has a `### pre-commit` section");
    let block = section
        .split("```yaml\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("\n```").map(|(block, _)| block))
        .find(|block| block.starts_with("repos:"))
        .expect("the pre-commit section has a ```yaml block starting with `repos:`");
    format!("{block}\n")
}

/// The value of the `KEY:` line of `config` (`repo`, `rev`), without a
/// trailing comment.
fn value_of<'a>(config: &'a str, key: &str) -> &'a str {
    let prefix = format!("{key}:");
    let mut found = config.lines().filter_map(|line| {
        let line = line.trim_start().trim_start_matches("- ");
        let value = line.strip_prefix(&prefix)?;
        Some(value.split(" #").next().unwrap_or(value).trim())
    });
    let value = found
        .next()
        .unwrap_or_else(|| panic!("no `{key}:` in\n{config}"));
    assert!(found.next().is_none(), "one `{key}:` in\n{config}");
    value
}

/// The hook ids of `config` (`- id: NAME` lines).
fn hook_ids(config: &str) -> Vec<&str> {
    config
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("- id:"))
        .map(|id| id.split(" #").next().unwrap_or(id).trim())
        .collect()
}

/// The README's `rev:` is a commit of this repository (when this is a git
/// checkout that has it) whose `.pre-commit-hooks.yaml` has both hooks.
fn rev_is_a_commit_with_the_hooks(rev: &str) {
    assert!(
        rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()),
        "rev: {rev} is not a commit's full SHA"
    );
    let this = Path::new(env!("CARGO_MANIFEST_DIR"));
    let hooks = run(
        "git",
        this,
        &["show", &format!("{rev}:.pre-commit-hooks.yaml")],
    );
    if !hooks.status.success() {
        let shallow = run("git", this, &["rev-parse", "--is-shallow-repository"]);
        if !shallow.status.success() || String::from_utf8_lossy(&shallow.stdout).trim() == "true" {
            eprintln!("rev {rev} not checked: not in this (shallow or no) git checkout");
            return;
        }
        panic!(
            "rev: {rev} is not a commit of this repository: {}",
            text(&hooks)
        );
    }
    let hooks = String::from_utf8_lossy(&hooks.stdout);
    for id in HOOKS {
        assert!(
            hooks.contains(&format!("- id: {id}\n")),
            "{rev}'s .pre-commit-hooks.yaml has no hook {id}"
        );
    }
}

/// This checkout's files (as `git ls-files` lists them, with their content
/// in the working tree) committed alone in a new repository at `dir`; its
/// commit.
fn hook_repository(dir: &Path) -> String {
    let this = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed = run("git", this, &["ls-files", "-z"]);
    assert!(listed.status.success(), "{}", text(&listed));
    for name in listed.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = std::str::from_utf8(name).unwrap();
        let (from, to) = (this.join(name), dir.join(name));
        if from.is_file() {
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&from, &to).unwrap();
        }
    }
    common::git(dir, &["init", "-q"]);
    common::git(dir, &["add", "-A"]);
    common::git(dir, &["commit", "-q", "-m", "this checkout"]);
    let head = run("git", dir, &["rev-parse", "HEAD"]);
    String::from_utf8_lossy(&head.stdout).trim().to_string()
}

#[test]
#[cfg_attr(
    not(all(reference_tree, python311)),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15 and python3 >= 3.11"
)]
fn hook_passes_on_a_pristine_tree_and_fails_on_a_stale_generated_file() {
    let test = "pre_commit_hook";
    let config = readme_config();
    let (repo, rev) = (value_of(&config, "repo"), value_of(&config, "rev"));
    rev_is_a_commit_with_the_hooks(rev);
    assert_eq!(hook_ids(&config), ["stable-abi"], "{config}");

    let Some(tree) = reference_tree(test) else {
        return;
    };
    let Some(python) = common::python(test) else {
        return;
    };
    if Command::new("cargo").arg("--version").output().is_err() {
        skip::<()>(
            test,
            "no cargo on PATH: pre-commit cannot build a `language: rust` hook",
        );
        return;
    }
    let pre_commit = match pre_commit(python) {
        Ok(bin) => bin,
        Err(reason) => {
            skip::<()>(test, reason);
            return;
        }
    };

    let (dir, checkout) = common::scratch_copy(&tree, &TREE_PARTS);
    let hooks_repo = dir.path().join("stable-abi");
    let commit = hook_repository(&hooks_repo);
    let tried = config
        .replacen(repo, &hooks_repo.display().to_string(), 1)
        .replacen(rev, &commit, 1);
    let system = tried.replacen("- id: stable-abi", "- id: stable-abi-system", 1);
    std::fs::write(dir.path().join("rust.yaml"), &tried).unwrap();
    std::fs::write(dir.path().join("system.yaml"), &system).unwrap();
    common::git(&checkout, &["init", "-q"]);
    common::git(&checkout, &["add", "-A"]);
    common::git(&checkout, &["commit", "-q", "-m", "CPython 3.13.15"]);

    let home = dir.path().join("pre-commit-home");
    // The `language: rust` hook's build has a target directory of its own
    // (not this run's: `cargo test` holds that one's lock), kept between
    // runs, so that only the first run compiles the dependencies.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-hook-target");
    let this_build = Path::new(env!("CARGO_BIN_EXE_stable-abi"))
        .parent()
        .unwrap();
    let path = std::env::join_paths(
        std::iter::once(this_build.to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let run_hook = |config: &str| {
        Command::new(&pre_commit)
            .current_dir(&checkout)
            .env("PRE_COMMIT_HOME", &home)
            .env("CARGO_TARGET_DIR", &target)
            .env("PATH", &path)
            .args(["run", "--all-files", "--config"])
            .arg(dir.path().join(config))
            .output()
            .expect("pre-commit runs")
    };

    for config in ["rust.yaml", "system.yaml"] {
        let pristine = run_hook(config);
        let report = text(&pristine);
        assert!(pristine.status.success(), "{config}: {report}");
        assert!(
            report.contains("Limited API / Stable ABI (generated files, headers)"),
            "{config}: {report}"
        );
        assert!(report.contains("Passed"), "{config}: {report}");
    }

    // PyObject_Call is now documented as added in 3.3: the documentation
    // table (Doc/data/stable_abi.dat) no longer matches the manifest.
    edit(
        &checkout,
        "Misc/stable_abi.toml",
        "[function.PyObject_Call]\n    added = '3.2'",
        "[function.PyObject_Call]\n    added = '3.3'",
    );
    for config in ["rust.yaml", "system.yaml"] {
        let stale = run_hook(config);
        let report = text(&stale);
        assert!(!stale.status.success(), "{config}: {report}");
        assert!(report.contains("Failed"), "{config}: {report}");
        assert!(
            report
                .contains("Doc/data/stable_abi.dat: error: out of date with Misc/stable_abi.toml"),
            "{config}: {report}"
        );
        assert!(
            report.contains("\n-func,PyObject_Call,3.2,,\n+func,PyObject_Call,3.3,,\n"),
            "{config}: {report}"
        );
        let lines = report.lines().count();
        assert!(lines < 40, "{config}: {lines} lines:\n{report}");
    }
}
