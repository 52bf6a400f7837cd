//! The layout engine of `compat` against gcc: for every `'full-abi'` struct
//! of a real CPython tree's manifest, the size and every member's offset
//! that `compat` computes from the headers equal what the C compiler says
//! (`sizeof`, `offsetof` in a program built against the same headers with
//! the same `Py_LIMITED_API`). Skipped when there is no `cc` (the product
//! never needs one), except under `CI=true`, where it must run.

mod common;

use std::path::Path;
use std::process::Command;

use stable_abi::compat::c_text::Source;
use stable_abi::compat::layout::{struct_layout, Layout};
use stable_abi::manifest::{Kind, Manifest, StructAbiKind};
use stable_abi::version::Version;
use stable_abi::view::{Defines, Headers};

/// `NAME size N` and `NAME.member OFFSET` lines, from `layouts`.
fn lines(layouts: &[(String, Layout)]) -> String {
    let mut text = String::new();
    for (name, layout) in layouts {
        text.push_str(&format!("{name} size {}\n", layout.size));
        for member in &layout.members {
            text.push_str(&format!("{name}.{} {}\n", member.name, member.offset));
        }
    }
    text
}

/// The same lines, printed by a program gcc built.
fn compiled(tree: &Path, version: Version, layouts: &[(String, Layout)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut program = format!(
        "#define Py_LIMITED_API {:#x}\n#include \"Python.h\"\n#include <stddef.h>\n#include <stdio.h>\nint main(void) {{\n",
        version.limited_api_value()
    );
    for (name, layout) in layouts {
        program.push_str(&format!(
            "    printf(\"{name} size %zu\\n\", sizeof({name}));\n"
        ));
        for member in &layout.members {
            let m = &member.name;
            program.push_str(&format!(
                "    printf(\"{name}.{m} %zu\\n\", offsetof({name}, {m}));\n"
            ));
        }
    }
    program.push_str("    return 0;\n}\n");
    let source = dir.path().join("layout.c");
    std::fs::write(&source, program).unwrap();
    let binary = dir.path().join("layout");
    let output = Command::new("cc")
        .arg(format!("-I{}", tree.join("Include").display()))
        .arg(format!("-I{}", tree.display()))
        .arg(&source)
        .arg("-o")
        .arg(&binary)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let run = Command::new(&binary).output().unwrap();
    assert!(run.status.success());
    String::from_utf8(run.stdout).unwrap()
}

fn check_release(release: &str) {
    let test = "layout_of_full_abi_structs_is_gcc_s";
    let Some(tree) = common::shared_tree(test, release) else {
        return;
    };
    if Command::new("cc").arg("--version").output().is_err() {
        common::missing::<()>(test, "c_compiler", "no C compiler (`cc`) to compare with");
        return;
    }
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).unwrap();
    let headers = Headers::load(&tree, &Defines::default()).unwrap();
    let version = headers.python_version();
    let view = headers.view(Some(version), &Defines::default()).unwrap();
    let source = Source::new(&view);
    let mut layouts = Vec::new();
    for item in &manifest.items {
        let full_abi =
            item.struct_abi_kind.map(StructAbiKind::in_abi3) == Some(StructAbiKind::FullAbi);
        if item.kind != Kind::Struct || !full_abi || item.abi_only {
            continue;
        }
        match struct_layout(&source, &item.name) {
            Ok(layout) => layouts.push((item.name.clone(), layout)),
            Err(reason) => panic!("{release}: {} not laid out: {reason}", item.name),
        }
    }
    assert!(
        layouts.len() >= 10,
        "{release}: {} full-abi structs",
        layouts.len()
    );
    let ours = lines(&layouts);
    let gcc = compiled(&tree, version, &layouts);
    assert_eq!(ours, gcc, "{release}: computed (left) vs gcc (right)");
    eprintln!(
        "{release}: {} full-abi structs, {} sizes and offsets equal gcc's",
        layouts.len(),
        ours.lines().count()
    );
}

#[test]
#[cfg_attr(
    not(all(shared_3_13_15, c_compiler)),
    ignore = "needs ../shared/cpython/3.13.15 and a C compiler"
)]
fn layout_of_full_abi_structs_is_gcc_s_3_13() {
    check_release("3.13.15");
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, c_compiler)),
    ignore = "needs ../shared/cpython/3.15.2 and a C compiler"
)]
fn layout_of_full_abi_structs_is_gcc_s_3_15() {
    check_release("3.15.2");
}
