//! Benchmarks of the binary checks, printing medians:
//! - the library check on `libpython3.13.a` (target: at most 20 ms) and on
//!   `libpython3.13.so.1.0`;
//! - the audit of a directory of wheels built here with the C compiler;
//! - with abi3audit (found as below), both tools on the same wheels, and
//!   the ratio (target: at least 20 times faster);
//! - the audit of every real wheel of the corpus (`make fetch-wheels`, in
//!   `$STABLE_ABI_WHEELS`, else `~/.cache/stable-abi/wheels`): wall time and
//!   peak memory (target: at most 64 MB whatever the wheels' size), and
//!   beside abi3audit on the same wheels (target: at least 50 times less
//!   wall time). abi3audit is `$ABI3AUDIT`, else `abi3audit` on `PATH`,
//!   else installed by the benchmark into the venv
//!   `~/.cache/stable-abi/abi3audit-venv` (`pip install abi3audit`); when
//!   none can be had, the ratio is skipped, saying so.
//!
//! The CPython tree is `$STABLE_ABI_CPYTHON`, else `../shared/cpython/3.13.15`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

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
    corpus_benchmark();
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
    let program = match abi3audit() {
        Ok(program) => program,
        Err(why) => {
            println!("{why}: no comparison with abi3audit");
            return;
        }
    };
    let theirs = || Command::new(&program).args(&wheel_paths).output();
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
        _ => println!("{} does not run: no comparison", program.display()),
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

/// The real wheels: `$STABLE_ABI_WHEELS`, else `~/.cache/stable-abi/wheels`.
fn corpus_dir() -> PathBuf {
    match std::env::var_os("STABLE_ABI_WHEELS") {
        Some(dir) => PathBuf::from(dir),
        None => cache_dir().join("wheels"),
    }
}

fn cache_dir() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cache/stable-abi")
}

/// abi3audit: `$ABI3AUDIT`, `abi3audit` on `PATH`, or the one this
/// benchmark installs into `~/.cache/stable-abi/abi3audit-venv`.
fn abi3audit() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("ABI3AUDIT") {
        return Ok(PathBuf::from(path));
    }
    let runs = |program: &Path| {
        Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success())
    };
    if runs(Path::new("abi3audit")) {
        return Ok(PathBuf::from("abi3audit"));
    }
    let venv = cache_dir().join("abi3audit-venv");
    let program = venv.join("bin/abi3audit");
    if runs(&program) {
        return Ok(program);
    }
    println!(
        "installing abi3audit into {} (pip install abi3audit)",
        venv.display()
    );
    let created = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|status| status.success());
    let installed = created
        && Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "abi3audit"])
            .status()
            .is_ok_and(|status| status.success());
    if installed && runs(&program) {
        Ok(program)
    } else {
        Err(format!(
            "abi3audit is not installed and could not be installed into {} \
             (set ABI3AUDIT to one)",
            venv.display()
        ))
    }
}

/// `stable-abi audit` and abi3audit on every real wheel of the corpus.
fn corpus_benchmark() {
    let dir = corpus_dir();
    let mut wheels: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "whl"))
        .collect();
    wheels.sort();
    if wheels.is_empty() {
        println!(
            "no wheels in {} (`make fetch-wheels` downloads the corpus; \
             STABLE_ABI_WHEELS names another directory): the real-wheel audit is not measured",
            dir.display()
        );
        return;
    }
    let bytes: u64 = wheels
        .iter()
        .filter_map(|path| path.metadata().ok())
        .map(|metadata| metadata.len())
        .sum();
    let what = format!(
        "{} real wheels ({:.0} MB)",
        wheels.len(),
        bytes as f64 / 1e6
    );
    let ours_program = Path::new(env!("CARGO_BIN_EXE_stable-abi"));
    let mut args = vec![std::ffi::OsString::from("audit")];
    args.extend(wheels.iter().map(|path| path.clone().into_os_string()));
    let ours = common::measure(5, &dir, ours_program, &args, &[]);
    println!("stable-abi audit of {what}: {}", ours.show());
    println!(
        "stable-abi audit peak memory: {:.1} MB (target: <= 64 MB)",
        ours.peak_kib as f64 / 1024.0
    );
    // Each wheel alone: the peak memory must not grow with a wheel's size.
    let (peak, wheel) = wheels
        .iter()
        .map(|path| {
            let one = common::run_once(
                &dir,
                ours_program,
                &[OsStr::new("audit"), path.as_os_str()],
                &[],
            );
            (one.peak_kib, path)
        })
        .max()
        .unwrap();
    println!(
        "stable-abi audit of each wheel alone: peak memory at most {:.1} MB ({}, {:.0} MB)",
        peak as f64 / 1024.0,
        wheel.file_name().unwrap().to_string_lossy(),
        wheel.metadata().map_or(0.0, |m| m.len() as f64 / 1e6)
    );
    let program = match abi3audit() {
        Ok(program) => program,
        Err(why) => {
            println!("{why}: no comparison with abi3audit");
            return;
        }
    };
    // One run: abi3audit takes minutes on such a corpus.
    let started = Instant::now();
    let theirs = common::run_once(&dir, &program, &wheels, &[]);
    println!(
        "abi3audit of {what}: wall {}, peak {:.1} MB ({:.0} s)",
        ms(theirs.wall),
        theirs.peak_kib as f64 / 1024.0,
        started.elapsed().as_secs_f64()
    );
    println!(
        "stable-abi audit is {} faster than abi3audit on {what} (target: >= 50x); \
         peak memory {:.1} MB against {:.1} MB",
        common::ratio(theirs.wall, ours.wall),
        ours.peak_kib as f64 / 1024.0,
        theirs.peak_kib as f64 / 1024.0
    );
}
