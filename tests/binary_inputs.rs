//! Hostile and unusual inputs to `audit` and `library`: nested containers,
//! wheel bombs, special files, names that are not UTF-8 or hold control
//! characters, odd zip members. Each input is made here; a special file is
//! made with `mknod` when the tests run as root (CI) and its test is
//! skipped otherwise. Every run has a deadline, so a hang fails the test.

mod common;
mod objects;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use common::fifo;
use object::Architecture;

/// Runs `stable-abi ARGS` in `dir`, killed (and the test failed) after
/// `seconds`.
fn run(dir: &Path, args: &[&OsStr], seconds: u64) -> Output {
    common::stable_abi_within(dir, args, seconds)
}

fn args<'a>(args: &'a [&'a str]) -> Vec<&'a OsStr> {
    args.iter().map(OsStr::new).collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A Mach-O object importing `PyUnicode_New` (not in the Stable ABI): one
/// problem when audited.
fn non_limited() -> Vec<u8> {
    objects::macho_importing(Architecture::X86_64, &["PyLong_FromLong", "PyUnicode_New"])
}

/// A universal header (`0xcafebabe`) whose one slice is the file itself:
/// 28 bytes.
const SELF_NESTED_FAT: &[u8] =
    b"\xca\xfe\xba\xbe\0\0\0\x01\x01\0\0\x07\0\0\0\x03\0\0\0\0\0\0\0\x1c\0\0\0\0";

/// `depth` universal headers, each the one slice of the one before.
fn nested_fat(depth: usize) -> Vec<u8> {
    let mut bytes = non_limited();
    for _ in 0..depth {
        let mut outer = Vec::with_capacity(bytes.len() + 28);
        outer.extend_from_slice(&0xcafe_babe_u32.to_be_bytes());
        for field in [1u32, 0x0100_0007, 3, 28, bytes.len() as u32, 0] {
            outer.extend_from_slice(&field.to_be_bytes());
        }
        outer.extend_from_slice(&bytes);
        bytes = outer;
    }
    bytes
}

/// `depth` static archives (without symbol index), each the one member of
/// the one before.
fn nested_archives(depth: usize) -> Vec<u8> {
    let mut bytes = non_limited();
    for _ in 0..depth {
        let mut outer = b"!<arch>\n".to_vec();
        outer.extend_from_slice(
            format!(
                "{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
                "m.o/",
                0,
                0,
                0,
                644,
                bytes.len()
            )
            .as_bytes(),
        );
        outer.extend_from_slice(&bytes);
        if bytes.len() % 2 == 1 {
            outer.push(b'\n');
        }
        bytes = outer;
    }
    bytes
}

#[test]
fn a_universal_binary_whose_slice_is_itself_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f.abi3.so"), SELF_NESTED_FAT).unwrap();
    let output = run(dir.path(), &args(&["audit", "f.abi3.so"]), 20);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let err = text(&output.stderr);
    assert!(
        err.contains(
            "f.abi3.so: error: Mach-O universal slice 1 of 1 (x86_64, 28 bytes at offset 0): \
             is itself a Mach-O universal binary: nested containers are not read"
        ),
        "{err}"
    );
}

#[test]
fn thousands_of_nested_containers_are_refused_by_audit_and_library() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fat.abi3.so"), nested_fat(7481)).unwrap();
    std::fs::write(dir.path().join("libpython3.13.a"), nested_archives(7481)).unwrap();
    for (command, file, what) in [
        (
            "audit",
            "fat.abi3.so",
            "is itself a Mach-O universal binary",
        ),
        ("audit", "libpython3.13.a", "is itself a static archive"),
        (
            "library",
            "fat.abi3.so",
            "is itself a Mach-O universal binary",
        ),
        ("library", "libpython3.13.a", "is itself a static archive"),
    ] {
        let mut argv = vec![command, file];
        if command == "library" {
            argv.extend(["--manifest", "stable_abi.toml"]);
            std::fs::write(dir.path().join("stable_abi.toml"), "").unwrap();
        }
        let output = run(dir.path(), &args(&argv), 20);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{command} {file}: {}",
            text(&output.stderr)
        );
        assert!(
            text(&output.stderr).contains(what),
            "{command} {file}: {}",
            text(&output.stderr)
        );
    }
}

