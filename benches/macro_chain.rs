//! Macro chains: the sample tree with a header of N macros each defined as
//! the one before (`#define M{i} M{i-1}`, or `(M{i-1})`, or calls nested N
//! deep, `F(F(…F(1)…))`) and `#if M{N-1}`, viewed at 3.13 for N = 1,000,
//! 10,000 and 100,000. Prints each median, its growth over the N ten times
//! smaller (10x is linear; hide sets once made it 1000x) and, when gcc is
//! installed, the ratio to `gcc -E` of the same chain (its header alone:
//! the sample tree has no `pyconfig.h` for gcc to find).
//!
//! `cargo bench --bench macro_chain`.

use std::path::Path;
use std::time::Duration;

mod common;

use common::{copy_tree, median, median_command, ms, ratio};
use stable_abi::version::Version;
use stable_abi::view::{Defines, Headers};

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// The header for `kind` at size `n`: its `#define`s and its `#if`.
fn chain_header(kind: &str, n: usize) -> String {
    let mut text = String::new();
    match kind {
        "nested calls" => {
            text.push_str("#define F(x) x\n");
            text.push_str(&format!("#if {}1{}\n", "F(".repeat(n), ")".repeat(n)));
        }
        _ => {
            text.push_str("#define M0 1\n");
            for i in 1..n {
                let body = if kind == "parenthesized" {
                    format!("(M{})", i - 1)
                } else {
                    format!("M{}", i - 1)
                };
                text.push_str(&format!("#define M{i} {body}\n"));
            }
            text.push_str(&format!("#if M{}\n", n - 1));
        }
    }
    text.push_str("#endif\n");
    text
}

/// A copy of the sample tree whose `Python.h` includes the chain.
fn tree_with_chain(dir: &Path, kind: &str, n: usize) {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR"));
    for part in ["Include", "Misc"] {
        copy_tree(&sample.join(part), &dir.join(part));
    }
    std::fs::write(dir.join("Include/chain.h"), chain_header(kind, n)).unwrap();
    let python_h = dir.join("Include/Python.h");
    let text = std::fs::read_to_string(&python_h).unwrap();
    let text = text.replace("#endif /* !Py_PYTHON_H */", "#include \"chain.h\"\n#endif");
    std::fs::write(python_h, text).unwrap();
}

/// Loads the headers and computes the view at 3.13 (what `stable-abi view
/// 3.13` does before printing).
fn view(tree: &Path) -> usize {
    let headers = Headers::load(tree, &Defines::default()).expect("the headers load");
    let view = headers
        .view(Some(Version::new(3, 13)), &Defines::default())
        .expect("the view evaluates");
    view.macros.len()
}

fn main() {
    let gcc = Path::new("gcc");
    let has_gcc = std::process::Command::new(gcc)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    let gcc_args = ["-E", "Include/chain.h", "-o", "/dev/null"];
    for kind in ["chain", "parenthesized", "nested calls"] {
        let mut previous: Option<Duration> = None;
        for n in SIZES {
            let dir = tempfile::tempdir().unwrap();
            tree_with_chain(dir.path(), kind, n);
            let ours = median(5, || {
                std::hint::black_box(view(dir.path()));
            });
            let growth = previous.map_or(String::from("-"), |before| ratio(ours, before));
            // gcc is quadratic in calls nested in arguments (9 s at 10,000;
            // 227 s and 24 GB at 100,000): measured at the smallest size only.
            let gcc_runs = has_gcc
                && (kind != "nested calls" || n == SIZES[0])
                && std::process::Command::new(gcc)
                    .args(gcc_args)
                    .current_dir(dir.path())
                    .status()
                    .is_ok_and(|status| status.success());
            let against_gcc = if gcc_runs {
                let theirs = median_command(3, dir.path(), gcc, &gcc_args);
                format!("gcc -E {}, ratio {}", ms(theirs), ratio(ours, theirs))
            } else {
                String::from("no gcc ratio")
            };
            println!(
                "macro chain ({kind}), N = {n}: view 3.13 median {}; growth over N/10 {growth} \
                 (10.0x is linear); {against_gcc}",
                ms(ours)
            );
            previous = Some(ours);
        }
    }
}
