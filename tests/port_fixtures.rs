//! Every code of `stable-abi port` on its own fixture, through the real path
//! (headers → views → the source's walk → findings → text), compared with a
//! snapshot.
//!
//! `tests/fixtures/port/tree/` is a CPython 3.15 tree in miniature (the
//! full API, versioned Limited API functions, structs the Limited API keeps
//! opaque, and abi3t's `Py_TARGET_ABI3T` hiding `PyObject` and
//! `PyModuleDef`). Each other folder is named after a code and holds
//! `source.c`, `args` (the command line's other arguments, one per line)
//! and `expected.snap`, the output of `stable-abi port source.c --cpython
//! ../tree ARGS` run in the folder (`cargo insta review` accepts a changed
//! one). A new code adds a folder; this driver finds it.

mod common;

use std::path::{Path, PathBuf};

use common::{stable_abi, stderr, stdout};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/port")
}

/// The output of `stable-abi port` on the fixture `dir`, and its exit
/// status.
fn run(dir: &Path) -> String {
    let extra = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
    let mut args = vec!["port", "source.c", "--cpython", "../tree"];
    args.extend(extra.lines().filter(|line| !line.is_empty()));
    common::snapshot_text(dir, &stable_abi(dir, &args))
}

fn code_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures/port")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("source.c").is_file())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_fixture_matches_its_snapshot() {
    let dirs = code_dirs();
    assert!(!dirs.is_empty());
    for dir in dirs {
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        let text = run(&dir);
        // Each fixture shows its own code, and only blockers of it.
        assert!(text.contains(&format!("[{code}]")), "{code}: {text}");
        for other in stable_abi::port::codes::CODES {
            if other.name != code {
                assert!(
                    !text.contains(&format!("[{}]", other.name)),
                    "{code}: {text}"
                );
            }
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(&dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_description(format!("stable-abi port in tests/fixtures/port/{code}"));
        settings.bind(|| insta::assert_snapshot!("expected", text));
    }
}

#[test]
fn every_port_code_has_a_fixture() {
    for code in stable_abi::codes::all() {
        if code.command == "port" {
            let dir = fixtures().join(code.name);
            assert!(
                dir.join("source.c").is_file(),
                "no fixture for `{}`: add {}/source.c",
                code.name,
                dir.display()
            );
        }
    }
}

#[test]
fn explain_prints_each_port_code() {
    for code in stable_abi::port::codes::CODES {
        let output = stable_abi(&fixtures(), &["explain", code.name]);
        assert_eq!(output.status.code(), Some(0));
        let text = stdout(&output);
        assert!(
            text.starts_with(&format!("{} (port): ", code.name)),
            "{text}"
        );
        assert!(
            text.contains("Why it matters") && text.contains("Example"),
            "{text}"
        );
    }
}

/// `stable-abi port ... --format json` in the fixture `dir`, parsed.
fn json(dir: &Path, source: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["port", source, "--cpython", "../tree", "--format", "json"];
    args.extend(extra);
    let output = stable_abi(dir, &args);
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}", stderr(&output)))
}

#[test]
fn the_json_report_is_machine_readable() {
    let document = json(
        &fixtures().join("full-api-only"),
        "source.c",
        &["--target", "3.10"],
    );
    assert_eq!(document["command"], "port");
    assert_eq!(document["abi"], "abi3");
    assert_eq!(document["minimum_version"], "3.7");
    assert_eq!(document["headers"]["version"], "3.15");
    assert_eq!(document["sources"][0]["target"], "3.10");
    assert_eq!(document["sources"][0]["target_from"], "--target");
    assert_eq!(document["summary"]["blockers"], 1);
    assert_eq!(document["summary"]["by_check"]["full-api-only"], 1);
    let blocker = &document["abis"]["abi3"]["names"][0];
    assert_eq!(blocker["name"], "PyUnicode_GET_LENGTH");
    assert_eq!(blocker["check"], "full-api-only");
    assert_eq!(blocker["uses"], 1);
    assert_eq!(blocker["replacement"], "PyUnicode_GetLength(s)");
    assert_eq!(blocker["version"], "3.7");
    assert!(blocker["source"]
        .as_str()
        .unwrap()
        .starts_with("https://docs.python.org/"));
    // The other ABI is summarized too.
    assert_eq!(document["abis"]["abi3t"]["minimum_version"], "3.15");
    assert_eq!(document["findings"][0]["abi"], "abi3");
}

#[test]
fn without_a_target_the_oldest_version_the_names_allow_is_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    let tree = fixtures().join("tree");
    std::fs::write(
        dir.path().join("src/mod.c"),
        "#include \"Python.h\"\n\
         PyObject *f(PyTypeObject *tp) { return PyType_GetName(tp); }\n",
    )
    .unwrap();
    let output = stable_abi(
        dir.path(),
        &[
            "port",
            "src",
            "--cpython",
            tree.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["sources"][0]["target"], "3.11");
    assert_eq!(
        document["sources"][0]["target_from"],
        "the oldest version its names allow"
    );
    assert_eq!(document["minimum_version"], "3.11");
    assert_eq!(document["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn sarif_has_the_port_codes_as_rules() {
    let dir = fixtures().join("opaque-member");
    let output = stable_abi(
        &dir,
        &[
            "port",
            "source.c",
            "--cpython",
            "../tree",
            "--target",
            "3.10",
            "--format",
            "sarif",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "opaque-member");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["properties"]["command"], "port");
}
