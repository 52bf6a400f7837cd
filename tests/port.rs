//! `stable-abi port` on real sources: CPython's own Limited API modules
//! (`../shared/extensions/cpython-3.13.15-limited`) against the shared
//! trees, and the replacements' data against the headers of those trees.

mod common;

use std::path::{Path, PathBuf};

use common::{shared_tree, stable_abi, stderr, stdout};
use stable_abi::abi::Abi;
use stable_abi::manifest::Manifest;
use stable_abi::port::api::{Api, Status};
use stable_abi::port::replacements::Replacements;
use stable_abi::view::{Config, Headers};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn limited_sources(test: &str) -> Option<PathBuf> {
    common::shared_dir(test, "extensions/cpython-3.13.15-limited")
}

/// `stable-abi port ARGS --format json`, parsed.
fn port_json(args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut all = vec!["port", "--format", "json"];
    all.extend(args);
    let output = stable_abi(repo(), &all);
    let document = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}{}", stdout(&output), stderr(&output)));
    (output.status.code(), document)
}

#[test]
fn cpythons_limited_modules_have_no_error_under_their_own_limited_api() {
    let test = "cpythons_limited_modules_have_no_error_under_their_own_limited_api";
    let Some(sources) = limited_sources(test) else {
        return;
    };
    for release in ["3.13.15", "3.15.2"] {
        let Some(tree) = shared_tree(test, release) else {
            return;
        };
        let (status, document) = port_json(&[
            sources.to_str().unwrap(),
            "--cpython",
            tree.to_str().unwrap(),
        ]);
        let errors: Vec<_> = document["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|finding| finding["severity"] == "error")
            .collect();
        assert!(errors.is_empty(), "{release}: {errors:#?}");
        assert_eq!(status, Some(0), "{release}");
        let judged = document["sources"].as_array().unwrap();
        assert_eq!(judged.len(), 23, "{release}");
        // Every one of them says its own Py_LIMITED_API, which is the target.
        for source in judged {
            assert!(
                source["target_from"]
                    .as_str()
                    .unwrap()
                    .starts_with("its #define at "),
                "{source}"
            );
        }
    }
}

#[test]
fn under_abi3t_every_static_module_definition_is_reported() {
    let test = "under_abi3t_every_static_module_definition_is_reported";
    let (Some(sources), Some(tree)) = (limited_sources(test), shared_tree(test, "3.15.2")) else {
        return;
    };
    let (status, document) = port_json(&[
        sources.to_str().unwrap(),
        "--cpython",
        tree.to_str().unwrap(),
        "--abi",
        "abi3t",
    ]);
    assert_eq!(status, Some(1));
    let findings = document["findings"].as_array().unwrap();
    let mut files = Vec::new();
    let mut pending = vec![sources.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "c") {
                files.push(path);
            }
        }
    }
    let mut checked = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let definitions = text.matches("static struct PyModuleDef ").count()
            + text.matches("static PyModuleDef ").count();
        let reported = findings
            .iter()
            .filter(|f| {
                f["check"] == "hidden-by-abi3t"
                    && f["name"] == "PyModuleDef"
                    && Path::new(f["path"].as_str().unwrap()) == file
            })
            .count();
        assert_eq!(reported, definitions, "{}", file.display());
        checked += definitions;
    }
    assert!(checked >= 15, "{checked} static module definitions");
}

/// The full API of `tree` (every public header) as port reads it.
fn api_of(tree: &Path) -> Api {
    let config = Config::default().for_extensions();
    let headers = Headers::load(tree, &config).unwrap();
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).unwrap();
    Api::build(&headers, &manifest).unwrap()
}

#[test]
fn every_replacement_names_what_the_headers_have() {
    let test = "every_replacement_names_what_the_headers_have";
    let (Some(old), Some(new)) = (shared_tree(test, "3.13.15"), shared_tree(test, "3.15.2")) else {
        return;
    };
    let (old, new) = (api_of(&old), api_of(&new));
    let newest = new.version;
    let known = |api: &Api, key: &str| match key.split_once('.') {
        Some((owner, member)) => api
            .owners(member, Abi::Abi3, &Status::FullOnly)
            .contains(&owner),
        None => api.name(key, Abi::Abi3, api.version) != Status::Unknown,
    };
    let data = Replacements::builtin();
    for (key, replacement) in data.iter() {
        assert!(
            known(&old, key) || known(&new, key),
            "{key}: no such name (or Struct.member) in the full API of 3.13.15 or 3.15.2"
        );
        for name in replacement.names() {
            let python = name.starts_with("Py") || name.starts_with("_Py");
            if !python {
                continue;
            }
            let limited = Abi::ALL
                .into_iter()
                .any(|abi| matches!(new.name(name, abi, newest), Status::Available { .. }));
            assert!(limited, "{key}: {name} is not in 3.15.2's Limited API");
        }
    }
}

