//! The audit of abi3 and abi3t claims as CPython 3.15 ships PEP 803, on
//! extensions built with the C compiler against the 3.15 headers
//! (`../shared/cpython/3.15.2`): each reworked rule from both sides, and,
//! where the real 3.15.2 (`../shared/tools/python3.15`, a GIL-enabled
//! build) runs here, that what the audit passes imports there.

mod cc;
mod common;

use std::path::Path;

/// A module as the abi3t migration howto writes one: PEP 793's export hook
/// returning static slots, with the mandatory `Py_mod_abi`.
const MODEXPORT: &str = r#"
#include <Python.h>
static PyObject *hello(PyObject *self, PyObject *arg) { return PyLong_FromLong(42); }
static PyMethodDef methods[] = {{"hello", hello, METH_NOARGS, NULL}, {NULL}};
PyABIInfo_VAR(abi_info);
static PySlot slots[] = {
    PySlot_STATIC_DATA(Py_mod_abi, &abi_info),
    PySlot_STATIC_DATA(Py_mod_name, "spam"),
    PySlot_STATIC_DATA(Py_mod_methods, methods),
    PySlot_END,
};
PyMODEXPORT_FUNC PyModExport_spam(void) { return slots; }
"#;

/// A module whose `PyInit_` uses no `PyModuleDef` API, as cffi's do: it
/// asks a version-specific helper (cffi's `_cffi_backend`; [`HELPER`] here)
/// to create the module, so the definition is the helper's business.
const PYINIT_ONLY: &str = r#"
#include <Python.h>
PyMODINIT_FUNC PyInit_spam(void) {
    PyObject *helper = PyImport_ImportModule("helper");
    if (helper == NULL) {
        return NULL;
    }
    PyObject *module = PyObject_CallMethod(helper, "make", "s", "spam");
    Py_DECREF(helper);
    return module;
}
"#;

/// The version-specific helper [`PYINIT_ONLY`] calls (built for the GIL-enabled
/// 3.15, not for a Stable ABI): `make(name)` creates a module from a
/// definition it allocates, as `_cffi_backend` does.
const HELPER: &str = r#"
#include <Python.h>
#include <string.h>
static PyObject *make(PyObject *self, PyObject *name) {
    PyModuleDef *def = PyMem_Calloc(1, sizeof(PyModuleDef));
    if (def == NULL) {
        return PyErr_NoMemory();
    }
    PyModuleDef init = {PyModuleDef_HEAD_INIT, strdup(PyUnicode_AsUTF8(name)), NULL, -1, NULL};
    memcpy(def, &init, sizeof(init));
    return PyModule_Create(def);
}
static PyMethodDef methods[] = {{"make", make, METH_O, NULL}, {NULL}};
static PyModuleDef helper_def = {PyModuleDef_HEAD_INIT, "helper", NULL, -1, methods};
PyMODINIT_FUNC PyInit_helper(void) { return PyModule_Create(&helper_def); }
"#;

/// The classic module: a static `PyModuleDef` behind `PyInit_`. It only
/// compiles for abi3 (`PyModuleDef` is opaque under abi3t).
const MODULE_DEF: &str = r#"
#include <Python.h>
static PyModuleDef def = {PyModuleDef_HEAD_INIT, "spam", NULL, 0, NULL};
PyMODINIT_FUNC PyInit_spam(void) { return PyModuleDef_Init(&def); }
"#;

/// Builds `source` with the 3.15 headers and `defines`, as `file_name`.
fn build(test: &str, dir: &Path, file_name: &str, source: &str, define: &str) -> Option<Vec<u8>> {
    let tree = common::abi3t_tree(test)?;
    let cc = cc::compiler(test)?;
    let mut flags = cc::python_includes(&tree);
    flags.push(define.to_string());
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let path = cc::shared_object(&cc, dir, file_name, source, &flags);
    Some(std::fs::read(path).unwrap())
}

fn audit(dir: &Path, wheel: &str) -> (Option<i32>, serde_json::Value, String) {
    let output = common::stable_abi(dir, &["audit", wheel, "--format", "json"]);
    let json = serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    let text = common::stdout(&common::stable_abi(dir, &["audit", wheel]));
    (output.status.code(), json, text)
}

/// The error findings of the claims and `not-stable-abi` (with its name),
/// in report order (the wheel's, then each extension's).
fn checks(json: &serde_json::Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["severity"] == "error")
        .filter_map(|f| {
            let check = f["check"].as_str().unwrap();
            match check {
                "not-stable-abi" => Some(format!("{check} {}", f["name"].as_str().unwrap())),
                "version-mismatch" | "version-specific-libpython" => None,
                _ => Some(check.to_string()),
            }
        })
        .collect()
}

