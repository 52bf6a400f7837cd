//! `audit --format sarif`: every location is a file that exists. A finding
//! about a wheel's member is located at the wheel (code scanning reads
//! `artifactLocation.uri` only, and `X.whl/pkg/mod.so` is no file), the
//! member named in the message and in the result's `member` property.

mod objects;

use std::io::Write;
use std::path::Path;
use std::process::Command;

use object::Architecture;

/// An extension module importing `PyUnicode_New` (not in the Stable ABI).
fn non_limited() -> Vec<u8> {
    objects::macho(
        Architecture::X86_64,
        &["PyInit_m"],
        &["PyLong_FromLong", "PyUnicode_New"],
    )
}

fn write_wheel(path: &Path, members: &[&str]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for member in members {
        zip.start_file(*member, options).unwrap();
        zip.write_all(&non_limited()).unwrap();
    }
    zip.start_file("spam-1.0.dist-info/WHEEL", options).unwrap();
    zip.write_all(b"Wheel-Version: 1.0\nTag: cp38-abi3-macosx_11_0_x86_64\n")
        .unwrap();
    zip.finish().unwrap();
}

#[test]
fn a_wheel_member_is_located_at_its_wheel() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir(&dist).unwrap();
    let wheel = "dist/spam-1.0-cp38-abi3-macosx_11_0_x86_64.whl";
    write_wheel(
        &dir.path().join(wheel),
        &["spam/a.abi3.so", "spam/b.abi3.so"],
    );
    std::fs::write(dist.join("c.abi3.so"), non_limited()).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_stable-abi"))
        .current_dir(dir.path())
        .args(["audit", "dist", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let located: Vec<(String, String, String)> = results
        .iter()
        .map(|result| {
            let location = &result["locations"][0]["physicalLocation"]["artifactLocation"];
            (
                location["uri"].as_str().unwrap().to_string(),
                result["properties"]["member"]
                    .as_str()
                    .unwrap_or("-")
                    .to_string(),
                result["message"]["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let not_stable = "PyUnicode_New is not in the Stable ABI";
    let expected = [
        ("dist/c.abi3.so", "-", not_stable.to_string()),
        (
            wheel,
            "spam/a.abi3.so",
            format!("spam/a.abi3.so: {not_stable}"),
        ),
        (
            wheel,
            "spam/b.abi3.so",
            format!("spam/b.abi3.so: {not_stable}"),
        ),
    ];
    let expected: Vec<(String, String, String)> = expected
        .into_iter()
        .map(|(uri, member, message)| (uri.to_string(), member.to_string(), message))
        .collect();
    assert_eq!(located, expected);
    // Each location is a file a code-scanning UI can find.
    for (uri, _, _) in &located {
        assert!(dir.path().join(uri).is_file(), "{uri}");
    }
}
