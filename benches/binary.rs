//! Benchmarks of the binary checks, printing medians:
//! - the library check on `libpython3.13.a` (target: at most 20 ms) and on
//!   `libpython3.13.so.1.0`;
//! - the audit of a directory of wheels built here with the C compiler;
//! - when `abi3audit` is installed, both tools on the same wheels, and the
//!   ratio (target: at least 20 times faster).
//!
//! The CPython tree is `$STABLE_ABI_CPYTHON`, else `../shared/cpython/3.13.15`.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{median, ms};
use stable_abi::binary::audit::{audit_paths, TargetDefault};
use stable_abi::binary::table::AbiTable;
use stable_abi::binary::{check_libraries, Features};
use stable_abi::manifest::Manifest;

/// How many wheels of each kind (clean, non-limited, too new) the audit
/// benchmark builds.
const WHEELS_PER_KIND: usize = 40;

fn main() {
    let Some(tree) = common::cpython_tree() else {
        return;
    };
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).expect("the manifest loads");
    let features = Features::PlatformDefaults(Default::default());
    for library in ["lib/libpython3.13.a", "lib/libpython3.13.so.1.0"] {
        let paths = [tree.join(library)];
        let findings = check_libraries(&manifest, &paths, &features).expect("the library reads");
        assert!(findings.is_empty(), "{library} lacks Stable ABI symbols");
        let time = median(21, || {
            check_libraries(&manifest, &paths, &features).unwrap();
        });
        println!("library check {library}: median {}", ms(time));
    }
    let manifest_path = tree.join("Misc/stable_abi.toml");
    let archive = [tree.join("lib/libpython3.13.a")];
    let with_manifest = median(11, || {
        let manifest = Manifest::load(&manifest_path).unwrap();
        check_libraries(&manifest, &archive, &features).unwrap();
    });
    println!(
        "library check lib/libpython3.13.a, manifest parse included: median {}",
        ms(with_manifest)
    );
    audit_benchmark(&tree);
}

fn audit_benchmark(tree: &Path) {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let dir = tempfile::tempdir().unwrap();
    let sources = [
        (
            "clean",
            "-DPy_LIMITED_API=0x03080000",
            "#include <Python.h>\nPyObject *f(long v) { return PyLong_FromLong(v); }\n",
        ),
        (
            "nonlimited",
            "-DPy_NOTHING",
            "#include <Python.h>\nPyObject *f(void) { return PyUnicode_New(3, 127); }\n",
        ),
        (
            "new311",
            "-DPy_LIMITED_API=0x030B0000",
            "#include <Python.h>\nPyObject *f(PyTypeObject *t) { return PyType_GetName(t); }\n",
        ),
    ];
    let wheels = dir.path().join("wheels");
    std::fs::create_dir(&wheels).unwrap();
    for (name, define, source) in sources {
        let c_file = dir.path().join(format!("{name}.c"));
        std::fs::write(&c_file, source).unwrap();
        let so = dir.path().join(format!("{name}.abi3.so"));
        let status = Command::new(&cc)
            .args(["-shared", "-fPIC", "-O2", define])
            .arg(format!("-I{}", tree.join("Include").display()))
            .arg(format!("-I{}", tree.display()))
            .arg("-o")
            .arg(&so)
            .arg(&c_file)
            .status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("binary bench: `{cc}` cannot build extensions; audit not measured");
            return;
        }
        let bytes = std::fs::read(&so).unwrap();
        for i in 0..WHEELS_PER_KIND {
            let path = wheels.join(format!("{name}{i}-1.0-cp38-abi3-linux_x86_64.whl"));
            write_wheel(&path, &format!("{name}{i}/_{name}.abi3.so"), &bytes);
        }
    }
    let count = sources.len() * WHEELS_PER_KIND;
    let table = AbiTable::builtin();
    let defaults = TargetDefault::default();
    let inputs = [wheels.clone()];
    let in_process = median(21, || {
        let reports = audit_paths(&inputs, &table, &defaults);
        assert_eq!(reports.len(), count);
    });
    println!(
        "audit of {count} wheels (in process): median {}",
        ms(in_process)
    );

    let ours = || {
        Command::new(env!("CARGO_BIN_EXE_stable-abi"))
            .arg("audit")
            .arg(&wheels)
            .output()
            .expect("stable-abi runs")
    };
    assert_eq!(
        ours().status.code(),
        Some(1),
        "the audit finds the planted problems"
    );
    let ours_time = median(11, || {
        ours();
    });
    println!(
        "stable-abi audit of {count} wheels (process): median {}",
        ms(ours_time)
    );

    let wheel_paths: Vec<PathBuf> = std::fs::read_dir(&wheels)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let theirs = || Command::new("abi3audit").args(&wheel_paths).output();
    match theirs() {
        Ok(output) if output.status.code().is_some() => {
            let theirs_time = median(3, || {
                let _ = theirs();
            });
            println!(
                "abi3audit of {count} wheels (process): median {}",
                ms(theirs_time)
            );
            println!(
                "stable-abi is {:.1}x faster than abi3audit (target: >= 20x)",
                theirs_time.as_secs_f64() / ours_time.as_secs_f64()
            );
        }
        _ => println!("abi3audit not installed (pip install abi3audit): no comparison"),
    }
}

fn write_wheel(path: &Path, member: &str, bytes: &[u8]) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(member, options).unwrap();
    zip.write_all(bytes).unwrap();
    zip.start_file("pkg-1.0.dist-info/WHEEL", options).unwrap();
    zip.write_all(b"Wheel-Version: 1.0\nTag: cp38-abi3-linux_x86_64\n")
        .unwrap();
    zip.finish().unwrap();
}
