//! `stable-abi port` on small sources against the real headers of
//! `../shared/cpython/{3.13.15,3.15.2}`: which version a name needs (read
//! from the headers at each version), what counts toward the summary's
//! minimum, the macros of limited headers that expand to the full API, the
//! replacements of private functions, and a missing file.

mod common;

use std::path::{Path, PathBuf};

use common::{shared_tree, stable_abi, stderr, stdout};
use stable_abi::abi::Abi;
use stable_abi::manifest::Manifest;
use stable_abi::port::api::{Api, Status};
use stable_abi::view::{Config, Headers};

/// `stable-abi port SOURCE --cpython TREE ARGS --format json` on `text`
/// written to a file of a new directory: the exit status and the document.
fn port_on(tree: &Path, text: &str, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let source: PathBuf = dir.path().join("m.c");
    std::fs::write(&source, text).unwrap();
    let mut all = vec![
        "port",
        "m.c",
        "--cpython",
        tree.to_str().unwrap(),
        "--format",
        "json",
    ];
    all.extend(args);
    let output = stable_abi(dir.path(), &all);
    let document = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}{}", stdout(&output), stderr(&output)));
    (output.status.code(), document)
}

/// The findings of `document` as (check, name, severity).
fn findings(document: &serde_json::Value) -> Vec<(String, String, String)> {
    document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let field = |key: &str| f[key].as_str().unwrap_or_default().to_string();
            (field("check"), field("name"), field("severity"))
        })
        .collect()
}

/// The summary's entry for the blocker `name` of `abi`.
fn blocker<'d>(document: &'d serde_json::Value, abi: &str, name: &str) -> &'d serde_json::Value {
    document["abis"][abi]["names"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["name"] == name)
        .unwrap_or_else(|| panic!("no blocker {name} for {abi}: {document:#}"))
}

#[test]
#[cfg_attr(not(shared_3_15_2), ignore = "needs ../shared/cpython/3.15.2")]
fn names_that_are_macros_before_their_function_are_usable_from_the_first_version() {
    let test = "names_that_are_macros_before_their_function_are_usable_from_the_first_version";
    let Some(tree) = shared_tree(test, "3.15.2") else {
        return;
    };
    // 3.15.2's object.h: Py_TYPE is a macro (a static inline function)
    // below Limited API 3.14 and a function from 3.14; Py_SIZE, Py_IS_TYPE
    // and Py_SET_SIZE likewise below and from 3.15. The manifest's `added`
    // (3.14, 3.15) is that of the function only.
    let config = Config::default().for_extensions();
    let headers = Headers::load(&tree, &config).unwrap();
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).unwrap();
    let api = Api::build(&headers, &manifest).unwrap();
    let first = Abi::Abi3.first_version();
    for name in ["Py_TYPE", "Py_SIZE", "Py_IS_TYPE", "Py_SET_SIZE"] {
        for version in Abi::Abi3.versions(api.version) {
            assert_eq!(
                api.name(name, Abi::Abi3, version),
                Status::Available { since: first },
                "{name} at {version}"
            );
        }
    }
    let (status, document) = port_on(
        &tree,
        "#include \"Python.h\"\n\
         int f(PyObject *o, PyTypeObject *t) {\n\
             Py_SET_SIZE(o, 0);\n\
             return Py_TYPE(o) == t && Py_IS_TYPE(o, t) && Py_SIZE(o) == 0;\n\
         }\n",
        &[],
    );
    assert_eq!(status, Some(0), "{document:#}");
    assert_eq!(document["sources"][0]["target"], first.to_string());
    assert_eq!(document["minimum_version"], first.to_string());
}

/// A use of `PyType_GetName` (3.11) under `#if PY_VERSION_HEX`, with a
/// fallback for older headers.
const UNDER_PY_VERSION_HEX: &str = "#include \"Python.h\"\n\
PyObject *name_of(PyTypeObject *tp)\n\
{\n\
#if PY_VERSION_HEX >= 0x030B0000\n\
    return PyType_GetName(tp);\n\
#else\n\
    return PyObject_GetAttrString((PyObject *)tp, \"__name__\");\n\
#endif\n\
}\n";

