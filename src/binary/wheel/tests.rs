//! Tests of `wheel`.

use super::*;

#[test]
fn parses_wheel_filenames() {
    let tag = WheelTag::from_filename("spam-1.0-cp38-abi3-manylinux_2_17_x86_64.whl").unwrap();
    assert!(tag.is_abi3());
    assert_eq!(tag.minimum_python(), Some(Version::new(3, 8)));
    assert_eq!(tag.to_string(), "cp38-abi3-manylinux_2_17_x86_64");

    let tag = WheelTag::from_filename("spam-1.0-1build-cp310.cp311-abi3-win_amd64.whl").unwrap();
    assert_eq!(tag.minimum_python(), Some(Version::new(3, 10)));

    let tag = WheelTag::from_filename("spam-1.0-cp311-cp311-linux_x86_64.whl").unwrap();
    assert!(!tag.is_abi3());
    let tag = WheelTag::from_filename("spam-1.0-py3-none-any.whl").unwrap();
    assert_eq!(tag.minimum_python(), None);

    for bad in [
        "spam.whl",
        "spam-1.0.whl",
        "a-b-c-d-e-f-g.whl",
        "spam-1.0-cp38-abi3-x.zip",
        "a-1--abi3-x.whl",
    ] {
        assert_eq!(WheelTag::from_filename(bad), None, "{bad}");
    }
}

#[test]
fn parses_wheel_metadata_tags() {
    let text = "Wheel-Version: 1.0\nGenerator: x\nRoot-Is-Purelib: false\n\
                Tag: cp39-abi3-manylinux_2_17_x86_64\nTag: cp39-abi3-manylinux2014_x86_64\n";
    let tag = WheelTag::from_wheel_metadata(text).unwrap();
    assert!(tag.is_abi3());
    assert_eq!(tag.minimum_python(), Some(Version::new(3, 9)));
    assert_eq!(tag.platform.len(), 2);
    assert_eq!(WheelTag::from_wheel_metadata("Wheel-Version: 1.0\n"), None);
}

#[test]
fn garbage_zip_is_an_error() {
    let err = read_wheel(b"PK\x03\x04 not really".to_vec()).unwrap_err();
    assert!(err.contains("not a valid wheel"), "{err}");
}

