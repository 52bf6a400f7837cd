//! Windows binaries: a `python3.dll`-style DLL whose exports are forwarders,
//! and `.pyd` extensions importing from `python3.dll` or `python3N.dll`,
//! written in the test with the `object` crate's PE writer.

mod cc;
mod common;
mod objects;

use common::{stable_abi, stderr, stdout};
use objects::pe_dll;
use stable_abi::binary::{read_binary, BinaryFormat};

#[test]
fn forwarded_exports_count_as_exports() {
    let dll = pe_dll(
        "python3.dll",
        &[
            ("PyLong_FromLong", Some("python313.PyLong_FromLong")),
            ("Py_Initialize", None),
        ],
        &[("python313.dll", &["PyLong_FromLong"])],
    );
    let binary = read_binary(&dll).unwrap();
    assert_eq!(binary.format, BinaryFormat::Pe);
    assert_eq!(
        binary.exports.iter().collect::<Vec<_>>(),
        ["PyLong_FromLong", "Py_Initialize"]
    );
    assert!(binary.needed.contains("python313.dll"));
}

const MANIFEST: &str = "\
[feature_macro.MS_WINDOWS]
    doc = 'on Windows'
    windows = true
[feature_macro.HAVE_FORK]
    doc = 'on platforms with fork()'
[function.PyLong_FromLong]
    added = '3.2'
[function.PyErr_SetFromWindowsErr]
    added = '3.7'
    ifdef = 'MS_WINDOWS'
[function.PyOS_AfterFork_Child]
    added = '3.7'
    ifdef = 'HAVE_FORK'
";

