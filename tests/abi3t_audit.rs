//! The audit of abi3t claims (PEP 803) on extensions built with the C
//! compiler against the 3.15 headers (`../shared/cpython/3.15.2`).

mod cc;
mod common;

use std::path::Path;

const MODEXPORT: &str = r#"
#include <Python.h>
static PyObject *hello(PyObject *self, PyObject *arg) { return PyLong_FromLong(42); }
static PyMethodDef methods[] = {{"hello", hello, METH_NOARGS, NULL}, {NULL}};
PyMODEXPORT_FUNC PyModExport_spam(void) {
    static PySlot slots[] = {
        PySlot_DATA(Py_mod_name, "spam"),
        PySlot_DATA(Py_mod_methods, methods),
        PySlot_END,
    };
    return slots;
}
"#;

const PYINIT_ONLY: &str = r#"
#include <Python.h>
PyMODINIT_FUNC PyInit_spam(void) { return PyLong_FromLong(1); }
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
        text.contains("spam/spam.abi3t.so: judged as abi3t;"),
        "{text}"
    );
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, c_compiler)),
    ignore = "needs ../shared/cpython/3.15.2 and a C compiler"
)]
fn abi3t_module_with_only_pyinit_fails() {
    let wheel = Wheel {
        file_name: "spam.abi3t.so",
        source: PYINIT_ONLY,
        define: ABI3T,
        name_tag: "cp315-abi3t",
        wheel_tag: "cp315-abi3t",
    };
    let Some((code, json, text)) = wheel.audit("abi3t_module_with_only_pyinit_fails") else {
        return;
    };
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(checks(&json), ["abi3t-needs-modexport"], "{text}");
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
        text.contains("error: abi3t: abi3t interpreters do not import"),
        "{text}"
    );
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
fn abi3t_module_using_a_module_def_function_fails() {
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
    let Some((code, json, text)) = wheel.audit("abi3t_module_using_a_module_def_function_fails")
    else {
        return;
    };
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(checks(&json), ["abi3t-unusable"], "{text}");
    assert!(text.contains("imports PyModule_Create2, which takes or returns a PyModuleDef"));
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
