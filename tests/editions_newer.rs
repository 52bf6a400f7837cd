//! A tree newer than the tool knows (CPython main): what the manifest says
//! that the tool does not know is a warning at its place and passes through
//! to the generated files as the newest script writes it; `--strict` makes
//! it an error; on a known release (3.13) it stays an error.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{stable_abi, stderr, GENERATED_FILES};

/// Every kind (CPython's scripts read each kind's table); three things no
/// known release has: `struct_abi_kind = 'abi3t-opaque'` (line 8), a field
/// `abi3t_opaque` (line 9), and an item without `added` (line 13, once PyThreadState has its kind).
const MANIFEST: &str = "\
[function.PyObject_Repr]
    added = '3.2'
[function.PyOS_AfterFork_Child]
    added = '3.7'
    ifdef = 'HAVE_FORK'
[struct.PyObject]
    added = '3.2'
    struct_abi_kind = 'abi3t-opaque'
    abi3t_opaque = true
[struct.PyThreadState]
    added = '3.2'
[function.PyFuture_New]
[macro.Py_INCREF]
    added = '3.2'
[data.Py_NoneStruct]
    added = '3.2'
[const.METH_O]
    added = '3.2'
[typedef.Py_ssize_t]
    added = '3.2'
[feature_macro.HAVE_FORK]
    doc = 'on platforms with fork()'
";

fn patchlevel(minor: u8, micro: u8, level: &str) -> String {
    format!(
        "#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION {minor}\n\
         #define PY_MICRO_VERSION {micro}\n#define PY_RELEASE_LEVEL {level}\n\
         #define PY_RELEASE_SERIAL 1\n"
    )
}

