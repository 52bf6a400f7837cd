//! The platform a library names decides its feature macros: a Solaris
//! libpython lacks `PY_HAVE_THREAD_NATIVE_ID` (Include/pythread.h), and
//! `--feature` / `--no-feature` adjust the platform's defaults.

mod cc;
mod common;

use std::path::{Path, PathBuf};

use common::{stable_abi, stderr, stdout};
use stable_abi::manifest::{Kind, Manifest, Selection};

/// A shared library exporting every function and data item of `manifest`
/// except those guarded by `left_out`, as C stubs compiled with `cc`.
fn stub_library(cc: &str, dir: &Path, manifest: &Path, left_out: &str) -> PathBuf {
    let manifest = Manifest::load(manifest).unwrap();
    let mut source = String::new();
    let mut stubs = 0;
    for item in manifest.select(Selection::of(&Kind::SYMBOLS)) {
        if item.ifdef.as_deref() == Some(left_out) {
            continue;
        }
        match item.kind {
            Kind::Function => source.push_str(&format!("void {}(void) {{}}\n", item.name)),
            _ => source.push_str(&format!("int {} = 1;\n", item.name)),
        }
        stubs += 1;
    }
    assert!(stubs > 500, "the manifest has its functions and data");
    cc::shared_object(cc, dir, "libpython3.13.so", &source, &[])
}

/// Sets the ELF header's EI_OSABI byte (offset 7).
fn set_osabi(path: &Path, osabi: u8) {
    let mut bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..4], b"\x7fELF");
    bytes[7] = osabi;
    std::fs::write(path, bytes).unwrap();
}

const ELFOSABI_SOLARIS: u8 = 6;

#[test]
#[cfg_attr(
    not(all(reference_tree, c_compiler)),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15 and a C compiler"
)]
fn a_solaris_libpython_without_native_thread_ids_passes() {
    let test = "a_solaris_libpython_without_native_thread_ids_passes";
    let Some(tree) = common::reference_tree(test) else {
        return;
    };
    let Some(cc) = cc::compiler(test) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let manifest = tree.join("Misc/stable_abi.toml");
    let library = stub_library(&cc, dir.path(), &manifest, "PY_HAVE_THREAD_NATIVE_ID");
    let run = |extra: &[&str]| {
        let mut args = vec!["library", "--manifest", manifest.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.push(library.to_str().unwrap());
        stable_abi(dir.path(), &args)
    };

    // As built on Linux (EI_OSABI 0 names no platform): the thread ID
    // function is expected, and missing.
    let output = run(&[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("PyThread_get_thread_native_id (added in 3.2) is not exported"),
        "{text}"
    );
    assert!(text.contains("PY_HAVE_THREAD_NATIVE_ID defined: Include/pythread.h"));
    assert_eq!(text.matches("[missing-export]").count(), 1, "{text}");

    // The same library marked Solaris: nothing is missing.
    set_osabi(&library, ELFOSABI_SOLARIS);
    let output = run(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(
        text.contains("note: platform Solaris/illumos (from ELF EI_OSABI = 6 (Solaris))"),
        "{text}"
    );
    assert!(text.contains("PY_HAVE_THREAD_NATIVE_ID not defined: Include/pythread.h"));
    assert!(text.contains("HAVE_FORK defined:"), "{text}");

    // --feature wins over the platform; --no-feature removes.
    let output = run(&["--feature", "PY_HAVE_THREAD_NATIVE_ID"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(stdout(&output).contains("PY_HAVE_THREAD_NATIVE_ID defined: --feature"));
    let output = run(&["--no-feature", "HAVE_FORK", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let assumed = &report["libraries"][0]["assumed"];
    assert_eq!(assumed["platform"], "solaris");
    let fork = assumed["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "HAVE_FORK")
        .unwrap();
    assert_eq!(fork["defined"], false);
    assert_eq!(fork["why"], "--no-feature");

    // A name the manifest does not list is a usage error.
    let output = run(&["--no-feature", "HAVE_SPOON"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--no-feature HAVE_SPOON: not a feature macro"),
        "{}",
        stderr(&output)
    );
}

#[test]
#[cfg_attr(not(c_compiler), ignore = "needs a C compiler")]
fn the_audit_reports_the_platform_and_its_feature_macros() {
    let Some(cc) = cc::compiler("the_audit_reports_the_platform_and_its_feature_macros") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let source = "extern void PyThread_get_thread_native_id(void);\n\
                  void *PyInit_spam(void) { PyThread_get_thread_native_id(); return 0; }\n";
    let module = cc::shared_object(&cc, dir.path(), "spam.abi3.so", source, &[]);
    set_osabi(&module, ELFOSABI_SOLARIS);
    let output = stable_abi(
        dir.path(),
        &[
            "audit",
            "--no-feature",
            "HAVE_FORK",
            "--format",
            "json",
            "spam.abi3.so",
        ],
    );
    // Solaris lacks PY_HAVE_THREAD_NATIVE_ID (the platform table), so the
    // import is `not-on-platform`.
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["check"], "not-on-platform", "{report}");
    assert_eq!(findings[0]["name"], "PyThread_get_thread_native_id");
    let assumed = &report["inputs"][0]["extensions"][0]["assumed"];
    assert_eq!(assumed["platform"], "solaris", "{assumed}");
    let defined: Vec<&str> = assumed["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["defined"] == true)
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(defined.is_empty(), "{defined:?}");

    let output = stable_abi(
        dir.path(),
        &["audit", "--feature", "HAVE_FORK", "spam.abi3.so"],
    );
    assert!(
        stdout(&output).contains("platform Solaris/illumos (from ELF EI_OSABI = 6 (Solaris)); feature macros: HAVE_FORK; not "),
        "{}",
        stdout(&output)
    );
}

#[test]
#[cfg_attr(
    not(all(shared_3_13_15, shared_3_15_2)),
    ignore = "needs ../shared/cpython/3.13.15 and ../shared/cpython/3.15.2"
)]
fn library_notes_cite_the_trees_own_pythread_h_lines() {
    // The `#if` that defines PY_HAVE_THREAD_NATIVE_ID moves between
    // releases (3.15 adds 64-bit Solaris): each tree is cited as it is.
    let test = "library_notes_cite_the_trees_own_pythread_h_lines";
    for (release, lines, sun) in [("3.13.15", "42-46", false), ("3.15.2", "42-47", true)] {
        let Some(tree) = common::shared_tree(test, release) else {
            return;
        };
        let manifest = tree.join("Misc/stable_abi.toml");
        let output = common::stable_abi(
            &tree,
            &["library", "--manifest", manifest.to_str().unwrap()],
        );
        let text = common::stdout(&output);
        let cited = format!("Include/pythread.h:{lines} defines it only under (defined(__APPLE__)");
        assert!(text.contains(&cited), "{release}: {text}");
        assert_eq!(
            text.contains("defined(__sun__) && SIZEOF_LONG >= 8"),
            sun,
            "{text}"
        );
    }
}
