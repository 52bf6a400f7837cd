//! The sample tree shipped at the top of this repository (Misc/ + Include/),
//! which `make check-limited-abi` checks when no CPython checkout is given.

mod common;

use std::path::Path;
use std::process::Command;

use common::{stable_abi, stderr, stdout};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

const SAMPLE_FILES: [&str; 8] = [
    "--python3dll",
    "Misc/generated/python3dll.c",
    "--doc-list",
    "Misc/generated/stable_abi.dat",
    "--ctypes-test",
    "Misc/generated/test_stable_abi_ctypes.py",
    "--testcapi-feature-macros",
    "Misc/generated/_testcapi_feature_macros.inc",
];

#[test]
fn sample_generated_files_are_up_to_date() {
    let output = stable_abi(repo(), &SAMPLE_FILES);
    assert_eq!(
        output.status.code(),
        Some(0),
        "run `make regen-limited-abi`:\n{}{}",
        stdout(&output),
        stderr(&output)
    );
}

/// The generated files follow the release in effect: the sample's
/// patchlevel.h (3.13.15) gives its files; another release's formats
/// differ, each where its edition does.
#[test]
fn sample_generated_files_follow_the_release() {
    let patchlevel = std::fs::read_to_string(repo().join("Include/patchlevel.h")).unwrap();
    assert!(patchlevel.contains("#define PY_VERSION              \"3.13.15\""));
    let mut args = SAMPLE_FILES.to_vec();
    args.extend(["--release", "3.13.15"]);
    assert_eq!(stable_abi(repo(), &args).status.code(), Some(0));
    for (release, stale) in [
        ("3.14", "doc_list"),
        ("3.13.5", "doc_list"),
        ("3.13.9", "doc_list"),
        ("3.12", "doc_list, ctypes_test"),
        (
            "3.11",
            "python3dll, doc_list, ctypes_test, testcapi_feature_macros",
        ),
    ] {
        let mut args = SAMPLE_FILES.to_vec();
        args.extend(["--release", release]);
        let output = stable_abi(repo(), &args);
        assert_eq!(output.status.code(), Some(1), "{release}");
        assert!(
            stderr(&output).contains(&format!("did not succeed: {stale}\n")),
            "{release}: {}",
            stderr(&output)
        );
    }
}

#[test]
#[cfg_attr(not(python311), ignore = "needs python3 >= 3.11")]
fn sample_ctypes_test_is_valid_python() {
    let path = repo().join("Misc/generated/test_stable_abi_ctypes.py");
    let source = std::fs::read_to_string(&path).unwrap();
    let output = match Command::new("python3")
        .args([
            "-c",
            "import sys; compile(sys.stdin.read(), sys.argv[1], 'exec')",
        ])
        .arg(&path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(mut child) => {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(source.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        }
        Err(err) => {
            common::missing::<()>(
                "sample_ctypes_test_is_valid_python",
                "python311",
                format!("no python3 ({err})"),
            );
            return;
        }
    };
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Every exported symbol of the manifest is in it, conditional ones under
    // their feature macro.
    assert!(source.contains("    \"PyObject_Repr\",\n"));
    assert!(source.contains("if feature_macros['HAVE_FORK']:\n    SYMBOL_NAMES += (\n        'PyOS_AfterFork_Child',\n    )\n"));
}

#[test]
fn sample_manifest_dumps_and_round_trips() {
    let output = stable_abi(repo(), &["--dump"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("[data._Py_NoneStruct]\n    added = '3.2'\n    abi_only = true\n")
    );
}

#[test]
fn checking_a_missing_file_fails_and_generating_creates_it() {
    let dir = tempfile::tempdir().unwrap();
    // The directory exists (the writer creates no directories).
    let target = dir.path().join("python3dll.c");
    let target_arg = target.to_str().unwrap();
    let output = stable_abi(repo(), &["--python3dll", target_arg]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("file does not exist; run with --generate"));
    assert!(!target.exists());

    let output = stable_abi(repo(), &["--generate", "--python3dll", target_arg]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        std::fs::read(&target).unwrap(),
        std::fs::read(repo().join("Misc/generated/python3dll.c")).unwrap()
    );
}

/// `make check-limited-abi`'s header step: the sample passes with its
/// committed baseline, which must not go stale.
#[test]
fn sample_headers_pass_with_their_baseline() {
    let output = stable_abi(
        repo(),
        &[
            "headers",
            "--manifest",
            "Misc/stable_abi.toml",
            "--baseline",
            "Misc/stable_abi_baseline.txt",
        ],
    );
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    assert!(!out.contains("[stale-baseline]"), "{out}");
    // The baseline beside the manifest is the one used by default.
    let beside = stable_abi(repo(), &["headers", "--manifest", "Misc/stable_abi.toml"]);
    assert_eq!(beside.status.code(), Some(0), "{}", stdout(&beside));
    // Without the baseline the accepted defect is reported.
    let plain = stable_abi(
        repo(),
        &[
            "headers",
            "--manifest",
            "Misc/stable_abi.toml",
            "--no-baseline",
        ],
    );
    assert_eq!(plain.status.code(), Some(1));
    assert!(stdout(&plain).contains("[too-early]"));
}
