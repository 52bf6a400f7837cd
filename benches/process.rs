//! Whole-process cost of the commands a CPython developer runs, on a tree:
//! wall time, CPU time (user + system) and peak memory (max RSS) of each
//! run, read from the kernel's accounting of the child (`wait4`), medians.
//!
//! | command | target |
//! |---|---|
//! | `--all Misc/stable_abi.toml` | ≤ 1/10 of `stable_abi.py --all` wall, peak ≤ 25 MB |
//! | `library` (the tree's libpython) | ≤ 5 ms CPU, peak independent of the files' size |
//! | `headers` (12 versions) | ≤ 20 ms CPU |
//! | `headers --platform all` (3 platforms) | ≤ 2× the CPU of `headers`, in the same run |
//! | check of the 4 generated files | ≥ 30× less CPU than `stable_abi.py` |
//!
//! The tree is `$STABLE_ABI_CPYTHON` (a configured and built checkout, whose
//! libraries and `./python` are then used), else `../shared/cpython/3.13.15`.
//! The reference is the tree's `./python Tools/build/stable_abi.py` when the
//! tree is built, else that script (or `$STABLE_ABI_REFERENCE`, or
//! `../shared/reference/stable_abi-3.13.py`) under `python3`.
//!
//! `cargo bench --bench process`

mod common;

use common::measure;
use std::path::{Path, PathBuf};

const RUNS: usize = 21;
const REFERENCE_RUNS: usize = 7;

/// The reference: the interpreter and `stable_abi.py`, with the
/// environment a built tree's `./python` needs (`--enable-shared`).
struct Reference {
    python: PathBuf,
    script: PathBuf,
    env: Vec<(&'static str, PathBuf)>,
}

fn reference(tree: &Path) -> Option<Reference> {
    let in_tree = tree.join("Tools/build/stable_abi.py");
    let script = std::env::var_os("STABLE_ABI_REFERENCE")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            in_tree,
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/stable_abi-3.13.py"),
        ])
        .find(|path| path.is_file())?;
    let built = tree.join("python");
    if built.is_file() {
        return Some(Reference {
            python: built,
            script,
            env: vec![("LD_LIBRARY_PATH", tree.to_path_buf())],
        });
    }
    Some(Reference {
        python: PathBuf::from("python3"),
        script,
        env: Vec::new(),
    })
}

/// The sizes of the libraries `stable-abi library` finds in the tree.
fn library_sizes(tree: &Path) -> String {
    let found = stable_abi::binary::default_libraries(tree);
    if found.is_empty() {
        return "no libpython in the tree".into();
    }
    found
        .iter()
        .map(|path| {
            let size = std::fs::metadata(path).map_or(0, |m| m.len());
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            format!("{name} {:.1} MB", size as f64 / 1e6)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpus} CPUs, {model}")
}

const GENERATED: [&str; 5] = [
    "Misc/stable_abi.toml",
    "--python3dll",
    "--doc-list",
    "--ctypes-test",
    "--testcapi-feature-macros",
];

fn main() {
    let Some(tree) = common::cpython_tree() else {
        return;
    };
    let ours = Path::new(env!("CARGO_BIN_EXE_stable-abi"));
    println!("process: {} on {}", tree.display(), machine());
    let reference = reference(&tree);
    let theirs = |args: &[&str]| {
        reference.as_ref().map(|reference| {
            let mut full = vec![reference.script.to_str().expect("UTF-8 path")];
            full.extend(args);
            let env: Vec<(&str, &Path)> = reference
                .env
                .iter()
                .map(|(name, value)| (*name, value.as_path()))
                .collect();
            measure(REFERENCE_RUNS, &tree, &reference.python, &full, &env)
        })
    };
    match &reference {
        Some(r) => println!("reference: {} {}", r.python.display(), r.script.display()),
        None => println!("reference: no stable_abi.py found (set STABLE_ABI_REFERENCE); no ratios"),
    }

    let all = measure(RUNS, &tree, ours, &["--all", "Misc/stable_abi.toml"], &[]);
    println!("--all: {} (target: peak ≤ 25 MB)", all.show());
    if let Some(reference_all) = theirs(&["--all", "Misc/stable_abi.toml"]) {
        println!(
            "--all: stable_abi.py: {}  ->  wall 1/{:.1} (target ≥ 1/10), CPU 1/{:.1}, peak {:.2}×",
            reference_all.show(),
            reference_all.wall.as_secs_f64() / all.wall.as_secs_f64(),
            reference_all.cpu.as_secs_f64() / all.cpu.as_secs_f64().max(1e-9),
            all.peak_kib as f64 / reference_all.peak_kib.max(1) as f64,
        );
    }

    let library = measure(RUNS, &tree, ours, &["library"], &[]);
    println!(
        "library: {} (target: CPU ≤ 5 ms) on {}",
        library.show(),
        library_sizes(&tree)
    );

    let headers = measure(RUNS, &tree, ours, &["headers"], &[]);
    println!("headers: {} (target: CPU ≤ 20 ms)", headers.show());
    let all = ["headers", "--platform", "all"];
    let platforms = measure(RUNS, &tree, ours, &all, &[]);
    println!(
        "headers --platform all: {}  ->  CPU {:.2}× of headers (target ≤ 2×)",
        platforms.show(),
        platforms.cpu.as_secs_f64() / headers.cpu.as_secs_f64().max(1e-9),
    );

    let generated = measure(RUNS, &tree, ours, &GENERATED, &[]);
    println!("check of the 4 generated files: {}", generated.show());
    if let Some(reference_generated) = theirs(&GENERATED) {
        println!(
            "check of the 4 generated files: stable_abi.py: {}  ->  CPU {:.1}× less (target ≥ 30×)",
            reference_generated.show(),
            reference_generated.cpu.as_secs_f64() / generated.cpu.as_secs_f64().max(1e-9),
        );
    }
}