#[test]
fn a_dll_is_checked_with_the_windows_feature_macros() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("manifest.toml"), MANIFEST).unwrap();
    let dll = pe_dll(
        "python3.dll",
        &[("PyLong_FromLong", Some("python313.PyLong_FromLong"))],
        &[],
    );
    std::fs::write(dir.path().join("python3.dll"), dll).unwrap();
    let output = stable_abi(
        dir.path(),
        &["library", "--manifest", "manifest.toml", "python3.dll"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    // MS_WINDOWS is defined on Windows, HAVE_FORK is not.
    let text = stdout(&output);
    assert!(
        text.contains("PyErr_SetFromWindowsErr (added in 3.7) is not exported"),
        "{text}"
    );
    assert!(!text.contains("PyOS_AfterFork_Child"), "{text}");
}

#[test]
fn a_pyd_importing_from_python3n_dll_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let pinned = pe_dll(
        "spam.pyd",
        &[("PyInit_spam", None)],
        &[("python311.dll", &["PyLong_FromLong", "PyUnicode_New"])],
    );
    let stable = pe_dll(
        "ham.pyd",
        &[("PyInit_ham", None)],
        &[
            ("python3.dll", &["PyLong_FromLong"]),
            ("KERNEL32.dll", &["GetLastError"]),
        ],
    );
    std::fs::write(dir.path().join("spam.pyd"), pinned).unwrap();
    std::fs::write(dir.path().join("ham.pyd"), stable).unwrap();

    let output = stable_abi(dir.path(), &["audit", "--format", "json", "spam.pyd"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let extension = &report["inputs"][0]["extensions"][0];
    let codes: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["check"].as_str().unwrap(), f["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("not-stable-abi", "PyUnicode_New"),
            ("version-specific-libpython", "python311.dll")
        ]
    );
    assert_eq!(extension["problems"], 2);
    assert_eq!(extension["python_symbols"], 2);

    let output = stable_abi(dir.path(), &["audit", "ham.pyd"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));

    // Imported only by ordinal: still linked to that one Python.
    let by_ordinal = pe_dll(
        "eggs.pyd",
        &[("PyInit_eggs", None)],
        &[("python312.dll", &["#17"])],
    );
    std::fs::write(dir.path().join("eggs.pyd"), by_ordinal).unwrap();
    let output = stable_abi(dir.path(), &["audit", "eggs.pyd"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("linked to python312.dll, which only Python 3.12 has"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn mutated_dlls_are_errors_or_results_never_panics() {
    let dll = pe_dll(
        "python3.dll",
        &[
            ("PyLong_FromLong", Some("python313.PyLong_FromLong")),
            ("Py_Initialize", None),
        ],
        &[("python313.dll", &["PyLong_FromLong", "#3"])],
    );
    assert!(read_binary(&dll).is_ok(), "the whole DLL reads");
    let (mut read, mut rejected) = (0, 0);
    for position in 0..dll.len() {
        for value in [0x00, 0xff, 0x7f] {
            let mut mutated = dll.clone();
            mutated[position] = value;
            match read_binary(&mutated) {
                Ok(_) => read += 1,
                Err(_) => rejected += 1,
            }
        }
    }
    // Both outcomes occur, or the mutations explored nothing.
    assert!(read > 0 && rejected > 0, "{read} read, {rejected} rejected");
    let truncated_errors = (0..dll.len())
        .filter(|&len| read_binary(&dll[..len]).is_err())
        .count();
    assert!(truncated_errors > 0);
}

/// `check message` of the findings of an audit's JSON of one `severity`.
fn problem_checks(report: &serde_json::Value, severity: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["severity"] == severity)
        .map(|p| format!("{} {}", p["check"].as_str().unwrap(), p["message"]))
        .collect()
}

#[test]
fn windows_dll_per_abi_and_platform_feature_macros() {
    let dir = tempfile::tempdir().unwrap();
    let audit = |file: &str, pyd: Vec<u8>| {
        std::fs::write(dir.path().join(file), pyd).unwrap();
        // 3.7: the newest `added` of the items imported below.
        let args = ["audit", "--format", "json", "--target", "3.7", file];
        let output = stable_abi(dir.path(), &args);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        (output.status.code(), report)
    };
    // An abi3 .pyd (judged as abi3 outside a wheel) for 3.7 linking
    // python3t.dll, which GIL-enabled installs ship only from 3.15
    // (gh-148690), or the debug python3_d.dll: both wrong.
    for dll in ["python3t.dll", "python3_d.dll"] {
        let pyd = pe_dll(
            "spam.pyd",
            &[("PyInit_spam", None)],
            &[(dll, &["PyLong_FromLong"])],
        );
        let (code, report) = audit("spam.pyd", pyd);
        assert_eq!(code, Some(1), "{report}");
        let problems = problem_checks(&report, "error");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("wrong-python-dll"), "{problems:?}");
        assert!(problems[0].contains("link python3.dll"), "{problems:?}");
    }
    // From 3.15 on, an abi3 claim may link python3t.dll: GIL-enabled 3.15+
    // installs ship it.
    let pyd = pe_dll(
        "spam.pyd",
        &[("PyInit_spam", None)],
        &[("python3t.dll", &["PyLong_FromLong"])],
    );
    std::fs::write(dir.path().join("spam.pyd"), pyd).unwrap();
    let output = stable_abi(
        dir.path(),
        &["audit", "--format", "json", "--target", "3.15", "spam.pyd"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    // A HAVE_FORK item (not `windows = true`) is not on Windows; an
    // MS_WINDOWS one is.
    let pyd = pe_dll(
        "fork.pyd",
        &[("PyInit_fork", None)],
        &[(
            "python3.dll",
            &["PyOS_AfterFork_Child", "PyErr_SetFromWindowsErr"],
        )],
    );
    let (code, report) = audit("fork.pyd", pyd);
    assert_eq!(code, Some(1), "{report}");
    let problems = problem_checks(&report, "error");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("not-on-platform")
            && problems[0].contains("PyOS_AfterFork_Child")
            && problems[0].contains("HAVE_FORK"),
        "{problems:?}"
    );
    // A module exporting a Py name of its own gets a warning, not a failure.
    let pyd = pe_dll(
        "own.pyd",
        &[("PyInit_own", None), ("PyOwn_Helper", None)],
        &[("python3.dll", &["PyLong_FromLong"])],
    );
    let (code, report) = audit("own.pyd", pyd);
    assert_eq!(code, Some(0), "{report}");
    let warnings = problem_checks(&report, "warning");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("own-python-symbol") && warnings[0].contains("PyOwn_Helper"));
    assert!(!warnings[0].contains("PyInit_own"), "{warnings:?}");
}

#[test]
fn an_abi3_abi3t_wheel_links_python3t_dll() {
    // One .pyd for both builds of 3.15+: python3t.dll, which free-threaded
    // installs ship and GIL-enabled ones ship from 3.15 (gh-148690, PR
    // gh-149218); python3.dll is missing from free-threaded installs.
    let dir = tempfile::tempdir().unwrap();
    for (dll, code, problems) in [
        ("python3t.dll", 0, vec![]),
        ("python3.dll", 1, vec!["wrong-python-dll abi3t"]),
    ] {
        let pyd = pe_dll(
            "spam.pyd",
            &[("PyModExport_spam", None)],
            &[(dll, &["PyLong_FromLong"])],
        );
        let wheel = dir.path().join("spam-1.0-cp315-abi3.abi3t-win_amd64.whl");
        cc::wheel(
            &wheel,
            Some("cp315-abi3.abi3t-win_amd64"),
            &[("spam/spam.pyd", pyd)],
        );
        let output = stable_abi(
            dir.path(),
            &["audit", "--format", "json", wheel.to_str().unwrap()],
        );
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(output.status.code(), Some(code), "{report}");
        let found: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f["check"].as_str().unwrap(),
                    f["abi"].as_str().unwrap_or("-")
                )
            })
            .collect();
        assert_eq!(found, problems, "{dll}: {report}");
    }
}

