//! Every command and format, and the help and the version, with standard
//! output closed (`| head -1`, `| true`), full (`> /dev/full`) and a file
//! past the file size limit (`ulimit -f`). The one behaviour: a closed pipe is
//! a quiet end with exit status 0 (as ripgrep's); any other failure to
//! write the output is an error on stderr with exit status 2. Never a
//! panic.

mod common;
mod writer_common;

use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;
use std::process::{Command, Stdio};

use writer_common::*;

/// The write end of a pipe whose read end is already closed: every write
/// to it fails with EPIPE.
fn closed_pipe() -> Stdio {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills `fds` with two new descriptors, which are then
    // owned here (the read end closed at once).
    unsafe {
        assert_eq!(libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC), 0);
        libc::close(fds[0]);
        Stdio::from(OwnedFd::from_raw_fd(fds[1]))
    }
}

/// Each command and format, as run in the tree of [`tree`]; `{n}` is
/// replaced by a number unique to the run (for `add`).
fn cases() -> Vec<Vec<String>> {
    let m = "Misc/stable_abi.toml";
    let bin = bin();
    let mut cases: Vec<Vec<&str>> = vec![
        vec!["--list"],
        vec!["--dump", m],
        vec!["--all", m],
        vec![m, "--doc-list"],
        vec!["--generate", "--doc-list", "/dev/stdout", m],
        vec!["explain"],
        vec!["explain", "too-early"],
        vec!["view", "3.13", "--manifest", m],
        vec!["view", "3.13", "--manifest", m, "--format", "json"],
        vec!["add", "function", "PyClosed_Output{n}", "--manifest", m],
        vec!["pre-commit", "--manifest", m],
        // Printed by clap, through the same ends.
        vec!["--help"],
        vec!["-h"],
        vec!["--version"],
        vec!["-V"],
        vec!["help"],
        vec!["help", "audit"],
        vec!["headers", "--help"],
        vec!["port", "-h"],
    ];
    for format in ["text", "json", "sarif"] {
        cases.push(vec!["headers", "--manifest", m, "--format", format]);
        cases.push(vec!["library", bin, "--manifest", m, "--format", format]);
        cases.push(vec!["audit", "m.abi3.so", "--format", format]);
        cases.push(vec![
            "compat",
            "--baseline",
            "old.toml",
            m,
            "--manifest-only",
            "--format",
            format,
        ]);
    }
    cases
        .into_iter()
        .map(|args| args.into_iter().map(String::from).collect())
        .collect()
}

/// The sample tree with a stale generated file, an older manifest
/// (`old.toml`) that `compat` finds a break in, and an extension module for
/// `audit` (this binary, named `m.abi3.so`: an ELF importing no Python symbol).
fn tree() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, tree) = sample_tree();
    std::fs::copy(bin(), tree.join("m.abi3.so")).unwrap();
    std::fs::write(tree.join("Doc/data/stable_abi.dat"), "stale\n").unwrap();
    let manifest = std::fs::read_to_string(tree.join("Misc/stable_abi.toml")).unwrap();
    std::fs::write(
        tree.join("old.toml"),
        format!("{manifest}[function.PyRemoved_Since]\n    added = '3.2'\n"),
    )
    .unwrap();
    (dir, tree)
}

fn run_with(tree: &Path, args: &[String], n: usize, stdout: Stdio) -> std::process::Output {
    let args: Vec<String> = args
        .iter()
        .map(|a| a.replace("{n}", &n.to_string()))
        .collect();
    Command::new(bin())
        .current_dir(tree)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn every_command_prints_something_to_stdout_here() {
    // Otherwise the two tests below would not test the case.
    let (_dir, tree) = tree();
    for (n, args) in cases().iter().enumerate() {
        let output = run_with(&tree, args, n, Stdio::piped());
        assert!(
            !output.stdout.is_empty(),
            "{args:?} printed nothing: {}",
            text(&output.stderr)
        );
        assert!(
            output.status.code().is_some_and(|code| code < 2),
            "{args:?}"
        );
    }
}

#[test]
fn a_closed_stdout_is_a_quiet_end_with_status_0() {
    let (_dir, tree) = tree();
    for (n, args) in cases().iter().enumerate() {
        let output = run_with(&tree, args, 100 + n, closed_pipe());
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        for word in ["panicked", "Broken pipe", "error"] {
            assert!(!stderr.contains(word), "{args:?}: {stderr}");
        }
    }
}

#[test]
fn a_full_stdout_is_an_error_with_status_2() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped a_full_stdout_is_an_error_with_status_2: no /dev/full here");
        return;
    };
    let (_dir, tree) = tree();
    for (n, args) in cases().iter().enumerate() {
        let output = run_with(&tree, args, 200 + n, Stdio::from(full.try_clone().unwrap()));
        assert_cannot_write(&output, args, "No space left on device (os error 28)");
    }
}

/// The run ended with status 2, saying why it could not write its output.
fn assert_cannot_write(output: &std::process::Output, args: &[String], why: &str) {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(
        stderr.ends_with(&format!(
            "stable-abi: error: cannot write the output: {why}\n"
        )),
        "{args:?}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
}

/// Standard output to a file, under a file size limit of `limit` bytes
/// (`ulimit -f`) in the child.
fn run_limited(tree: &Path, args: &[String], n: usize, limit: u64) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let out = tree.join(format!("out-{n}"));
    let file = std::fs::File::create(&out).unwrap();
    let args: Vec<String> = args
        .iter()
        .map(|a| a.replace("{n}", &n.to_string()))
        .collect();
    let mut command = Command::new(bin());
    command
        .current_dir(tree)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs here.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let output = command.output().unwrap();
    std::fs::remove_file(out).unwrap();
    output
}

#[test]
fn a_stdout_past_the_file_size_limit_is_an_error_with_status_2() {
    let (_dir, tree) = tree();
    // Every case but those that also write a file of their own (which
    // `writer_targets.rs` tests under the limit): with a limit of 0 bytes,
    // the first write to standard output fails (EFBIG), and SIGXFSZ, which
    // would kill the process without a word (status 153), is ignored.
    let cases: Vec<Vec<String>> = cases()
        .into_iter()
        .filter(|args| args[0] != "add" && !args.contains(&"--generate".to_string()))
        .collect();
    assert!(cases.len() > 20);
    for (n, args) in cases.iter().enumerate() {
        let output = run_limited(&tree, args, 300 + n, 0);
        assert_cannot_write(&output, args, "File too large (os error 27)");
    }
    // `ulimit -f 2` (2048 bytes, the shell's 1024-byte blocks): a dump
    // larger than that is cut at the limit, and the run says so.
    grow_manifest(&tree, 300);
    let dump = ["--dump", "Misc/stable_abi.toml"].map(String::from);
    let output = run_limited(&tree, &dump, 400, 2048);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stderr),
        "stable-abi: error: cannot write the output: File too large (os error 27)\n"
    );
}
