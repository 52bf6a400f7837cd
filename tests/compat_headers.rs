//! `compat` at the header level: one fixture pair of trees per rule (OLD
//! and NEW differ by exactly what the rule is about), and the real change
//! between CPython 3.13.15 and 3.15.2.

mod common;

use std::path::Path;

use common::{shared_dir, stable_abi, stderr, stdout};

const MANIFEST: &str = "\
[function.PyFoo]
    added = '3.2'
[data.PyFoo_Type]
    added = '3.2'
[const.Py_FLAG]
    added = '3.2'
[const.Py_SLOT]
    added = '3.2'
[typedef.Py_cb]
    added = '3.2'
[struct.PyFull]
    added = '3.2'
    struct_abi_kind = 'full-abi'
[struct.PyObj]
    added = '3.2'
    struct_abi_kind = 'members'
    members = ['ob_refcnt', 'ob_type']
";

const HEADER: &str = "\
#include \"patchlevel.h\"
#define PyAPI_FUNC(RTYPE) RTYPE
#define PyAPI_DATA(RTYPE) extern RTYPE
#define Py_SLOT_VALUE(a, b) (a)
PyAPI_FUNC(int) PyFoo(long value, const char *name);
PyAPI_DATA(int) PyFoo_Type;
#define Py_FULL_PAD 1
typedef ssize_t Py_ssize_t;
#define Py_FLAG (1 << 1)
#define Py_SLOT 3
typedef int (*Py_cb)(void *);
typedef struct PyFull { int a; char pad[Py_FULL_PAD]; long b; } PyFull;
typedef struct PyObj {
    long ob_refcnt;
    void *ob_type;
} PyObj;
";

fn write_tree(root: &Path, header: &str) {
    std::fs::create_dir_all(root.join("Misc")).unwrap();
    std::fs::create_dir_all(root.join("Include")).unwrap();
    std::fs::write(root.join("Misc/stable_abi.toml"), MANIFEST).unwrap();
    std::fs::write(root.join("Include/Python.h"), header).unwrap();
    std::fs::write(
        root.join("Include/patchlevel.h"),
        "#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION 4\n",
    )
    .unwrap();
}

/// The header-level findings (check and name) of OLD = HEADER, NEW =
/// HEADER with `old` replaced by `new`.
fn findings(old: &str, new: &str) -> Vec<(String, String, String)> {
    assert_eq!(HEADER.matches(old).count(), 1, "{old:?}");
    let dir = tempfile::tempdir().unwrap();
    write_tree(&dir.path().join("old"), HEADER);
    write_tree(&dir.path().join("new"), &HEADER.replacen(old, new, 1));
    let output = stable_abi(
        dir.path(),
        &["compat", "--baseline", "old", "new", "--format", "json"],
    );
    assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let versions: Vec<&str> = f["versions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            (
                f["check"].as_str().unwrap().to_string(),
                f["name"].as_str().unwrap().to_string(),
                versions.join(","),
            )
        })
        .collect()
}

fn one(check: &str, name: &str) -> Vec<(String, String, String)> {
    vec![(
        check.to_string(),
        name.to_string(),
        "3.2,3.3,3.4".to_string(),
    )]
}

#[test]
fn each_header_rule_has_a_fixture_pair() {
    // Unchanged but for spacing, comments and parameter names: nothing.
    assert_eq!(
        findings(
            "PyFoo(long value, const char *name)",
            "PyFoo(long /* v */ v,\n  const char*)"
        ),
        []
    );
    assert_eq!(
        findings("PyFoo(long value,", "PyFoo(long long value,"),
        one("compat-prototype-changed", "PyFoo")
    );
    assert_eq!(
        findings("PyAPI_DATA(int) PyFoo_Type", "PyAPI_DATA(long) PyFoo_Type"),
        one("compat-prototype-changed", "PyFoo_Type")
    );
    // The same value written otherwise is no change; another value is.
    assert_eq!(
        findings("#define Py_FLAG (1 << 1)", "#define Py_FLAG 0x0002"),
        []
    );
    assert_eq!(
        findings("#define Py_FLAG (1 << 1)", "#define Py_FLAG (1 << 2)"),
        one("compat-const-changed", "Py_FLAG")
    );
    assert_eq!(
        findings("#define Py_SLOT 3", "#define Py_SLOT Py_SLOT_VALUE(3, 90)"),
        one("compat-const-unevaluated", "Py_SLOT")
    );
    assert_eq!(
        findings("(*Py_cb)(void *)", "(*Py_cb)(void *, int)"),
        one("compat-typedef-changed", "Py_cb")
    );
    // The body as written, and the layout it has.
    let mut both = one("compat-struct-changed", "PyFull");
    both.extend(one("compat-struct-layout-changed", "PyFull"));
    assert_eq!(findings("long b; }", "int b; }"), both);
    // The layout changes with a macro, the body as written does not.
    assert_eq!(
        findings("#define Py_FULL_PAD 1", "#define Py_FULL_PAD 9"),
        one("compat-struct-layout-changed", "PyFull")
    );
    // A member renamed in place keeps the layout.
    assert_eq!(
        findings("char pad[", "char padding["),
        one("compat-struct-changed", "PyFull")
    );
    // A typedef renamed to the same type is no change; another type is.
    assert_eq!(findings("PyFoo(long value,", "PyFoo(Py_ssize_t value,"), []);
    assert_eq!(findings("PyFoo(long value,", "PyFoo(ssize_t value,"), []);
    assert_eq!(
        findings("PyFoo(long value,", "PyFoo(size_t value,"),
        one("compat-prototype-changed", "PyFoo")
    );
    assert_eq!(
        findings(
            "    long ob_refcnt;\n    void *ob_type;",
            "    void *ob_type;\n    long ob_refcnt;"
        ),
        one("compat-member-moved", "PyObj")
    );
    assert_eq!(
        findings(
            "    long ob_refcnt;\n",
            "    long ob_refcnt;\n    long ob_flags;\n"
        ),
        one("compat-members-inserted", "PyObj")
    );
}