#[test]
fn a_source_that_cannot_be_preprocessed_is_an_error_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.c"),
        "#include \"Python.h\"\n#include \"gone.h\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("good.c"),
        "#include \"Python.h\"\nint f(PyObject *s) { return PyUnicode_GET_LENGTH(s); }\n",
    )
    .unwrap();
    let tree = repo().join("tests/fixtures/port/tree");
    let output = stable_abi(
        dir.path(),
        &[
            "port",
            ".",
            "--cpython",
            tree.to_str().unwrap(),
            "--target",
            "3.10",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("bad.c:2:1: error: 'gone.h' file not found"),
        "{}",
        stderr(&output)
    );
    // The other source is reported all the same.
    assert!(
        stdout(&output).contains("good.c:2:29: error: PyUnicode_GET_LENGTH"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn bad_command_lines_are_usage_errors() {
    let tree = repo().join("tests/fixtures/port/tree");
    let source = repo().join("tests/fixtures/port/full-api-only/source.c");
    let run = |args: &[&str]| {
        let mut all = vec!["port", source.to_str().unwrap(), "--cpython"];
        all.extend(args);
        stable_abi(repo(), &all)
    };
    let too_new = run(&[tree.to_str().unwrap(), "--target", "3.16"]);
    assert_eq!(too_new.status.code(), Some(2));
    assert!(
        stderr(&too_new).contains("--target 3.16"),
        "{}",
        stderr(&too_new)
    );
    let early = run(&[tree.to_str().unwrap(), "--abi", "abi3t", "--target", "3.14"]);
    assert_eq!(early.status.code(), Some(2));
    let nowhere = run(&["/nonexistent"]);
    assert_eq!(nowhere.status.code(), Some(2));
    assert!(
        stderr(&nowhere).contains("neither a CPython tree"),
        "{}",
        stderr(&nowhere)
    );
}

#[test]
fn an_include_directory_serves_as_well_as_a_tree() {
    let tree = repo().join("tests/fixtures/port/tree");
    let source = repo().join("tests/fixtures/port/full-api-only/source.c");
    let include = tree.join("Include");
    let from_tree = port_json(&[
        source.to_str().unwrap(),
        "--cpython",
        tree.to_str().unwrap(),
        "--target",
        "3.10",
    ]);
    let from_include = port_json(&[
        source.to_str().unwrap(),
        "--cpython",
        include.to_str().unwrap(),
        "--target",
        "3.10",
    ]);
    assert_eq!(from_tree.0, Some(1));
    assert_eq!(from_tree.1["findings"], from_include.1["findings"]);
    assert_eq!(from_include.1["headers"]["version"], "3.15");
}

#[test]
fn audit_readiness_lists_what_a_binary_imports_outside_the_stable_abi() {
    let test = "audit_readiness_lists_what_a_binary_imports_outside_the_stable_abi";
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("spam.c");
    std::fs::write(
        &source,
        "void *PyUnicode_New(long, unsigned);\nvoid *PyType_GetName(void *);\n\
         void *PyLong_FromLong(long);\n\
         void *spam(void *t) { PyUnicode_New(1, 127); PyLong_FromLong(1); return PyType_GetName(t); }\n",
    )
    .unwrap();
    let module = dir.path().join("spam.cpython-313-x86_64-linux-gnu.so");
    let built = std::process::Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&module)
        .arg(&source)
        .status();
    if !built.is_ok_and(|status| status.success()) {
        common::skip::<()>(test, "no C compiler to build an extension with");
        return;
    }
    let output = stable_abi(repo(), &["audit", "--readiness", module.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("1 Python symbol(s) outside the Stable ABI, 2 in it: PyUnicode_New"),
        "{text}"
    );
    assert!(
        text.contains("Py_LIMITED_API 0x030b0000 (3.11), for PyType_GetName"),
        "{text}"
    );
    assert!(
        text.contains("macros, struct member access and static types"),
        "{text}"
    );
    let json = stable_abi(
        repo(),
        &[
            "audit",
            "--readiness",
            "--format",
            "json",
            module.to_str().unwrap(),
        ],
    );
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(document["readiness"][0]["outside"][0], "PyUnicode_New");
    assert_eq!(document["readiness"][0]["minimum_version"], "3.11");
    assert_eq!(document["findings"][0]["check"], "not-stable-abi");
}
