//! `stable-abi audit`: extensions built here with the C compiler against the
//! shared tree's headers, packed into wheels.

mod cc;
mod common;

use std::path::{Path, PathBuf};

use common::{stable_abi, stderr, stdout};

const CLEAN: &str = "#include <Python.h>\n\
    static struct PyModuleDef spam = {PyModuleDef_HEAD_INIT, \"spam\", NULL, -1, NULL};\n\
    PyMODINIT_FUNC PyInit_spam(void) { PyObject *m = PyModule_Create(&spam);\n\
      PyModule_AddObject(m, \"answer\", PyLong_FromLong(42)); return m; }\n";

const NON_LIMITED: &str = "#include <Python.h>\n\
    PyObject *make(void) { return PyUnicode_New(3, 127); }\n";

const USES_3_11: &str = "#include <Python.h>\n\
    PyObject *name_of(PyTypeObject *t) { return PyType_GetName(t); }\n";

/// The built extensions, or `None` (skipped) without a tree or compiler.
struct Built {
    dir: tempfile::TempDir,
    clean: PathBuf,
    non_limited: PathBuf,
    uses_3_11: PathBuf,
}

fn build(test: &str) -> Option<Built> {
    let tree = common::reference_tree(test)?;
    let cc = cc::compiler(test)?;
    let dir = tempfile::tempdir().unwrap();
    let includes = cc::python_includes(&tree);
    let with = |extra: &str| -> Vec<String> {
        let mut flags = includes.clone();
        if !extra.is_empty() {
            flags.push(extra.to_string());
        }
        flags
    };
    let compile = |name: &str, source: &str, flags: Vec<String>| {
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        cc::shared_object(&cc, dir.path(), name, source, &flags)
    };
    let clean = compile("clean.abi3.so", CLEAN, with("-DPy_LIMITED_API=0x03080000"));
    let non_limited = compile("nonlimited.abi3.so", NON_LIMITED, with(""));
    let uses_3_11 = compile(
        "new311.abi3.so",
        USES_3_11,
        with("-DPy_LIMITED_API=0x030B0000"),
    );
    Some(Built {
        dir,
        clean,
        non_limited,
        uses_3_11,
    })
}

fn wheel_of(dir: &Path, filename: &str, tag: Option<&str>, extension: &Path) -> PathBuf {
    let path = dir.join(filename);
    let member = format!("spam/{}", extension.file_name().unwrap().to_string_lossy());
    cc::wheel(&path, tag, &[(&member, std::fs::read(extension).unwrap())]);
    path
}

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| panic!("{err}: {}", stdout(output)))
}

fn audit(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    stable_abi(dir, &all)
}