#[test]
#[cfg_attr(not(shared_3_15_2), ignore = "needs ../shared/cpython/3.15.2")]
fn a_use_under_an_if_on_py_version_hex_is_reported_and_does_not_raise_the_minimum() {
    let test = "a_use_under_an_if_on_py_version_hex_is_reported_and_does_not_raise_the_minimum";
    let Some(tree) = shared_tree(test, "3.15.2") else {
        return;
    };
    // Built for 3.10 with 3.15's headers, PY_VERSION_HEX is 3.15's: the
    // branch is compiled, and PyType_GetName is undeclared. It is reported,
    // with the #if to change; the fallback needs no more than 3.2.
    let (status, document) = port_on(&tree, UNDER_PY_VERSION_HEX, &["--target", "3.10"]);
    assert_eq!(status, Some(1));
    assert_eq!(
        findings(&document),
        [(
            "newer-than-target".to_string(),
            "PyType_GetName".to_string(),
            "error".to_string()
        )]
    );
    let notes = document["findings"][0]["notes"].to_string();
    assert!(notes.contains("#if on PY_VERSION_HEX"), "{notes}");
    assert!(notes.contains("Py_LIMITED_API+0 >= 0x030b0000"), "{notes}");
    assert_eq!(document["summary"]["blockers"], 1);
    assert_eq!(document["minimum_version"], "3.2", "{document:#}");
    assert!(blocker(&document, "abi3", "PyType_GetName")["version"].is_null());
    // Without a target, the version its names need does not count it either.
    let (_, document) = port_on(&tree, UNDER_PY_VERSION_HEX, &[]);
    assert_eq!(document["sources"][0]["target"], "3.2", "{document:#}");
    assert_eq!(document["minimum_version"], "3.2");
}

#[test]
#[cfg_attr(not(shared_3_15_2), ignore = "needs ../shared/cpython/3.15.2")]
fn a_fallback_left_out_by_an_if_on_py_version_hex_is_reported_and_does_not_raise_the_minimum() {
    let test =
        "a_fallback_left_out_by_an_if_on_py_version_hex_is_reported_and_does_not_raise_the_minimum";
    let Some(tree) = shared_tree(test, "3.15.2") else {
        return;
    };
    // wrapt 2.5.2's way: its own PyObject_GetOptionalAttrString (3.13) for
    // older headers. With 3.15's headers the fallback is left out, also
    // when built for 3.10, where the name is not declared.
    let text = "#include \"Python.h\"\n\
                #if PY_VERSION_HEX < 0x030d0000\n\
                static inline int\n\
                PyObject_GetOptionalAttrString(PyObject *o, const char *n, PyObject **r)\n\
                {\n\
                    *r = PyObject_GetAttrString(o, n);\n\
                    return *r != NULL;\n\
                }\n\
                #endif\n\
                int has(PyObject *o, PyObject **r)\n\
                {\n\
                    return PyObject_GetOptionalAttrString(o, \"x\", r);\n\
                }\n";
    let (status, document) = port_on(&tree, text, &["--target", "3.10"]);
    assert_eq!(status, Some(1));
    let finding = &document["findings"][0];
    assert_eq!(finding["name"], "PyObject_GetOptionalAttrString");
    assert_eq!(finding["check"], "newer-than-target");
    assert_eq!(finding["notes"][0]["location"]["line"], 2, "{finding:#}");
    assert!(
        finding["notes"][0]["message"]
            .as_str()
            .unwrap()
            .contains("own PyObject_GetOptionalAttrString"),
        "{finding:#}"
    );
    assert_eq!(document["minimum_version"], "3.2", "{document:#}");
    let (_, document) = port_on(&tree, text, &[]);
    assert_eq!(document["sources"][0]["target"], "3.2", "{document:#}");
}

#[test]
#[cfg_attr(not(shared_3_15_2), ignore = "needs ../shared/cpython/3.15.2")]
fn a_name_declared_too_early_under_an_if_on_py_version_hex_does_not_raise_the_minimum() {
    let test = "a_name_declared_too_early_under_an_if_on_py_version_hex_does_not_raise_the_minimum";
    let Some(tree) = shared_tree(test, "3.15.2") else {
        return;
    };
    // 3.15.2's pyerrors.h declares PyErr_GetRaisedException at every
    // version; the Stable ABI has it from 3.12: a warning, here with its #if.
    let text = "#include \"Python.h\"\n\
                void f(void)\n\
                {\n\
                #if PY_VERSION_HEX >= 0x030C0000\n\
                    PyErr_SetRaisedException(PyErr_GetRaisedException());\n\
                #endif\n\
                }\n";
    let (status, document) = port_on(&tree, text, &["--target", "3.10"]);
    assert_eq!(status, Some(0), "{document:#}");
    let found = findings(&document);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|(_, _, severity)| severity == "warning"));
    let notes = document["findings"][0]["notes"].to_string();
    assert!(notes.contains("#if on PY_VERSION_HEX"), "{notes}");
    assert_eq!(document["minimum_version"], "3.2", "{document:#}");
}