/// One wheel as the tests build it: `spam` compiled from `source` with
/// `define` as `file_name`, in `spam-1.0-<name_tag>-linux_x86_64.whl`
/// whose WHEEL file says `<wheel_tag>-linux_x86_64`.
struct Wheel<'a> {
    file_name: &'a str,
    source: &'a str,
    define: &'a str,
    name_tag: &'a str,
    wheel_tag: &'a str,
}

impl Wheel<'_> {
    /// Builds and audits it: the exit code, the JSON and the text; `None`
    /// when skipped (no 3.15 tree or no compiler; a failure under CI).
    fn audit(&self, test: &str) -> Option<(Option<i32>, serde_json::Value, String)> {
        let dir = tempfile::tempdir().unwrap();
        let so = build(test, dir.path(), self.file_name, self.source, self.define)?;
        let wheel = format!("spam-1.0-{}-linux_x86_64.whl", self.name_tag);
        cc::wheel(
            &dir.path().join(&wheel),
            Some(&format!("{}-linux_x86_64", self.wheel_tag)),
            &[(&format!("spam/{}", self.file_name), so)],
        );
        Some(audit(dir.path(), &wheel))
    }
}

const ABI3T: &str = "-DPy_TARGET_ABI3T=0x030F0000";
const ABI3: &str = "-DPy_LIMITED_API=0x030F0000";

