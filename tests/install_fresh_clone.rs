//! Installing as a new user does: a fresh clone of this repository at HEAD,
//! with `CARGO_TARGET_DIR` pointing elsewhere (common in developer setups and
//! CI caches), runs the README's two commands, `make check-limited-abi` and
//! `make test`, and both ways of installing the binary, `make install
//! PREFIX=...` and `cargo install --path .`, give a `stable-abi` that works.
//!
//! The clone has no `../shared` beside it, as a new user has not, and its
//! `make test` runs without `CI=true`: the tests that need that data show
//! as ignored, with their reasons, and `make test` prints how many (none
//! passes by running nothing, and none fails for want of it).
//!
//! What it costs, and why it is built this way:
//! - The clone builds in a target directory of its own, kept in this build's
//!   `CARGO_TARGET_TMPDIR`, so only the first run compiles the dependencies
//!   (a few minutes on 2 cores) and later runs recompile this crate alone.
//!   Sharing this build's own target directory would be cheaper still, but the
//!   clone's build would then overwrite `target/debug/stable-abi` while the
//!   other tests run it.
//! - The inner `make test` runs every test again but this one, which is
//!   ignored there; should it be run with `--ignored` all the same, it sees
//!   [`INNER_RUN`] set and returns at once, so the recursion stops there.
//! - `cargo install --path .` uses the target directory too; it builds the
//!   `release` profile, `make check-limited-abi` the `dist` one.
//!
//! The clone is of the committed HEAD: uncommitted changes are not in it.
//!
//! It is `#[ignore]`d by `make test` (it builds the crate twice more and runs
//! the whole suite again, minutes on 2 cores) and run by CI and by
//! `make test-fresh-clone` (`cargo test --test install_fresh_clone -- --ignored`).
//! Unix only: it runs `make`.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

/// Set for the clone's own `make test`, where this test must not recurse.
const INNER_RUN: &str = "STABLE_ABI_FRESH_CLONE_RUN";

/// Make and cargo variables of this run that must not leak into the clone's:
/// a fresh user has none of them (the jobserver of an outer `make`, the
/// target directory of this build, CI's `CI=true`, checkouts for the tests).
const OUTER_VARIABLES: [&str; 8] = [
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
    "CARGO_MAKEFLAGS",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "CI",
    common::CPYTHON_ENV,
];

#[test]
#[ignore = "minutes long: run by CI and `make test-fresh-clone`"]
fn the_readme_commands_work_on_a_fresh_clone_with_cargo_target_dir_elsewhere() {
    const TEST: &str = "the_readme_commands_work_on_a_fresh_clone_with_cargo_target_dir_elsewhere";
    if std::env::var_os(INNER_RUN).is_some() {
        eprintln!("not run inside the fresh clone's own `make test`: the outer run is this test");
        return;
    }
    let Some(head) = head_commit(TEST) else {
        return;
    };
    if !tool_runs("make", TEST) {
        return;
    }

    let scratch = tempfile::tempdir().unwrap();
    let clone = scratch.path().join("stable-abi");
    let target_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fresh-clone-target");
    clone_at(&head, &clone);

    let run = |program: &str, args: &[&str]| {
        let started = Instant::now();
        let output = fresh_user(program, &clone, &target_dir)
            .args(args)
            .output()
            .unwrap_or_else(|err| panic!("{program} {args:?} does not start: {err}"));
        eprintln!("{program} {}: {:.0?}", args.join(" "), started.elapsed());
        assert_success(program, args, &output);
        output
    };

    let checked = run("make", &["check-limited-abi"]);
    let binary = target_dir.join("dist/stable-abi");
    let built = format!("built {}", binary.display());
    assert!(
        common::stdout(&checked).contains(&built),
        "make did not report {built:?}:\n{}",
        common::stdout(&checked)
    );
    assert!(binary.is_file(), "no binary at {}", binary.display());

    let prefix = scratch.path().join("prefix");
    run(
        "make",
        &["install", &format!("PREFIX={}", prefix.display())],
    );
    works_on_the_sample_tree(&prefix.join("bin/stable-abi"), &clone);

    let cargo_root = scratch.path().join("cargo-root");
    let root = cargo_root.display().to_string();
    run("cargo", &["install", "--path", ".", "--root", &root]);
    works_on_the_sample_tree(&cargo_root.join("bin/stable-abi"), &clone);

    let tested = run("make", &["test"]);
    data_tests_show_as_ignored(&common::stdout(&tested));
    assert!(
        !clone.join("target").exists(),
        "something was built in the clone's own target/ although CARGO_TARGET_DIR was set"
    );
}

