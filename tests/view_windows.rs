//! The Windows view (`--platform windows`) against a real Windows-targeting
//! preprocessor: MinGW-w64's gcc on `Python.h` with the tree's
//! `PC/pyconfig.h.in` as `pyconfig.h`, at every Limited API version
//! (`tests/oracle/windows/3.13.15/`, made from the shared 3.13.15 tree by
//! `tests/oracle/windows/make-oracle.py`; see its README).
//!
//! The view is MSVC's (`src/view/profile.rs` says why); MinGW's gcc takes
//! the `__GNUC__`/`__MINGW32__` branches instead of the `_MSC_VER` ones.
//! So the view is compared twice: with MinGW's predefined macros (`-D`/`-U`
//! on the Windows profile) it must agree with the oracle exactly; as MSVC
//! it must differ by the [`MSVC_ONLY`] and [`GCC_ONLY`] macros alone, each
//! of which the test finds defined under its compiler's condition.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use stable_abi::manifest::Manifest;
use stable_abi::platform::Platform;
use stable_abi::version::Version;
use stable_abi::view::{Config, Defines, Headers};

/// The oracle's files for the shared 3.13.15 tree.
fn oracle_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/windows/3.13.15")
}

/// Macros MSVC's view defines and MinGW's does not: `(name, file, the
/// condition of the `#if` around its `#define`)`.
const MSVC_ONLY: [(&str, &str, &str); 5] = [
    ("Py_NTDDI", "PC/pyconfig.h.in", "#ifdef _MSC_VER"),
    ("Py_WINVER", "PC/pyconfig.h.in", "#ifdef _MSC_VER"),
    ("_Py_PASTE_VERSION", "PC/pyconfig.h.in", "#ifdef _MSC_VER"),
    ("_Py_STRINGIZE", "PC/pyconfig.h.in", "#ifdef _MSC_VER"),
    ("_Py_STRINGIZE1", "PC/pyconfig.h.in", "#ifdef _MSC_VER"),
];

/// Macros MinGW's gcc defines and MSVC's view does not.
const GCC_ONLY: [(&str, &str, &str); 1] = [(
    "_Py_TYPEOF",
    "Include/pyport.h",
    "#if defined(__GNUC__) || defined(__clang__)",
)];

/// What MinGW-w64's gcc 12 predefines that the headers test, instead of
/// MSVC's `_MSC_VER` and `_M_X64` (`x86_64-w64-mingw32-gcc -dM -E -`).
fn mingw() -> Defines {
    let defines = [
        "__GNUC__=12",
        "__GNUC_MINOR__=2",
        "__MINGW32__",
        "__MINGW64__",
        "__STDC__",
        "__STDC_VERSION__=201710L",
        "__x86_64__",
    ];
    let undefines = ["_MSC_VER", "_M_X64", "_M_AMD64"];
    Defines::parse(&defines.map(String::from), &undefines.map(String::from)).unwrap()
}

/// Per version, the names only in the view and only in the oracle (of the
/// manifest's and the `Py`/`_Py` names, as `tests/view_oracle.rs`).
fn differences(headers: &Headers, manifest: &Manifest) -> Vec<String> {
    let relevant = |name: &String| {
        manifest.get(name).is_some() || name.starts_with("Py") || name.starts_with("_Py")
    };
    let mut problems = Vec::new();
    for version in Version::FIRST.up_to(headers.python_version()) {
        let view = headers
            .view(Some(version), &Defines::default())
            .unwrap_or_else(|err| panic!("{version}: {err:#}"));
        assert!(view.functions.len() > 500, "{version}: too few functions");
        let declared = view.functions.keys().chain(view.data.keys());
        let pairs: [(&str, Vec<String>); 2] = [
            ("declarations", declared.map(|n| n.to_string()).collect()),
            (
                "macros",
                view.macros.keys().map(|n| n.to_string()).collect(),
            ),
        ];
        for (what, ours) in pairs {
            let ours: BTreeSet<String> = ours.into_iter().filter(relevant).collect();
            let file = oracle_dir().join(format!("{what}-{version}.txt"));
            let oracle: BTreeSet<String> = common::names_in(&file)
                .into_iter()
                .filter(relevant)
                .collect();
            for name in ours.difference(&oracle) {
                problems.push(format!("{version} {what}: only in the view: {name}"));
            }
            for name in oracle.difference(&ours) {
                problems.push(format!("{version} {what}: only in the oracle: {name}"));
            }
        }
    }
    problems
}

fn windows_headers(tree: &Path, defines: Defines) -> Headers {
    let config = Config {
        platform: Platform::Windows,
        defines,
        ..Config::default()
    };
    Headers::load(tree, &config).expect("headers load")
}

#[test]
#[cfg_attr(not(shared_3_13_15), ignore = "needs ../shared/cpython/3.13.15")]
fn with_mingw_defines_the_view_is_the_oracle() {
    let Some(tree) = common::shared_tree("with_mingw_defines", common::REFERENCE_VERSION) else {
        return;
    };
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).unwrap();
    let headers = windows_headers(&tree, mingw());
    let problems = differences(&headers, &manifest);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