/// The messages of the findings, as `findings` runs it.
fn messages(old: &str, new: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    write_tree(&dir.path().join("old"), HEADER);
    write_tree(&dir.path().join("new"), &HEADER.replacen(old, new, 1));
    stdout(&stable_abi(
        dir.path(),
        &["compat", "--baseline", "old", "new"],
    ))
}

#[test]
fn layout_is_reported_and_its_absence_said() {
    let text = messages("#define Py_FULL_PAD 1", "#define Py_FULL_PAD 9");
    assert!(
        text.contains(
            "error: PyFull changed: size 24: a@0, pad@4, b@16 [compat-struct-layout-changed]"
        ),
        "{text}"
    );
    assert!(
        text.contains("note: was: size 16: a@0, pad@4, b@8"),
        "{text}"
    );
    // A bit-field is not laid out: the body's finding says so.
    let text = messages("int a;", "int a : 3;");
    assert!(
        text.contains("(size and offsets not computed: a bit-field (not laid out here)) [compat-struct-changed]"),
        "{text}"
    );
    assert!(!text.contains("compat-struct-layout-changed"), "{text}");
    // So is a struct of unknown type by value.
    let text = messages("char pad[Py_FULL_PAD];", "Py_unknown pad;");
    assert!(
        text.contains("size and offsets not computed: typedef Py_unknown is not known"),
        "{text}"
    );
}

#[test]
#[cfg_attr(
    not(all(shared_3_13_15, shared_3_15_2)),
    ignore = "needs ../shared/cpython/3.13.15 and ../shared/cpython/3.15.2"
)]
fn header_changes_from_3_13_to_3_15_are_the_real_ones() {
    let Some(trees) = shared_dir("header_changes_from_3_13_to_3_15", "cpython") else {
        return;
    };
    let output = stable_abi(&trees, &["compat", "--baseline", "3.13.15", "3.15.2"]);
    let text = stdout(&output);
    let header_level: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("3.15.2/Include/"))
        .collect();
    // No prototype, typedef or full-abi struct (nor its computed layout:
    // PyModuleDef_Base embeds PyObject, reworked in 3.14) of the Stable ABI changed
    // between the releases (as the Stable ABI promises). What did change:
    // 3.15 generates the slot numbers (Include/slots_generated.h) through
    // _Py_SLOT_COMPAT_VALUE(old, new), whose value is not computed here ...
    let slots = [
        "Py_bf_getbuffer",
        "Py_bf_releasebuffer",
        "Py_mod_create",
        "Py_mod_exec",
        "Py_mod_gil",
        "Py_mod_multiple_interpreters",
        "Py_mp_ass_subscript",
        "Py_mp_length",
    ];
    for name in slots {
        assert!(
            header_level.iter().any(|l| l
                .contains(&format!("warning: {name} changed: _Py_SLOT_COMPAT_VALUE("))
                && l.ends_with("[compat-const-unevaluated]")),
            "{name}: {text}"
        );
    }
    // ... and PyObject's reference count union gained members (3.14,
    // free threading's split count), before the listed ob_type.
    assert!(
        header_level
            .iter()
            .any(|l| l.starts_with("3.15.2/Include/object.h:")
                && l.contains("warning: PyObject changed: members ob_refcnt_full, ob_refcnt")
                && l.ends_with("[compat-members-inserted]")),
        "{text}"
    );
    assert_eq!(header_level.len(), slots.len() + 1, "{text}");
    // The Py_READONLY family went from literals to shifts of equal value.
    assert!(!text.contains("Py_READONLY"), "{text}");
}

#[test]
fn a_revisions_headers_come_from_git_archive() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    common::git(root, &["init", "-q"]);
    write_tree(root, HEADER);
    common::git(root, &["add", "."]);
    common::git(root, &["commit", "-q", "-m", "old"]);
    write_tree(
        root,
        &HEADER.replacen("PyFoo(long value,", "PyFoo(int value,", 1),
    );
    let output = stable_abi(root, &["compat", "--baseline", "HEAD"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "Include/Python.h:5:17: error: PyFoo changed: PyAPI_FUNC(int)PyFoo(int,const char*) [compat-prototype-changed]\n    \
         HEAD:Include/Python.h:5:17: note: was: PyAPI_FUNC(int)PyFoo(long,const char*)\n\
         1 error(s), 0 warning(s)\n"
    );
}
