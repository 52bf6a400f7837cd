//! `stable-abi audit` on the libraries beside extension modules: a
//! versioned `.so.N` or a `.dll` that imports Python symbols is audited
//! and reported as a library; a `Py*` name a module imports from a library
//! it links is that library's, not CPython's; an input named twice is
//! audited once, and the counts say extensions and libraries apart.
//!
//! The binaries are built with the C compiler; they need no Python
//! headers, only the symbols they import and export.

mod cc;
mod common;

use std::path::{Path, PathBuf};

use common::{stable_abi, stderr, stdout};

/// A library calling a Stable ABI function and one outside it.
const LIBFOO: &str = "extern void *PyLong_FromLong(long);\n\
    extern void *PyMethod_Function(void *);\n\
    void *foo(void *m) { PyLong_FromLong(1); return PyMethod_Function(m); }\n";

/// A clean module.
const MODULE: &str = "extern void *PyLong_FromLong(long);\n\
    void *PyInit__spam(void) { return PyLong_FromLong(42); }\n";

/// A library defining `Py*` names of its own, as shiboken's does
/// (`PyMethod_New` outside the Limited API, `PyFoo_Helper` of its own).
const PROVIDER: &str = "extern void *PyLong_FromLong(long);\n\
    void *PyFoo_Helper(void) { return PyLong_FromLong(1); }\n\
    void *PyMethod_New(void *f, void *s) { return f; }\n";

/// A module importing the provider's names.
const CONSUMER: &str = "extern void *PyFoo_Helper(void);\n\
    extern void *PyMethod_New(void *, void *);\n\
    void *PyInit__spam(void) { return PyMethod_New(PyFoo_Helper(), 0); }\n";

struct Dir {
    dir: tempfile::TempDir,
    cc: String,
}

impl Dir {
    fn new(test: &str) -> Option<Dir> {
        Some(Dir {
            cc: cc::compiler(test)?,
            dir: tempfile::tempdir().unwrap(),
        })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Builds `source` as `name` (with `flags`), returning its bytes.
    fn build(&self, name: &str, source: &str, flags: &[&str]) -> Vec<u8> {
        std::fs::read(cc::shared_object(
            &self.cc,
            self.path(),
            name,
            source,
            flags,
        ))
        .unwrap()
    }

    /// Packs `members` into the wheel `file` tagged by its name.
    fn wheel(&self, file: &str, members: &[(&str, Vec<u8>)]) -> PathBuf {
        let path = self.path().join(file);
        let tag = file.trim_end_matches(".whl").splitn(3, '-').nth(2).unwrap();
        cc::wheel(&path, Some(tag), members);
        path
    }

    fn audit(&self, args: &[&str]) -> (Option<i32>, String) {
        let mut all = vec!["audit"];
        all.extend_from_slice(args);
        let output = stable_abi(self.path(), &all);
        let text = format!("{}{}", stdout(&output), stderr(&output));
        (output.status.code(), text)
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["audit", "--format", "json"];
        all.extend_from_slice(args);
        let output = stable_abi(self.path(), &all);
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|err| panic!("{err}: {}", stdout(&output)))
    }
}

