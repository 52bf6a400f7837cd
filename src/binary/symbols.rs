//! The symbols of a built binary, read with the `object` crate (no binutils):
//! what it exports, what it imports, and which libraries it is linked to.
//!
//! [`read_binary`] takes bytes — a mapped file, or the pieces of a wheel
//! member kept by [`super::sparse`] — and never panics: a truncated,
//! corrupt or foreign file is a [`BinaryError`], which callers attach to
//! the file name. Only the tables named below are read, through small
//! reads, so the pieces kept of a streamed member can be just those.
//!
//! Containers nest at most as real files do: a universal (fat) Mach-O's
//! slice is a Mach-O file or a static archive (a universal static
//! library), an archive's member an object file. A slice that is itself a
//! universal binary, or a member that is itself an archive or universal
//! binary, is refused with its place (a 28-byte universal header whose
//! slice is the file itself would otherwise be read forever).

use std::collections::BTreeSet;
use std::fmt;

use object::read::archive::ArchiveFile;
use object::read::elf::{FileHeader, Sym};
use object::read::macho::{FatArch, MachHeader, MachOFatFile32, MachOFatFile64, MachOFile};
use object::{FileKind, Object, ObjectSymbol};

use super::pe;
use super::sparse::Data;

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
/// underscore removed). Names are as [`crate::output::escape::bytes`]
/// prints them: a name with control characters or bytes that are not
/// UTF-8 is kept, escaped, so it is reported on one line.
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
    pub(super) fn empty(format: BinaryFormat) -> Binary {
        Binary {
            format,
            exports: BTreeSet::new(),
            imports: BTreeSet::new(),
            needed: BTreeSet::new(),
            slices: Vec::new(),
        }
    }
}

pub(super) fn corrupt(format: &str) -> impl Fn(object::Error) -> BinaryError + '_ {
    move |err| BinaryError(format!("truncated or corrupt {format} file: {err}"))
}

/// The first of the errors that reading went on past: a name that cannot
/// be read does not end the reading of the others, so one parse of a
/// streamed member's kept pieces notes every name it misses
/// ([`super::stream`]); the result is still that first error.
#[derive(Default)]
pub(super) struct Errors(Option<BinaryError>);

impl Errors {
    /// The value, or `None` after keeping the error.
    pub(super) fn keep<T>(&mut self, result: Result<T, BinaryError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.0.get_or_insert(err);
                None
            }
        }
    }

    /// `binary`, unless an error was kept.
    pub(super) fn or(self, binary: Binary) -> Result<Binary, BinaryError> {
        match self.0 {
            Some(err) => Err(err),
            None => Ok(binary),
        }
    }
}

/// Where the bytes being read are: at the top, in a universal binary's
/// slice, or in an archive's member. Decides which containers may nest.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Within {
    Top,
    FatSlice,
    ArchiveMember,
}

/// Reads the symbols of an ELF, Mach-O (thin or fat), PE/COFF file or a
/// static archive of them. Never panics, whatever the bytes.
pub fn read_binary(data: &[u8]) -> Result<Binary, BinaryError> {
    read(data)
}

/// [`read_binary`] of a byte slice or of the pieces of a streamed member
/// ([`super::sparse::View`]).
pub fn read<'a, R: Data<'a>>(data: R) -> Result<Binary, BinaryError> {
    read_within(data, Within::Top)
}

