//! The symbols of a built binary, read with the `object` crate (no binutils):
//! what it exports, what it imports, and which libraries it is linked to.
//!
//! [`read_binary`] takes bytes and never panics: a truncated, corrupt or
//! foreign file is an [`BinaryError`], which callers attach to the file name.

use std::collections::BTreeSet;
use std::fmt;

use object::read::archive::ArchiveFile;
use object::read::elf::{ElfFile, FileHeader};
use object::read::macho::{FatArch, MachHeader, MachOFatFile32, MachOFatFile64, MachOFile};
use object::read::pe::{ImageNtHeaders, ImageThunkData, PeFile};
use object::LittleEndian;
use object::{FileKind, Object, ObjectSymbol};

/// The container formats understood.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BinaryFormat {
    Elf,
    MachO,
    Pe,
    Coff,
    /// A static library (`.a`, `.lib`).
    Archive,
}

impl BinaryFormat {
    /// Windows binaries: their feature macros are the manifest's `windows`.
    pub fn is_windows(self) -> bool {
        matches!(self, BinaryFormat::Pe | BinaryFormat::Coff)
    }
}

impl fmt::Display for BinaryFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BinaryFormat::Elf => "ELF",
            BinaryFormat::MachO => "Mach-O",
            BinaryFormat::Pe => "PE",
            BinaryFormat::Coff => "COFF",
            BinaryFormat::Archive => "static archive",
        })
    }
}

/// What a binary offers and needs, with C names (Mach-O's leading
/// underscore removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binary {
    pub format: BinaryFormat,
    /// Defined symbols other objects can link to: an ELF shared object's
    /// dynamic symbols, a static archive's defined globals, a Mach-O's
    /// external definitions, a DLL's export table (forwarders included).
    pub exports: BTreeSet<String>,
    /// Symbols it needs from elsewhere (undefined symbols, PE imports).
    pub imports: BTreeSet<String>,
    /// Libraries it is linked to: ELF `DT_NEEDED`, Mach-O `LC_LOAD_DYLIB`
    /// paths, PE import DLLs.
    pub needed: BTreeSet<String>,
    /// A universal (fat) Mach-O's slices, by architecture (`x86_64`,
    /// `arm64`), each read on its own; the sets above are their union.
    /// Empty for any other binary.
    pub slices: Vec<(String, Binary)>,
}

/// Why bytes could not be read as a binary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BinaryError(pub String);

impl fmt::Display for BinaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BinaryError {}

impl Binary {
    fn empty(format: BinaryFormat) -> Binary {
        Binary {
            format,
            exports: BTreeSet::new(),
            imports: BTreeSet::new(),
            needed: BTreeSet::new(),
            slices: Vec::new(),
        }
    }
}

fn corrupt(format: &str) -> impl Fn(object::Error) -> BinaryError + '_ {
    move |err| BinaryError(format!("truncated or corrupt {format} file: {err}"))
}

/// Reads the symbols of an ELF, Mach-O (thin or fat), PE/COFF file or a
/// static archive of them. Never panics, whatever the bytes.
pub fn read_binary(data: &[u8]) -> Result<Binary, BinaryError> {
    let kind = FileKind::parse(data).map_err(|_| {
        let what = if data.starts_with(b"/* GNU ld script") {
            "a GNU ld linker script"
        } else {
            "neither ELF, Mach-O, PE/COFF nor a static archive"
        };
        BinaryError(format!("not an object file: {what}"))
    })?;
    match kind {
        FileKind::Elf32 => read_elf(ElfFile::<object::elf::FileHeader32<object::Endianness>>::parse(data)),
        FileKind::Elf64 => read_elf(ElfFile::<object::elf::FileHeader64<object::Endianness>>::parse(data)),
        FileKind::MachO32 => read_macho(MachOFile::<object::macho::MachHeader32<object::Endianness>>::parse(data)),
        FileKind::MachO64 => read_macho(MachOFile::<object::macho::MachHeader64<object::Endianness>>::parse(data)),
        FileKind::MachOFat32 => {
            let fat = MachOFatFile32::parse(data).map_err(corrupt("Mach-O universal"))?;
            read_fat(data, fat.arches())
        }
        FileKind::MachOFat64 => {
            let fat = MachOFatFile64::parse(data).map_err(corrupt("Mach-O universal"))?;
            read_fat(data, fat.arches())
        }
        FileKind::Pe32 => read_pe(PeFile::<object::pe::ImageNtHeaders32>::parse(data)),
        FileKind::Pe64 => read_pe(PeFile::<object::pe::ImageNtHeaders64>::parse(data)),
        FileKind::Coff | FileKind::CoffBig => {
            let file = object::File::parse(data).map_err(corrupt("COFF"))?;
            read_symbols(&file, BinaryFormat::Coff, false)
        }
        FileKind::Archive => read_archive(data),
        other => Err(BinaryError(format!(
            "unsupported object file kind {other:?}: expected ELF, Mach-O, PE/COFF or a static archive"
        ))),
    }
}

