//! Checking the four generated files of a CPython tree: stable-abi against
//! CPython's own `stable_abi.py`, where that script is at hand.
//!
//! The reference script is found at `$STABLE_ABI_REFERENCE`, else
//! `$STABLE_ABI_CPYTHON/Tools/build/stable_abi.py`, else the copy Debian's
//! `python3.X-examples` package installs.

mod common;

use std::path::{Path, PathBuf};

use stable_abi::generate::GENERATORS;
use stable_abi::manifest::Manifest;

const CHECK_ARGS: [&str; 5] = [
    "Misc/stable_abi.toml",
    "--python3dll",
    "--doc-list",
    "--ctypes-test",
    "--testcapi-feature-macros",
];

fn reference_script(tree: &Path) -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(path) = std::env::var_os("STABLE_ABI_REFERENCE") {
        candidates.push(path.into());
    }
    candidates.push(tree.join("Tools/build/stable_abi.py"));
    if let Ok(entries) = std::fs::read_dir("/usr/share/doc") {
        for entry in entries.flatten() {
            candidates.push(entry.path().join("examples/scripts/stable_abi.py"));
        }
    }
    candidates.into_iter().find(|path| path.is_file())
}

fn main() {
    let Some(tree) = common::cpython_tree() else {
        return;
    };
    let manifest_path = tree.join("Misc/stable_abi.toml");
    let text = std::fs::read_to_string(&manifest_path).unwrap();

    let (_, edition, _) = stable_abi::dropin::edition_for(&manifest_path, None).unwrap();
    let in_process = common::median(200, || {
        let manifest = Manifest::parse(&text, &manifest_path).unwrap();
        for generator in GENERATORS {
            std::hint::black_box(generator.render(&manifest, edition).unwrap());
        }
    });
    println!(
        "generate: parse + render of the 4 files, in process: {}",
        common::ms(in_process)
    );

    let scratch = tempfile::tempdir().unwrap();
    for sub in ["Misc", "PC", "Doc", "Lib", "Modules"] {
        common::copy_tree(&tree.join(sub), &scratch.path().join(sub));
    }
    let binary = Path::new(env!("CARGO_BIN_EXE_stable-abi"));
    let ours = common::median_command(30, scratch.path(), binary, &CHECK_ARGS);
    println!(
        "generate: `stable-abi` checking the 4 files (whole process): {}",
        common::ms(ours)
    );

    match reference_script(&tree) {
        Some(script) => {
            let mut args = vec![script.to_str().unwrap()];
            args.extend(CHECK_ARGS);
            let theirs = common::median_command(10, scratch.path(), Path::new("python3"), &args);
            println!(
                "generate: `python3 {}` the same way: {}  ->  stable-abi is {} faster",
                script.display(),
                common::ms(theirs),
                common::ratio(theirs, ours)
            );
        }
        None => println!(
            "generate: no reference stable_abi.py found (set STABLE_ABI_REFERENCE); no ratio"
        ),
    }
}
