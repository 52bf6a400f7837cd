//! `stable-abi explain CODE` shows, for each code of `audit` and
//! `library`, an example of what the tool prints: each example here is
//! made (a wheel or a binary, written with the `object` crate's writers or
//! built with the C compiler) and run, and the example's lines must be
//! lines of the real output, in order and together.

mod common;
mod objects;

use std::io::Write;
use std::path::Path;
use std::process::Command;

use object::Architecture;
use stable_abi::codes;

/// A Mach-O extension module exporting `exports` and importing `imports`.
fn macho(exports: &[&str], imports: &[&str]) -> Vec<u8> {
    objects::macho(Architecture::X86_64, exports, imports)
}

/// Writes the wheel `name` holding `members`, its `WHEEL` file saying
/// `tag` (the file name's own tag when `None`).
fn wheel(dir: &Path, name: &str, tag: Option<&str>, members: &[(&str, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(dir.join(name)).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (member, bytes) in members {
        zip.start_file(*member, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    let tag = tag.map_or_else(
        || {
            let stem = name.strip_suffix(".whl").unwrap();
            stem.splitn(3, '-').nth(2).unwrap().to_string()
        },
        str::to_string,
    );
    zip.start_file("spam-1.0.dist-info/WHEEL", options).unwrap();
    writeln!(zip, "Wheel-Version: 1.0\nTag: {tag}").unwrap();
    zip.finish().unwrap();
}

/// The lines of `code`'s example: the indented block after `Example`,
/// without its indentation.
fn example(code: &str) -> Vec<String> {
    let doc = codes::find(code).unwrap().doc;
    let after = &doc[doc.find("\nExample").expect("an example") + 1..];
    after
        .lines()
        .skip(1)
        .skip_while(|line| !line.starts_with("    "))
        .take_while(|line| line.starts_with("    "))
        .map(|line| line[4..].to_string())
        .collect()
}

/// Runs `stable-abi ARGS` in `dir`: its standard output and error.
fn run(dir: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_stable-abi"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Checks that `code`'s example is lines of `output`.
fn assert_shows(code: &str, output: &str) {
    let example = example(code);
    assert!(!example.is_empty(), "{code}: no example block");
    let lines: Vec<&str> = output.lines().collect();
    let found = lines
        .windows(example.len())
        .any(|window| window.iter().zip(&example).all(|(a, b)| a == b));
    assert!(
        found,
        "`stable-abi explain {code}` shows\n{}\nbut the tool prints\n{output}",
        example.join("\n")
    );
}

/// How an audit code's example is made: the input (a wheel, or an
/// extension module file when `members` is one binary named as the input),
/// the `WHEEL` file's tag when it differs from the name's, the binaries.
struct Example {
    code: &'static str,
    input: &'static str,
    tag: Option<&'static str>,
    members: Vec<(&'static str, Vec<u8>)>,
    /// A member's name written over another's of the same length, after
    /// the wheel is written (the zip writer refuses a name twice).
    rename: Option<(&'static str, &'static str)>,
}

/// A Windows extension module `_spam.pyd` importing `imports` from `dll`.
fn pyd(dll: &str, imports: &[&str]) -> Vec<u8> {
    objects::pe_dll("_spam.pyd", &[("PyInit__spam", None)], &[(dll, imports)])
}

/// The example of each audit code.
fn examples() -> Vec<Example> {
    let cp38 = "spam-1.0-cp38-abi3-macosx_11_0_x86_64.whl";
    let module = |imports: &[&str]| vec![("spam/_spam.abi3.so", macho(&["PyInit__spam"], imports))];
    let example = |code, input, members| Example {
        code,
        input,
        tag: None,
        members,
        rename: None,
    };
    vec![
        example(
            "not-stable-abi",
            cp38,
            module(&["PyLong_FromLong", "PyUnicode_New"]),
        ),
        example("version-mismatch", cp38, module(&["PyType_GetName"])),
        example(
            "version-specific-libpython",
            "_spam.pyd",
            vec![("_spam.pyd", pyd("python313.dll", &["PyLong_FromLong"]))],
        ),
        example(
            "unknown-to-table",
            "spam-1.0-cp316-abi3-macosx_11_0_x86_64.whl",
            module(&["PyFoo_New"]),
        ),
        Example {
            tag: Some("cp311-abi3-macosx_11_0_x86_64"),
            ..example("tag-mismatch", cp38, module(&["PyLong_FromLong"]))
        },
        Example {
            rename: Some(("spam/_eggs.abi3.so", "spam/_spam.abi3.so")),
            ..example(
                "duplicate-member",
                cp38,
                vec![
                    ("spam/_spam.abi3.so", macho(&["PyInit__spam"], &[])),
                    ("spam/_eggs.abi3.so", macho(&["PyInit__spam"], &[])),
                ],
            )
        },
        example(
            "abi3t-too-early",
            "spam-1.0-cp313-abi3t-macosx_11_0_x86_64.whl",
            vec![(
                "spam/_spam.abi3t.so",
                macho(&["PyModExport__spam"], &["PyLong_FromLong"]),
            )],
        ),
        example(
            "abi3t-needs-modexport",
            "spam-1.0-cp315-abi3t-macosx_11_0_x86_64.whl",
            vec![(
                "spam.abi3t.so",
                macho(&["PyInit_spam"], &["PyModuleDef_Init"]),
            )],
        ),
        example(
            "wrong-python-dll",
            "spam-1.0-cp39-abi3-win_amd64.whl",
            vec![("spam/_spam.pyd", pyd("python3t.dll", &["PyLong_FromLong"]))],
        ),
        example(
            "own-python-symbol",
            cp38,
            vec![(
                "spam/_spam.abi3.so",
                macho(&["PyInit__spam", "PyMy_Helper"], &["PyLong_FromLong"]),
            )],
        ),
        example(
            "not-on-platform",
            "spam-1.0-cp37-abi3-win_amd64.whl",
            vec![(
                "spam/_spam.pyd",
                pyd("python3.dll", &["PyOS_AfterFork_Child"]),
            )],
        ),
        example(
            "abi3t-unusable",
            "spam-1.0-cp315-abi3t-macosx_11_0_x86_64.whl",
            vec![(
                "spam.abi3t.so",
                macho(&["PyModExport_spam"], &["PyModule_GetDef"]),
            )],
        ),
        example(
            "wrong-file-name",
            "spam-1.0-cp39-abi3-macosx_11_0_x86_64.whl",
            vec![(
                "spam.abi3t.so",
                macho(&["PyModExport_spam"], &["PyLong_FromLong"]),
            )],
        ),
    ]
}

impl Example {
    /// What `stable-abi audit INPUT` prints, run in a fresh directory.
    fn run(&self) -> String {
        let dir = tempfile::tempdir().unwrap();
        match self.members.as_slice() {
            [(name, bytes)] if *name == self.input => {
                std::fs::write(dir.path().join(name), bytes).unwrap()
            }
            members => wheel(dir.path(), self.input, self.tag, members),
        }
        if let Some((from, to)) = self.rename {
            let path = dir.path().join(self.input);
            let mut bytes = std::fs::read(&path).unwrap();
            common::replace_all(&mut bytes, from.as_bytes(), to.as_bytes());
            std::fs::write(&path, bytes).unwrap();
        }
        run(dir.path(), &["audit", self.input])
    }
}

/// Every code of `audit`: its example is what the audit prints.
#[test]
fn every_audit_code_shows_real_output() {
    let audit_codes: Vec<&str> = codes::all()
        .iter()
        .filter(|code| code.command == "audit")
        .map(|code| code.name)
        .collect();
    let examples = examples();
    for code in audit_codes {
        let example = examples
            .iter()
            .find(|example| example.code == code)
            .unwrap_or_else(|| panic!("`{code}` has no example here: add how it is made"));
        assert_shows(code, &example.run());
    }
}

/// `missing-export`'s example: a `libpython3.13.so` built with everything
/// CPython 3.13's manifest lists but `PyType_GetName`, checked in the
/// tree.
#[test]
#[cfg_attr(
    not(all(shared_3_13_15, c_compiler)),
    ignore = "needs ../shared/cpython/3.13.15 and a C compiler"
)]
fn the_library_example_shows_real_output() {
    let test = "the_library_example_shows_real_output";
    let Some(tree) = common::shared_tree(test, "3.13.15") else {
        return;
    };
    let manifest = std::fs::read_to_string(tree.join("Misc/stable_abi.toml")).unwrap();
    let mut source = String::new();
    for line in manifest.lines() {
        for (kind, definition) in [
            ("[function.", "void NAME(void) {}"),
            ("[data.", "int NAME;"),
        ] {
            if let Some(name) = line.strip_prefix(kind).and_then(|n| n.strip_suffix(']')) {
                if name != "PyType_GetName" {
                    source.push_str(&definition.replace("NAME", name));
                    source.push('\n');
                }
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("python.c"), source).unwrap();
    let library = dir.path().join("libpython3.13.so");
    let built = Command::new(common::data::c_compiler())
        .current_dir(dir.path())
        .args(["-shared", "-fPIC", "-o"])
        .arg(&library)
        .arg("python.c")
        .status()
        .unwrap();
    assert!(built.success());
    let output = run(&tree, &["library", library.to_str().unwrap()]);
    let output = output.replace(&format!("{}/", dir.path().display()), "");
    assert_shows("missing-export", &output);
}