/// Names as C spells them: Mach-O prefixes every C symbol with `_`.
fn c_name(raw: &[u8], macho: bool) -> Option<String> {
    let name = std::str::from_utf8(raw).ok()?;
    let name = if macho { name.strip_prefix('_')? } else { name };
    (!name.is_empty()).then(|| name.to_string())
}

/// Defined externally visible symbols into `exports`, undefined ones into
/// `imports`, from a file's static symbol table.
fn read_symbols<'data>(
    file: &impl Object<'data>,
    format: BinaryFormat,
    macho: bool,
) -> Result<Binary, BinaryError> {
    let mut binary = Binary::empty(format);
    for symbol in file.symbols() {
        collect_symbol(&mut binary, &symbol, macho)?;
    }
    Ok(binary)
}

fn collect_symbol<'data>(
    binary: &mut Binary,
    symbol: &impl ObjectSymbol<'data>,
    macho: bool,
) -> Result<(), BinaryError> {
    if symbol.is_local() {
        return Ok(());
    }
    let raw = symbol
        .name_bytes()
        .map_err(corrupt("symbol table of the"))?;
    let Some(name) = c_name(raw, macho) else {
        return Ok(());
    };
    if symbol.is_undefined() {
        binary.imports.insert(name);
    } else if symbol.is_definition() || symbol.is_common() {
        binary.exports.insert(name);
    }
    Ok(())
}

fn read_elf<'data, Elf: FileHeader<Endian = object::Endianness>>(
    parsed: object::Result<ElfFile<'data, Elf>>,
) -> Result<Binary, BinaryError> {
    let file = parsed.map_err(corrupt("ELF"))?;
    let mut binary = Binary::empty(BinaryFormat::Elf);
    // A shared object's interface is its dynamic symbol table; a relocatable
    // object (or a fully static executable) has only the static one.
    let mut dynamic = file.dynamic_symbols().peekable();
    if dynamic.peek().is_some() {
        for symbol in dynamic {
            collect_symbol(&mut binary, &symbol, false)?;
        }
    } else {
        for symbol in file.symbols() {
            collect_symbol(&mut binary, &symbol, false)?;
        }
    }
    let endian = file.endian();
    let sections = file.elf_section_table();
    if let Some((entries, link)) = sections
        .dynamic(endian, file.data())
        .map_err(corrupt("ELF"))?
    {
        let strings = sections
            .strings(endian, file.data(), link)
            .map_err(corrupt("ELF"))?;
        for entry in entries {
            use object::read::elf::Dyn;
            if entry.tag32(endian) == Some(object::elf::DT_NEEDED) {
                let name = entry.string(endian, strings).map_err(corrupt("ELF"))?;
                binary
                    .needed
                    .insert(String::from_utf8_lossy(name).into_owned());
            }
        }
    }
    Ok(binary)
}

