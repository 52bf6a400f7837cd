//! `stable-abi port` reads every file through the one input reader
//! (`src/input.rs`), as the other commands do: its sources, the local
//! headers they include and the headers of `--cpython`. A FIFO, a device or
//! a file over the text limit is an error naming the file (exit status 2),
//! never a hang or an endless read; so are a FIFO among a tree's headers
//! and a FIFO baseline beside its manifest. Every run has a deadline.

mod common;

use std::ffi::OsStr;
use std::path::Path;
use std::process::Output;

use common::{copy_tree, fifo, stable_abi_within};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `stable-abi ARGS` in `dir`, at most 20 s.
fn run(dir: &Path, args: &[&str]) -> Output {
    let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    stable_abi_within(dir, &args, 20)
}

/// `output` exits 2 and its standard error says `says`.
fn refused(output: &Output, says: &str) {
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains(says), "{err}");
}

/// A copy of the miniature tree of `tests/fixtures/port/tree` at
/// `dir/tree`.
fn tree(dir: &Path) -> String {
    let to = dir.join("tree");
    copy_tree(&repo().join("tests/fixtures/port/tree"), &to);
    to.to_str().unwrap().to_string()
}

#[cfg(unix)]
#[test]
fn port_refuses_fifos_and_devices_among_its_sources_and_includes() {
    let dir = tempfile::tempdir().unwrap();
    let tree = tree(dir.path());
    fifo(dir.path(), "fifo.c");
    refused(
        &run(dir.path(), &["port", "fifo.c", "--cpython", &tree]),
        "fifo.c: error: cannot read: is a FIFO, not a regular file",
    );
    refused(
        &run(dir.path(), &["port", "/dev/zero", "--cpython", &tree]),
        "/dev/zero: error: cannot read: is a character device, not a regular file",
    );
    // A source under a directory given, and a link to a device.
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("src/zero.c")).unwrap();
    refused(
        &run(dir.path(), &["port", "src", "--cpython", &tree]),
        "src/zero.c: error: cannot read: is a character device",
    );
    // A local header the source includes.
    std::fs::write(
        dir.path().join("a.c"),
        "#include \"Python.h\"\n#include \"local.h\"\n",
    )
    .unwrap();
    fifo(dir.path(), "local.h");
    let output = run(dir.path(), &["port", "a.c", "--cpython", &tree]);
    refused(
        &output,
        "local.h:1:1: error: cannot read: is a FIFO, not a regular file",
    );
    refused(&output, "a.c:2:1: note: included from here");
}

#[test]
fn port_refuses_a_source_or_header_over_the_text_limit_before_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let tree = tree(dir.path());
    // Sparse files: 300 MiB each, nothing on disk.
    for name in ["big.c", "big.h"] {
        let file = std::fs::File::create(dir.path().join(name)).unwrap();
        file.set_len(300 << 20).unwrap();
    }
    refused(
        &run(dir.path(), &["port", "big.c", "--cpython", &tree]),
        "big.c: error: cannot read: is 300 MiB, more than the 256 MiB an input may be",
    );
    std::fs::write(
        dir.path().join("b.c"),
        "#include \"Python.h\"\n#include \"big.h\"\n",
    )
    .unwrap();
    refused(
        &run(dir.path(), &["port", "b.c", "--cpython", &tree]),
        "big.h:1:1: error: cannot read: is 300 MiB, more than the 256 MiB",
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_among_the_headers_is_named_not_missing() {
    let dir = tempfile::tempdir().unwrap();
    let tree = tree(dir.path());
    common::edit(
        Path::new(&tree),
        "Include/Python.h",
        "#include \"object.h\"\n",
        "#include \"extra.h\"\n#include \"object.h\"\n",
    );
    fifo(&Path::new(&tree).join("Include"), "extra.h");
    std::fs::write(dir.path().join("a.c"), "#include \"Python.h\"\n").unwrap();
    let says = "tree/Include/extra.h:1:1: error: cannot read header: is a FIFO, not a regular file";
    refused(
        &run(dir.path(), &["port", "a.c", "--cpython", "tree"]),
        says,
    );
    refused(
        &run(
            dir.path(),
            &["headers", "--manifest", "tree/Misc/stable_abi.toml"],
        ),
        says,
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_baseline_beside_the_manifest_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    fifo(&dir.path().join("tree/Misc"), "stable_abi_baseline.txt");
    refused(
        &run(
            dir.path(),
            &["headers", "--manifest", "tree/Misc/stable_abi.toml"],
        ),
        "tree/Misc/stable_abi_baseline.txt: error: cannot read the baseline: is a FIFO",
    );
}