fn read_within<'a, R: Data<'a>>(data: R, within: Within) -> Result<Binary, BinaryError> {
    let kind = FileKind::parse(data).map_err(|_| {
        let script = data
            .read_bytes_at(0, 16)
            .is_ok_and(|start| start.starts_with(b"/* GNU ld script"));
        let what = if script {
            "a GNU ld linker script"
        } else {
            "neither ELF, Mach-O, PE/COFF nor a static archive"
        };
        BinaryError(format!("not an object file: {what}"))
    })?;
    match (kind, within) {
        (FileKind::MachOFat32 | FileKind::MachOFat64, Within::FatSlice | Within::ArchiveMember)
        | (FileKind::Archive, Within::ArchiveMember) => {
            return Err(BinaryError(format!(
                "is itself {}: nested containers are not read",
                match kind {
                    FileKind::Archive => "a static archive",
                    _ => "a Mach-O universal binary",
                }
            )));
        }
        _ => {}
    }
    match kind {
        FileKind::Elf32 => read_elf::<object::elf::FileHeader32<object::Endianness>, R>(data),
        FileKind::Elf64 => read_elf::<object::elf::FileHeader64<object::Endianness>, R>(data),
        FileKind::MachO32 => read_macho(MachOFile::<object::macho::MachHeader32<object::Endianness>, R>::parse(data)),
        FileKind::MachO64 => read_macho(MachOFile::<object::macho::MachHeader64<object::Endianness>, R>::parse(data)),
        FileKind::MachOFat32 => {
            let fat = MachOFatFile32::parse(data).map_err(corrupt("Mach-O universal"))?;
            read_fat(data, fat.arches())
        }
        FileKind::MachOFat64 => {
            let fat = MachOFatFile64::parse(data).map_err(corrupt("Mach-O universal"))?;
            read_fat(data, fat.arches())
        }
        FileKind::Pe32 => pe::read::<object::pe::ImageNtHeaders32, R>(data),
        FileKind::Pe64 => pe::read::<object::pe::ImageNtHeaders64, R>(data),
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

/// Names as C spells them (Mach-O prefixes every C symbol with `_`), as
/// printed ([`crate::output::escape::bytes`]).
pub(super) fn c_name(raw: &[u8], macho: bool) -> Option<String> {
    let raw = if macho { raw.strip_prefix(b"_")? } else { raw };
    (!raw.is_empty()).then(|| crate::output::escape::bytes(raw).into_owned())
}

/// A library's name as printed.
pub(super) fn library_name(raw: &[u8]) -> String {
    crate::output::escape::bytes(raw).into_owned()
}

/// Defined externally visible symbols into `exports`, undefined ones into
/// `imports`, from a file's static symbol table.
fn read_symbols<'data>(
    file: &impl Object<'data>,
    format: BinaryFormat,
    macho: bool,
) -> Result<Binary, BinaryError> {
    let mut binary = Binary::empty(format);
    let mut errors = Errors::default();
    for symbol in file.symbols() {
        if symbol.is_local() {
            continue;
        }
        let name = symbol.name_bytes().map_err(corrupt("symbol table of the"));
        if let Some(raw) = errors.keep(name) {
            let defined = symbol.is_definition() || symbol.is_common();
            binary.add(raw, macho, symbol.is_undefined(), defined);
        }
    }
    errors.or(binary)
}

impl Binary {
    fn add(&mut self, raw: &[u8], macho: bool, undefined: bool, defined: bool) {
        let Some(name) = c_name(raw, macho) else {
            return;
        };
        if undefined {
            self.imports.insert(name);
        } else if defined {
            self.exports.insert(name);
        }
    }
}

/// An ELF file: a shared object's dynamic symbols (a relocatable object or
/// fully static executable has only the static table), and `DT_NEEDED`.
/// Read from the section headers and the sections they name (the dynamic
/// symbol table, its strings, the dynamic section), nothing else.
fn read_elf<'a, Elf: FileHeader<Endian = object::Endianness>, R: Data<'a>>(
    data: R,
) -> Result<Binary, BinaryError> {
    let elf = corrupt("ELF");
    let header = Elf::parse(data).map_err(&elf)?;
    let endian = header.endian().map_err(&elf)?;
    let sections = header.sections(endian, data).map_err(&elf)?;
    let mut binary = Binary::empty(BinaryFormat::Elf);
    let mut table = sections
        .symbols(endian, data, object::elf::SHT_DYNSYM)
        .map_err(&elf)?;
    if table.is_empty() {
        table = sections
            .symbols(endian, data, object::elf::SHT_SYMTAB)
            .map_err(&elf)?;
    }
    let mut errors = Errors::default();
    for symbol in table.iter() {
        if symbol.is_local() {
            continue;
        }
        let name = symbol.name(endian, table.strings());
        if let Some(raw) = errors.keep(name.map_err(corrupt("symbol table of the ELF"))) {
            let defined = symbol.is_definition(endian) || symbol.is_common(endian);
            binary.add(raw, false, symbol.is_undefined(endian), defined);
        }
    }
    if let Some((entries, link)) = sections.dynamic(endian, data).map_err(&elf)? {
        let strings = sections.strings(endian, data, link).map_err(&elf)?;
        for entry in entries {
            use object::read::elf::Dyn;
            if entry.tag32(endian) == Some(object::elf::DT_NEEDED) {
                let offset = u32::try_from(entry.d_val(endian).into()).map_err(|_| {
                    BinaryError("truncated or corrupt ELF file: DT_NEEDED offset".into())
                })?;
                let name = strings.get(offset).map_err(|()| {
                    BinaryError("truncated or corrupt ELF file: DT_NEEDED name".into())
                });
                if let Some(name) = errors.keep(name) {
                    binary.needed.insert(library_name(name));
                }
            }
        }
    }
    errors.or(binary)
}

fn read_macho<'data, Mach: MachHeader<Endian = object::Endianness>, R: Data<'data>>(
    parsed: object::Result<MachOFile<'data, Mach, R>>,
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
            binary.needed.insert(library_name(name));
        }
    }
    Ok(binary)
}

