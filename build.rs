//! Says to the tests what they need from outside this repository is at
//! hand: one cfg per row of `tests/common/data.rs` (`cpython_tree`,
//! `shared_3_15_2`, `python311`, ...), read by the tests'
//! `#[cfg_attr(not(CFG), ignore = "needs ...")]`, so that a test whose data
//! is missing shows as ignored, with its reason, rather than as passed.
//!
//! Under `CI=true` every cfg is set: there, a missing dataset fails its
//! tests. The probe runs again when a watched file changes or goes, when
//! `STABLE_ABI_CPYTHON`, `CI` or `CC` change; data that appears later is
//! noticed by `tests/test_data.rs`, which asks for a rebuild.
//!
//! Nothing of the tool itself depends on these cfgs.

#[path = "tests/common/data.rs"]
#[allow(dead_code)]
mod data;

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=tests/common/data.rs");
    for name in data::ENV {
        println!("cargo::rerun-if-env-changed={name}");
    }
    let repo = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let ci = data::under_ci();
    for need in &data::NEEDS {
        println!("cargo::rustc-check-cfg=cfg({})", need.cfg);
        let probe = (need.probe)(&repo);
        for path in &probe.watch {
            println!("cargo::rerun-if-changed={}", path.display());
        }
        if probe.present || (ci && (need.required_under_ci)()) {
            println!("cargo::rustc-cfg={}", need.cfg);
        }
    }
}