/// Imports `spam` from `<file_name>` on the real 3.15.2 (when it runs
/// here), with `helper` (built for that interpreter) beside it when `with_helper`, and
/// returns whether that worked, with its output.
fn imports_on_315(
    test: &str,
    so: &[u8],
    file_name: &str,
    with_helper: bool,
) -> Option<(bool, String)> {
    let python = common::python315(test)?;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(file_name), so).unwrap();
    if with_helper {
        let helper = build(
            test,
            dir.path(),
            "helper.cpython-315-x86_64-linux-gnu.so",
            HELPER,
            "-DHELPER",
        )?;
        std::fs::write(
            dir.path().join("helper.cpython-315-x86_64-linux-gnu.so"),
            helper,
        )
        .unwrap();
    }
    let output = std::process::Command::new(python)
        .args(["-c", "import spam; print(spam.__file__)"])
        .env("PYTHONPATH", dir.path())
        .output()
        .unwrap();
    let text = format!("{}{}", common::stdout(&output), common::stderr(&output));
    Some((output.status.success(), text))
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, c_compiler)),
    ignore = "needs ../shared/cpython/3.15.2 and a C compiler"
)]
fn abi3t_module_with_modexport_passes() {
    let wheel = Wheel {
        file_name: "spam.abi3t.so",
        source: MODEXPORT,
        define: ABI3T,
        name_tag: "cp315-abi3t",
        wheel_tag: "cp315-abi3t",
    };
    let Some((code, json, text)) = wheel.audit("abi3t_module_with_modexport_passes") else {
        return;
    };
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        json["inputs"][0]["extensions"][0]["abis"],
        serde_json::json!(["abi3t"])
    );
    assert!(
        text.contains("ok: 1 extension judged as abi3t for Python 3.15+"),
        "{text}"
    );
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, c_compiler)),
    ignore = "needs ../shared/cpython/3.15.2 and a C compiler"
)]
fn abi3t_module_with_only_pyinit_and_no_module_def_passes() {
    // cffi's way: PyInit_ alone, the module made without PyModuleDef API.
    // PEP 793 keeps PyInit_; only a PyModuleDef is beyond abi3t.
    let test = "abi3t_module_with_only_pyinit_and_no_module_def_passes";
    let wheel = Wheel {
        file_name: "spam.abi3t.so",
        source: PYINIT_ONLY,
        define: ABI3T,
        name_tag: "cp315-abi3.abi3t",
        wheel_tag: "cp315-abi3.abi3t",
    };
    let Some((code, json, text)) = wheel.audit(test) else {
        return;
    };
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(checks(&json), Vec::<String>::new(), "{text}");
    // And the released 3.15.2 (GIL-enabled) imports it from `.abi3t.so`.
    let dir = tempfile::tempdir().unwrap();
    let so = build(test, dir.path(), "spam.abi3t.so", PYINIT_ONLY, ABI3T).unwrap();
    if let Some((imported, output)) = imports_on_315(test, &so, "spam.abi3t.so", true) {
        assert!(imported, "{output}");
    }
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, c_compiler)),
    ignore = "needs ../shared/cpython/3.15.2 and a C compiler"
)]
fn abi3t_module_defined_with_a_module_def_fails() {
    // Built for abi3 (the only way a static PyModuleDef compiles) but tagged
    // abi3.abi3t: the abi3 claim holds, the abi3t one does not.
    let wheel = Wheel {
        file_name: "spam.abi3t.so",
        source: MODULE_DEF,
        define: ABI3,
        name_tag: "cp315-abi3.abi3t",
        wheel_tag: "cp315-abi3.abi3t",
    };
    let Some((code, json, text)) = wheel.audit("abi3t_module_defined_with_a_module_def_fails")
    else {
        return;
    };
    assert_eq!(code, Some(1), "{text}");
    // Reported once, by the module-definition rule (not again as unusable).
    assert_eq!(checks(&json), ["abi3t-needs-modexport"], "{text}");
    assert!(
        text.contains(
            "error: abi3t: PyInit_spam defines its module with a PyModuleDef (imports PyModuleDef_Init), \
             which abi3t makes opaque: export PyModExport_spam (PEP 793) [abi3t-needs-modexport]"
        ),
        "{text}"
    );
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, c_compiler)),
    ignore = "needs ../shared/cpython/3.15.2 and a C compiler"
)]
fn abi3_abi3t_wheel_with_only_an_abi3_so_fails() {
    let wheel = Wheel {
        file_name: "spam.abi3.so",
        source: MODEXPORT,
        define: ABI3T,
        name_tag: "cp315-abi3.abi3t",
        wheel_tag: "cp315-abi3.abi3t",
    };
    let Some((code, json, text)) = wheel.audit("abi3_abi3t_wheel_with_only_an_abi3_so_fails")
    else {
        return;
    };
    assert_eq!(code, Some(1), "{text}");
    // Two claims: abi3 is fine, abi3t's interpreters never load `.abi3.so`.
    assert_eq!(
        json["inputs"][0]["extensions"][0]["abis"],
        serde_json::json!(["abi3", "abi3t"])
    );
    assert_eq!(checks(&json), ["wrong-file-name"], "{text}");
    assert!(
        text.contains("error: abi3t: free-threaded builds never import `.abi3.so`"),
        "{text}"
    );
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, c_compiler)),
    ignore = "needs ../shared/cpython/3.15.2 and a C compiler"
)]
fn an_abi3_claim_from_3_15_may_ship_only_an_abi3t_so() {
    // GIL-enabled 3.15+ imports `.abi3t.so` (PEP 803, gh-146636).
    let test = "an_abi3_claim_from_3_15_may_ship_only_an_abi3t_so";
    for file_name in ["spam.abi3t.so", "spam.abi3t-x86_64-linux-gnu.so"] {
        let wheel = Wheel {
            file_name,
            source: MODEXPORT,
            define: ABI3T,
            name_tag: "cp315-abi3",
            wheel_tag: "cp315-abi3",
        };
        let Some((code, json, text)) = wheel.audit(test) else {
            return;
        };
        assert_eq!(code, Some(0), "{text}");
        assert_eq!(checks(&json), Vec::<String>::new(), "{text}");
    }
    let dir = tempfile::tempdir().unwrap();
    let so = build(test, dir.path(), "spam.abi3t.so", MODEXPORT, ABI3T).unwrap();
    if let Some((imported, output)) = imports_on_315(test, &so, "spam.abi3t.so", false) {
        assert!(imported, "{output}");
    }
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, c_compiler)),
    ignore = "needs ../shared/cpython/3.15.2 and a C compiler"
)]
fn an_abi3_claim_from_3_9_whose_only_file_is_abi3t_so_fails() {
    // Python 3.9 to 3.14 search `.abi3.so` and `.so`, not `.abi3t.so`.
    let test = "an_abi3_claim_from_3_9_whose_only_file_is_abi3t_so_fails";
    let source = PYINIT_ONLY;
    for (file_name, wanted) in [
        ("spam.abi3t.so", "do not import `.abi3t.so`"),
        (
            "spam.abi3-x86_64-linux-gnu.so",
            "do not import `.abi3-<multiarch>.so` (new in 3.15",
        ),
    ] {
        let wheel = Wheel {
            file_name,
            source,
            define: "-DPy_LIMITED_API=0x03090000",
            name_tag: "cp39-abi3",
            wheel_tag: "cp39-abi3",
        };
        let Some((code, json, text)) = wheel.audit(test) else {
            return;
        };
        assert_eq!(code, Some(1), "{text}");
        assert_eq!(checks(&json), ["wrong-file-name"], "{text}");
        assert!(
            text.contains(&format!(
                "error: abi3: Python 3.9 to 3.14 (GIL-enabled) {wanted}"
            )) || text.contains(&format!("error: abi3: Python 3.9 to 3.14 {wanted}")),
            "{text}"
        );
    }
    // The same module named `.abi3.so` passes.
    let wheel = Wheel {
        file_name: "spam.abi3.so",
        source,
        define: "-DPy_LIMITED_API=0x03090000",
        name_tag: "cp39-abi3",
        wheel_tag: "cp39-abi3",
    };
    let Some((code, _, text)) = wheel.audit(test) else {
        return;
    };
    assert_eq!(code, Some(0), "{text}");
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, c_compiler)),
    ignore = "needs ../shared/cpython/3.15.2 and a C compiler"
)]
fn abi3t_claimed_for_3_13_fails() {
    let wheel = Wheel {
        file_name: "spam.abi3t.so",
        source: MODEXPORT,
        define: ABI3T,
        name_tag: "cp313-abi3t",
        wheel_tag: "cp313-abi3t",
    };
    let Some((code, json, text)) = wheel.audit("abi3t_claimed_for_3_13_fails") else {
        return;
    };
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(checks(&json), ["abi3t-too-early"], "{text}");
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, c_compiler)),
    ignore = "needs ../shared/cpython/3.15.2 and a C compiler"
)]
fn modexport_is_not_a_symbol_finding_in_an_abi3_wheel() {
    let wheel = Wheel {
        file_name: "spam.abi3.so",
        source: MODEXPORT,
        define: ABI3,
        name_tag: "cp315-abi3",
        wheel_tag: "cp315-abi3",
    };
    let Some((code, json, text)) =
        wheel.audit("modexport_is_not_a_symbol_finding_in_an_abi3_wheel")
    else {
        return;
    };
    assert_eq!(code, Some(0), "{text}");
    assert!(!text.contains("PyModExport_spam"), "{text}");
    assert_eq!(checks(&json), Vec::<String>::new());
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, c_compiler)),
    ignore = "needs ../shared/cpython/3.15.2 and a C compiler"
)]
fn wheel_file_and_name_must_agree() {
    let wheel = Wheel {
        file_name: "spam.abi3t.so",
        source: MODEXPORT,
        define: ABI3T,
        name_tag: "cp315-abi3t",
        wheel_tag: "cp315-abi3",
    };
    let Some((code, json, text)) = wheel.audit("wheel_file_and_name_must_agree") else {
        return;
    };
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(checks(&json), ["tag-mismatch"], "{text}");
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, c_compiler)),
    ignore = "needs ../shared/cpython/3.15.2 and a C compiler"
)]
fn a_linux_module_importing_a_windows_item_fails() {
    let dir = tempfile::tempdir().unwrap();
    let test = "a_linux_module_importing_a_windows_item_fails";
    let source = "typedef struct _object PyObject;\n\
                  extern PyObject *PyErr_SetFromWindowsErr(int);\n\
                  extern void PyOS_AfterFork_Child(void);\n\
                  PyObject *PyInit_spam(void) { PyOS_AfterFork_Child(); \
                  return PyErr_SetFromWindowsErr(0); }\n";
    let Some(so) = build(test, dir.path(), "spam.abi3.so", source, ABI3) else {
        return;
    };
    std::fs::write(dir.path().join("spam.abi3.so"), so).unwrap();
    let output = common::stable_abi(dir.path(), &["audit", "spam.abi3.so", "--target", "3.15"]);
    let text = common::stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("imports PyErr_SetFromWindowsErr, which exists only where MS_WINDOWS is defined, not on this platform ("),
        "{text}"
    );
    // The platform table's reason, and the code.
    assert!(
        text.contains("PC/pyconfig.h") && text.contains("[not-on-platform]"),
        "{text}"
    );
    // HAVE_FORK is defined on Linux.
    assert!(!text.contains("PyOS_AfterFork_Child"), "{text}");
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, c_compiler)),
    ignore = "needs ../shared/cpython/3.15.2 and a C compiler"
)]
fn abi3t_module_using_a_module_def_function_is_warned() {
    // With a PyModExport_ hook, 3.15+ never calls PyInit_: a module-definition
    // function may serve older Pythons (PEP 803's shim), so it is a warning.
    let source = MODEXPORT.replace(
        "return PyLong_FromLong(42);",
        "return PyModule_Create2(NULL, 3);",
    );
    let wheel = Wheel {
        file_name: "spam.abi3t.so",
        source: &source,
        define: ABI3T,
        name_tag: "cp315-abi3t",
        wheel_tag: "cp315-abi3t",
    };
    let Some((code, json, text)) =
        wheel.audit("abi3t_module_using_a_module_def_function_is_warned")
    else {
        return;
    };
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(checks(&json), Vec::<String>::new(), "{text}");
    assert!(
        text.contains("warning: abi3t: imports PyModule_Create2, which needs a PyModuleDef, opaque under abi3t"),
        "{text}"
    );
}