#[test]
#[cfg_attr(
    not(all(reference_tree, c_compiler)),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15 and a C compiler"
)]
fn a_clean_abi3_wheel_passes() {
    let Some(built) = build("a_clean_abi3_wheel_passes") else {
        return;
    };
    let wheel = wheel_of(
        built.dir.path(),
        "spam-1.0-cp38-abi3-linux_x86_64.whl",
        Some("cp38-abi3-linux_x86_64"),
        &built.clean,
    );
    let output = audit(built.dir.path(), &[wheel.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    // A clean wheel is one line, then the summary.
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.starts_with(&format!(
            "{}: ok: 1 extension judged as abi3 for Python 3.8+\n",
            wheel.display()
        )),
        "{text}"
    );
    assert!(
        text.ends_with(
            "1 extension in 1 input: 1 clean, 0 failed, 0 unreadable, 0 inputs not audited\n"
        ),
        "{text}"
    );
    // --verbose: the target, the extension and the platform assumed, which
    // the ELF file does not name and the wheel's platform tag does.
    let output = audit(built.dir.path(), &["--verbose", wheel.to_str().unwrap()]);
    let text = stdout(&output);
    assert!(
        text.contains("target Python 3.8 (from the wheel tag)"),
        "{text}"
    );
    assert!(
        text.contains("spam/clean.abi3.so: judged as abi3; "),
        "{text}"
    );
    assert!(text.contains(", ok\n"), "{text}");
    assert!(
        text.contains("note: platform Linux (from the wheel's platform tag linux_x86_64)"),
        "{text}"
    );
    let report = json(&audit(
        built.dir.path(),
        &["--format", "json", wheel.to_str().unwrap()],
    ));
    let extension = &report["inputs"][0]["extensions"][0];
    assert!(
        extension["python_symbols"].as_u64().unwrap() >= 3,
        "{extension}"
    );
    assert_eq!(extension["problems"], 0);
    assert_eq!(report["findings"], serde_json::json!([]));

    // Named for one CPython version inside an abi3 wheel: only that version
    // imports it (tests/audit_file_names.rs).
    let named = built
        .dir
        .path()
        .join("named-1.0-cp38-abi3-linux_x86_64.whl");
    let bytes = std::fs::read(&built.clean).unwrap();
    cc::wheel(
        &named,
        None,
        &[("spam/_spam.cpython-311-x86_64-linux-gnu.so", bytes)],
    );
    let output = audit(built.dir.path(), &[named.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(
        stdout(&output).contains(
            "error: abi3: only CPython 3.11 imports `NAME.cpython-311-x86_64-linux-gnu.so`, \
             not all of Python 3.8+"
        ),
        "{}",
        stdout(&output)
    );
}

#[test]
#[cfg_attr(
    not(all(reference_tree, c_compiler)),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15 and a C compiler"
)]
fn a_non_limited_function_is_a_violation() {
    let Some(built) = build("a_non_limited_function_is_a_violation") else {
        return;
    };
    let wheel = wheel_of(
        built.dir.path(),
        "spam-1.0-cp38-abi3-linux_x86_64.whl",
        None,
        &built.non_limited,
    );
    let output = audit(
        built.dir.path(),
        &["--format", "json", wheel.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(findings_of(&report, "not-stable-abi"), ["PyUnicode_New"]);
    let path = report["findings"][0]["path"].as_str().unwrap();
    let extension = built.non_limited.file_name().unwrap().to_string_lossy();
    assert!(path.ends_with(&format!(".whl/spam/{extension}")), "{path}");
    let text = stdout(&audit(built.dir.path(), &[wheel.to_str().unwrap()]));
    assert!(
        text.contains("error: PyUnicode_New is not in the Stable ABI"),
        "{text}"
    );
}

#[test]
#[cfg_attr(
    not(all(reference_tree, c_compiler)),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15 and a C compiler"
)]
fn a_3_11_function_in_a_cp38_wheel_is_a_version_mismatch() {
    let Some(built) = build("a_3_11_function_in_a_cp38_wheel_is_a_version_mismatch") else {
        return;
    };
    let dir = built.dir.path();
    let cp38 = wheel_of(
        dir,
        "spam-1.0-cp38-abi3-linux_x86_64.whl",
        None,
        &built.uses_3_11,
    );
    let output = audit(dir, &["--format", "json", cp38.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(findings_of(&report, "version-mismatch"), ["PyType_GetName"]);
    assert!(report["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("needs Python 3.11"));
    assert_eq!(report["inputs"][0]["target"], "3.8");
    let text = stdout(&audit(dir, &[cp38.to_str().unwrap()]));
    assert!(
        text.contains("PyType_GetName needs Python 3.11 (the target is 3.8)"),
        "{text}"
    );

    // Tagged for 3.11, the same extension is fine; the WHEEL file's tag is
    // used when the file name has none.
    let renamed = wheel_of(
        dir,
        "spam.whl",
        Some("cp311-abi3-linux_x86_64"),
        &built.uses_3_11,
    );
    let output = audit(dir, &[renamed.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));

    // A bare extension: --target, with the manifest's location in the note.
    let tree = common::reference_tree("mismatch").unwrap();
    let manifest = tree.join("Misc/stable_abi.toml");
    let ext = built.uses_3_11.to_str().unwrap();
    let output = audit(
        dir,
        &[
            "--target",
            "3.10",
            "--manifest",
            manifest.to_str().unwrap(),
            ext,
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("stable_abi.toml:"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        audit(dir, &["--target", "3.11", ext]).status.code(),
        Some(0)
    );
    // Without a tag or --target, the target is 3.2.
    let output = audit(dir, &["--verbose", built.clean.to_str().unwrap()]);
    assert!(
        stdout(&output).contains("target Python 3.2 (the default)"),
        "{}",
        stdout(&output)
    );
}

#[test]
#[cfg_attr(
    not(all(reference_tree, c_compiler)),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15 and a C compiler"
)]
fn a_non_abi3_wheel_is_reported_not_audited() {
    let Some(built) = build("a_non_abi3_wheel_is_reported_not_audited") else {
        return;
    };
    let wheel = wheel_of(
        built.dir.path(),
        "spam-1.0-cp311-cp311-linux_x86_64.whl",
        None,
        &built.non_limited,
    );
    let output = audit(built.dir.path(), &[wheel.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("neither abi3 nor abi3t: not audited"),
        "{}",
        stdout(&output)
    );
}

#[test]
#[cfg_attr(
    not(all(reference_tree, c_compiler)),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15 and a C compiler"
)]
fn linking_a_version_specific_libpython_is_flagged() {
    let Some(built) = build("linking_a_version_specific_libpython_is_flagged") else {
        return;
    };
    let tree = common::reference_tree("linking").unwrap();
    let cc = cc::compiler("linking").unwrap();
    let mut flags = cc::python_includes(&tree);
    flags.push("-DPy_LIMITED_API=0x03080000".into());
    flags.push(format!("-L{}", tree.join("lib").display()));
    flags.push("-l:libpython3.13.so.1.0".into());
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let linked = cc::shared_object(&cc, built.dir.path(), "linked.abi3.so", CLEAN, &flags);
    let output = audit(
        built.dir.path(),
        &["--format", "json", linked.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(
        findings_of(&report, "version-specific-libpython"),
        ["libpython3.13.so.1.0"]
    );
    assert!(report["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("only Python 3.13"));
}

#[test]
#[cfg_attr(
    not(all(reference_tree, c_compiler)),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15 and a C compiler"
)]
fn a_directory_of_wheels_is_audited_whole() {
    let Some(built) = build("a_directory_of_wheels_is_audited_whole") else {
        return;
    };
    let wheels = built.dir.path().join("dist/nested");
    std::fs::create_dir_all(&wheels).unwrap();
    wheel_of(
        &wheels,
        "a-1.0-cp38-abi3-linux_x86_64.whl",
        None,
        &built.clean,
    );
    wheel_of(
        &wheels,
        "b-1.0-cp38-abi3-linux_x86_64.whl",
        None,
        &built.uses_3_11,
    );
    wheel_of(
        &wheels,
        "c-1.0-cp38-abi3-linux_x86_64.whl",
        None,
        &built.non_limited,
    );
    std::fs::write(wheels.join("README.txt"), "not audited").unwrap();
    let output = audit(built.dir.path(), &["--format", "json", "dist"]);
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(report["summary"]["inputs"], 3);
    assert_eq!(report["summary"]["clean"], 1);
    assert_eq!(report["summary"]["failed"], 2);
    let first = report["inputs"][0]["path"].as_str().unwrap();
    assert!(
        first.ends_with("a-1.0-cp38-abi3-linux_x86_64.whl"),
        "{first}"
    );
}

#[test]
#[cfg_attr(
    not(all(reference_tree, c_compiler)),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15 and a C compiler"
)]
fn corrupt_inputs_are_clear_errors_and_empty_wheels_are_notes() {
    let Some(built) = build("corrupt_inputs_are_clear_errors") else {
        return;
    };
    let dir = built.dir.path();
    std::fs::write(
        dir.join("broken-1.0-cp38-abi3-any.whl"),
        b"PK\x03\x04garbage",
    )
    .unwrap();
    let clean = std::fs::read(&built.clean).unwrap();
    std::fs::write(dir.join("truncated.abi3.so"), &clean[..clean.len() / 3]).unwrap();
    std::fs::write(dir.join("text.so"), "hello\n").unwrap();
    cc::wheel(&dir.join("pure-1.0-cp38-abi3-any.whl"), None, &[]);
    cc::wheel(
        &dir.join("bad-1.0-cp38-abi3-any.whl"),
        None,
        &[("spam/bad.abi3.so", clean[..200].to_vec())],
    );

    for (file, message) in [
        (
            "broken-1.0-cp38-abi3-any.whl",
            "broken-1.0-cp38-abi3-any.whl: error: not a valid wheel (zip)",
        ),
        (
            "truncated.abi3.so",
            "truncated.abi3.so: error: truncated or corrupt ELF file",
        ),
        ("text.so", "text.so: error: not an object file"),
        (
            "bad-1.0-cp38-abi3-any.whl",
            "bad-1.0-cp38-abi3-any.whl: spam/bad.abi3.so: error: truncated or corrupt ELF",
        ),
        ("absent.whl", "absent.whl: error: cannot read"),
    ] {
        let output = audit(dir, &[file]);
        assert_eq!(output.status.code(), Some(2), "{file}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(message),
            "{file}: {}",
            stderr(&output)
        );
        assert!(!stderr(&output).contains("panicked"), "{file}");
    }

    // A wheel with no extension is a note; alone, nothing was audited.
    let pure = dir.join("pure-1.0-cp38-abi3-any.whl");
    let output = audit(dir, &[pure.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stdout(&output).contains("note: no extension module in this wheel"),
        "{}",
        stdout(&output)
    );
    assert!(
        stderr(&output).contains("no extension module found"),
        "{}",
        stderr(&output)
    );
    let good = wheel_of(dir, "good-1.0-cp38-abi3-any.whl", None, &built.clean);
    let output = audit(dir, &[pure.to_str().unwrap(), good.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn the_builtin_table_is_what_the_refresh_writes() {
    let Some(tree) = common::abi3t_tree("the_builtin_table_is_what_the_refresh_writes") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("table.toml");
    let manifest = tree.join("Misc/stable_abi.toml");
    let additions =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/binary/stable_abi_additions.toml");
    let output = audit(
        dir.path(),
        &[
            "--manifest",
            manifest.to_str().unwrap(),
            "--additions",
            additions.to_str().unwrap(),
            "--write-table",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let committed = include_str!("../src/binary/stable_abi_table.toml");
    assert!(
        std::fs::read_to_string(&out).unwrap() == committed,
        "src/binary/stable_abi_table.toml is stale: refresh it with \
         `stable-abi audit --manifest {} --additions src/binary/stable_abi_additions.toml \
         --write-table src/binary/stable_abi_table.toml`",
        manifest.display()
    );
}

/// The names of the findings with code `check` in a JSON report.
fn findings_of(report: &serde_json::Value, check: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["check"] == check)
        .map(|finding| finding["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
#[cfg_attr(
    not(all(reference_tree, c_compiler)),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15 and a C compiler"
)]
fn a_violation_beside_an_unreadable_input_exits_2_and_is_still_reported() {
    let test = "a_violation_beside_an_unreadable_input_exits_2_and_is_still_reported";
    let Some(built) = build(test) else {
        return;
    };
    let garbage = built.dir.path().join("garbage.abi3.so");
    std::fs::write(&garbage, b"not an object file").unwrap();
    let output = audit(
        built.dir.path(),
        &[
            built.non_limited.to_str().unwrap(),
            garbage.to_str().unwrap(),
        ],
    );
    // 2 wins over 1, as `audit --help` and the README say.
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("PyUnicode_New"),
        "{}",
        stdout(&output)
    );
    let help = stdout(&stable_abi(built.dir.path(), &["audit", "--help"]));
    assert!(
        help.replace('\n', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("With both a violation and an unreadable input, 2"),
        "{help}"
    );
}