/// A universal binary: the union of its architectures.
fn read_fat<'a, A: FatArch, R: Data<'a>>(data: R, arches: &[A]) -> Result<Binary, BinaryError> {
    let mut binary = Binary::empty(BinaryFormat::MachO);
    for (index, arch) in arches.iter().enumerate() {
        let name = arch_name(arch.cputype());
        let (offset, size) = arch.file_range();
        let place = |message: &dyn fmt::Display| {
            BinaryError(format!(
                "Mach-O universal slice {} of {} ({name}, {size} bytes at offset {offset}): {message}",
                index + 1,
                arches.len()
            ))
        };
        let slice = data
            .sub(offset, size)
            .ok_or_else(|| place(&"beyond the end of the file"))?;
        let one = read_within(slice, Within::FatSlice).map_err(|err| place(&err))?;
        binary.exports.extend(one.exports.iter().cloned());
        binary.imports.extend(one.imports.iter().cloned());
        binary.needed.extend(one.needed.iter().cloned());
        binary.slices.push((name, one));
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

/// A static archive: the defined globals of every member. The archive's
/// symbol index lists exactly those and is read without parsing the
/// members; members are parsed only when there is no index.
fn read_archive<'a, R: Data<'a>>(data: R) -> Result<Binary, BinaryError> {
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
        let Some(bytes) = member_data(&member, data)? else {
            continue;
        };
        if FileKind::parse(bytes).is_err() {
            continue; // e.g. a string table or a text member
        }
        let object = read_within(bytes, Within::ArchiveMember).map_err(|err| {
            let name = crate::output::escape::bytes(member.name());
            let (offset, _) = member.file_range();
            BinaryError(format!("archive member {name} at offset {offset}: {err}"))
        })?;
        binary.exports.extend(object.exports);
    }
    Ok(binary)
}

/// A member's bytes (`None` for a thin member, whose bytes are elsewhere).
fn member_data<'a, R: Data<'a>>(
    member: &object::read::archive::ArchiveMember<'a>,
    data: R,
) -> Result<Option<R>, BinaryError> {
    if member.is_thin() {
        return Ok(None);
    }
    let (offset, size) = member.file_range();
    data.sub(offset, size).map(Some).ok_or_else(|| {
        BinaryError("truncated or corrupt archive file: a member runs past its end".into())
    })
}

fn first_member_is_macho<'a, R: Data<'a>>(
    archive: &ArchiveFile<'a, R>,
    data: R,
) -> Result<bool, BinaryError> {
    for member in archive.members() {
        let member = member.map_err(corrupt("archive"))?;
        let Some(bytes) = member_data(&member, data)? else {
            continue;
        };
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
