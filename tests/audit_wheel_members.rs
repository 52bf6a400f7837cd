//! The members of a wheel as the zip stores them: a name stored twice is
//! an error of the wheel with every copy audited, whichever comes first.
//! Each wheel is made here (the zip writer refuses a name twice, so the
//! second name is patched into the first after writing).

mod common;
mod objects;

use std::io::Write;
use std::path::Path;
use std::process::Output;

use object::Architecture;

const WHEEL: &str = "spam-1.0-cp38-abi3-macosx_11_0_x86_64.whl";

/// An extension module importing `imports`.
fn module(imports: &[&str]) -> Vec<u8> {
    objects::macho(Architecture::X86_64, &["PyInit_m"], imports)
}

/// Imports `PyUnicode_New`, not in the Stable ABI.
fn bad() -> Vec<u8> {
    module(&["PyLong_FromLong", "PyUnicode_New"])
}

fn clean() -> Vec<u8> {
    module(&["PyLong_FromLong"])
}

/// Writes `dir/WHEEL` holding `members` (each with its method), then
/// renames every `from` to `to` (names of one length) in its bytes.
fn write_wheel(
    dir: &Path,
    members: &[(&str, Vec<u8>, zip::CompressionMethod)],
    rename: Option<(&str, &str)>,
) {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes, method) in members {
        let options = zip::write::SimpleFileOptions::default().compression_method(*method);
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("spam-1.0.dist-info/WHEEL", options).unwrap();
    zip.write_all(b"Wheel-Version: 1.0\nTag: cp38-abi3-macosx_11_0_x86_64\n")
        .unwrap();
    let mut bytes = zip.finish().unwrap().into_inner();
    if let Some((from, to)) = rename {
        common::replace_all(&mut bytes, from.as_bytes(), to.as_bytes());
    }
    std::fs::write(dir.join(WHEEL), bytes).unwrap();
}

fn audit(dir: &Path, format: &str) -> Output {
    common::stable_abi(dir, &["audit", WHEEL, "--format", format])
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_name_stored_twice_is_an_error_and_every_copy_is_audited() {
    let deflated = zip::CompressionMethod::Deflated;
    let stored = zip::CompressionMethod::Stored;
    // The bad copy first and a clean copy last, then the other way round.
    for (first, last) in [(bad(), clean()), (clean(), bad())] {
        let dir = tempfile::tempdir().unwrap();
        write_wheel(
            dir.path(),
            &[
                ("pkg/m.abi3.so", first, deflated),
                ("pkg/x.abi3.so", last, stored),
            ],
            Some(("pkg/x.abi3.so", "pkg/m.abi3.so")),
        );
        let output = audit(dir.path(), "text");
        let out = text(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{out}{}",
            text(&output.stderr)
        );
        assert!(
            out.contains(
                "  error: pkg/m.abi3.so is stored 2 times in the wheel; installers differ \
                 in which copy they keep [duplicate-member]\n"
            ),
            "{out}"
        );
        // Both copies: the clean one is `ok`, the other has its problem.
        assert_eq!(out.matches("\n  pkg/m.abi3.so: ").count(), 2, "{out}");
        assert!(out.contains("\n  pkg/m.abi3.so: ok\n"), "{out}");
        assert!(
            out.contains("2 extensions in 1 input: 1 clean, 1 failed"),
            "{out}"
        );
        assert!(
            out.contains("error: PyUnicode_New is not in the Stable ABI [not-stable-abi]"),
            "{out}"
        );

        let json: serde_json::Value =
            serde_json::from_slice(&audit(dir.path(), "json").stdout).unwrap();
        let checks: Vec<&str> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| finding["check"].as_str().unwrap())
            .collect();
        assert!(checks.contains(&"duplicate-member"), "{checks:?}");
        assert!(checks.contains(&"not-stable-abi"), "{checks:?}");
        assert_eq!(json["inputs"][0]["extensions"].as_array().unwrap().len(), 2);

        let sarif: serde_json::Value =
            serde_json::from_slice(&audit(dir.path(), "sarif").stdout).unwrap();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        let duplicate = results
            .iter()
            .find(|result| result["ruleId"] == "duplicate-member")
            .expect("a SARIF result");
        assert_eq!(
            duplicate["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            WHEEL
        );
    }
}

#[test]
fn a_wheel_without_duplicates_has_no_such_error() {
    let dir = tempfile::tempdir().unwrap();
    let deflated = zip::CompressionMethod::Deflated;
    write_wheel(
        dir.path(),
        &[
            ("pkg/m.abi3.so", clean(), deflated),
            ("pkg/x.abi3.so", clean(), deflated),
        ],
        None,
    );
    let output = audit(dir.path(), "text");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
}