/// A tree of the given `patchlevel.h` with `manifest` and the four files
/// empty.
fn tree(patchlevel: &str, manifest: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("cpython");
    for (file, text) in [
        ("Include/patchlevel.h", patchlevel),
        ("Misc/stable_abi.toml", manifest),
    ]
    .into_iter()
    .chain(GENERATED_FILES.iter().map(|f| (*f, "")))
    {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    (dir, root)
}

fn files(root: &Path) -> Vec<String> {
    GENERATED_FILES
        .iter()
        .map(|f| std::fs::read_to_string(root.join(f)).unwrap())
        .collect()
}

fn manifest_without_struct_thread_state() -> String {
    // PyThreadState lacks struct_abi_kind, which every script requires:
    // give it one, so that only the three unknowns remain.
    MANIFEST.replace(
        "[struct.PyThreadState]\n    added = '3.2'\n",
        "[struct.PyThreadState]\n    added = '3.2'\n    struct_abi_kind = 'opaque'\n",
    )
}

#[test]
#[cfg_attr(
    not(all(shared_reference, python311)),
    ignore = "needs ../shared/reference and python3 >= 3.11"
)]
fn newer_release_warns_at_each_unknown_and_generates() {
    let manifest = manifest_without_struct_thread_state();
    let (_dir, root) = tree(&patchlevel(16, 0, "PY_RELEASE_LEVEL_ALPHA"), &manifest);
    let output = stable_abi(&root, &["--generate-all"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains(": warning: ")).collect();
    assert_eq!(warnings.len(), 3, "{err}");
    assert!(
        warnings[0].starts_with(
            "Misc/stable_abi.toml:8:23: warning: unknown struct_abi_kind 'abi3t-opaque'"
        ),
        "{err}"
    );
    assert!(
        warnings[1].starts_with("Misc/stable_abi.toml:9:5: warning: unknown field `abi3t_opaque`"),
        "{err}"
    );
    assert!(
        warnings[2].starts_with(
            "Misc/stable_abi.toml:13:1: warning: function `PyFuture_New` has no `added`"
        ),
        "{err}"
    );

    let doc = &files(&root)[1];
    assert!(doc.starts_with("kind,name,added,"), "{doc}");
    assert!(
        doc.contains("\nstruct,PyObject,3.2,,abi3t-opaque\n"),
        "{doc}"
    );
    assert!(doc.contains("\nfunction,PyFuture_New,,,\n"), "{doc}");

    // Exactly as the newest script writes them. It does not know the
    // `abi3t_opaque` field (and stops on it), which no generated file
    // shows: give it the manifest without that line.
    let Some(python) = python() else { return };
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/stable_abi-3.14.py");
    if !script.is_file() {
        common::missing::<()>(
            "newer_release_warns_at_each_unknown_and_generates",
            "shared_reference",
            "no 3.14 reference script",
        );
        return;
    }
    let (_dir2, by_script) = tree("", &manifest.replace("    abi3t_opaque = true\n", ""));
    let status = Command::new(python)
        .arg(&script)
        .args(["--generate-all", "Misc/stable_abi.toml"])
        .current_dir(&by_script)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(files(&root), files(&by_script));
}

#[test]
fn strict_makes_the_unknowns_errors_and_writes_nothing() {
    let manifest = manifest_without_struct_thread_state();
    let (_dir, root) = tree(&patchlevel(16, 0, "PY_RELEASE_LEVEL_ALPHA"), &manifest);
    let output = stable_abi(&root, &["--generate-all", "--strict"]);
    assert_errors_and_nothing_written(&root, &output);
}

#[test]
fn known_release_keeps_the_strict_rules() {
    let manifest = manifest_without_struct_thread_state();
    let (_dir, root) = tree(&patchlevel(13, 15, "PY_RELEASE_LEVEL_FINAL"), &manifest);
    let output = stable_abi(&root, &["--generate-all"]);
    assert_errors_and_nothing_written(&root, &output);
    // --release says which release to follow, whatever the tree says.
    let output = stable_abi(&root, &["--generate-all", "--release", "3.16"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

fn assert_errors_and_nothing_written(root: &Path, output: &std::process::Output) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    for location in ["8:23", "9:5", "13:1"] {
        assert!(
            err.contains(&format!("Misc/stable_abi.toml:{location}: error: ")),
            "{location}: {err}"
        );
    }
    assert!(!err.contains("warning"), "{err}");
    assert!(files(root).iter().all(String::is_empty));
}

#[test]
fn a_release_without_an_edition_is_a_usage_error() {
    // 3.10's Misc/stable_abi.txt predates the TOML manifest and the script.
    let (_dir, root) = tree(&patchlevel(10, 9, "PY_RELEASE_LEVEL_FINAL"), MANIFEST);
    let output = stable_abi(&root, &["--all"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("release 3.10.9 (from ./Include/patchlevel.h): no edition"),
        "{err}"
    );
    assert!(err.contains("--release"), "{err}");
}

fn python() -> Option<&'static str> {
    let ok = Command::new("python3")
        .args(["-c", "import sys, tomllib"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some("python3")
    } else {
        common::missing("editions_newer", "python311", "no Python 3.11 or newer")
    }
}

#[test]
fn help_and_list_say_which_release_is_in_effect() {
    let (_dir, root) = tree(&patchlevel(16, 0, "PY_RELEASE_LEVEL_ALPHA"), MANIFEST);
    let help = common::stdout(&stable_abi(&root, &["--help"]));
    assert!(
        help.contains(
            "Release in effect for Misc/stable_abi.toml: 3.16.0a1 (from ./Include/patchlevel.h)"
        ),
        "{help}"
    );
    let help = common::stdout(&stable_abi(&root, &["--help", "--release", "3.13.5"]));
    assert!(help.contains(": 3.13.5 (from --release)"), "{help}");
    assert!(help.contains("edition 3.13.0–3.13.9"), "{help}");
    let list = stable_abi(&root, &["--list"]);
    assert!(
        stderr(&list).contains("release: 3.16.0a1 (from ./Include/patchlevel.h)"),
        "{}",
        stderr(&list)
    );
}

/// `--dump` on the newer tree re-emits what passed through as the tree's own
/// script dumps it: the unknown field after the known ones, the unknown
/// `struct_abi_kind` verbatim, no `added` where there is none; the dump
/// reads back to the same items (exit 0).
#[test]
fn dump_re_emits_what_passed_through() {
    let manifest = manifest_without_struct_thread_state();
    let (_dir, root) = tree(&patchlevel(16, 0, "PY_RELEASE_LEVEL_ALPHA"), &manifest);
    let output = stable_abi(&root, &["--dump", "Misc/stable_abi.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let dump = common::stdout(&output);
    assert!(
        dump.contains(
            "[struct.PyObject]\n    added = '3.2'\n    struct_abi_kind = 'abi3t-opaque'\n    \
             abi3t_opaque = true\n"
        ),
        "{dump}"
    );
    assert!(dump.contains("[function.PyFuture_New]\n["), "{dump}");
}
