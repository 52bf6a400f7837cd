//! All header checks at all 12 Limited API versions on the CPython 3.13.15
//! tree: median wall time (target ≤ 50 ms in release) with its parts, each
//! check alone, and the ratio to one `gcc -E` of `Include/Python.h` (the
//! reference tool's way to see one version) when gcc is installed.
//!
//! `cargo bench --bench headers`; the tree is `$STABLE_ABI_CPYTHON`, else
//! `../shared/cpython/3.13.15`.

use std::path::Path;
use std::time::{Duration, Instant};

mod common;

use common::{median, median_command, ms, ratio};
use stable_abi::checks::{run_checks, Context, CHECKS};
use stable_abi::manifest::Manifest;
use stable_abi::view::{Defines, Headers};

const RUNS: usize = 21;

/// The times of one run of what `stable-abi headers` does: read the
/// manifest and parse the headers; evaluate every version (and each feature
/// macro toggled); run every check.
struct Parts {
    load: Duration,
    views: Duration,
    checks: Duration,
}

fn one_run(tree: &Path) -> Parts {
    let start = Instant::now();
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).expect("manifest");
    let headers = Headers::load(tree, &Defines::default()).expect("headers");
    let loaded = Instant::now();
    let context = Context::build(&manifest, &headers).expect("views");
    let viewed = Instant::now();
    std::hint::black_box(run_checks(&context));
    Parts {
        load: loaded - start,
        views: viewed - loaded,
        checks: viewed.elapsed(),
    }
}

fn median_of(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let Some(tree) = common::cpython_tree() else {
        return;
    };
    one_run(&tree); // warm the file cache
    let runs: Vec<Parts> = (0..RUNS).map(|_| one_run(&tree)).collect();
    let total = median_of(runs.iter().map(|r| r.load + r.views + r.checks).collect());
    println!(
        "headers: all checks at all 12 versions: median {} over {RUNS} runs (target ≤ 50 ms): \
         load {}, views {}, checks {}",
        ms(total),
        ms(median_of(runs.iter().map(|r| r.load).collect())),
        ms(median_of(runs.iter().map(|r| r.views).collect())),
        ms(median_of(runs.iter().map(|r| r.checks).collect())),
    );

    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).expect("manifest");
    let headers = Headers::load(&tree, &Defines::default()).expect("headers");
    let context = Context::build(&manifest, &headers).expect("views");
    let each: Vec<String> = CHECKS
        .iter()
        .map(|check| {
            let time = median(RUNS, || {
                std::hint::black_box((check.run)(&context));
            });
            format!("{} {}", check.code.name, ms(time))
        })
        .collect();
    println!("each check alone: {}", each.join(", "));

    let gcc = Path::new("gcc");
    let probe = std::process::Command::new(gcc).arg("--version").output();
    if !probe.is_ok_and(|output| output.status.success()) {
        println!("gcc: not installed; no ratio");
        return;
    }
    let args = [
        "-E",
        "-I.",
        "-I./Include",
        "-DSIZEOF_WCHAR_T=4",
        "-DPy_LIMITED_API=0x030d0000",
        "Include/Python.h",
    ];
    let one_gcc = median_command(5, &tree, gcc, &args);
    println!(
        "gcc -E Include/Python.h (one version): median {}; all 12 versions here take {} of it",
        ms(one_gcc),
        ratio(total, one_gcc)
    );
}