#[cfg_attr(not(shared_3_13_15), ignore = "needs ../shared/cpython/3.13.15")]
fn as_msvc_the_view_differs_by_the_compilers_branches_only() {
    let Some(tree) = common::shared_tree("as_msvc", common::REFERENCE_VERSION) else {
        return;
    };
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).unwrap();
    let headers = windows_headers(&tree, Defines::default());
    let mut expected = Vec::new();
    for version in Version::FIRST.up_to(headers.python_version()) {
        for (name, _, _) in MSVC_ONLY {
            expected.push(format!("{version} macros: only in the view: {name}"));
        }
        for (name, _, _) in GCC_ONLY {
            expected.push(format!("{version} macros: only in the oracle: {name}"));
        }
    }
    let mut problems = differences(&headers, &manifest);
    problems.sort();
    expected.sort();
    assert_eq!(problems, expected);
    // Each difference is explained: its `#define` is under its compiler's
    // condition.
    for (name, file, condition) in MSVC_ONLY.iter().chain(&GCC_ONLY) {
        let text = std::fs::read_to_string(tree.join(file)).unwrap();
        assert!(
            enclosing_conditions(&text, name).contains(&condition.to_string()),
            "{file}: `#define {name}` is not under `{condition}`"
        );
    }
}

/// The `#if` lines around the first `#define name` of `text`, innermost
/// first.
fn enclosing_conditions(text: &str, name: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let is_define = |line: &str| {
        let line = line.trim_start().trim_start_matches('#').trim_start();
        line.strip_prefix("define")
            .is_some_and(|rest| rest.trim_start().starts_with(name))
    };
    let Some(at) = lines.iter().position(|line| is_define(line)) else {
        return Vec::new();
    };
    let mut conditions = Vec::new();
    let mut depth = 0usize;
    for line in lines[..at].iter().rev() {
        let directive = line.trim_start();
        let Some(directive) = directive.strip_prefix('#') else {
            continue;
        };
        let directive = directive.trim_start();
        if directive.starts_with("endif") {
            depth += 1;
        } else if directive.starts_with("if") {
            if depth == 0 {
                conditions.push(format!("#{}", directive.trim_end()));
            } else {
                depth -= 1;
            }
        }
    }
    conditions
}

#[test]
#[cfg_attr(not(shared_3_13_15), ignore = "needs ../shared/cpython/3.13.15")]
fn a_tree_without_pc_reads_the_built_in_windows_configuration() {
    let Some(tree) = common::shared_tree("built_in_windows", common::REFERENCE_VERSION) else {
        return;
    };
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).unwrap();
    let (_scratch, copy) = common::scratch_copy(&tree, &["Include", "Misc"]);
    assert!(!copy.join("PC").exists());
    let problems = differences(&windows_headers(&copy, mingw()), &manifest);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
#[cfg_attr(
    not(cpython_tree),
    ignore = "needs a CPython tree (../shared/cpython/3.13.15 or $STABLE_ABI_CPYTHON)"
)]
fn every_version_of_every_tree_evaluates_on_every_platform() {
    for tree in common::generation_trees("every_platform_evaluates") {
        let headers = Headers::load(&tree, &Defines::default()).unwrap();
        for platform in Platform::ALL {
            let headers = headers.with_platform(platform);
            for version in Version::FIRST.up_to(headers.python_version()) {
                let view = headers
                    .view(Some(version), &Defines::default())
                    .unwrap_or_else(|err| panic!("{platform} {version}: {err:#}"));
                let windows = view.macros.contains_key("MS_WINDOWS");
                assert_eq!(windows, platform == Platform::Windows, "{platform}");
                let apple = view.macros.contains_key("PY_MACCONFIG_H");
                assert!(apple, "{platform}: pymacconfig.h is read everywhere");
            }
        }
    }
}

/// The committed oracle is what the script makes, when MinGW-w64's gcc
/// (Debian's `gcc-mingw-w64-x86-64`) and python3 are installed. Without
/// them the committed files stand (this test says so and returns, under
/// `CI=true` too: nothing else needs the cross compiler).
#[test]
#[cfg_attr(
    not(all(shared_3_13_15, mingw, python311)),
    ignore = "needs ../shared/cpython/3.13.15, MinGW-w64 and python3 >= 3.11"
)]
fn the_committed_oracle_is_what_the_script_makes() {
    let Some(tree) = common::shared_tree("committed_oracle", common::REFERENCE_VERSION) else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/windows/make-oracle.py");
    let status = Command::new("python3")
        .arg(&script)
        .arg(&tree)
        .arg(scratch.path())
        .status()
        .expect("python3 runs");
    assert!(status.success());
    for entry in std::fs::read_dir(oracle_dir()).unwrap() {
        let name = entry.unwrap().file_name();
        if name == "README" {
            continue;
        }
        let committed = std::fs::read_to_string(oracle_dir().join(&name)).unwrap();
        let made = std::fs::read_to_string(scratch.path().join(&name)).unwrap();
        assert_eq!(committed, made, "{name:?}");
    }
}