#[test]
#[cfg_attr(not(c_compiler), ignore = "needs a C compiler")]
fn a_versioned_library_importing_python_symbols_is_audited() {
    let Some(dir) = Dir::new("a_versioned_library_importing_python_symbols_is_audited") else {
        return;
    };
    let libfoo = dir.build("libfoo.so", LIBFOO, &[]);
    let module = dir.build("_spam.abi3.so", MODULE, &[]);
    // auditwheel's name for a grafted library: `.so.N` after a hash.
    for member in ["spam.libs/libfoo-1a2b.so.3", "spam/libfoo.so"] {
        let wheel = dir.wheel(
            "spam-1.0-cp38-abi3-manylinux_2_28_x86_64.whl",
            &[
                ("spam/_spam.abi3.so", module.clone()),
                (member, libfoo.clone()),
            ],
        );
        let (code, text) = dir.audit(&[wheel.to_str().unwrap()]);
        assert_eq!(code, Some(1), "{member}: {text}");
        assert!(
            text.contains(&format!(
                "  {member} (library): 2 Python symbols, 1 problem\n    \
                 error: PyMethod_Function is not in the Stable ABI [not-stable-abi]\n"
            )),
            "{member}: {text}"
        );
        assert!(
            text.ends_with(
                "1 extension and 1 library in 1 input: 1 clean, 1 failed, 0 unreadable, \
                 0 inputs not audited\n"
            ),
            "{text}"
        );
        let json = dir.json(&[wheel.to_str().unwrap()]);
        let kinds: Vec<&str> = json["inputs"][0]["extensions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["extension", "library"], "{member}");
        assert_eq!(json["summary"]["extensions"], 1);
        assert_eq!(json["summary"]["libraries"], 1);
    }
    // A directory holding only the versioned library: it is found, audited
    // and counted as what it is, in one line when clean.
    let only = dir.path().join("only");
    std::fs::create_dir(&only).unwrap();
    std::fs::write(only.join("libfoo.so.3"), &libfoo).unwrap();
    let (code, text) = dir.audit(&["only"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("  libfoo.so.3 (library): 2 Python symbols, 1 problem\n"),
        "{text}"
    );
    assert!(
        text.ends_with(
            "1 library in 1 input: 0 clean, 1 failed, 0 unreadable, 0 inputs not audited\n"
        ),
        "{text}"
    );
    let clean = dir.path().join("clean");
    std::fs::create_dir(&clean).unwrap();
    let quiet = dir.build(
        "libquiet.so",
        MODULE.replace("PyInit__spam", "quiet").as_str(),
        &[],
    );
    std::fs::write(clean.join("libquiet.so.1.2"), quiet).unwrap();
    let (code, text) = dir.audit(&["--target", "3.9", "clean"]);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        text,
        "clean/libquiet.so.1.2: ok: 1 library judged as abi3 for Python 3.9+\n\
         1 library in 1 input: 1 clean, 0 failed, 0 unreadable, 0 inputs not audited\n"
    );
    // A library importing nothing of Python's is none of the audit's business.
    let unrelated = dir.path().join("unrelated");
    std::fs::create_dir(&unrelated).unwrap();
    let plain = dir.build("libplain.so", "int plain(void) { return 1; }\n", &[]);
    std::fs::write(unrelated.join("libplain.so.1"), plain).unwrap();
    let (code, text) = dir.audit(&["unrelated"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("no extension module found"), "{text}");
}

/// The provider and the consumer linked to it: `libprov.so.1` (its
/// soname), and the consumer's `DT_NEEDED` naming it.
fn provider_and_consumer(dir: &Dir) -> (Vec<u8>, Vec<u8>) {
    let provider = dir.build("libprov.so.1", PROVIDER, &["-Wl,-soname,libprov.so.1"]);
    let library = dir.path().join("libprov.so.1");
    let consumer = dir.build("_spam.abi3.so", CONSUMER, &[library.to_str().unwrap()]);
    (provider, consumer)
}

#[test]
#[cfg_attr(not(c_compiler), ignore = "needs a C compiler")]
fn a_name_a_linked_library_defines_is_that_library_s() {
    let Some(dir) = Dir::new("a_name_a_linked_library_defines_is_that_library_s") else {
        return;
    };
    let (provider, consumer) = provider_and_consumer(&dir);
    // Alone, the consumer's names are judged, with a word on the library
    // it links that the audit did not read.
    let alone = dir.wheel(
        "spam-1.0-cp38-abi3-manylinux_2_28_x86_64.whl",
        &[("spam/_spam.abi3.so", consumer.clone())],
    );
    let (code, text) = dir.audit(&[alone.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("error: PyFoo_Helper is not in the Stable ABI [not-stable-abi]"),
        "{text}"
    );
    assert!(
        text.contains("note: it links libprov.so.1, which this audit did not read"),
        "{text}"
    );
    assert!(!text.contains("libc.so.6"), "{text}");
    // With the library in the wheel (as auditwheel grafts it), its names
    // are its own; the library itself is audited as one.
    let both = dir.wheel(
        "both-1.0-cp38-abi3-manylinux_2_28_x86_64.whl",
        &[
            ("spam/_spam.abi3.so", consumer.clone()),
            ("spam.libs/libprov.so.1", provider.clone()),
        ],
    );
    let (code, text) = dir.audit(&[both.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.starts_with(&format!(
            "{}: ok: 1 extension and 1 library judged as abi3 for Python 3.8+\n",
            both.display()
        )),
        "{text}"
    );
    let (_, verbose) = dir.audit(&["--verbose", both.to_str().unwrap()]);
    assert!(
        verbose.contains(
            "    note: spam.libs/libprov.so.1, which it links, defines PyFoo_Helper, \
             PyMethod_New: not CPython's, not judged\n"
        ),
        "{verbose}"
    );
    let json = dir.json(&[both.to_str().unwrap()]);
    assert_eq!(
        json["inputs"][0]["extensions"][0]["from_libraries"],
        serde_json::json!([
            {"symbol": "PyFoo_Helper", "library": "spam.libs/libprov.so.1"},
            {"symbol": "PyMethod_New", "library": "spam.libs/libprov.so.1"},
        ])
    );
    // The library in another wheel (a dependency's) audited with it.
    let dependency = dir.wheel(
        "prov-1.0-cp38-abi3-manylinux_2_28_x86_64.whl",
        &[("prov/libprov.so.1", provider.clone())],
    );
    let (code, text) = dir.audit(&[alone.to_str().unwrap(), dependency.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{text}");
    // A library the module does not link defines nothing for it.
    let unlinked = dir.build("_other.abi3.so", CONSUMER, &[]);
    let beside = dir.wheel(
        "beside-1.0-cp38-abi3-manylinux_2_28_x86_64.whl",
        &[
            ("spam/_spam.abi3.so", unlinked),
            ("spam.libs/libprov.so.1", provider),
        ],
    );
    let (code, text) = dir.audit(&[beside.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("PyMethod_New is not in the Stable ABI"),
        "{text}"
    );
}

#[test]
#[cfg_attr(not(c_compiler), ignore = "needs a C compiler")]
fn an_elf_module_s_names_come_from_its_whole_dependency_tree() {
    let Some(dir) = Dir::new("an_elf_module_s_names_come_from_its_whole_dependency_tree") else {
        return;
    };
    let provider = dir.build("libprov.so.1", PROVIDER, &["-Wl,-soname,libprov.so.1"]);
    let library = dir.path().join("libprov.so.1");
    let middle = dir.build(
        "libmid.so.2",
        "int mid(void) { return 0; }\n",
        &[
            "-Wl,-soname,libmid.so.2",
            "-Wl,--no-as-needed",
            library.to_str().unwrap(),
        ],
    );
    let middle_path = dir.path().join("libmid.so.2");
    let consumer = dir.build(
        "_spam.abi3.so",
        CONSUMER,
        &[
            "-Wl,--no-as-needed",
            "-Wl,--allow-shlib-undefined",
            middle_path.to_str().unwrap(),
        ],
    );
    let wheel = dir.wheel(
        "spam-1.0-cp38-abi3-manylinux_2_28_x86_64.whl",
        &[
            ("spam/_spam.abi3.so", consumer),
            ("spam.libs/libmid.so.2", middle),
            ("spam.libs/libprov.so.1", provider),
        ],
    );
    let (code, text) = dir.audit(&[wheel.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{text}");
}

#[test]
#[cfg_attr(not(c_compiler), ignore = "needs a C compiler")]
fn an_input_named_twice_is_audited_once() {
    let Some(dir) = Dir::new("an_input_named_twice_is_audited_once") else {
        return;
    };
    let module = dir.build("_spam.abi3.so", MODULE, &[]);
    std::fs::create_dir(dir.path().join("t3")).unwrap();
    let wheel = dir.wheel(
        "t3/spam-1.0-cp38-abi3-manylinux_2_28_x86_64.whl",
        &[("spam/_spam.abi3.so", module)],
    );
    let name = wheel.to_str().unwrap();
    let one = "1 extension in 1 input: 1 clean, 0 failed, 0 unreadable, 0 inputs not audited\n";
    // `.` also holds the module built beside t3.
    let two = "2 extensions in 2 inputs: 2 clean, 0 failed, 0 unreadable, 0 inputs not audited\n";
    for (args, summary) in [
        (&[".", "t3"][..], two),
        (&["t3", "t3"], one),
        (&["t3", name], one),
        (&[name, "./t3/../t3"], one),
    ] {
        let (code, text) = dir.audit(args);
        assert_eq!(code, Some(0), "{args:?}: {text}");
        assert!(text.ends_with(summary), "{args:?}: {text}");
        assert_eq!(text.matches("spam-1.0-cp38").count(), 1, "{args:?}: {text}");
    }
}