#[test]
#[cfg_attr(not(shared_3_15_2), ignore = "needs ../shared/cpython/3.15.2")]
fn the_builtin_abi3t_unusable_list_is_the_derivation() {
    let Some(tree) = common::abi3t_tree("the_builtin_abi3t_unusable_list_is_the_derivation") else {
        return;
    };
    let manifest =
        stable_abi::manifest::Manifest::load(&tree.join("Misc/stable_abi.toml")).unwrap();
    let derived = stable_abi::binary::unusable::derive(&manifest, &tree).expect("3.15 headers");
    let builtin = stable_abi::binary::unusable::parse(stable_abi::binary::unusable::BUILTIN);
    assert_eq!(
        builtin,
        derived,
        "src/binary/abi3t_unusable.txt is stale: refresh it with `stable-abi audit --manifest \
         {}/Misc/stable_abi.toml --write-table /tmp/table.toml` (it is written beside the table)",
        tree.display()
    );
    assert_eq!(derived["PyModule_Create2"], "PyModuleDef");
    assert!(!derived.contains_key("PyModule_FromSlotsAndSpec"));
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, c_compiler)),
    ignore = "needs ../shared/cpython/3.15.2 and a C compiler"
)]
fn a_target_beyond_the_table_gets_warnings_not_failures() {
    // The built-in table knows 3.15: for a 3.16 target, a symbol it does not
    // list may be one 3.16 added (unknown-to-table, a warning); for 3.15 it
    // is outside the Stable ABI.
    let test = "a_target_beyond_the_table_gets_warnings_not_failures";
    let dir = tempfile::tempdir().unwrap();
    let source = "typedef struct _object PyObject;\n\
                  extern PyObject *PyFuture_New(void);\n\
                  extern PyObject *Py_HashBuffer(const void *, long);\n\
                  PyObject *PyInit_spam(void) { Py_HashBuffer(0, 0); return PyFuture_New(); }\n";
    let Some(so) = build(test, dir.path(), "spam.abi3.so", source, "-DUNUSED") else {
        return;
    };
    std::fs::write(dir.path().join("spam.abi3.so"), so).unwrap();
    let run = |target: &str| {
        let output = common::stable_abi(
            dir.path(),
            &[
                "audit",
                "spam.abi3.so",
                "--target",
                target,
                "--format",
                "json",
            ],
        );
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let found: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {} {}",
                    f["severity"].as_str().unwrap(),
                    f["check"].as_str().unwrap(),
                    f["name"].as_str().unwrap()
                )
            })
            .collect();
        (output.status.code(), found, json)
    };
    let (code, found, json) = run("3.16");
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(found, ["warning unknown-to-table PyFuture_New"], "{json}");
    let notes = json["inputs"][0]["notes"].to_string();
    assert!(
        notes.contains("newer than the Stable ABI this table knows (3.15)"),
        "{notes}"
    );
    let text = common::stdout(&common::stable_abi(
        dir.path(),
        &["audit", "spam.abi3.so", "--target", "3.16"],
    ));
    assert!(
        text.contains("warning: PyFuture_New is unknown to this table (3.15); pass --manifest"),
        "{text}"
    );
    let (code, found, json) = run("3.15");
    assert_eq!(code, Some(1), "{json}");
    assert_eq!(
        found,
        [
            "error not-stable-abi PyFuture_New",
            "error version-mismatch Py_HashBuffer"
        ],
        "{json}"
    );
    // version-mismatch's JSON says which version is needed.
    let mismatch = &json["findings"].as_array().unwrap()[1];
    assert_eq!(
        mismatch["versions"],
        serde_json::json!(["3.16"]),
        "{mismatch}"
    );
}
