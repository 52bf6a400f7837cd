//! `stable-abi library`: built libraries export the whole Stable ABI.

mod cc;
mod common;

use std::path::Path;

use common::{stable_abi, stderr, stdout};

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn shared_and_static_libpython_export_the_stable_abi() {
    let Some(tree) = common::reference_tree("shared_and_static_libpython_export_the_stable_abi")
    else {
        return;
    };
    let manifest = tree.join("Misc/stable_abi.toml");
    for library in ["lib/libpython3.13.so.1.0", "lib/libpython3.13.a"] {
        let output = stable_abi(
            &tree,
            &[
                "library",
                "--manifest",
                manifest.to_str().unwrap(),
                "--feature",
                "HAVE_FORK",
                "--feature",
                "PY_HAVE_THREAD_NATIVE_ID",
                tree.join(library).to_str().unwrap(),
            ],
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "{library}: {}",
            stdout(&output)
        );
        assert!(stderr(&output).contains("exports the whole Stable ABI"));
    }
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn finds_the_trees_libraries_by_itself() {
    let Some(tree) = common::reference_tree("finds_the_trees_libraries_by_itself") else {
        return;
    };
    let found = stable_abi::binary::default_libraries(&tree);
    let names: Vec<String> = found
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["libpython3.13.a", "libpython3.13.so.1.0"]);
    let output = stable_abi(&tree, &["library", "--manifest", "Misc/stable_abi.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stderr(&output)
            .matches("exports the whole Stable ABI")
            .count(),
        2
    );
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn a_windows_feature_makes_libpython_fail_with_located_findings() {
    let Some(tree) = common::reference_tree("a_windows_feature_makes_libpython_fail") else {
        return;
    };
    let output = stable_abi(
        &tree,
        &[
            "library",
            "--manifest",
            "Misc/stable_abi.toml",
            "--feature",
            "MS_WINDOWS",
            "lib/libpython3.13.a",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("Misc/stable_abi.toml:")
            && text.contains("PyErr_SetFromWindowsErr (added in 3.7)"),
        "{text}"
    );
}

const TINY_MANIFEST: &str = "\
[feature_macro.HAVE_FORK]
    doc = 'on platforms with fork()'
[feature_macro.MS_WINDOWS]
    doc = 'on Windows'
    windows = true
[function.PyTiny_Present]
    added = '3.2'
[function.PyTiny_Hidden]
    added = '3.5'
[data.PyTiny_Data]
    added = '3.2'
[function._PyTiny_AbiOnly]
    added = '3.9'
    abi_only = true
[function.PyTiny_AfterFork]
    added = '3.7'
    ifdef = 'HAVE_FORK'
[function.PyTiny_WindowsOnly]
    added = '3.7'
    ifdef = 'MS_WINDOWS'
[macro.PyTiny_MACRO]
    added = '3.2'
";

#[test]
#[cfg_attr(not(c_compiler), ignore = "needs a C compiler")]
fn a_library_lacking_symbols_fails_naming_exactly_those() {
    let Some(cc) = cc::compiler("a_library_lacking_symbols_fails_naming_exactly_those") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("manifest.toml"), TINY_MANIFEST).unwrap();
    // PyTiny_Hidden exists but is not exported; the abi_only and HAVE_FORK
    // functions are absent. The Windows-only function is not expected.
    let source = "int PyTiny_Data = 1;\n\
                  int PyTiny_Present(void) { return 0; }\n\
                  __attribute__((visibility(\"hidden\"))) int PyTiny_Hidden(void) { return 1; }\n";
    let library = cc::shared_object(&cc, dir.path(), "libtiny.so", source, &[]);
    let output = stable_abi(
        dir.path(),
        &[
            "library",
            "--manifest",
            "manifest.toml",
            "--format",
            "json",
            library.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut missing: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    missing.sort();
    assert_eq!(
        missing,
        ["PyTiny_AfterFork", "PyTiny_Hidden", "_PyTiny_AbiOnly"]
    );
    let hidden = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "PyTiny_Hidden")
        .unwrap();
    assert_eq!(hidden["line"], 8);
    assert_eq!(hidden["versions"][0], "3.5");
    assert_eq!(hidden["check"], "missing-export");

    // The text form names the manifest line and the version.
    let output = stable_abi(
        dir.path(),
        &[
            "library",
            "--manifest",
            "manifest.toml",
            library.to_str().unwrap(),
        ],
    );
    assert!(
        stdout(&output).contains("manifest.toml:8:1: error: function PyTiny_Hidden (added in 3.5)")
    );
}

#[test]
fn truncated_and_non_object_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("manifest.toml"), TINY_MANIFEST).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "just text\n").unwrap();
    let exe = std::fs::read(env!("CARGO_BIN_EXE_stable-abi")).unwrap();
    std::fs::write(dir.path().join("truncated.so"), &exe[..4096.min(exe.len())]).unwrap();
    for (file, message) in [
        ("notes.txt", "notes.txt: error: not an object file"),
        (
            "truncated.so",
            "truncated.so: error: truncated or corrupt ELF file",
        ),
        ("absent.so", "absent.so: error: cannot read"),
    ] {
        let output = stable_abi(
            dir.path(),
            &["library", "--manifest", "manifest.toml", file],
        );
        assert_eq!(output.status.code(), Some(2), "{file}");
        assert!(
            stderr(&output).contains(message),
            "{file}: {}",
            stderr(&output)
        );
        assert!(!stderr(&output).contains("panicked"));
    }
}

