//! Reading Mach-O and COFF symbols, with objects written by the `object`
//! crate (no cross toolchain needed); ELF is covered by the compiled tests.

mod objects;

use object::write::{Object, Symbol, SymbolSection};
use object::{Architecture, BinaryFormat, Endianness, SymbolFlags, SymbolKind, SymbolScope};
use objects::{fat, import, macho_importing};

use stable_abi::binary::{read_binary, BinaryFormat as Format};

/// An object defining `PyTiny_Exported` (and a local helper) and calling
/// `PyUnicode_New`, in `format`.
fn object_file(format: BinaryFormat) -> Vec<u8> {
    let mut obj = Object::new(format, Architecture::X86_64, Endianness::Little);
    let text = obj.section_id(object::write::StandardSection::Text);
    let offset = obj.append_section_data(text, &[0xc3; 16], 1);
    for (name, scope) in [
        ("PyTiny_Exported", SymbolScope::Dynamic),
        ("helper", SymbolScope::Compilation),
    ] {
        obj.add_symbol(Symbol {
            name: name.as_bytes().to_vec(),
            value: offset,
            size: 1,
            kind: SymbolKind::Text,
            scope,
            weak: false,
            section: SymbolSection::Section(text),
            flags: SymbolFlags::None,
        });
    }
    obj.add_symbol(import("PyUnicode_New"));
    obj.write().unwrap()
}

#[test]
fn macho_symbols_lose_their_underscore() {
    let bytes = object_file(BinaryFormat::MachO);
    assert!(
        bytes.windows(17).any(|w| w == b"_PyTiny_Exported\0"),
        "the writer mangles"
    );
    let binary = read_binary(&bytes).unwrap();
    assert_eq!(binary.format, Format::MachO);
    assert!(binary.exports.contains("PyTiny_Exported"), "{binary:?}");
    assert!(
        !binary.exports.contains("helper"),
        "locals are not exported"
    );
    assert!(binary.imports.contains("PyUnicode_New"), "{binary:?}");
}

#[test]
fn coff_objects_are_read() {
    let binary = read_binary(&object_file(BinaryFormat::Coff)).unwrap();
    assert_eq!(binary.format, Format::Coff);
    assert!(binary.exports.contains("PyTiny_Exported"), "{binary:?}");
    assert!(binary.imports.contains("PyUnicode_New"), "{binary:?}");
    assert!(Format::Coff.is_windows());
}

#[test]
fn an_archive_of_macho_objects_uses_c_names() {
    let member = object_file(BinaryFormat::MachO);
    // A BSD-style archive without a symbol index: members are parsed.
    let mut archive = b"!<arch>\n".to_vec();
    let header = format!(
        "{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
        "tiny.o",
        0,
        0,
        0,
        644,
        member.len()
    );
    archive.extend_from_slice(header.as_bytes());
    archive.extend_from_slice(&member);
    if member.len() % 2 == 1 {
        archive.push(b'\n');
    }
    let binary = read_binary(&archive).unwrap();
    assert_eq!(binary.format, Format::Archive);
    assert_eq!(
        binary.exports.iter().collect::<Vec<_>>(),
        ["PyTiny_Exported"],
        "{binary:?}"
    );
}

#[test]
fn every_truncation_of_a_macho_object_is_an_error_or_a_result() {
    let bytes = object_file(BinaryFormat::MachO);
    assert!(read_binary(&bytes).is_ok(), "the whole object reads");
    let errors = (0..bytes.len())
        .filter(|&len| read_binary(&bytes[..len]).is_err())
        .count();
    assert!(errors > 0, "some truncations must be errors");
}

#[test]
fn mutated_objects_are_errors_or_results_never_panics() {
    for format in [BinaryFormat::MachO, BinaryFormat::Coff, BinaryFormat::Elf] {
        let bytes = object_file(format);
        let (mut read, mut rejected) = (0, 0);
        for position in 0..bytes.len() {
            for value in [0x00, 0xff, 0x80] {
                let mut mutated = bytes.clone();
                mutated[position] = value;
                match read_binary(&mutated) {
                    Ok(_) => read += 1,
                    Err(_) => rejected += 1,
                }
            }
        }
        // Both outcomes occur, or the mutations explored nothing.
        assert!(
            read > 0 && rejected > 0,
            "{format:?}: {read} read, {rejected} rejected"
        );
    }
}

#[test]
fn findings_in_a_fat_macho_name_the_slice() {
    let x86 = macho_importing(Architecture::X86_64, &["PyLong_FromLong", "PyUnicode_New"]);
    let arm = macho_importing(Architecture::Aarch64, &["PyLong_FromLong"]);
    let bytes = fat(&[
        (object::macho::CPU_TYPE_X86_64, x86),
        (object::macho::CPU_TYPE_ARM64, arm),
    ]);
    let binary = read_binary(&bytes).unwrap();
    let arches: Vec<&str> = binary.slices.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(arches, ["x86_64", "arm64"]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fat.abi3.so"), &bytes).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stable-abi"))
        .current_dir(dir.path())
        .args(["audit", "fat.abi3.so"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "error: PyUnicode_New is not in the Stable ABI [not-stable-abi]\n      \
             note: in the x86_64 slice\n"
        ),
        "{text}"
    );
}