fn read_macho<'data, Mach: MachHeader<Endian = object::Endianness>>(
    parsed: object::Result<MachOFile<'data, Mach>>,
) -> Result<Binary, BinaryError> {
    let file = parsed.map_err(corrupt("Mach-O"))?;
    let mut binary = read_symbols(&file, BinaryFormat::MachO, true)?;
    let endian = file.endian();
    let mut commands = file.macho_load_commands().map_err(corrupt("Mach-O"))?;
    while let Some(command) = commands.next().map_err(corrupt("Mach-O"))? {
        if let Some(dylib) = command.dylib().map_err(corrupt("Mach-O"))? {
            let name = command
                .string(endian, dylib.dylib.name)
                .map_err(corrupt("Mach-O"))?;
            binary
                .needed
                .insert(String::from_utf8_lossy(name).into_owned());
        }
    }
    Ok(binary)
}

/// A universal binary: the union of its architectures.
fn read_fat<A: FatArch>(data: &[u8], arches: &[A]) -> Result<Binary, BinaryError> {
    let mut binary = Binary::empty(BinaryFormat::MachO);
    for arch in arches {
        let slice = arch.data(data).map_err(corrupt("Mach-O universal"))?;
        let one = read_binary(slice)?;
        binary.exports.extend(one.exports.iter().cloned());
        binary.imports.extend(one.imports.iter().cloned());
        binary.needed.extend(one.needed.iter().cloned());
        binary.slices.push((arch_name(arch.cputype()), one));
    }
    Ok(binary)
}

/// The name Apple's tools give a slice's CPU type.
fn arch_name(cputype: u32) -> String {
    use object::macho::{
        CPU_TYPE_ARM, CPU_TYPE_ARM64, CPU_TYPE_POWERPC, CPU_TYPE_X86, CPU_TYPE_X86_64,
    };
    match cputype {
        CPU_TYPE_X86_64 => "x86_64".to_string(),
        CPU_TYPE_ARM64 => "arm64".to_string(),
        CPU_TYPE_X86 => "i386".to_string(),
        CPU_TYPE_ARM => "arm".to_string(),
        CPU_TYPE_POWERPC => "ppc".to_string(),
        other => format!("cputype {other:#x}"),
    }
}

fn read_pe<'data, Pe: ImageNtHeaders>(
    parsed: object::Result<PeFile<'data, Pe>>,
) -> Result<Binary, BinaryError> {
    let file = parsed.map_err(corrupt("PE"))?;
    let mut binary = Binary::empty(BinaryFormat::Pe);
    // The export table, forwarders included: `python3.dll` forwards every
    // Stable ABI symbol to `python3N.dll`.
    if let Some(table) = file.export_table().map_err(corrupt("PE"))? {
        for (pointer, _) in table.name_iter() {
            let name = table.name_from_pointer(pointer).map_err(corrupt("PE"))?;
            if let Some(name) = c_name(name, false) {
                binary.exports.insert(name);
            }
        }
    }
    // Every imported DLL is needed, even one imported only by ordinal
    // (which `imports()` skips), and delay-loaded ones too.
    if let Some(table) = file.import_table().map_err(corrupt("PE"))? {
        let mut descriptors = table.descriptors().map_err(corrupt("PE"))?;
        while let Some(descriptor) = descriptors.next().map_err(corrupt("PE"))? {
            let library = table
                .name(descriptor.name.get(LittleEndian))
                .map_err(corrupt("PE"))?;
            binary
                .needed
                .insert(String::from_utf8_lossy(library).into_owned());
        }
    }
    for import in file.imports().map_err(corrupt("PE"))? {
        if let Some(name) = c_name(import.name(), false) {
            binary.imports.insert(name);
        }
    }
    let delay_loaded = file
        .data_directories()
        .delay_load_import_table(file.data(), &file.section_table())
        .map_err(corrupt("PE"))?;
    if let Some(table) = delay_loaded {
        let mut descriptors = table.descriptors().map_err(corrupt("PE"))?;
        while let Some(descriptor) = descriptors.next().map_err(corrupt("PE"))? {
            let library = table
                .name(descriptor.dll_name_rva.get(LittleEndian))
                .map_err(corrupt("PE"))?;
            binary
                .needed
                .insert(String::from_utf8_lossy(library).into_owned());
            let mut thunks = table
                .thunks(descriptor.import_name_table_rva.get(LittleEndian))
                .map_err(corrupt("PE"))?;
            while let Some(thunk) = thunks.next::<Pe>().map_err(corrupt("PE"))? {
                if thunk.is_ordinal() {
                    continue;
                }
                let (_, name) = table.hint_name(thunk.address()).map_err(corrupt("PE"))?;
                if let Some(name) = c_name(name, false) {
                    binary.imports.insert(name);
                }
            }
        }
    }
    Ok(binary)
}

