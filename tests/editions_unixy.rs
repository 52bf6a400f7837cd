//! `is_static_inline_function` on `macro` items: 3.14's script accepts it,
//! and `--unixy-check` then does not expect the macro among the defined
//! ones (it is a static inline function); older releases reject the field.

mod common;

use std::path::Path;

use common::{stable_abi, stderr};

/// A scratch copy of the sample tree whose manifest lists a macro the
/// headers do not define, marked (or not) as a static inline function.
fn sample_with_macro(flag: bool) -> (tempfile::TempDir, std::path::PathBuf) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (dir, root) = common::scratch_copy(repo, &["Include", "Misc"]);
    let manifest = root.join("Misc/stable_abi.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("\n[macro.Py_IsInlineOnly]\n    added = '3.2'\n");
    if flag {
        text.push_str("    is_static_inline_function = true\n");
    }
    std::fs::write(&manifest, text).unwrap();
    (dir, root)
}

fn unixy(root: &Path, release: &str) -> std::process::Output {
    stable_abi(
        root,
        &[
            "Misc/stable_abi.toml",
            "--unixy-check",
            "--release",
            release,
            "--baseline",
            "Misc/stable_abi_baseline.txt",
        ],
    )
}

#[test]
fn a_static_inline_macro_is_not_expected_from_3_14() {
    let (_dir, root) = sample_with_macro(true);
    let output = unixy(&root, "3.14");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    // Without the flag the macro is expected, and missing.
    let (_dir, root) = sample_with_macro(false);
    let output = unixy(&root, "3.14");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("error: Py_IsInlineOnly was added in 3.2 but is not defined"));
}

#[test]
fn releases_before_3_14_reject_the_field() {
    let (_dir, root) = sample_with_macro(true);
    for release in ["3.13.15", "3.11"] {
        let output = unixy(&root, release);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{release}: {err}");
        assert!(
            err.contains(
                "error: unknown field `is_static_inline_function` in macro `Py_IsInlineOnly`"
            ),
            "{release}: {err}"
        );
    }
}