#[test]
fn an_unreadable_library_is_its_own_error_in_json_and_the_others_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("manifest.toml"), TINY_MANIFEST).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "just text\n").unwrap();
    let exe = env!("CARGO_BIN_EXE_stable-abi");
    std::fs::copy(exe, dir.path().join("libpython3.13.so")).unwrap();
    let args = [
        "library",
        "--manifest",
        "manifest.toml",
        "libpython3.13.so",
        "notes.txt",
    ];
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let output = stable_abi(dir.path(), &json_args);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|err| panic!("{err}: {}{}", stdout(&output), stderr(&output)));
    let libraries = json["libraries"].as_array().unwrap();
    assert_eq!(libraries.len(), 2, "{json}");
    assert_eq!(libraries[0]["path"], "libpython3.13.so");
    assert!(libraries[0]["assumed"].is_object(), "{json}");
    assert_eq!(libraries[1]["path"], "notes.txt");
    let error = libraries[1]["error"].as_str().unwrap();
    assert!(error.starts_with("not an object file"), "{json}");
    // The readable library is checked all the same.
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["check"] == "missing-export"),
        "{json}"
    );
    let text = stable_abi(dir.path(), &args);
    assert_eq!(text.status.code(), Some(2));
    assert!(
        stdout(&text).contains("[missing-export]"),
        "{}",
        stdout(&text)
    );
    assert!(
        stderr(&text).contains("notes.txt: error: not an object file"),
        "{}",
        stderr(&text)
    );
}

#[test]
fn a_tree_without_libraries_says_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("Misc")).unwrap();
    std::fs::write(dir.path().join("Misc/stable_abi.toml"), TINY_MANIFEST).unwrap();
    let output = stable_abi(dir.path(), &["library"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no libpython3.N.so*"),
        "{}",
        stderr(&output)
    );
    assert!(Path::new(dir.path()).exists());
}

#[test]
#[cfg_attr(not(c_compiler), ignore = "needs a C compiler")]
fn an_out_of_tree_build_directory_is_searched_and_symlinks_checked_once() {
    let Some(cc) = cc::compiler("an_out_of_tree_build_directory_is_searched") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("src");
    let build = dir.path().join("build");
    std::fs::create_dir_all(source.join("Misc")).unwrap();
    std::fs::create_dir_all(&build).unwrap();
    std::fs::write(source.join("Misc/stable_abi.toml"), TINY_MANIFEST).unwrap();
    let everything = "int PyTiny_Data = 1;\n\
                      int PyTiny_Present(void) { return 0; }\n\
                      int PyTiny_Hidden(void) { return 1; }\n\
                      int _PyTiny_AbiOnly(void) { return 2; }\n\
                      int PyTiny_AfterFork(void) { return 3; }\n";
    cc::shared_object(&cc, &build, "libpython3.99.so.1.0", everything, &[]);
    std::os::unix::fs::symlink("libpython3.99.so.1.0", build.join("libpython3.99.so")).unwrap();
    let output = stable_abi(
        &build,
        &["library", "--manifest", "../src/Misc/stable_abi.toml"],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert_eq!(
        stderr(&output)
            .matches("exports the whole Stable ABI")
            .count(),
        1,
        "{}",
        stderr(&output)
    );
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn a_library_under_several_names_is_found_once_and_read_once() {
    let Some(tree) = common::reference_tree("a_library_under_several_names_is_read_once") else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let real = scratch.path().join("libpython3.13.so.1.0");
    std::fs::copy(tree.join("lib/libpython3.13.so.1.0"), &real).unwrap();
    // As a build leaves it, and as a copy with hard links does.
    std::os::unix::fs::symlink(
        "libpython3.13.so.1.0",
        scratch.path().join("libpython3.13.so"),
    )
    .unwrap();
    std::fs::hard_link(&real, scratch.path().join("libpython3.13d.so")).unwrap();
    let found = stable_abi::binary::default_libraries(scratch.path());
    assert_eq!(found.len(), 1, "{found:?}");

    // Named explicitly, each path is checked, from one read of the file.
    let paths: Vec<_> = [
        "libpython3.13.so",
        "libpython3.13.so.1.0",
        "libpython3.13d.so",
    ]
    .iter()
    .map(|name| scratch.path().join(name))
    .collect();
    let libraries = stable_abi::binary::read_libraries(&paths).unwrap();
    assert_eq!(libraries.len(), 3);
    assert!(libraries[0].exports.contains("PyLong_FromLong"));
    for library in &libraries[1..] {
        assert!(std::sync::Arc::ptr_eq(
            &library.exports,
            &libraries[0].exports
        ));
    }
    let other = scratch.path().join("libpython3.13t.so");
    std::fs::copy(&real, &other).unwrap();
    let two = stable_abi::binary::read_libraries(&[real, other]).unwrap();
    assert!(!std::sync::Arc::ptr_eq(&two[0].exports, &two[1].exports));
    assert_eq!(two[0].exports, two[1].exports);
}
