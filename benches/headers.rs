//! All header checks at all 12 Limited API versions on the CPython 3.13.15
//! tree: median wall time (target ≤ 50 ms in release), and the ratio to
//! one `gcc -E` of `Include/Python.h` (the reference tool's way to see one
//! version) when gcc is installed.
//!
//! `cargo bench --bench headers`; the tree is `$STABLE_ABI_CPYTHON`, else
//! `../shared/cpython/3.13.15`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use stable_abi::checks::{run_checks, Context, CHECKS};
use stable_abi::manifest::Manifest;
use stable_abi::view::{Headers, Profile};

const RUNS: usize = 21;

fn tree() -> Option<PathBuf> {
    let path = match std::env::var_os("STABLE_ABI_CPYTHON") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cpython/3.13.15"),
    };
    path.join("Misc/stable_abi.toml").is_file().then_some(path)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// One run of what `stable-abi headers` does: parse, evaluate every
/// version (and the toggled feature macros), run every check.
fn one_run(tree: &Path) -> (Duration, Duration, Duration, usize) {
    let start = Instant::now();
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).expect("manifest");
    let headers = Headers::load(tree, &Profile::default()).expect("headers");
    let loaded = Instant::now();
    let context = Context::build(&manifest, &headers, &Profile::default()).expect("views");
    let viewed = Instant::now();
    let findings = run_checks(&context);
    let checked = Instant::now();
    (
        loaded - start,
        viewed - loaded,
        checked - viewed,
        findings.len(),
    )
}

fn gcc_once(tree: &Path) -> Option<Duration> {
    let start = Instant::now();
    let status = Command::new("gcc")
        .current_dir(tree)
        .args(["-E", "-I.", "-I./Include", "-DSIZEOF_WCHAR_T=4"])
        .arg("-DPy_LIMITED_API=0x030d0000")
        .arg("Include/Python.h")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| start.elapsed())
}

fn main() {
    let Some(tree) = tree() else {
        eprintln!("headers bench: no CPython tree (set STABLE_ABI_CPYTHON); skipped");
        return;
    };
    let (_, _, _, findings) = one_run(&tree); // warm the file cache
    let runs: Vec<_> = (0..RUNS).map(|_| one_run(&tree)).collect();
    let total = median(runs.iter().map(|r| r.0 + r.1 + r.2).collect());
    let load = median(runs.iter().map(|r| r.0).collect());
    let views = median(runs.iter().map(|r| r.1).collect());
    let checks = median(runs.iter().map(|r| r.2).collect());
    println!(
        "headers: all checks at all 12 versions: median {:.1} ms over {RUNS} runs \
         (load {:.1} ms, views {:.1} ms, checks {:.2} ms; {findings} findings; target ≤ 50 ms)",
        ms(total),
        ms(load),
        ms(views),
        ms(checks)
    );
    // Each check alone, one after another, on one context.
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).expect("manifest");
    let headers = Headers::load(&tree, &Profile::default()).expect("headers");
    let context = Context::build(&manifest, &headers, &Profile::default()).expect("views");
    let per_check: Vec<String> = CHECKS
        .iter()
        .map(|check| {
            let samples = (0..RUNS)
                .map(|_| {
                    let start = Instant::now();
                    std::hint::black_box((check.run)(&context));
                    start.elapsed()
                })
                .collect();
            format!("{} {:.2} ms", check.name, ms(median(samples)))
        })
        .collect();
    println!("each check alone: {}", per_check.join(", "));
    let gcc: Vec<Duration> = (0..5).filter_map(|_| gcc_once(&tree)).collect();
    if gcc.is_empty() {
        println!("gcc -E: not available; no ratio");
        return;
    }
    let gcc = median(gcc);
    println!(
        "gcc -E Include/Python.h (one version): median {:.1} ms; all 12 versions here take {:.2}× one gcc -E",
        ms(gcc),
        total.as_secs_f64() / gcc.as_secs_f64()
    );
}
