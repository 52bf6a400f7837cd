//! Binaries written in the tests with the `object` crate's writers (no
//! cross toolchain needed): Mach-O objects, universal binaries, PE DLLs.
#![allow(dead_code)] // each test uses some

use object::write::pe::{NtHeaders, Writer};
use object::write::{Object, Symbol, SymbolSection};
use object::{Architecture, BinaryFormat, Endianness, SymbolFlags, SymbolKind, SymbolScope};

/// An undefined function `name`: what the object imports.
pub fn import(name: &str) -> Symbol {
    Symbol {
        name: name.as_bytes().to_vec(),
        value: 0,
        size: 0,
        kind: SymbolKind::Text,
        scope: SymbolScope::Dynamic,
        weak: false,
        section: SymbolSection::Undefined,
        flags: SymbolFlags::None,
    }
}

/// A Mach-O object for `arch` importing `imports`.
pub fn macho_importing(arch: Architecture, imports: &[&str]) -> Vec<u8> {
    macho(arch, &["PyInit_fat"], imports)
}

/// A Mach-O object for `arch` defining and exporting the functions
/// `exports` and importing `imports`.
pub fn macho(arch: Architecture, exports: &[&str], imports: &[&str]) -> Vec<u8> {
    let mut obj = Object::new(BinaryFormat::MachO, arch, Endianness::Little);
    let text = obj.section_id(object::write::StandardSection::Text);
    for name in exports {
        let offset = obj.append_section_data(text, &[0; 16], 4);
        obj.add_symbol(Symbol {
            name: name.as_bytes().to_vec(),
            value: offset,
            size: 1,
            kind: SymbolKind::Text,
            scope: SymbolScope::Dynamic,
            weak: false,
            section: SymbolSection::Section(text),
            flags: SymbolFlags::None,
        });
    }
    for name in imports {
        obj.add_symbol(import(name));
    }
    obj.write().unwrap()
}

/// A universal binary of `slices` (CPU type, bytes), 4096-aligned.
pub fn fat(slices: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xcafe_babe_u32.to_be_bytes());
    out.extend_from_slice(&(slices.len() as u32).to_be_bytes());
    let mut offset = 4096u32;
    for (cputype, bytes) in slices {
        for field in [*cputype, 3, offset, bytes.len() as u32, 12] {
            out.extend_from_slice(&field.to_be_bytes());
        }
        offset += (bytes.len() as u32).div_ceil(4096) * 4096;
    }
    for (_, bytes) in slices {
        out.resize(out.len().div_ceil(4096) * 4096, 0);
        out.extend_from_slice(bytes);
    }
    out
}

fn put_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// An export directory at `rva` naming `exports` (name, forwarder target);
/// an export without a forwarder points at the headers.
fn export_section(rva: u32, dll: &str, exports: &[(&str, Option<&str>)]) -> Vec<u8> {
    let mut sorted = exports.to_vec();
    sorted.sort();
    let n = sorted.len() as u32;
    let functions = rva + 40;
    let names = functions + 4 * n;
    let ordinals = names + 4 * n;
    let mut strings = Vec::new();
    let strings_rva = ordinals + 2 * n;
    let string_rva = |text: &str, strings: &mut Vec<u8>| {
        let at = strings_rva + strings.len() as u32;
        strings.extend_from_slice(text.as_bytes());
        strings.push(0);
        at
    };
    let dll_name = string_rva(dll, &mut strings);
    let name_rvas: Vec<u32> = sorted
        .iter()
        .map(|(name, _)| string_rva(name, &mut strings))
        .collect();
    let addresses: Vec<u32> = sorted
        .iter()
        .map(|(_, forward)| forward.map_or(0x10, |target| string_rva(target, &mut strings)))
        .collect();
    let mut out = Vec::new();
    for value in [0, 0] {
        put_u32(&mut out, value);
    }
    put_u16(&mut out, 0);
    put_u16(&mut out, 0);
    for value in [dll_name, 1, n, n, functions, names, ordinals] {
        put_u32(&mut out, value);
    }
    addresses.iter().for_each(|&a| put_u32(&mut out, a));
    name_rvas.iter().for_each(|&a| put_u32(&mut out, a));
    (0..n).for_each(|i| put_u16(&mut out, i as u16));
    out.extend_from_slice(&strings);
    out
}