#[test]
#[cfg_attr(not(shared_3_15_2), ignore = "needs ../shared/cpython/3.15.2")]
fn a_use_under_an_ifdef_of_a_name_the_headers_always_define_does_not_raise_the_minimum() {
    let test =
        "a_use_under_an_ifdef_of_a_name_the_headers_always_define_does_not_raise_the_minimum";
    let Some(tree) = shared_tree(test, "3.15.2") else {
        return;
    };
    // MarkupSafe 3.0.4's slots: 3.15.2's slots_generated.h defines
    // Py_mod_gil at every version, Py_MOD_GIL_NOT_USED (moduleobject.h)
    // only from 3.13. Built for 3.10 the branch is compiled and does not
    // build (gcc agrees); the #ifdef is the fix, not the target.
    let text = "#include \"Python.h\"\n\
                static PyModuleDef_Slot slots[] = {\n\
                #ifdef Py_mod_gil\n\
                    {Py_mod_gil, Py_MOD_GIL_NOT_USED},\n\
                #endif\n\
                    {0, NULL}\n\
                };\n";
    let (status, document) = port_on(&tree, text, &["--target", "3.10"]);
    assert_eq!(status, Some(1));
    let finding = &document["findings"][0];
    assert_eq!(finding["name"], "Py_MOD_GIL_NOT_USED", "{document:#}");
    assert_eq!(finding["notes"][0]["location"]["line"], 3, "{finding:#}");
    // Nothing else here needs more than 3.2 (3.15.2's headers declare
    // PyModuleDef_Slot at every version), rather than 3.13.
    assert_eq!(document["minimum_version"], "3.2", "{document:#}");
    let (_, document) = port_on(&tree, text, &[]);
    assert_eq!(document["sources"][0]["target"], "3.2", "{document:#}");
}

#[test]
#[cfg_attr(not(shared_3_15_2), ignore = "needs ../shared/cpython/3.15.2")]
fn a_use_under_an_if_on_py_limited_api_with_a_fallback_needs_the_fallbacks_version() {
    let test = "a_use_under_an_if_on_py_limited_api_with_a_fallback_needs_the_fallbacks_version";
    let Some(tree) = shared_tree(test, "3.15.2") else {
        return;
    };
    let text = UNDER_PY_VERSION_HEX.replace(
        "#if PY_VERSION_HEX >= 0x030B0000",
        "#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030B0000",
    );
    for args in [&[][..], &["--target", "3.10"]] {
        let (status, document) = port_on(&tree, &text, args);
        assert_eq!(status, Some(0), "{args:?}: {document:#}");
        assert!(findings(&document).is_empty(), "{args:?}: {document:#}");
        assert_eq!(document["minimum_version"], "3.2", "{args:?}");
    }
}

#[test]
#[cfg_attr(not(shared_3_15_2), ignore = "needs ../shared/cpython/3.15.2")]
fn only_errors_are_blockers_and_a_newer_name_is_not_replaced_by_a_newer_one() {
    let test = "only_errors_are_blockers_and_a_newer_name_is_not_replaced_by_a_newer_one";
    let Some(tree) = shared_tree(test, "3.15.2") else {
        return;
    };
    // PyType_GetModuleByDef is in the Limited API from 3.13; the data's
    // replacement (for abi3t) PyType_GetModuleByToken from 3.15: raising
    // the target to 3.13 is the fix. PyErr_GetRaisedException is declared
    // at 3.10 although the Stable ABI has it from 3.12: a warning (it
    // builds), which needs 3.12 to load but is no blocker.
    let (status, document) = port_on(
        &tree,
        "#include \"Python.h\"\n\
         PyObject *f(PyTypeObject *tp, PyModuleDef *def) {\n\
             PyObject *e = PyErr_GetRaisedException();\n\
             Py_XDECREF(e);\n\
             return PyType_GetModuleByDef(tp, def);\n\
         }\n",
        &["--target", "3.10"],
    );
    assert_eq!(status, Some(1));
    let found = findings(&document);
    assert!(
        found.contains(&(
            "newer-than-target".into(),
            "PyErr_GetRaisedException".into(),
            "warning".into()
        )),
        "{found:?}"
    );
    let counts = &document["summary"];
    assert_eq!(counts["blockers"], 1, "{document:#}");
    assert_eq!(counts["warnings"], 1, "{document:#}");
    let by_def = blocker(&document, "abi3", "PyType_GetModuleByDef");
    assert_eq!(by_def["version"], "3.13");
    assert!(by_def["replacement"].is_null(), "{by_def}");
    assert_eq!(document["minimum_version"], "3.13", "{document:#}");
}

