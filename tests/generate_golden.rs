//! Generation against real CPython trees (3.13.15 and 3.15.2, each with the
//! formats of its own release): the four generated files must be
//! reproduced byte for byte, checked, and left alone when unchanged.

mod common;

use common::{cpython_tree, generation_trees, stable_abi, stderr, stdout, GENERATED_FILES};

/// What generation reads and writes (patchlevel.h: the tree's release).
const GENERATION_PARTS: [&str; 6] = [
    "Misc",
    "PC",
    "Doc",
    "Lib",
    "Modules",
    "Include/patchlevel.h",
];

#[test]
#[cfg_attr(
    not(cpython_tree),
    ignore = "needs a CPython tree (../shared/cpython/3.13.15 or $STABLE_ABI_CPYTHON)"
)]
fn generate_all_reproduces_the_committed_files() {
    for tree in generation_trees("generate_all_reproduces_the_committed_files") {
        generate_all_reproduces(&tree);
    }
}

fn generate_all_reproduces(tree: &std::path::Path) {
    let (_scratch, root) = common::scratch_copy(tree, &GENERATION_PARTS);
    for file in GENERATED_FILES {
        std::fs::remove_file(root.as_path().join(file)).unwrap();
    }
    let output = stable_abi(root.as_path(), &["--generate-all"]);
    assert!(output.status.success(), "{}", stderr(&output));
    for file in GENERATED_FILES {
        let expected = std::fs::read(tree.join(file)).unwrap();
        let generated = std::fs::read(root.as_path().join(file)).unwrap();
        assert!(
            expected == generated,
            "{file} differs from the committed file of {}",
            tree.display()
        );
    }
}

#[test]
#[cfg_attr(
    not(cpython_tree),
    ignore = "needs a CPython tree (../shared/cpython/3.13.15 or $STABLE_ABI_CPYTHON)"
)]
fn check_passes_on_the_pristine_trees() {
    for tree in generation_trees("check_passes_on_the_pristine_trees") {
        check_passes(&tree);
    }
}

fn check_passes(tree: &std::path::Path) {
    let (_scratch, root) = common::scratch_copy(tree, &GENERATION_PARTS);
    let output = stable_abi(
        root.as_path(),
        &[
            "--python3dll",
            "--doc-list",
            "--ctypes-test",
            "--testcapi-feature-macros",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert_eq!(stdout(&output), "");
}

#[test]
#[cfg_attr(
    not(cpython_tree),
    ignore = "needs a CPython tree (../shared/cpython/3.13.15 or $STABLE_ABI_CPYTHON)"
)]
fn a_removed_line_fails_the_check_and_the_diff_names_it() {
    let Some(tree) = cpython_tree("a_removed_line_fails_the_check_and_the_diff_names_it") else {
        return;
    };
    let (_scratch, root) = common::scratch_copy(&tree, &GENERATION_PARTS);
    let dll = root.as_path().join("PC/python3dll.c");
    let text = std::fs::read_to_string(&dll).unwrap();
    let removed = "EXPORT_FUNC(PyObject_GetAttrString)\n";
    assert!(text.contains(removed));
    std::fs::write(&dll, text.replacen(removed, "", 1)).unwrap();

    let output = stable_abi(root.as_path(), &["--python3dll"]);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(
        out.contains("PC/python3dll.c differs from expected!"),
        "{out}"
    );
    assert!(
        out.contains("\n+EXPORT_FUNC(PyObject_GetAttrString)\n"),
        "{out}"
    );
    assert!(stderr(&output).contains("did not succeed: python3dll"));
    // Checking never writes.
    assert!(!std::fs::read_to_string(&dll).unwrap().contains(removed));
}

