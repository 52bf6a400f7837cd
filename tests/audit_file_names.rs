//! `wrong-file-name` for the names only one interpreter imports: a
//! version-specific `NAME.cpython-312-….so` (or `cp312-win_amd64.pyd`) in
//! an abi3 or abi3t claim, unless a file of the same module beside it
//! serves the rest of the range; and any `.so` name on Windows, which
//! imports `.pyd` only. Where the real CPython 3.15.2 runs here
//! (`../shared/tools/python3.15`), it refuses what the audit refuses.

mod cc;
mod common;

use std::path::{Path, PathBuf};

use common::{stable_abi, stderr, stdout};

/// A module for the audit: its hook and a Stable ABI call (no headers
/// needed: the audit reads symbols).
fn module_source(name: &str) -> String {
    format!(
        "extern void *PyLong_FromLong(long);\n\
         void *PyInit_{name}(void) {{ return PyLong_FromLong(42); }}\n"
    )
}

/// A wheel's members: a path in it and the bytes.
type Members<'a> = &'a [(&'a str, Vec<u8>)];

fn wheel(dir: &Path, file: &str, members: Members) -> PathBuf {
    let path = dir.join(file);
    let tag = file.trim_end_matches(".whl").splitn(3, '-').nth(2).unwrap();
    cc::wheel(&path, Some(tag), members);
    path
}

fn audit(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    let output = stable_abi(dir, &all);
    (
        output.status.code(),
        format!("{}{}", stdout(&output), stderr(&output)),
    )
}

/// The bytes of `source` built in `dir` with `flags` as the module `name`.
fn built(cc: &str, dir: &Path, source: &str, flags: &[&str], name: &str) -> Vec<u8> {
    let out = format!("{name}.built.so");
    std::fs::read(cc::shared_object(cc, dir, &out, source, flags)).unwrap()
}

#[test]
#[cfg_attr(not(c_compiler), ignore = "needs a C compiler")]
fn version_specific_names_in_a_stable_abi_claim_are_errors() {
    let test = "version_specific_names_in_a_stable_abi_claim_are_errors";
    let Some(cc) = cc::compiler(test) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let build = |name: &str| built(&cc, dir.path(), &module_source(name), &[], name);
    let (module, t3) = (build("mod"), build("t3"));
    let cases: [(&str, Members, Option<i32>, &[&str]); 4] = [
        (
            "spam-1.0-cp38-abi3-manylinux_2_28_x86_64.whl",
            &[("pkg/mod.cpython-312-x86_64-linux-gnu.so", module.clone())],
            Some(1),
            &["    error: abi3: only CPython 3.12 imports `NAME.cpython-312-x86_64-linux-gnu.so`, \
               not all of Python 3.8+: name it `NAME.abi3.so` (or a plain `NAME.so`) \
               [wrong-file-name]\n"],
        ),
        (
            "spam-1.0-cp315-abi3.abi3t-manylinux_2_28_x86_64.whl",
            &[("pkg/t3.cpython-315t-x86_64-linux-gnu.so", t3.clone())],
            Some(1),
            &[
                "    error: abi3: only free-threaded CPython 3.15 imports \
                 `NAME.cpython-315t-x86_64-linux-gnu.so`, not all of Python 3.15+: name it \
                 `NAME.abi3.so` or `NAME.abi3t.so` [wrong-file-name]\n",
                "    error: abi3t: only free-threaded CPython 3.15 imports \
                 `NAME.cpython-315t-x86_64-linux-gnu.so`, not all of free-threaded Python \
                 3.15+: name it `NAME.abi3t.so` [wrong-file-name]\n",
            ],
        ),
        // Shipped beside an abi3 build of the same module, deliberately:
        // 3.12 imports its own, every other version the abi3 one.
        (
            "spam-1.0-cp38-abi3-manylinux_2_28_x86_64.whl",
            &[
                ("pkg/mod.cpython-312-x86_64-linux-gnu.so", module.clone()),
                ("pkg/mod.abi3.so", module.clone()),
            ],
            Some(0),
            &["    note: CPython 3.12 imports this version-specific file, every other \
               interpreter the file of the same module beside it\n"],
        ),
        // Windows imports `.pyd` only (PYD_TAGGED_SUFFIX, PYD_UNTAGGED_SUFFIX).
        (
            "spam-1.0-cp38-abi3-win_amd64.whl",
            &[("pkg/mod.abi3.so", module.clone())],
            Some(1),
            &["    error: abi3: Windows imports extension modules only as `.pyd` \
               (`PYD_TAGGED_SUFFIX`, `PYD_UNTAGGED_SUFFIX` in \
               Include/internal/pycore_importdl.h): name it `NAME.pyd` [wrong-file-name]\n"],
        ),
    ];
    for (file, members, code, lines) in cases {
        let path = wheel(dir.path(), file, members);
        let (status, text) = audit(dir.path(), &["--verbose", path.to_str().unwrap()]);
        assert_eq!(status, code, "{file}: {text}");
        for line in lines {
            assert!(text.contains(line), "{file}: {line}\n{text}");
        }
        std::fs::remove_file(path).unwrap();
    }
    // Outside a wheel, the directory's files are the module's neighbours.
    let alone = dir.path().join("alone");
    std::fs::create_dir(&alone).unwrap();
    std::fs::write(alone.join("mod.cpython-312-x86_64-linux-gnu.so"), &module).unwrap();
    let (status, text) = audit(dir.path(), &["--target", "3.8", "alone"]);
    assert_eq!(status, Some(1), "{text}");
    assert!(text.contains("[wrong-file-name]"), "{text}");
    std::fs::write(alone.join("mod.abi3.so"), &module).unwrap();
    let (status, text) = audit(dir.path(), &["--target", "3.8", "alone"]);
    assert_eq!(status, Some(0), "{text}");
}

/// A real module: a static definition behind `PyInit_`.
fn real_module(name: &str) -> String {
    format!(
        "#include <Python.h>\n\
         static PyModuleDef def = {{PyModuleDef_HEAD_INIT, \"{name}\", NULL, 0, NULL}};\n\
         PyMODINIT_FUNC PyInit_{name}(void) {{ return PyModuleDef_Init(&def); }}\n"
    )
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, c_compiler)),
    ignore = "needs ../shared/cpython/3.15.2 and a C compiler"
)]
fn what_the_audit_refuses_the_real_3_15_2_does_not_import() {
    let test = "what_the_audit_refuses_the_real_3_15_2_does_not_import";
    let Some(tree) = common::abi3t_tree(test) else {
        return;
    };
    let Some(cc) = cc::compiler(test) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut flags = cc::python_includes(&tree);
    flags.push("-DPy_LIMITED_API=0x03080000".to_string());
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let build = |name: &str| built(&cc, dir.path(), &real_module(name), &flags, name);
    let (module, t3) = (build("mod"), build("t3"));
    // (wheel, files of `pkg`, the module imported, audit status, imports?)
    let cases: [(&str, Members, &str, i32, bool); 3] = [
        (
            "spam-1.0-cp38-abi3-manylinux_2_28_x86_64.whl",
            &[("mod.cpython-312-x86_64-linux-gnu.so", module.clone())],
            "pkg.mod",
            1,
            false,
        ),
        (
            "spam-1.0-cp315-abi3.abi3t-manylinux_2_28_x86_64.whl",
            &[("t3.cpython-315t-x86_64-linux-gnu.so", t3.clone())],
            "pkg.t3",
            1,
            false,
        ),
        (
            "spam-1.0-cp38-abi3-manylinux_2_28_x86_64.whl",
            &[
                ("mod.cpython-312-x86_64-linux-gnu.so", module.clone()),
                ("mod.abi3.so", module.clone()),
            ],
            "pkg.mod",
            0,
            true,
        ),
    ];
    let python = common::python315(test);
    for (file, files, import, status, imports) in cases {
        let names: Vec<String> = files
            .iter()
            .map(|(name, _)| format!("pkg/{name}"))
            .collect();
        let members: Vec<(&str, Vec<u8>)> = names
            .iter()
            .zip(files)
            .map(|(path, (_, bytes))| (path.as_str(), bytes.clone()))
            .collect();
        let path = wheel(dir.path(), file, &members);
        let (code, text) = audit(dir.path(), &[path.to_str().unwrap()]);
        assert_eq!(code, Some(status), "{file} {names:?}: {text}");
        std::fs::remove_file(path).unwrap();
        let Some(python) = &python else {
            continue;
        };
        let site = tempfile::tempdir().unwrap();
        let pkg = site.path().join("pkg");
        std::fs::create_dir(&pkg).unwrap();
        std::fs::write(pkg.join("__init__.py"), "").unwrap();
        for (name, bytes) in files {
            std::fs::write(pkg.join(name), bytes).unwrap();
        }
        let output = std::process::Command::new(python)
            .args(["-c", &format!("import {import}")])
            .env("PYTHONPATH", site.path())
            .output()
            .unwrap();
        let said = stderr(&output);
        assert_eq!(output.status.success(), imports, "{names:?}: {said}");
        if !imports {
            // 3.15's hint (Lib/traceback.py, _find_incompatible_extension_module).
            assert!(
                said.contains("was found for a different Python version"),
                "{said}"
            );
        }
    }
}
