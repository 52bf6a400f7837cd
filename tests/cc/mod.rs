//! Building tiny shared libraries and extension modules in the tests with
//! the system C compiler, and packing wheels.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The C compiler (`$CC`, else `cc`), or `None` with the reason printed
/// when there is none. Under `CI=true` a missing compiler fails the test:
/// CI must never pass by running nothing.
pub fn compiler(test: &str) -> Option<String> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let works = Command::new(&cc)
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    if works {
        return Some(cc);
    }
    super::common::missing(test, "c_compiler", format!("no C compiler `{cc}` (set CC)"))
}

/// Compiles `source` into the shared object `dir/output` with `flags`.
pub fn shared_object(cc: &str, dir: &Path, output: &str, source: &str, flags: &[&str]) -> PathBuf {
    let stem = output.split('.').next().unwrap_or(output);
    let c_file = dir.join(format!("{stem}.c"));
    std::fs::write(&c_file, source).unwrap();
    let out = dir.join(output);
    let result = Command::new(cc)
        .args(["-shared", "-fPIC", "-o"])
        .arg(&out)
        .arg(&c_file)
        .args(flags)
        .output()
        .expect("the C compiler runs");
    assert!(
        result.status.success(),
        "{cc} failed on {}:\n{}",
        c_file.display(),
        String::from_utf8_lossy(&result.stderr)
    );
    out
}

/// The flags that find Python.h (and pyconfig.h) in a CPython tree.
pub fn python_includes(tree: &Path) -> Vec<String> {
    vec![
        format!("-I{}", tree.join("Include").display()),
        format!("-I{}", tree.display()),
    ]
}

/// Packs a wheel at `path` holding `members` (name, bytes) and, when `tag`
/// is given, a `spam-1.0.dist-info/WHEEL` saying so.
pub fn wheel(path: &Path, tag: Option<&str>, members: &[(&str, Vec<u8>)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    if let Some(tag) = tag {
        zip.start_file("spam-1.0.dist-info/WHEEL", options).unwrap();
        write!(
            zip,
            "Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: {tag}\n"
        )
        .unwrap();
    }
    zip.start_file("spam/__init__.py", options).unwrap();
    zip.finish().unwrap();
}