#[test]
#[cfg_attr(
    not(cpython_tree),
    ignore = "needs a CPython tree (../shared/cpython/3.13.15 or $STABLE_ABI_CPYTHON)"
)]
fn unchanged_files_keep_their_mtime_and_stale_ones_are_rewritten() {
    for tree in generation_trees("unchanged_files_keep_their_mtime") {
        mtimes_kept(&tree);
    }
}

fn mtimes_kept(tree: &std::path::Path) {
    let (_scratch, root) = common::scratch_copy(tree, &GENERATION_PARTS);
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    for file in GENERATED_FILES {
        let f = std::fs::File::options()
            .append(true)
            .open(root.as_path().join(file))
            .unwrap();
        f.set_modified(old).unwrap();
    }
    let stale = root.as_path().join("Doc/data/stable_abi.dat");
    std::fs::write(&stale, "stale\n").unwrap();

    let output = stable_abi(root.as_path(), &["--generate-all"]);
    assert!(output.status.success(), "{}", stderr(&output));
    for file in GENERATED_FILES {
        let mtime = std::fs::metadata(root.as_path().join(file))
            .unwrap()
            .modified()
            .unwrap();
        if file == "Doc/data/stable_abi.dat" {
            assert_ne!(mtime, old, "{file} was stale and must be rewritten");
        } else {
            assert_eq!(mtime, old, "{file} was unchanged and must not be rewritten");
        }
    }
    assert_eq!(
        std::fs::read(&stale).unwrap(),
        std::fs::read(tree.join("Doc/data/stable_abi.dat")).unwrap()
    );
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(root.as_path().join("Doc/data"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|name| name.to_string_lossy().starts_with(".stable-abi-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
#[cfg_attr(
    not(cpython_tree),
    ignore = "needs a CPython tree (../shared/cpython/3.13.15 or $STABLE_ABI_CPYTHON)"
)]
fn dump_round_trips_the_real_manifest() {
    let Some(tree) = cpython_tree("dump_round_trips_the_real_manifest") else {
        return;
    };
    let output = stable_abi(&tree, &["--dump"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.starts_with("[typedef.Py_uintptr_t]\n    added = '3.2'\n"),
        "{out:.200}"
    );
    assert!(out.contains("[struct.PyObject]\n    added = '3.2'\n    struct_abi_kind = 'members'\n    members = ['ob_refcnt', 'ob_type']\n"));
    assert!(out.contains("[feature_macro.USE_STACKCHECK]\n    doc = 'on platforms with USE_STACKCHECK'\n    windows = 'maybe'\n"));
}

/// `--list`: 3.14+ prints resolved (absolute) paths, 3.13 and older
/// print them as `FILE/../..` joins them; the release in effect goes to
/// stderr, so stdout is the script's.
#[test]
#[cfg_attr(
    not(all(shared_3_13_15, shared_3_15_2)),
    ignore = "needs ../shared/cpython/3.13.15 and ../shared/cpython/3.15.2"
)]
fn list_prints_default_paths_as_the_release_does() {
    let test = "list_prints_default_paths_as_the_release_does";
    for (tree, resolved) in [
        (common::shared_tree(test, "3.15.2"), true),
        (common::shared_tree(test, "3.13.15"), false),
    ] {
        let Some(tree) = tree else { continue };
        let output = stable_abi(&tree.join("Misc"), &["../Misc/stable_abi.toml", "--list"]);
        assert!(output.status.success());
        let out = stdout(&output);
        let first = out.lines().next().unwrap();
        let expected = if resolved {
            tree.canonicalize().unwrap().join("PC/python3dll.c")
        } else {
            std::path::PathBuf::from("../PC/python3dll.c")
        };
        assert_eq!(first, format!("--python3dll: {}", expected.display()));
        assert_eq!(out.lines().count(), 4);
        let release = tree.file_name().unwrap().to_string_lossy().into_owned();
        let err = stderr(&output);
        assert!(
            err.starts_with(&format!(
                "release: {release} (from ../Include/patchlevel.h)"
            )),
            "{err}"
        );
    }
}