/// The commit checked out here, or `None` (skipped, a failure under CI)
/// outside a git checkout.
fn head_commit(test: &str) -> Option<String> {
    let output = Command::new("git")
        .args(["rev-parse", "--verify", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    match output {
        Ok(output) if output.status.success() => Some(common::stdout(&output).trim().to_string()),
        Ok(output) => common::skip(
            test,
            format!("not a git checkout: {}", common::stderr(&output).trim()),
        ),
        Err(err) => common::skip(test, format!("no `git`: {err}")),
    }
}

/// Whether `program --version` runs; if not, skipped (a failure under CI).
fn tool_runs(program: &str, test: &str) -> bool {
    let works = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    works || common::skip::<()>(test, format!("no `{program}`")).is_some()
}

/// `make test` without `../shared`: the tests that need it are ignored
/// with their reason, in libtest's own lines and counts, and `make test`
/// prints their number, the sum of libtest's counts.
fn data_tests_show_as_ignored(log: &str) {
    let ignored: Vec<&str> = log
        .lines()
        .filter(|line| line.starts_with("test ") && line.contains(" ... ignored"))
        .collect();
    let needing_shared = ignored
        .iter()
        .filter(|line| line.contains(" ... ignored, needs ") && line.contains("../shared/"))
        .count();
    // Tests of the 3.13.15 tree, of 3.15.2 and of the reference scripts.
    for reason in [
        "ignored, needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15",
        "ignored, needs ../shared/cpython/3.15.2",
        "ignored, needs a CPython tree (../shared/cpython/3.13.15 or $STABLE_ABI_CPYTHON)",
    ] {
        assert!(log.contains(reason), "no test {reason}:\n{log}");
    }
    assert!(
        needing_shared >= 50,
        "{needing_shared} tests ignored for ../shared:\n{log}"
    );
    let counted: usize = log
        .lines()
        .filter_map(|line| line.strip_prefix("test result: "))
        .filter_map(|line| {
            let (before, _) = line.split_once(" ignored")?;
            before.rsplit(' ').next()?.parse::<usize>().ok()
        })
        .sum();
    assert_eq!(counted, ignored.len(), "libtest's counts:\n{log}");
    let summary = format!("make test: {counted} test(s) ignored (not run), by reason:");
    assert!(log.contains(&summary), "no {summary:?}:\n{log}");
}

fn clone_at(commit: &str, clone: &Path) {
    let source = env!("CARGO_MANIFEST_DIR");
    let status = Command::new("git")
        .args(["clone", "--quiet", "--no-checkout", source])
        .arg(clone)
        .status()
        .expect("git runs");
    assert!(status.success(), "git clone {source} failed");
    let status = Command::new("git")
        .args(["checkout", "--quiet", "--detach", commit])
        .current_dir(clone)
        .status()
        .expect("git runs");
    assert!(
        status.success(),
        "git checkout {commit} failed in the clone"
    );
}

/// `program` as a new user runs it in the clone: `CARGO_TARGET_DIR` set to
/// `target_dir`, none of this run's make and cargo variables.
fn fresh_user(program: &str, clone: &Path, target_dir: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .current_dir(clone)
        .env("CARGO_TARGET_DIR", target_dir)
        .env(INNER_RUN, "1");
    for name in OUTER_VARIABLES {
        command.env_remove(name);
    }
    command
}

fn assert_success(program: &str, args: &[&str], output: &Output) {
    if output.status.success() {
        return;
    }
    let tail = |text: String| {
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(60)..].join("\n")
    };
    panic!(
        "{program} {} failed ({}) in the fresh clone\n--- stdout (end)\n{}\n--- stderr (end)\n{}",
        args.join(" "),
        output.status,
        tail(common::stdout(output)),
        tail(common::stderr(output)),
    );
}

/// An installed binary runs the header checks on the clone's sample tree,
/// which pass with its baseline.
fn works_on_the_sample_tree(binary: &Path, clone: &Path) {
    let output = Command::new(binary)
        .args(["headers", "--manifest", "Misc/stable_abi.toml"])
        .args(["--baseline", "Misc/stable_abi_baseline.txt"])
        .current_dir(clone)
        .output()
        .unwrap_or_else(|err| panic!("{} does not run: {err}", binary.display()));
    assert_success(&binary.display().to_string(), &["headers"], &output);
}
