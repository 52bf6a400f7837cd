//! `compat` between two real releases: CPython 3.13.15 and 3.15.2
//! (`../shared/cpython/`).

mod common;

use common::{shared_dir, stable_abi, stdout};

#[test]
#[cfg_attr(
    not(all(shared_3_13_15, shared_3_15_2)),
    ignore = "needs ../shared/cpython/3.13.15 and ../shared/cpython/3.15.2"
)]
fn manifest_changes_from_3_13_to_3_15_are_the_real_ones() {
    let Some(trees) = shared_dir("manifest_changes_from_3_13_to_3_15", "cpython") else {
        return;
    };
    let output = stable_abi(
        &trees,
        &[
            "compat",
            "--baseline",
            "3.13.15",
            "3.15.2",
            "--manifest-only",
        ],
    );
    let text = stdout(&output);
    // The one break: 3.14 corrected METH_FASTCALL's `added` from 3.10 to
    // 3.7, the release that introduced it (the manifest had it wrong).
    let errors: Vec<&str> = text.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(
        errors,
        [
            "3.15.2/Misc/stable_abi.toml:2139:1: error: `added` of METH_FASTCALL changed \
          from '3.10' to '3.7' [compat-added-changed]"
        ]
    );
    assert_eq!(output.status.code(), Some(1));
    // The items 3.14 and 3.15 added are new, none with an `added` outside
    // 3.14–3.15; nothing is removed.
    assert!(!text.contains("warning:"), "{text}");
    assert!(!text.contains("removed"), "{text}");
    for new in ["PyLong_AsInt32 (added in 3.14)", "Py_TYPE (added in 3.14)"] {
        assert!(
            text.contains(&format!("new function {new} [compat-new]")),
            "{text}"
        );
    }
    // 3.14 and 3.15 moved functions out of the Limited API, keeping the
    // symbols (PEP 741's configuration getters replace Py_GetPath & co.).
    for name in [
        "Py_GetPath",
        "PyWeakref_GetObject",
        "PyImport_ImportModuleNoBlock",
    ] {
        assert!(
            text.contains(&format!("function {name} left the Limited API")),
            "{name}: {text}"
        );
    }
}