fn wheel_of(members: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in members {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn small_wheel() -> Vec<u8> {
    wheel_of(
        &[
            ("spam/_spam.abi3.so", b"\x7fELF not really an object file"),
            ("spam-1.0.dist-info/WHEEL", b"Tag: cp38-abi3-any\n"),
        ],
        zip::CompressionMethod::Deflated,
    )
}

/// The whole of every extension, as the streaming reader keeps it.
fn contents(wheel: &Wheel<Vec<u8>>) -> Vec<(String, Result<Vec<u8>, String>)> {
    wheel
        .extensions
        .iter()
        .map(|member| {
            let whole = |view: View| {
                use object::ReadRef;
                view.read_bytes_at(0, member.size).map(<[u8]>::to_vec)
            };
            let all = |_: View| Plan {
                ranges: std::iter::once(0..member.size).collect(),
                ..Plan::default()
            };
            let bytes = wheel.read_with(member, &all, &whole);
            (member.name.clone(), bytes.map(|b| b.unwrap_or_default()))
        })
        .collect()
}

#[test]
fn a_wheel_is_read_and_every_mutation_is_an_error_or_a_result() {
    let bytes = small_wheel();
    let wheel = read_wheel(bytes.clone()).unwrap();
    assert_eq!(wheel.extensions.len(), 1);
    assert_eq!(wheel.extensions[0].name, "spam/_spam.abi3.so");
    assert!(wheel.metadata_tag.as_ref().unwrap().is_abi3());
    assert_eq!(
        contents(&wheel),
        vec![(
            "spam/_spam.abi3.so".to_string(),
            Ok(b"\x7fELF not really an object file".to_vec())
        )]
    );
    for position in 0..bytes.len() {
        let mut mutated = bytes.clone();
        mutated[position] ^= 0xa5;
        if let Ok(wheel) = read_wheel(mutated) {
            let _ = contents(&wheel);
        }
    }
    for len in 0..bytes.len() {
        let _ = read_wheel(bytes[..len].to_vec());
    }
}

#[test]
fn stored_members_are_read_too() {
    let bytes = wheel_of(
        &[("m.abi3.so", b"stored bytes")],
        zip::CompressionMethod::Stored,
    );
    let wheel = read_wheel(bytes).unwrap();
    assert_eq!(contents(&wheel)[0].1, Ok(b"stored bytes".to_vec()));
}

/// The offset of `field` in the central directory entry of the first
/// member (`PK\x01\x02`), and in its local header (`PK\x03\x04`).
fn patch(bytes: &mut [u8], central_offset: usize, local_offset: usize, value: &[u8]) {
    let find = |magic: &[u8]| bytes.windows(4).position(|w| w == magic).unwrap();
    let central = find(b"PK\x01\x02");
    let local = find(b"PK\x03\x04");
    bytes[central + central_offset..][..value.len()].copy_from_slice(value);
    bytes[local + local_offset..][..value.len()].copy_from_slice(value);
}

#[test]
fn a_member_that_inflates_past_its_declared_size_is_stopped_there() {
    let big = vec![0u8; 1 << 20];
    let mut bytes = wheel_of(&[("m.abi3.so", &big)], zip::CompressionMethod::Deflated);
    // Uncompressed size: central directory offset 24, local header 22.
    patch(&mut bytes, 24, 22, &100u32.to_le_bytes());
    let wheel = read_wheel(bytes).unwrap();
    assert_eq!(wheel.extensions[0].size, 100);
    let err = contents(&wheel).remove(0).1.unwrap_err();
    assert!(
        err.contains("inflates to more than the 100 bytes its header declares"),
        "{err}"
    );
}

/// Why the one member of a small deflated wheel, with a field of its
/// entries changed (see [`patch`]), cannot be read.
fn corrupt_member(central_offset: usize, local_offset: usize, value: &[u8]) -> String {
    let member = [("m.abi3.so", &b"twelve bytes"[..])];
    let mut bytes = wheel_of(&member, zip::CompressionMethod::Deflated);
    patch(&mut bytes, central_offset, local_offset, value);
    let wheel = read_wheel(bytes).unwrap();
    contents(&wheel).remove(0).1.unwrap_err()
}

#[test]
fn a_member_shorter_than_declared_or_with_a_wrong_crc_is_corrupt() {
    // The size: central directory offset 24, local header 22.
    let err = corrupt_member(24, 22, &20u32.to_le_bytes());
    let says = "ends after 12 bytes, before the 20 its header declares";
    assert!(err.contains(says), "{err}");
    // The CRC-32: central directory offset 16, local header 14.
    let err = corrupt_member(16, 14, &0xdeadbeef_u32.to_le_bytes());
    assert!(err.contains("CRC-32"), "{err}");
}

#[test]
fn wheel_bombs_are_refused_before_inflating() {
    let mut bytes = wheel_of(&[("m.abi3.so", b"tiny")], zip::CompressionMethod::Deflated);
    patch(&mut bytes, 24, 22, &u32::MAX.to_le_bytes());
    let err = read_wheel(bytes).unwrap_err();
    assert!(err.contains("more than the 1 GiB a member may be"), "{err}");
    // Three members of 1 GiB declared: more than a wheel may hold.
    let members: Vec<(String, Vec<u8>)> = (0..3)
        .map(|i| (format!("m{i}.abi3.so"), b"x".to_vec()))
        .collect();
    let refs: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let mut bytes = wheel_of(&refs, zip::CompressionMethod::Stored);
    let mut at = 0;
    while let Some(found) = bytes[at..].windows(4).position(|w| w == b"PK\x01\x02") {
        let central = at + found;
        bytes[central + 24..][..4].copy_from_slice(&(1u32 << 30).to_le_bytes());
        at = central + 4;
    }
    let err = read_wheel(bytes).unwrap_err();
    assert!(
        err.contains("its 3 extension members declare 3 GiB inflated, more than the 2 GiB"),
        "{err}"
    );
}

#[test]
fn encrypted_and_other_compression_methods_are_named() {
    let stored = || wheel_of(&[("m.abi3.so", b"x")], zip::CompressionMethod::Stored);
    for (method, name) in [
        (14u16, "LZMA (zip method 14)"),
        (12, "bzip2 (zip method 12)"),
        (93, "Zstandard"),
    ] {
        let mut bytes = stored();
        // Method: central directory offset 10, local header 8.
        patch(&mut bytes, 10, 8, &method.to_le_bytes());
        let wheel = read_wheel(bytes).unwrap();
        let err = wheel.read(&wheel.extensions[0], &|_| ()).unwrap_err();
        assert!(err.starts_with("the member is compressed with "), "{err}");
        assert!(err.contains(name), "{err}");
    }
    let mut bytes = stored();
    // General purpose flags: central directory offset 8, local header 6.
    patch(&mut bytes, 8, 6, &1u16.to_le_bytes());
    let wheel = read_wheel(bytes).unwrap();
    let err = wheel.read(&wheel.extensions[0], &|_| ()).unwrap_err();
    assert!(err.contains("the member is encrypted"), "{err}");
}

#[test]
fn member_names_that_are_not_utf8_are_kept() {
    let mut bytes = wheel_of(&[("bad?.abi3.so", b"x")], zip::CompressionMethod::Stored);
    let at = bytes.windows(3).position(|w| w == b"d?.").unwrap() + 1;
    bytes[at] = 0xff;
    let at = bytes.windows(3).rposition(|w| w == b"d?.").unwrap() + 1;
    bytes[at] = 0xff;
    let wheel = read_wheel(bytes).unwrap();
    let member = &wheel.extensions[0];
    assert_eq!(member.raw_name, b"bad\xff.abi3.so");
    assert_eq!(member.name, "bad\\xff.abi3.so");
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let path = member_path(std::path::Path::new("w.whl"), member);
        assert_eq!(path.as_os_str().as_bytes(), b"w.whl/bad\xff.abi3.so");
    }
}

#[test]
fn tags_with_other_characters_are_no_tags() {
    assert!(WheelTag::parse("cp38-abi3-linux_x86_64").is_some());
    assert_eq!(WheelTag::parse("cp38-abi3-linux\x1b[2K"), None);
    assert_eq!(WheelTag::parse("cp38-abi3-any\n"), None);
}

#[test]
fn extension_names() {
    assert!(is_extension_name("pkg/_spam.abi3.so"));
    assert!(is_extension_name("pkg/_spam.cp311-win_amd64.pyd"));
    assert!(!is_extension_name("pkg/spam.py"));
}