#[test]
fn a_bundled_dll_importing_python_symbols_is_audited_as_a_library() {
    // delvewheel grafts the DLLs a .pyd needs into `pkg.libs/` with a hash
    // in their names; one that calls Python is audited as a library.
    let dir = tempfile::tempdir().unwrap();
    let pyd = pe_dll(
        "_spam.pyd",
        &[("PyInit__spam", None)],
        &[
            ("python3.dll", &["PyLong_FromLong"]),
            ("wlib-1a2b3c.dll", &["wlib_helper"]),
        ],
    );
    let wheel = dir.path().join("spam-1.0-cp38-abi3-win_amd64.whl");
    for (imports, code) in [(&["PyLong_FromLong"][..], 0), (&["PyMethod_Function"], 1)] {
        let wlib = pe_dll(
            "wlib-1a2b3c.dll",
            &[("wlib_helper", None)],
            &[
                ("python3.dll", imports),
                ("KERNEL32.dll", &["GetLastError"]),
            ],
        );
        cc::wheel(
            &wheel,
            Some("cp38-abi3-win_amd64"),
            &[
                ("spam/_spam.pyd", pyd.clone()),
                ("spam.libs/wlib-1a2b3c.dll", wlib),
            ],
        );
        let output = stable_abi(dir.path(), &["audit", wheel.to_str().unwrap()]);
        let text = stdout(&output);
        assert_eq!(
            output.status.code(),
            Some(code),
            "{text}{}",
            stderr(&output)
        );
        if code == 0 {
            assert!(
                text.contains(": ok: 1 extension and 1 library judged as abi3 for Python 3.8+\n"),
                "{text}"
            );
        } else {
            assert!(
                text.contains(
                    "  spam.libs/wlib-1a2b3c.dll (library): 1 Python symbol, 1 problem\n    \
                     error: PyMethod_Function is not in the Stable ABI [not-stable-abi]\n"
                ),
                "{text}"
            );
        }
    }
}