/// A static archive: the defined globals of every member. The archive's
/// symbol index lists exactly those and is read without parsing the
/// members; members are parsed only when there is no index.
fn read_archive(data: &[u8]) -> Result<Binary, BinaryError> {
    let archive = ArchiveFile::parse(data).map_err(corrupt("archive"))?;
    let mut binary = Binary::empty(BinaryFormat::Archive);
    let macho = first_member_is_macho(&archive, data)?;
    if let Some(index) = archive.symbols().map_err(corrupt("archive"))? {
        for symbol in index {
            let symbol = symbol.map_err(corrupt("archive"))?;
            if let Some(name) = c_name(symbol.name(), macho) {
                binary.exports.insert(name);
            }
        }
        return Ok(binary);
    }
    for member in archive.members() {
        let member = member.map_err(corrupt("archive"))?;
        let bytes = member.data(data).map_err(corrupt("archive"))?;
        if FileKind::parse(bytes).is_err() {
            continue; // e.g. a string table or a text member
        }
        let object = read_binary(bytes)?;
        binary.exports.extend(object.exports);
    }
    Ok(binary)
}

fn first_member_is_macho(archive: &ArchiveFile, data: &[u8]) -> Result<bool, BinaryError> {
    for member in archive.members() {
        let member = member.map_err(corrupt("archive"))?;
        let bytes = member.data(data).map_err(corrupt("archive"))?;
        match FileKind::parse(bytes) {
            Ok(FileKind::MachO32 | FileKind::MachO64) => return Ok(true),
            Ok(_) => return Ok(false),
            Err(_) => continue,
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_a_clear_error() {
        let err = read_binary(b"hello, this is text\n").unwrap_err();
        assert!(err.0.contains("not an object file"), "{err}");
        assert!(read_binary(b"").is_err());
        let err = read_binary(b"/* GNU ld script\n */\nINPUT(libc.so.6)\n").unwrap_err();
        assert!(err.0.contains("linker script"), "{err}");
    }

    #[test]
    fn truncated_headers_are_errors_not_panics() {
        // The ELF magic, then nothing sensible.
        let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
        elf.resize(40, 0xff);
        assert!(read_binary(&elf).is_err());
        assert!(read_binary(b"!<arch>\n/ bogus").is_err());
        assert!(read_binary(b"MZ\x00\x00").is_err());
        assert!(read_binary(&[0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0]).is_err());
    }

    #[test]
    fn never_panics_on_any_prefix_of_this_test_binary() {
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let Ok(bytes) = std::fs::read(exe) else {
            return;
        };
        let whole = read_binary(&bytes).expect("the test binary itself is readable");
        assert!(!whole.imports.is_empty() || !whole.exports.is_empty());
        // Every prefix length class, and some bit flips: errors, not panics.
        let mut len = 1;
        while len < bytes.len() {
            let _ = read_binary(&bytes[..len]);
            len = len * 3 / 2 + 1;
        }
        let mut flipped = bytes[..bytes.len().min(1 << 16)].to_vec();
        for i in (0..flipped.len()).step_by(97) {
            flipped[i] ^= 0x5a;
        }
        let _ = read_binary(&flipped);
    }

    #[test]
    fn macho_names_lose_one_underscore() {
        assert_eq!(
            c_name(b"_PyLong_FromLong", true).unwrap(),
            "PyLong_FromLong"
        );
        assert_eq!(c_name(b"__Py_Dealloc", true).unwrap(), "_Py_Dealloc");
        assert_eq!(c_name(b"_Py_Dealloc", false).unwrap(), "_Py_Dealloc");
        assert_eq!(c_name(b"nounderscore", true), None);
    }
}
