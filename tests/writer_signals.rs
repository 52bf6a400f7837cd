//! A run interrupted by SIGINT or SIGTERM leaves nothing behind: no
//! temporary file beside the generated files (each of which is the old or
//! the new content, whole), no temporary directory of `compat` in $TMPDIR.
//! Real signals to a real child process, sent once the child is seen
//! writing.

mod common;
mod writer_common;

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use writer_common::*;

/// Waits until `seen()` (polled every half millisecond) while the child
/// runs, then sends it `signal`. Returns whether the signal was sent.
fn signal_when(child: &mut Child, signal: i32, seen: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(120) {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if seen() {
            let pid = libc::pid_t::try_from(child.id()).unwrap();
            // SAFETY: a signal to our own child.
            assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
            return true;
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    panic!("the child ran for two minutes");
}

fn interrupted_generation_leaves_no_temporary_file(signal: i32) {
    let (_dir, tree) = sample_tree();
    let old = snapshot(&tree, &GENERATED);
    // Large files (about 1 MB each), each written and synced while the
    // test watches for its temporary file.
    grow_manifest(&tree, 30_000);
    let mut landed = false;
    for _attempt in 0..5 {
        let mut child = Command::new(bin())
            .current_dir(&tree)
            .args(["--generate-all", "Misc/stable_abi.toml"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let sent = signal_when(&mut child, signal, || {
            !temporaries_in_tree(&tree).is_empty()
        });
        let output = child.wait_with_output().unwrap();
        if !sent {
            // Every file was written before a temporary one was seen:
            // start again from the old files.
            assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
            restore(&tree, &old);
            continue;
        }
        landed = true;
        assert_eq!(output.status.signal(), Some(signal), "{:?}", output.status);
        assert_eq!(temporaries_in_tree(&tree), Vec::<String>::new());
        // Each file is whole: the old content, or what generation writes.
        let now = snapshot(&tree, &GENERATED);
        let mut clean = Command::new(bin());
        clean
            .current_dir(&tree)
            .args(["--generate-all", "Misc/stable_abi.toml"]);
        assert!(clean.status().unwrap().success());
        let new = snapshot(&tree, &GENERATED);
        for ((now, old), new) in now.files().iter().zip(old.files()).zip(new.files()) {
            assert!(
                now.1 == old.1 || now.1 == new.1,
                "{} is torn",
                now.0.display()
            );
        }
        break;
    }
    assert!(
        landed,
        "the signal never landed while a file was being written"
    );
}

/// Puts the files of `snapshot` back as they were.
fn restore(_tree: &Path, snapshot: &Snapshot) {
    for (path, bytes, _) in snapshot.files() {
        std::fs::write(path, bytes.as_ref().unwrap()).unwrap();
    }
}

#[test]
fn sigint_during_generation_leaves_no_temporary_file() {
    interrupted_generation_leaves_no_temporary_file(libc::SIGINT);
}

#[test]
fn sigterm_during_generation_leaves_no_temporary_file() {
    interrupted_generation_leaves_no_temporary_file(libc::SIGTERM);
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .stdout(Stdio::null())
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn sigterm_during_compat_of_revisions_leaves_no_temporary_directory() {
    let (dir, tree) = sample_tree();
    git(&tree, &["init", "-q"]);
    git(&tree, &["add", "-A"]);
    git(&tree, &["commit", "-q", "-m", "v1"]);
    git(&tree, &["tag", "v1"]);
    grow_manifest(&tree, 10);
    git(&tree, &["commit", "-q", "-am", "more"]);
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let in_tmp = || std::fs::read_dir(&tmp).unwrap().count();

    let mut landed = false;
    for _attempt in 0..20 {
        let mut child = Command::new(bin())
            .current_dir(&tree)
            .env("TMPDIR", &tmp)
            .args(["compat", "--baseline", "v1", "HEAD"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let sent = signal_when(&mut child, libc::SIGTERM, || in_tmp() > 0);
        let output = child.wait_with_output().unwrap();
        assert_eq!(in_tmp(), 0, "{}", text(&output.stderr));
        if sent {
            landed = true;
            assert_eq!(output.status.signal(), Some(libc::SIGTERM));
            break;
        }
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    }
    assert!(
        landed,
        "the signal never landed while a revision was extracted"
    );
}