#[test]
fn a_universal_static_library_is_still_read() {
    // lipo's universal libpython: each slice an archive of Mach-O objects.
    let archive = |object: Vec<u8>| {
        let mut bytes = b"!<arch>\n".to_vec();
        let header = format!(
            "{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
            "m.o/",
            0,
            0,
            0,
            644,
            object.len()
        );
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(&object);
        bytes
    };
    let bytes = objects::fat(&[
        (
            object::macho::CPU_TYPE_X86_64,
            archive(objects::macho_importing(Architecture::X86_64, &[])),
        ),
        (
            object::macho::CPU_TYPE_ARM64,
            archive(objects::macho_importing(Architecture::Aarch64, &[])),
        ),
    ]);
    let binary = stable_abi::binary::read_binary(&bytes).unwrap();
    assert!(binary.exports.contains("PyInit_fat"), "{binary:?}");
}

fn write_wheel(path: &Path, members: &[(&str, &[u8])], method: zip::CompressionMethod) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in members {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.start_file("spam-1.0.dist-info/WHEEL", options).unwrap();
    zip.write_all(b"Wheel-Version: 1.0\nTag: cp38-abi3-macosx_11_0_x86_64\n")
        .unwrap();
    zip.finish().unwrap();
}

#[test]
fn a_nested_container_in_a_wheel_does_not_stop_the_audit() {
    let dir = tempfile::tempdir().unwrap();
    let wheel = dir.path().join("spam-1.0-cp38-abi3-macosx_11_0_x86_64.whl");
    let good = non_limited();
    write_wheel(
        &wheel,
        &[
            ("spam/bomb.abi3.so", SELF_NESTED_FAT),
            ("spam/good.abi3.so", &good),
        ],
        zip::CompressionMethod::Deflated,
    );
    std::fs::write(dir.path().join("other.abi3.so"), &good).unwrap();
    let output = run(dir.path(), &args(&["audit", "."]), 20);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let out = text(&output.stdout);
    assert!(
        out.contains("spam/good.abi3.so: judged as abi3; 2 Python symbols, 1 problem"),
        "{out}"
    );
    assert!(out.contains("other.abi3.so: target Python 3.2"), "{out}");
    assert!(
        text(&output.stderr).contains("spam/bomb.abi3.so: error: Mach-O universal slice 1 of 1"),
        "{}",
        text(&output.stderr)
    );
}

/// Sets a field of the first `count` entries of `wheel`, at `central` in
/// their central directory entries and at `local` in their local headers,
/// to `value`: what a wheel bomb's or an odd wheel's headers say.
fn patch_entries(wheel: &Path, count: usize, central: usize, local: usize, value: &[u8]) {
    let mut bytes = std::fs::read(wheel).unwrap();
    for (magic, offset) in [(b"PK\x01\x02", central), (b"PK\x03\x04", local)] {
        let mut at = 0;
        for _ in 0..count {
            let Some(found) = bytes[at..].windows(4).position(|w| w == magic) else {
                break;
            };
            let entry = at + found;
            bytes[entry + offset..entry + offset + value.len()].copy_from_slice(value);
            at = entry + 4;
        }
    }
    std::fs::write(wheel, bytes).unwrap();
}

/// The declared size of an entry: central directory offset 24, local
/// header 22.
fn declare_sizes(wheel: &Path, count: usize, size: u32) {
    patch_entries(wheel, count, 24, 22, &size.to_le_bytes());
}

