//! The header view: load the tree's headers (each parsed once) and compute
//! the view at all 12 Limited API versions, 3.2 … 3.13. Prints the median
//! (target: at most 50 ms) and, when gcc is installed, the ratio against one
//! `gcc -E` of `Python.h` — what the compiler-based check costs for a single
//! version.
//!
//! The CPython tree is `$STABLE_ABI_CPYTHON`, else `../shared/cpython/3.13.15`.

use std::path::Path;

mod common;

use common::{median, median_command, ms, ratio};
use stable_abi::version::Version;
use stable_abi::view::{Defines, Headers};

/// Loads the headers and computes every version's view; returns how many
/// names the views hold, so the work cannot be optimized away.
fn all_views(tree: &Path) -> usize {
    let headers = Headers::load(tree, &Defines::default()).expect("the headers load");
    Version::FIRST
        .up_to(headers.python_version())
        .into_iter()
        .map(|version| {
            let view = headers
                .view(Some(version), &Defines::default())
                .expect("the view evaluates");
            view.functions.len() + view.data.len() + view.macros.len()
        })
        .sum()
}

fn main() {
    let Some(tree) = common::cpython_tree() else {
        return;
    };
    let names = all_views(&tree);
    let ours = median(15, || {
        all_views(&tree);
    });
    println!(
        "view: load + 12 versions: median {} ({names} names in all views)",
        ms(ours)
    );
    let gcc = Path::new("gcc");
    let available = std::process::Command::new(gcc)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !available {
        println!("gcc is not installed: no ratio");
        return;
    }
    let args = [
        "-E",
        "-I.",
        "-I./Include",
        "-DPy_LIMITED_API=0x030D0000",
        "-DSIZEOF_WCHAR_T=4",
        "Include/Python.h",
    ];
    let one_gcc = median_command(5, &tree, gcc, &args);
    println!(
        "gcc -E Python.h, one version: median {}; 12 views take {} of one gcc run",
        ms(one_gcc),
        ratio(ours, one_gcc)
    );
}
