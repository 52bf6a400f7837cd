//! `headers --platform`: the Windows findings of CPython 3.13.15, pinned
//! (each checked by hand against `Include/`: see the README's section on
//! platforms), the merge of `--platform all`, and its baseline.

mod common;

/// Every finding of `--platform all` that not all platforms show, as
/// `CHECK NAME VERSIONS PLATFORMS`: on 3.13.15 these are Windows' alone.
///
/// - `Include/pyerrors.h:192-210`: the six `PyErr_*WindowsErr*` functions
///   under `#ifdef MS_WINDOWS` with no version guard (one under `>=
///   0x03040000`), and `PyExc_WindowsError` at 145-147, all added in 3.7
///   by the manifest;
/// - `Include/unicodeobject.h:666-701`: the MBCS and code-page codecs
///   under `#ifdef MS_WINDOWS` (two under `>= 0x03030000`), added in 3.7.
///
/// (`Include/intrcheck.h:18` declares `PyOS_AfterFork` outside `#ifdef
/// HAVE_FORK`, which the manifest gives it and Windows lacks: the `ifdef`
/// finding of every platform, not an `unlisted` one of Windows.)
const WINDOWS_ONLY: [&str; 12] = [
    "too-early PyErr_SetExcFromWindowsErr 3.2-3.6 windows",
    "too-early PyErr_SetExcFromWindowsErrWithFilename 3.2-3.6 windows",
    "too-early PyErr_SetExcFromWindowsErrWithFilenameObject 3.2-3.6 windows",
    "too-early PyErr_SetExcFromWindowsErrWithFilenameObjects 3.4-3.6 windows",
    "too-early PyErr_SetFromWindowsErr 3.2-3.6 windows",
    "too-early PyErr_SetFromWindowsErrWithFilename 3.2-3.6 windows",
    "too-early PyExc_WindowsError 3.2-3.6 windows",
    "too-early PyUnicode_AsMBCSString 3.2-3.6 windows",
    "too-early PyUnicode_DecodeCodePageStateful 3.3-3.6 windows",
    "too-early PyUnicode_DecodeMBCS 3.2-3.6 windows",
    "too-early PyUnicode_DecodeMBCSStateful 3.2-3.6 windows",
    "too-early PyUnicode_EncodeCodePage 3.3-3.6 windows",
];

/// The parts of a tree `headers` reads on every platform.
const PARTS: [&str; 4] = ["Include", "Misc", "pyconfig.h", "PC"];