#[test]
fn wheel_bombs_cost_nothing_and_lying_sizes_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Eight members declaring 1 GiB each.
    let bomb = dir.path().join("bomb-1.0-cp38-abi3-macosx_11_0_x86_64.whl");
    let names: Vec<String> = (0..8).map(|i| format!("spam/m{i}.abi3.so")).collect();
    let members: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    write_wheel(&bomb, &members, zip::CompressionMethod::Deflated);
    declare_sizes(&bomb, 8, 1 << 30);
    let started = Instant::now();
    let output = run(
        dir.path(),
        &args(&["audit", "bomb-1.0-cp38-abi3-macosx_11_0_x86_64.whl"]),
        20,
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains(
            "its 8 extension members declare 8 GiB inflated, more than the 2 GiB a wheel may hold"
        ),
        "{}",
        text(&output.stderr)
    );
    // A member declaring 100 bytes that inflates to 64 MiB.
    let liar = dir.path().join("liar-1.0-cp38-abi3-macosx_11_0_x86_64.whl");
    let zeros = vec![0u8; 64 << 20];
    write_wheel(
        &liar,
        &[("spam/m.abi3.so", &zeros)],
        zip::CompressionMethod::Deflated,
    );
    declare_sizes(&liar, 1, 100);
    let output = run(
        dir.path(),
        &args(&["audit", "liar-1.0-cp38-abi3-macosx_11_0_x86_64.whl"]),
        20,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("inflates to more than the 100 bytes its header declares"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn encrypted_lzma_and_bzip2_wheels_say_what_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let object = non_limited();
    for (name, central, local, value, says) in [
        (
            "lzma",
            10,
            8,
            14u16,
            "is compressed with LZMA (zip method 14)",
        ),
        (
            "bzip2",
            10,
            8,
            12,
            "is compressed with bzip2 (zip method 12)",
        ),
        ("crypt", 8, 6, 1, "is encrypted"),
    ] {
        let file = format!("{name}-1.0-cp38-abi3-macosx_11_0_x86_64.whl");
        let wheel = dir.path().join(&file);
        write_wheel(
            &wheel,
            &[("spam/m.abi3.so", &object), ("spam/n.abi3.so", &object)],
            zip::CompressionMethod::Stored,
        );
        // The first member only: an error of its own, the other audited.
        patch_entries(&wheel, 1, central, local, &value.to_le_bytes());
        let output = run(dir.path(), &args(&["audit", &file]), 20);
        let (out, err) = (text(&output.stdout), text(&output.stderr));
        assert_eq!(output.status.code(), Some(2), "{out}{err}");
        assert!(
            err.contains(&format!("{file}: spam/m.abi3.so: error: the member {says}")),
            "{err}"
        );
        assert!(!err.contains("corrupt"), "{err}");
        assert!(
            out.contains("  spam/n.abi3.so: judged as abi3; 2 Python symbols, 1 problem\n"),
            "{out}"
        );
        assert!(
            out.contains("PyUnicode_New is not in the Stable ABI"),
            "{out}"
        );
    }
}

#[test]
fn a_directory_named_like_a_wheel_is_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("unpacked.whl")).unwrap();
    std::fs::write(dir.path().join("unpacked.whl/m.abi3.so"), non_limited()).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("unpacked.whl", dir.path().join("link.whl")).unwrap();
    for target in ["unpacked.whl", "."] {
        let output = run(dir.path(), &args(&["audit", target]), 20);
        let (out, err) = (text(&output.stdout), text(&output.stderr));
        assert_eq!(output.status.code(), Some(1), "{target}: {out}{err}");
        assert!(out.contains("m.abi3.so: target Python 3.2"), "{out}");
        assert!(
            !err.contains("i/o error") && !out.contains("link.whl"),
            "{out}{err}"
        );
    }
}

