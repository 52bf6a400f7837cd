//! The commands beyond the drop-in (headers, view, library, compat) read the
//! manifest of a tree newer than the tool knows (CPython main) as the
//! drop-in does: what the tool does not know is a warning at its
//! `file:line:col`, not an input error (exit 2); `--strict` makes it one.
//! (`compat` warns so on every release: it compares releases.)
//! The tree: the sample tree's headers, a `patchlevel.h` of 3.16, and the
//! manifest of `tests/editions_newer.rs` (an unknown `struct_abi_kind`, an
//! unknown field, an item without `added`).

mod cc;
mod common;

use std::path::{Path, PathBuf};

use common::{stable_abi, stderr};

/// `struct_abi_kind = 'abi3t-opaque'` (8:23; these commands know it on
/// every release), a field `abi3t_opaque` (9:5), an item without `added`
/// (10:1).
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
[function.PyFuture_New]
[macro.Py_INCREF]
    added = '3.2'
[feature_macro.HAVE_FORK]
    doc = 'on platforms with fork()'
";

const LOCATIONS: [&str; 2] = ["9:5", "10:1"];

const PATCHLEVEL_3_16: &str = "#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION 16\n\
     #define PY_MICRO_VERSION 0\n#define PY_RELEASE_LEVEL PY_RELEASE_LEVEL_ALPHA\n\
     #define PY_RELEASE_SERIAL 1\n";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The sample tree's headers under a 3.16 `patchlevel.h`, with [`MANIFEST`].
fn tree() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("cpython");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("Include"),
        &root.join("Include"),
    );
    std::fs::write(root.join("Include/patchlevel.h"), PATCHLEVEL_3_16).unwrap();
    std::fs::create_dir_all(root.join("Misc")).unwrap();
    std::fs::write(root.join("Misc/stable_abi.toml"), MANIFEST).unwrap();
    (dir, root)
}

/// Runs `args` in the tree: it must run to a verdict (exit 0 or 1: no
/// input error, no crash), and warn at each location.
fn warns(root: &Path, args: &[&str]) {
    let output = stable_abi(root, args);
    let err = stderr(&output);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{args:?}: {:?}: {err}",
        output.status.code()
    );
    for location in LOCATIONS {
        assert!(
            err.contains(&format!("Misc/stable_abi.toml:{location}: warning: ")),
            "{args:?}: {location}: {err}"
        );
    }
    assert!(
        !err.contains("stable_abi.toml:8:23: error"),
        "{args:?}: {err}"
    );
}

/// The same with `--strict`: an input error at each location.
fn strict_fails(root: &Path, args: &[&str]) {
    let mut args = args.to_vec();
    args.push("--strict");
    let output = stable_abi(root, &args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
    for location in LOCATIONS {
        assert!(
            err.contains(&format!("Misc/stable_abi.toml:{location}: error: ")),
            "{args:?}: {location}: {err}"
        );
    }
}

#[test]
fn headers_warn_on_a_newer_tree() {
    let (_dir, root) = tree();
    warns(&root, &["headers"]);
    strict_fails(&root, &["headers"]);
}

#[test]
fn view_warns_on_a_newer_tree() {
    let (_dir, root) = tree();
    let output = stable_abi(&root, &["view", "3.13"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    warns(&root, &["view", "3.13"]);
    strict_fails(&root, &["view", "3.13"]);
}

#[test]
#[cfg_attr(not(c_compiler), ignore = "needs a C compiler")]
fn library_warns_on_a_newer_tree() {
    let Some(cc) = cc::compiler("library_warns_on_a_newer_tree") else {
        return;
    };
    let (_dir, root) = tree();
    let source = "int PyObject_Repr(void) { return 0; }\n";
    cc::shared_object(&cc, &root, "libpython3.16.so", source, &[]);
    warns(&root, &["library", "libpython3.16.so"]);
    strict_fails(&root, &["library", "libpython3.16.so"]);
}

#[test]
fn compat_warns_on_a_newer_tree() {
    let (_dir, root) = tree();
    let output = stable_abi(&root, &["compat", "--baseline", "."]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    warns(&root, &["compat", "--baseline", "."]);
    strict_fails(&root, &["compat", "--baseline", "."]);
}

/// On a known release the same manifest stays an input error (but for
/// `compat`, which compares releases and so warns on any).
#[test]
fn a_known_release_keeps_them_errors() {
    let (_dir, root) = tree();
    std::fs::write(
        root.join("Include/patchlevel.h"),
        PATCHLEVEL_3_16.replace("16", "15"),
    )
    .unwrap();
    for args in [&["headers"][..], &["view", "3.13"]] {
        let output = stable_abi(&root, args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("Misc/stable_abi.toml:9:5: error: "),
            "{args:?}: {err}"
        );
    }
}
