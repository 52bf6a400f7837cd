//! Loads the 3.13.15 tree and computes the view at all 12 Limited API
//! versions; prints the median wall time of several runs and, when gcc is
//! installed, the ratio against one `gcc -E` of `Python.h` (the compiler-based
//! check of a single version).
//!
//! Tree: `$STABLE_ABI_CPYTHON`, else `../shared/cpython/3.13.15`.
//! Run: `cargo bench --bench view`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use stable_abi::version::Version;
use stable_abi::view::{Headers, Profile};

const RUNS: usize = 15;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn all_views(tree: &Path) -> usize {
    let headers = Headers::load(tree, &Profile::default()).expect("headers load");
    Version::FIRST
        .up_to(headers.python_version())
        .into_iter()
        .map(|version| {
            let view = headers
                .view(Some(version), &Profile::default())
                .expect("view");
            view.functions.len() + view.data.len() + view.macros.len()
        })
        .sum()
}

fn main() {
    let tree = std::env::var_os("STABLE_ABI_CPYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/cpython/3.13.15")
        });
    if !tree.join("Include/Python.h").is_file() {
        eprintln!(
            "no CPython tree at {} (set STABLE_ABI_CPYTHON)",
            tree.display()
        );
        return;
    }
    let mut names = 0;
    let samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            names = all_views(&tree);
            start.elapsed()
        })
        .collect();
    let ours = median(samples);
    println!(
        "view: load + 12 versions: {:.1} ms (median of {RUNS}; {names} names in all views)",
        ours.as_secs_f64() * 1e3
    );
    let gcc_samples: Vec<Duration> = (0..5)
        .filter_map(|_| {
            let start = Instant::now();
            let status = Command::new("gcc")
                .current_dir(&tree)
                .args([
                    "-E",
                    "-I.",
                    "-I./Include",
                    "-DPy_LIMITED_API=0x030D0000",
                    "-DSIZEOF_WCHAR_T=4",
                    "Include/Python.h",
                    "-o",
                    "/dev/null",
                ])
                .status()
                .ok()?;
            status.success().then(|| start.elapsed())
        })
        .collect();
    if gcc_samples.is_empty() {
        println!("gcc: not available, no ratio");
        return;
    }
    let gcc = median(gcc_samples);
    println!(
        "gcc -E, one version: {:.1} ms; ratio (12 views / one gcc run): {:.2}",
        gcc.as_secs_f64() * 1e3,
        ours.as_secs_f64() / gcc.as_secs_f64()
    );
}