#[test]
fn library_of_a_directory_says_what_is_expected() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("Misc")).unwrap();
    std::fs::write(dir.path().join("Misc/stable_abi.toml"), "").unwrap();
    let output = run(
        dir.path(),
        &args(&["library", "Misc", "--manifest", "Misc/stable_abi.toml"]),
        20,
    );
    assert_eq!(output.status.code(), Some(2));
    let err = text(&output.stderr);
    assert!(
        err.starts_with("Misc: error: is a directory; expected a library file (libpython3.N.so*"),
        "{err}"
    );
}

/// A path of `dir` whose file name has these bytes.
#[cfg(unix)]
fn raw_path(dir: &Path, name: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    dir.join(OsStr::from_bytes(name))
}

#[cfg(unix)]
#[test]
fn names_that_are_not_utf8_are_audited_and_printed_escaped_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("d");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(raw_path(&sub, b"bad\xff.abi3.so"), non_limited()).unwrap();
    let output = run(dir.path(), &args(&["audit", "d"]), 20);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let out = text(&output.stdout);
    assert!(
        out.contains("d/bad\\xff.abi3.so: target Python 3.2"),
        "{out}"
    );
    assert!(out.contains("1 failed"), "{out}");

    let output = run(dir.path(), &args(&["audit", "d", "--format", "json"]), 20);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = json["findings"].as_array().expect("findings is an array");
    assert_eq!(findings.len(), 1, "{json}");
    assert_eq!(findings[0]["path"], "d/bad\\xff.abi3.so");
    assert_eq!(json["inputs"][0]["path"], "d/bad\\xff.abi3.so");

    let output = run(dir.path(), &args(&["audit", "d", "--format", "sarif"]), 20);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let uris = all_uris(&sarif);
    assert_eq!(uris, ["d/bad%FF.abi3.so"]);

    // The library command's JSON too.
    let library = raw_path(dir.path(), b"libpython3.13\xff.so");
    std::fs::write(&library, non_limited()).unwrap();
    std::fs::write(dir.path().join("stable_abi.toml"), "").unwrap();
    let mut argv: Vec<OsString> = [
        "library",
        "--manifest",
        "stable_abi.toml",
        "--format",
        "json",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    argv.push(library.into_os_string());
    let argv: Vec<&OsStr> = argv.iter().map(OsString::as_os_str).collect();
    let output = run(dir.path(), &argv, 20);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let libraries = json["libraries"].as_array().expect("libraries is an array");
    assert!(libraries[0]["path"]
        .as_str()
        .unwrap()
        .ends_with("libpython3.13\\xff.so"));
}

/// Every `artifactLocation.uri` of a SARIF log, each checked to be an RFC
/// 3986 URI reference.
fn all_uris(log: &serde_json::Value) -> Vec<String> {
    let mut uris = Vec::new();
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let locations = [&result["locations"], &result["relatedLocations"]];
        for location in locations.iter().filter_map(|l| l.as_array()).flatten() {
            let uri = location["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            fluent_uri::UriRef::parse(uri).unwrap_or_else(|err| panic!("{uri:?}: {err}"));
            assert!(
                fluent_uri::UriRef::parse(uri).unwrap().scheme().is_none()
                    || uri.starts_with("file:"),
                "{uri}"
            );
            uris.push(uri.to_string());
        }
    }
    uris
}

/// A member name that prints a fake verdict, then erases the line.
const HOSTILE: &str = "x/m.abi3.so: judged as abi3; 0 Python symbol(s), ok\n\x1b[2K\rx/m.abi3.so";