#[test]
#[cfg_attr(not(shared_3_13_15), ignore = "needs ../shared/cpython/3.13.15")]
fn limited_macros_that_expand_to_the_full_api_are_reported() {
    let test = "limited_macros_that_expand_to_the_full_api_are_reported";
    let Some(tree) = shared_tree(test, "3.13.15") else {
        return;
    };
    // 3.13.15's abstract.h defines PySequence_Fast_GET_SIZE & co. for the
    // Limited API too, in terms of PyList_GET_SIZE, PyTuple_GET_ITEM...
    // which cpython/listobject.h and cpython/tupleobject.h declare for the
    // full API only: gcc reports those names at the use.
    let (status, document) = port_on(
        &tree,
        "#include \"Python.h\"\n\
         PyObject *f(PyObject *seq) {\n\
             PyObject *fast = PySequence_Fast(seq, \"\");\n\
             PyObject **items = PySequence_Fast_ITEMS(fast);\n\
             if (PySequence_Fast_GET_SIZE(fast) == 0) return items[0];\n\
             return PySequence_Fast_GET_ITEM(fast, 0);\n\
         }\n",
        &["--target", "3.10"],
    );
    assert_eq!(status, Some(1));
    let found = findings(&document);
    for name in [
        "PySequence_Fast_ITEMS",
        "PySequence_Fast_GET_SIZE",
        "PySequence_Fast_GET_ITEM",
    ] {
        let finding = (
            "full-api-only".to_string(),
            name.to_string(),
            "error".to_string(),
        );
        assert!(found.contains(&finding), "{name}: {found:?}");
    }
    assert!(!found.iter().any(|(_, name, _)| name == "PySequence_Fast"));
    let message = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "PySequence_Fast_GET_SIZE")
        .unwrap()["message"]
        .to_string();
    assert!(message.contains("PyList_GET_SIZE"), "{message}");
}

#[test]
#[cfg_attr(not(shared_3_13_15), ignore = "needs ../shared/cpython/3.13.15")]
fn private_byte_array_conversions_are_replaced_by_the_native_bytes_api() {
    let test = "private_byte_array_conversions_are_replaced_by_the_native_bytes_api";
    let Some(tree) = shared_tree(test, "3.13.15") else {
        return;
    };
    // CPython 3.13 added PyLong_FromNativeBytes and PyLong_AsNativeBytes
    // (gh-111140); the Stable ABI has them from 3.14 (gh-132639).
    let (_, document) = port_on(
        &tree,
        "#include \"Python.h\"\n\
         PyObject *f(const unsigned char *b, PyLongObject *v, unsigned char *out) {\n\
             if (_PyLong_AsByteArray(v, out, 8, 1, 1, 1) < 0) return NULL;\n\
             return _PyLong_FromByteArray(b, 8, 1, 1);\n\
         }\n",
        &["--target", "3.10"],
    );
    for (name, replacement) in [
        ("_PyLong_FromByteArray", "PyLong_FromNativeBytes("),
        ("_PyLong_AsByteArray", "PyLong_AsNativeBytes("),
    ] {
        let entry = blocker(&document, "abi3", name);
        let text = entry["replacement"].as_str().unwrap_or_default();
        assert!(text.starts_with(replacement), "{name}: {entry}");
        // 3.13.15's headers: not in its Limited API, so no version.
        assert!(entry["source"]
            .as_str()
            .unwrap()
            .starts_with("https://docs.python.org/3/c-api/long.html"));
    }
}

#[test]
fn a_missing_source_is_only_an_error() {
    let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/port/tree");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("good.c"),
        "#include \"Python.h\"\nint f(PyObject *s) { return PyUnicode_GET_LENGTH(s); }\n",
    )
    .unwrap();
    for paths in [&["gone.c"][..], &["good.c", "gone.c"]] {
        let mut args = vec!["port"];
        args.extend(paths);
        args.extend(["--cpython", tree.to_str().unwrap()]);
        let output = stable_abi(dir.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{paths:?}");
        assert_eq!(stdout(&output), "", "{paths:?}");
        assert_eq!(
            stderr(&output).trim_end(),
            "gone.c: error: no such file or directory",
            "{paths:?}"
        );
    }
}

#[test]
#[cfg_attr(
    not(all(shared_3_13_15, shared_3_15_2, system_names_machine, python311)),
    ignore = "needs ../shared/cpython/3.13.15, ../shared/cpython/3.15.2, the gcc and C library src/port/system_names.txt was read from, and python3 >= 3.11"
)]
fn the_c_librarys_names_are_what_their_regeneration_command_writes() {
    let test = "the_c_librarys_names_are_what_their_regeneration_command_writes";
    let (Some(old), Some(new), Some(python)) = (
        shared_tree(test, "3.13.15"),
        shared_tree(test, "3.15.2"),
        common::python(test),
    ) else {
        return;
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed = stable_abi::port::system::BUILTIN;
    // The data says which compiler and C library it was read from (the
    // need `system_names_machine`): only there can it be regenerated.
    let output = std::process::Command::new(python)
        .arg(repo.join(".ci/regen-system-names"))
        .arg(&old)
        .arg(&new)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout) == committed,
        "src/port/system_names.txt is not what `.ci/regen-system-names {} {}` writes: \
         regenerate it",
        old.display(),
        new.display()
    );
}