/// An import directory at `rva`: for each DLL, the names imported from it
/// (`#N` imports ordinal N).
fn import_section(rva: u32, imports: &[(&str, &[&str])]) -> Vec<u8> {
    let descriptors_len = 20 * (imports.len() as u32 + 1);
    let mut tables = Vec::new(); // lookup tables, then hint/name entries and DLL names
    let mut descriptors = Vec::new();
    let thunks_len: u32 = imports
        .iter()
        .map(|(_, names)| 8 * (names.len() as u32 + 1))
        .sum();
    let mut strings = Vec::new();
    let strings_rva = rva + descriptors_len + thunks_len;
    for (dll, names) in imports {
        let table_rva = rva + descriptors_len + tables.len() as u32;
        for name in names.iter() {
            if let Some(ordinal) = name.strip_prefix('#') {
                let thunk = (1u64 << 63) | ordinal.parse::<u64>().unwrap();
                tables.extend_from_slice(&thunk.to_le_bytes());
                continue;
            }
            let entry = strings_rva + strings.len() as u32;
            put_u16(&mut strings, 0);
            strings.extend_from_slice(name.as_bytes());
            strings.push(0);
            if strings.len() % 2 == 1 {
                strings.push(0);
            }
            tables.extend_from_slice(&u64::from(entry).to_le_bytes());
        }
        tables.extend_from_slice(&0u64.to_le_bytes());
        let dll_rva = strings_rva + strings.len() as u32;
        strings.extend_from_slice(dll.as_bytes());
        strings.push(0);
        for value in [table_rva, 0, 0, dll_rva, table_rva] {
            put_u32(&mut descriptors, value);
        }
    }
    descriptors.extend_from_slice(&[0; 20]);
    [descriptors, tables, strings].concat()
}

pub fn pe_dll(dll: &str, exports: &[(&str, Option<&str>)], imports: &[(&str, &[&str])]) -> Vec<u8> {
    let mut buffer = Vec::new();
    let mut writer = Writer::new(true, 0x1000, 0x200, &mut buffer);
    writer.reserve_dos_header_and_stub();
    writer.reserve_nt_headers(16);
    writer.reserve_section_headers(2);
    let edata_len = export_section(0, dll, exports).len() as u32;
    let edata = writer.reserve_edata_section(edata_len);
    let idata_len = import_section(0, imports).len() as u32;
    let idata = writer.reserve_idata_section(idata_len);
    writer.write_dos_header_and_stub().unwrap();
    writer.write_nt_headers(NtHeaders {
        machine: object::pe::IMAGE_FILE_MACHINE_AMD64,
        time_date_stamp: 0,
        characteristics: object::pe::IMAGE_FILE_DLL | object::pe::IMAGE_FILE_EXECUTABLE_IMAGE,
        major_linker_version: 14,
        minor_linker_version: 0,
        address_of_entry_point: 0,
        image_base: 0x1_8000_0000,
        major_operating_system_version: 6,
        minor_operating_system_version: 0,
        major_image_version: 0,
        minor_image_version: 0,
        major_subsystem_version: 6,
        minor_subsystem_version: 0,
        subsystem: object::pe::IMAGE_SUBSYSTEM_WINDOWS_GUI,
        dll_characteristics: 0,
        size_of_stack_reserve: 0x10_0000,
        size_of_stack_commit: 0x1000,
        size_of_heap_reserve: 0x10_0000,
        size_of_heap_commit: 0x1000,
    });
    writer.write_section_headers();
    writer.write_section(
        edata.file_offset,
        &export_section(edata.virtual_address, dll, exports),
    );
    writer.write_section(
        idata.file_offset,
        &import_section(idata.virtual_address, imports),
    );
    buffer
}