#[test]
fn control_characters_in_names_are_escaped_one_diagnostic_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let wheel = "spam-1.0-cp38-abi3-macosx_11_0_x86_64.whl";
    write_wheel(
        &dir.path().join(wheel),
        &[(HOSTILE, &non_limited())],
        zip::CompressionMethod::Deflated,
    );
    let output = run(dir.path(), &args(&["audit", wheel]), 20);
    assert_eq!(output.status.code(), Some(1));
    let out = text(&output.stdout);
    assert!(!out.contains('\x1b') && !out.contains('\r'), "{out:?}");
    assert!(
        out.contains(
            "  x/m.abi3.so: judged as abi3; 0 Python symbol(s), ok\\n\\x1b[2K\\rx/m.abi3.so: \
             judged as abi3; 2 Python symbols, 1 problem\n"
        ),
        "{out}"
    );
    assert!(
        !out.lines().any(|line| line.ends_with(", ok")),
        "a fake verdict line: {out}"
    );

    let output = run(
        dir.path(),
        &args(&["audit", wheel, "--format", "sarif"]),
        20,
    );
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let uris = all_uris(&sarif);
    // The wheel is the location; the member, escaped, is named in the
    // message and the properties.
    assert_eq!(uris, [wheel]);
    let result = &sarif["runs"][0]["results"][0];
    let escaped = "x/m.abi3.so: judged as abi3; 0 Python symbol(s), ok\\n\\x1b[2K\\rx/m.abi3.so";
    assert_eq!(result["properties"]["member"], escaped);
    let message = result["message"]["text"].as_str().unwrap();
    assert!(message.starts_with(&format!("{escaped}: ")), "{message}");
}

#[test]
fn a_symbol_name_with_control_characters_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let object = objects::macho_importing(Architecture::X86_64, &["PyFake\n\x1b[2Kok"]);
    std::fs::write(dir.path().join("m.abi3.so"), object).unwrap();
    let output = run(dir.path(), &args(&["audit", "m.abi3.so"]), 20);
    let out = text(&output.stdout);
    assert!(
        out.contains("PyFake\\n\\x1b[2Kok is not in the Stable ABI"),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "{out:?}");
}

