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