/// `--platform windows` on a tree without `PC/pyconfig.h` or
/// `PC/pyconfig.h.in` reads the built-in one, and says so in a note (text
/// and JSON); with the tree's own, no note.
#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn the_built_in_pc_pyconfig_is_named_when_read() {
    let test = "the_built_in_pc_pyconfig_is_named_when_read";
    let Some((_dir, tree)) = common::scratch_cpython(test, &PARTS[..3]) else {
        return;
    };
    let note = "note: windows: the tree has no PC/pyconfig.h or PC/pyconfig.h.in: its headers \
                are read with the built-in stand-in, CPython 3.13.15's PC/pyconfig.h.in \
                (src/view/profile/windows/pyconfig.h), which may differ from this release's\n";
    for platform in ["windows", "all"] {
        let run = common::stable_abi(&tree, &["headers", "--platform", platform]);
        let stdout = common::stdout(&run);
        assert!(stdout.starts_with(note), "{platform}: {stdout}");
        assert_eq!(stdout.matches("note: windows: the tree").count(), 1);
    }
    let json = common::stable_abi(
        &tree,
        &["headers", "--platform", "windows", "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        report["notes"][0].as_str().unwrap(),
        note.strip_prefix("note: ").unwrap().trim_end()
    );
    // Linux's view reads configure's pyconfig.h: no note.
    let linux = common::stable_abi(&tree, &["headers"]);
    assert!(!common::stdout(&linux).contains("stand-in"));

    let Some((_dir, tree)) = common::scratch_cpython(test, &PARTS) else {
        return;
    };
    let run = common::stable_abi(&tree, &["headers", "--platform", "windows"]);
    assert!(!common::stdout(&run).contains("stand-in"));
    let json = common::stable_abi(
        &tree,
        &["headers", "--platform", "windows", "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["notes"], serde_json::json!([]));
}

/// The lines of a baseline file that name platforms.
fn platform_lines(baseline: &str) -> Vec<&str> {
    baseline
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| line.split_whitespace().count() > 3 && !line.ends_with(" abi3t"))
        .collect()
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn windows_findings_of_3_13_15_are_pinned() {
    let Some((dir, tree)) = common::scratch_cpython("windows_findings", &PARTS) else {
        return;
    };
    let baseline = dir.path().join("baseline.txt");
    let path = baseline.to_str().unwrap();
    let args = ["headers", "--platform", "all", "--write-baseline", path];
    let written = common::stable_abi(&tree, &args);
    assert_eq!(
        written.status.code(),
        Some(0),
        "{}",
        common::stderr(&written)
    );
    let text = std::fs::read_to_string(&baseline).unwrap();
    assert_eq!(platform_lines(&text), WINDOWS_ONLY);

    // The findings every platform shows are those of Linux alone: the
    // baseline without its Windows lines is the Linux baseline.
    let linux_path = dir.path().join("linux.txt");
    let linux_arg = linux_path.to_str().unwrap();
    let linux = common::stable_abi(&tree, &["headers", "--write-baseline", linux_arg]);
    assert_eq!(linux.status.code(), Some(0));
    let linux_text = std::fs::read_to_string(&linux_path).unwrap();
    let shared: Vec<&str> = text.lines().filter(|l| !l.ends_with(" windows")).collect();
    let shared = shared.join("\n") + "\n";
    assert_eq!(
        shared,
        linux_text.replace(" [abi3t]\n", " [abi3t] [PLATFORM,...]\n")
    );

    // The baseline accepts every platform's findings, and a run on Linux
    // alone neither fails nor calls the Windows lines stale. (The one note
    // left, that `PY_HAVE_THREAD_NATIVE_ID` cannot be toggled, every
    // platform shows.)
    for platform in ["all", "linux", "windows", "macos"] {
        let args = ["headers", "--platform", platform, "--baseline", path];
        let run = common::stable_abi(&tree, &args);
        let stdout = common::stdout(&run);
        assert_eq!(run.status.code(), Some(0), "{platform}: {stdout}");
        // What is left is the one note of every run of this tree.
        assert!(!stdout.contains("stale-baseline"), "{platform}: {stdout}");
        assert!(stdout.ends_with("\n1 note(s)\n"), "{platform}: {stdout}");
    }
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn a_finding_of_one_platform_names_it() {
    let Some((_dir, tree)) = common::scratch_cpython("finding_names_platform", &PARTS) else {
        return;
    };
    let all = common::stable_abi(&tree, &["headers", "--platform", "all"]);
    let text = common::stdout(&all);
    let finding = text
        .split("\nInclude/")
        .find(|f| f.starts_with("pyerrors.h:197:24: error: PyErr_SetFromWindowsErr is declared"))
        .expect("the finding");
    assert!(
        finding.contains("\n    note: only on windows (not on linux and macos)"),
        "{finding}"
    );
    let json = common::stable_abi(&tree, &["headers", "--platform", "all", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let named: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["name"] == "PyErr_SetFromWindowsErr")
        .collect();
    assert_eq!(named.len(), 1);
    assert_eq!(named[0]["platforms"], serde_json::json!(["windows"]));
    // A finding of every platform names none.
    let everywhere = findings
        .iter()
        .find(|f| f["name"] == "PyEval_GetFrameBuiltins")
        .unwrap();
    assert!(everywhere.get("platforms").is_none(), "{everywhere}");
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn linux_is_the_default_and_the_same_as_before() {
    let Some((_dir, tree)) = common::scratch_cpython("linux_default", &PARTS) else {
        return;
    };
    for format in ["text", "json"] {
        let default = common::stable_abi(&tree, &["headers", "--format", format]);
        let linux = common::stable_abi(
            &tree,
            &["headers", "--platform", "linux", "--format", format],
        );
        assert_eq!(default.stdout, linux.stdout, "{format}");
        assert!(!common::stdout(&default).contains("platforms"), "{format}");
        assert!(!common::stdout(&default).contains("only on"), "{format}");
    }
}

/// The header side and the binary side agree on which feature macros each
/// platform defines: what each platform's view of the headers defines is
/// what `library` and `audit` assume for its binaries
/// (`binary::platform::PLATFORM_TABLE`), macro by macro.
#[test]
#[cfg_attr(
    not(cpython_tree),
    ignore = "needs a CPython tree (../shared/cpython/3.13.15 or $STABLE_ABI_CPYTHON)"
)]
fn each_platforms_view_defines_the_feature_macros_its_binaries_assume() {
    use stable_abi::binary::platform::{Platform as Binary, PLATFORM_TABLE};
    use stable_abi::platform::Platform;
    use stable_abi::view::{Defines, Headers};
    for tree in common::generation_trees("feature_macros_agree") {
        let headers = Headers::load(&tree, &Defines::default()).unwrap();
        for (platform, binary) in [
            (Platform::Linux, Binary::Linux),
            (Platform::Windows, Binary::Windows),
            (Platform::Macos, Binary::Apple),
        ] {
            let headers = headers.with_platform(platform);
            let version = headers.python_version();
            let view = headers.view(Some(version), &Defines::default()).unwrap();
            for rule in PLATFORM_TABLE {
                assert_eq!(
                    view.macros.contains_key(rule.name),
                    rule.platforms.contains(&binary),
                    "{platform} {}: {}",
                    rule.name,
                    rule.source
                );
            }
        }
    }
}