#[test]
fn the_streamed_read_of_a_member_is_the_whole_read() {
    use stable_abi::binary::audit::read_extension;
    use stable_abi::binary::wheel::read_wheel;
    let pe = objects::pe_dll(
        "spam.pyd",
        &[("PyInit_spam", None)],
        &[
            ("python3.dll", &["PyLong_FromLong", "#12"]),
            ("kernel32.dll", &["GetTickCount"]),
        ],
    );
    let fat = objects::fat(&[
        (object::macho::CPU_TYPE_X86_64, non_limited()),
        (
            object::macho::CPU_TYPE_ARM64,
            objects::macho_importing(Architecture::Aarch64, &["PyLong_FromLong"]),
        ),
    ]);
    let elf = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    let mut members: Vec<(&str, &[u8])> = vec![("spam.pyd", &pe), ("fat.abi3.so", &fat)];
    // The test binary itself (tens of megabytes) as an ELF member, stored,
    // as a deflated one takes long to write in a debug build.
    members.push(("elf.abi3.so", &elf));
    for method in [
        zip::CompressionMethod::Stored,
        zip::CompressionMethod::Deflated,
    ] {
        let members = if method == zip::CompressionMethod::Deflated {
            &members[..2]
        } else {
            &members[..]
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.whl");
        write_wheel(&path, members, method);
        let wheel = read_wheel(std::fs::File::open(&path).unwrap()).unwrap();
        for (member, (name, bytes)) in wheel.extensions.iter().zip(members) {
            let streamed = wheel
                .read(member, &|view| {
                    (read_extension(view).map(|(b, _)| b), view.kept())
                })
                .unwrap();
            let whole = read_extension(*bytes).map(|(b, _)| b);
            assert!(whole.is_ok(), "{name}: {whole:?}");
            assert_eq!(streamed.0, whole, "{name}");
            if *name == "elf.abi3.so" {
                assert!(
                    streamed.1 * 10 < bytes.len() as u64,
                    "{name}: kept {} of {}",
                    streamed.1,
                    bytes.len()
                );
            }
        }
    }
}

/// A character device like `/dev/zero` (major 1, minor 5) at `dir/name`,
/// made with `mknod`, which needs root (as CI runs); `None`, with the
/// reason printed, otherwise.
#[cfg(unix)]
fn zero_device(dir: &Path, name: &str, test: &str) -> Option<PathBuf> {
    let path = dir.join(name);
    let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string; mknod only creates the device node.
    let made = unsafe { libc::mknod(c_path.as_ptr(), libc::S_IFCHR | 0o600, libc::makedev(1, 5)) };
    if made != 0 {
        eprintln!(
            "skipped {test}: cannot make a device with mknod ({}; it needs root)",
            std::io::Error::last_os_error()
        );
        return None;
    }
    Some(path)
}

/// Each command line of `cases` exits 2 at once, its error saying this.
fn refused(dir: &Path, cases: &[(&[&str], &str)]) {
    for (argv, says) in cases {
        let output = run(dir, &args(argv), 20);
        assert_eq!(output.status.code(), Some(2), "{argv:?}");
        let err = text(&output.stderr);
        assert!(err.contains(says), "{argv:?}: {err}");
    }
}

#[cfg(unix)]
#[test]
fn special_files_named_are_errors_and_never_read() {
    let test = "special_files_named_are_errors_and_never_read";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.abi3.so"), non_limited()).unwrap();
    std::fs::write(dir.path().join("empty.toml"), "").unwrap();
    fifo(dir.path(), "p.abi3.so");
    fifo(dir.path(), "stable_abi.toml");
    let cases: &[(&[&str], &str)] = &[
        (
            &["audit", "p.abi3.so"],
            "p.abi3.so: error: is a FIFO, not a regular file",
        ),
        (
            &["library", "p.abi3.so", "--manifest", "empty.toml"],
            "is a FIFO, not a regular file",
        ),
        (
            &["stable_abi.toml", "--dump"],
            "stable_abi.toml: error: cannot read the manifest: is a FIFO",
        ),
        (
            &["audit", "--manifest", "stable_abi.toml", "m.abi3.so"],
            "is a FIFO, not a regular file",
        ),
    ];
    refused(dir.path(), cases);
    let Some(_) = zero_device(dir.path(), "zero", test) else {
        return;
    };
    let cases: &[(&[&str], &str)] = &[
        (
            &["audit", "zero"],
            "zero: error: is a character device, not a regular file",
        ),
        (
            &["zero", "--all"],
            "zero: error: cannot read the manifest: is a character device",
        ),
        (
            &["audit", "--manifest", "zero", "m.abi3.so"],
            "is a character device",
        ),
        (
            &["library", "zero", "--manifest", "empty.toml"],
            "is a character device",
        ),
    ];
    refused(dir.path(), cases);
}

#[cfg(unix)]
#[test]
fn a_walk_skips_fifos_and_links_to_devices_saying_so() {
    let test = "a_walk_skips_fifos_and_links_to_devices_saying_so";
    let dir = tempfile::tempdir().unwrap();
    let walked = dir.path().join("dist");
    std::fs::create_dir(&walked).unwrap();
    std::fs::write(walked.join("m.abi3.so"), non_limited()).unwrap();
    fifo(&walked, "p.abi3.so");
    let device = zero_device(dir.path(), "zero", test);
    if device.is_some() {
        std::os::unix::fs::symlink("../zero", walked.join("x.abi3.so")).unwrap();
    }
    let output = run(dir.path(), &args(&["audit", "dist"]), 20);
    let out = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{out}{}",
        text(&output.stderr)
    );
    assert!(
        out.contains("dist/p.abi3.so:\n  note: skipped: a FIFO, not a regular file\n"),
        "{out}"
    );
    if device.is_some() {
        assert!(
            out.contains("dist/x.abi3.so:\n  note: skipped: a symlink to a character device, not a regular file\n"),
            "{out}"
        );
    }
    assert!(out.contains("1 extension in 3 inputs"), "{out}");
}
