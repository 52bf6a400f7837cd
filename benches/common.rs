//! Shared by the benchmarks: the tree to measure on and a median timer.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The CPython tree to measure on: `$STABLE_ABI_CPYTHON` (the first, when
/// it lists several as the tests take them), else
/// `../shared/cpython/3.13.15` beside this repository.
pub fn cpython_tree() -> Option<PathBuf> {
    let path = std::env::var_os("STABLE_ABI_CPYTHON")
        .and_then(|paths| std::env::split_paths(&paths).next())
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cpython/3.13.15"));
    if path.join("Misc/stable_abi.toml").is_file() {
        Some(path)
    } else {
        println!(
            "no CPython tree at {} (set STABLE_ABI_CPYTHON); nothing measured",
            path.display()
        );
        None
    }
}

/// The median time of `runs` calls of `f`, after one warm-up call.
pub fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// The median wall time of running a command (output discarded).
pub fn median_command(runs: usize, dir: &Path, program: &Path, args: &[&str]) -> Duration {
    median(runs, || {
        Command::new(program)
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("the command runs");
    })
}

pub fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}

pub fn ratio(slow: Duration, fast: Duration) -> String {
    format!("{:.1}x", slow.as_secs_f64() / fast.as_secs_f64().max(1e-9))
}

#[path = "../tests/common/mod.rs"]
mod test_support;

#[allow(unused_imports)] // not every benchmark copies a tree
pub use test_support::copy_tree;

/// What one run of a process cost.
#[derive(Clone, Copy)]
pub struct Sample {
    pub wall: Duration,
    pub cpu: Duration,
    /// Peak resident memory, in KiB.
    pub peak_kib: u64,
    pub exit: i32,
}

/// The medians of each measure over several runs (after a warm-up run).
pub struct Cost {
    pub wall: Duration,
    pub cpu: Duration,
    pub peak_kib: u64,
    pub exit: i32,
}

impl Cost {
    pub fn show(&self) -> String {
        let exit = if self.exit == 0 {
            String::new()
        } else {
            format!(" (exit {})", self.exit)
        };
        format!(
            "wall {}, CPU {}, peak {:.1} MB{exit}",
            ms(self.wall),
            ms(self.cpu),
            self.peak_kib as f64 / 1024.0
        )
    }
}

fn duration(time: libc::timeval) -> Duration {
    Duration::from_secs(time.tv_sec as u64) + Duration::from_micros(time.tv_usec as u64)
}

/// Runs `program args` in `dir` once, its output discarded.
// The child is reaped by `wait4` (which also gives its resource usage),
// not by `Child::wait`.
#[allow(clippy::zombie_processes)]
pub fn run_once<A: AsRef<std::ffi::OsStr>>(
    dir: &Path,
    program: &Path,
    args: &[A],
    env: &[(&str, &Path)],
) -> Sample {
    let start = Instant::now();
    let child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|err| panic!("{}: {err}", program.display()));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain system call on our own child, with valid out-pointers.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(waited, pid, "wait4 failed");
    Sample {
        wall,
        cpu: duration(usage.ru_utime) + duration(usage.ru_stime),
        peak_kib: usage.ru_maxrss as u64,
        exit: if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        },
    }
}

pub fn measure<A: AsRef<std::ffi::OsStr>>(
    runs: usize,
    dir: &Path,
    program: &Path,
    args: &[A],
    env: &[(&str, &Path)],
) -> Cost {
    let first = run_once(dir, program, args, env);
    let samples: Vec<Sample> = (0..runs)
        .map(|_| run_once(dir, program, args, env))
        .collect();
    fn median<T: Ord + Copy>(mut values: Vec<T>) -> T {
        values.sort();
        values[values.len() / 2]
    }
    Cost {
        wall: median(samples.iter().map(|s| s.wall).collect()),
        cpu: median(samples.iter().map(|s| s.cpu).collect()),
        peak_kib: median(samples.iter().map(|s| s.peak_kib).collect()),
        exit: first.exit,
    }
}
