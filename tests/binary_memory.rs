//! What the audit costs in memory: a binary's size is not. Peak resident
//! memory is measured by `wait4`, whose figure for a child includes the
//! peak of the process that spawned it (the memory map the child's `exec`
//! replaced); so these tests sit in a binary of their own and never hold
//! much memory themselves.

mod objects;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use object::Architecture;

/// A Mach-O object importing `PyUnicode_New` (not in the Stable ABI): one
/// problem when audited.
fn non_limited() -> Vec<u8> {
    objects::macho_importing(Architecture::X86_64, &["PyLong_FromLong", "PyUnicode_New"])
}

/// A wheel whose one member `name` is [`non_limited`] padded with zeros to
/// `size` bytes, stored, written a chunk at a time.
fn write_big_wheel(path: &Path, name: &str, size: usize) {
    let object = non_limited();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file(name, options).unwrap();
    zip.write_all(&object).unwrap();
    let zeros = vec![0u8; 1 << 20];
    let mut left = size - object.len();
    while left > 0 {
        let n = left.min(zeros.len());
        zip.write_all(&zeros[..n]).unwrap();
        left -= n;
    }
    zip.start_file("spam-1.0.dist-info/WHEEL", options).unwrap();
    zip.write_all(b"Wheel-Version: 1.0\nTag: cp38-abi3-macosx_11_0_x86_64\n")
        .unwrap();
    zip.finish().unwrap();
}

/// resident memory in bytes (`wait4`). Its output is small: the pipes do
/// not fill.
#[cfg(target_os = "linux")]
// The child is reaped by `wait4`, not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn peak_memory(dir: &Path, args: &[&str]) -> (i32, u64) {
    let child = Command::new(env!("CARGO_BIN_EXE_stable-abi"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: rusage is plain data, filled by wait4 for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    (libc::WEXITSTATUS(status), usage.ru_maxrss as u64 * 1024)
}

#[cfg(target_os = "linux")]
#[test]
fn a_three_gigabyte_extension_is_mapped_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.abi3.so");
    std::fs::write(&path, non_limited()).unwrap();
    // 3 GiB, sparse: the object at the start, zeros after.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(3 << 30)
        .unwrap();
    let (status, peak) = peak_memory(dir.path(), &["audit", "big.abi3.so"]);
    assert_eq!(status, 1);
    assert!(peak < 100 << 20, "peak memory {} MiB", peak >> 20);
}

/// The audit streams a wheel's members: a 256 MiB extension module in a
/// wheel (its tables at the start, zeros after) costs what its tables do,
/// not its size, even though every binary of every input is read before
/// any is judged.
#[cfg(target_os = "linux")]
#[test]
fn a_large_wheel_member_is_streamed_not_inflated() {
    let dir = tempfile::tempdir().unwrap();
    let wheel = "spam-1.0-cp38-abi3-macosx_11_0_x86_64.whl";
    write_big_wheel(&dir.path().join(wheel), "spam/big.abi3.so", 256 << 20);
    let (status, peak) = peak_memory(dir.path(), &["audit", wheel]);
    assert_eq!(status, 1);
    assert!(peak < 100 << 20, "peak memory {} MiB", peak >> 20);
}
