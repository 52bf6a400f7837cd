//! A 100 MB manifest (the sample tree's items, renamed, again and again):
//! `--dump` and `--generate-all` on it as it is, and with a syntax error on
//! its last line. Prints each run's wall time, CPU time and peak memory
//! (the kernel's accounting of the child, `wait4`) and the ratios that
//! matter: the error path against the success path (at most 1x), and the
//! peak against the manifest's size (a few times). CPython's own script
//! gives up on such a manifest (over 120 s), so there is no reference run.
//!
//! `cargo bench --bench manifest_size`

mod common;

use std::path::Path;

use common::{run_once, Sample};

/// About how big the manifest is made.
const SIZE: usize = 100 << 20;

/// The sample manifest's items again and again, each copy's names with a
/// suffix of their own (feature macros once: the items name them in
/// `ifdef`), to about `size` bytes.
fn big_manifest(size: usize) -> String {
    let sample =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Misc/stable_abi.toml"))
            .unwrap();
    let mut blocks: Vec<&str> = Vec::new();
    let mut rest = sample.as_str();
    while let Some(at) = rest[1..].find("\n[").map(|at| at + 2) {
        blocks.push(&rest[..at]);
        rest = &rest[at..];
    }
    blocks.push(rest);
    let mut text = String::with_capacity(size + sample.len());
    for copy in 0.. {
        for block in &blocks {
            let Some(header) = block.strip_prefix('[') else {
                if copy == 0 {
                    text.push_str(block);
                }
                continue;
            };
            let end = header.find(']').unwrap();
            if header.starts_with("feature_macro.") {
                if copy == 0 {
                    text.push_str(block);
                }
                continue;
            }
            text.push_str(&format!("[{}_{copy}{}", &header[..end], &header[end..]));
        }
        if text.len() >= size {
            break;
        }
    }
    text
}

fn show(sample: &Sample) -> String {
    format!(
        "wall {}, CPU {}, peak {:.0} MB (exit {})",
        common::ms(sample.wall),
        common::ms(sample.cpu),
        sample.peak_kib as f64 / 1024.0,
        sample.exit
    )
}

fn main() {
    let program = Path::new(env!("CARGO_BIN_EXE_stable-abi"));
    let valid = big_manifest(SIZE);
    let broken = format!("{valid}[function.Oops\n");
    let size_mb = valid.len() as f64 / (1 << 20) as f64;
    let dirs: Vec<tempfile::TempDir> = [&valid, &broken]
        .iter()
        .map(|text| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir(dir.path().join("Misc")).unwrap();
            std::fs::write(dir.path().join("Misc/stable_abi.toml"), text).unwrap();
            // --generate-all writes into existing directories only.
            for file in ["PC/x", "Doc/data/x", "Lib/test/x", "Modules/x"] {
                let parent = dir.path().join(file);
                std::fs::create_dir_all(parent.parent().unwrap()).unwrap();
            }
            dir
        })
        .collect();
    drop((valid, broken));
    for args in [
        ["--dump", "Misc/stable_abi.toml"],
        ["--generate-all", "Misc/stable_abi.toml"],
    ] {
        let [ok, error] = [&dirs[0], &dirs[1]].map(|dir| run_once(dir.path(), program, &args, &[]));
        println!(
            "manifest of {size_mb:.0} MB, {}: valid: {}; syntax error on the last line: {}",
            args[0],
            show(&ok),
            show(&error)
        );
        println!(
            "    error/valid: wall {}, peak {}; peak/manifest: valid {:.1}x, error {:.1}x",
            common::ratio(error.wall, ok.wall),
            format_args!("{:.2}x", error.peak_kib as f64 / ok.peak_kib.max(1) as f64),
            ok.peak_kib as f64 / 1024.0 / size_mb,
            error.peak_kib as f64 / 1024.0 / size_mb,
        );
    }
}
