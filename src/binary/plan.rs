//! Which bytes of a binary the readers need ([`super::symbols`] and the
//! platform detection), worked out from what is kept so far: a streamed
//! wheel member ([`super::sparse`]) keeps these and discards the rest.
//!
//! - ELF: the file header, the program headers, the dynamic segment and the
//!   note segments (they are read in the first pass; the section headers
//!   that also locate them come last), the section headers and the bytes
//!   just before them (where GNU ld writes the section names), the bytes
//!   around `\0.shstrtab\0` (where lld writes them), then the sections the
//!   headers point to: the dynamic symbol table and its strings, the
//!   dynamic section, the notes and the section names (for a file without
//!   dynamic symbols, the static symbol table).
//! - Mach-O: the header and load commands, then the symbol table (in
//!   `__LINKEDIT`) and the names of its external and undefined symbols,
//!   for each slice of a universal binary.
//! - PE: the headers and section table, the export directory and the COFF
//!   symbol table (if any); the import tables are followed entry by entry
//!   by the reader itself (what it misses is fetched, see
//!   [`super::stream::read`]).
//! - A static archive or COFF object (not found in wheels): all of it.
//!
//! A plan may ask for less than a reader needs (the reader's misses are
//! fetched in a further pass) but should not ask for much more: what it
//! asks for is held in memory.

use std::ops::Range;

use object::read::elf::{FileHeader, ProgramHeader, SectionHeader};
use object::read::macho::{FatArch, MachHeader, MachOFatFile32, MachOFatFile64};
use object::read::pe::ImageNtHeaders;
use object::{FileKind, LittleEndian as LE, ReadRef};

use super::sparse::{Data, View};
use super::stream::{Plan, Watch};

/// What is asked for before anything is known: enough for any format's
/// magic and first headers.
const FIRST: u64 = 4096;

/// The bytes of a Mach-O symbol's name fetched at first (longer names are
/// fetched when the reader misses their end).
const SYMBOL_NAME: u64 = 256;

/// The bytes kept on each side of `.shstrtab` in an ELF's section names
/// (a real table is a few hundred bytes).
const SECTION_NAMES: u64 = 16 << 10;

/// The bytes before an ELF's section headers kept with them: GNU ld writes
/// the section names (`.shstrtab`) right before the headers.
const BEFORE_SECTION_HEADERS: u64 = 64 << 10;

/// The ranges of `data` the readers need, given what is kept of it.
pub fn needed(data: View) -> Plan {
    let mut want = Wants::default();
    plan(data, 0, &mut want, true);
    want.0
}

/// The plan being made.
#[derive(Default)]
struct Wants(Plan);

impl Wants {
    /// Wants `size` bytes at `offset` of the part at `base`, which may
    /// lead the plan to more.
    fn add(&mut self, base: u64, offset: u64, size: u64) {
        self.0.ranges.push(range(base, offset, size));
    }

    /// Wants bytes that lead to nothing more (see [`Plan::leaves`]).
    fn leaf(&mut self, base: u64, offset: u64, size: u64) {
        self.0.leaves.push(range(base, offset, size));
    }
}

fn range(base: u64, offset: u64, size: u64) -> Range<u64> {
    let start = base.saturating_add(offset);
    start..start.saturating_add(size)
}

fn plan(data: View, base: u64, want: &mut Wants, top: bool) {
    let len = data.len().unwrap_or(0);
    want.add(base, 0, FIRST.min(len));
    let Ok(kind) = FileKind::parse(data) else {
        return;
    };
    match kind {
        FileKind::Elf32 => elf::<object::elf::FileHeader32<object::Endianness>>(data, base, want),
        FileKind::Elf64 => elf::<object::elf::FileHeader64<object::Endianness>>(data, base, want),
        FileKind::MachO32 => {
            macho::<object::macho::MachHeader32<object::Endianness>>(data, base, want)
        }
        FileKind::MachO64 => {
            macho::<object::macho::MachHeader64<object::Endianness>>(data, base, want)
        }
        FileKind::MachOFat32 if top => {
            if let Ok(fat) = MachOFatFile32::parse(data) {
                slices(data, base, want, fat.arches());
            }
        }
        FileKind::MachOFat64 if top => {
            if let Ok(fat) = MachOFatFile64::parse(data) {
                slices(data, base, want, fat.arches());
            }
        }
        FileKind::Pe32 => pe::<object::pe::ImageNtHeaders32>(data, base, want),
        FileKind::Pe64 => pe::<object::pe::ImageNtHeaders64>(data, base, want),
        FileKind::Archive | FileKind::Coff | FileKind::CoffBig => want.leaf(base, 0, len),
        // Nested universal binaries and other kinds are refused by the
        // reader, from their first bytes.
        _ => {}
    }
}

fn slices<A: FatArch>(data: View, base: u64, want: &mut Wants, arches: &[A]) {
    for arch in arches {
        let (offset, size) = arch.file_range();
        if let Some(slice) = data.sub(offset, size) {
            plan(slice, base + offset, want, false);
        }
    }
}

fn elf<Elf: FileHeader<Endian = object::Endianness>>(data: View, base: u64, want: &mut Wants) {
    let Ok(header) = Elf::parse(data) else {
        return;
    };
    let Ok(endian) = header.endian() else {
        return;
    };
    let phoff: u64 = header.e_phoff(endian).into();
    let phentsize = u64::from(header.e_phentsize(endian));
    if let Ok(phnum) = header.phnum(endian, data) {
        want.add(base, phoff, phentsize.saturating_mul(phnum as u64));
    }
    if let Ok(segments) = header.program_headers(endian, data) {
        for segment in segments {
            let kind = segment.p_type(endian);
            if kind == object::elf::PT_DYNAMIC || kind == object::elf::PT_NOTE {
                let (offset, size) = segment.file_range(endian);
                want.leaf(base, offset, size);
            }
        }
    }
    let shoff: u64 = header.e_shoff(endian).into();
    if shoff == 0 {
        return;
    }
    let shentsize = u64::from(header.e_shentsize(endian));
    want.leaf(
        base,
        shoff.saturating_sub(BEFORE_SECTION_HEADERS),
        BEFORE_SECTION_HEADERS.min(shoff),
    );
    // With more than 0xff00 sections, the first header holds the count.
    want.add(base, shoff, shentsize);
    let Ok(count) = header.shnum(endian, data) else {
        return;
    };
    want.add(base, shoff, shentsize.saturating_mul(count as u64));
    let Ok(sections) = header.sections(endian, data) else {
        // Until the section headers are read, where the names are is not
        // known: lld writes them between the static symbol table and its
        // strings, megabytes before the headers. They are found by their
        // own name, which every linker puts in them.
        want.0.watch = Some(Watch {
            pattern: b"\0.shstrtab\0",
            before: SECTION_NAMES,
            after: SECTION_NAMES,
            until: shoff,
        });
        return;
    };
    let section_range = |index: usize, want: &mut Wants| {
        if let Some((offset, size)) = sections
            .section(object::SectionIndex(index))
            .ok()
            .and_then(|section| section.file_range(endian))
        {
            want.leaf(base, offset, size);
        }
    };
    if let Ok(names) = header.shstrndx(endian, data) {
        section_range(names as usize, want);
    }
    let has_dynamic_symbols = sections
        .iter()
        .any(|s| s.sh_type(endian) == object::elf::SHT_DYNSYM);
    for (index, section) in sections.iter().enumerate() {
        let linked = match section.sh_type(endian) {
            object::elf::SHT_DYNSYM | object::elf::SHT_DYNAMIC => true,
            object::elf::SHT_SYMTAB if !has_dynamic_symbols => true,
            object::elf::SHT_NOTE | object::elf::SHT_SYMTAB_SHNDX => false,
            _ => continue,
        };
        section_range(index, want);
        if linked {
            section_range(section.sh_link(endian) as usize, want);
        }
    }
}

fn macho<Mach: MachHeader<Endian = object::Endianness>>(data: View, base: u64, want: &mut Wants) {
    let Ok(header) = Mach::parse(data, 0) else {
        return;
    };
    let Ok(endian) = header.endian() else {
        return;
    };
    want.add(
        base,
        0,
        size_of::<Mach>() as u64 + u64::from(header.sizeofcmds(endian)),
    );
    let Ok(mut commands) = header.load_commands(endian, data, 0) else {
        return;
    };
    while let Ok(Some(command)) = commands.next() {
        let Ok(Some(symtab)) = command.symtab() else {
            continue;
        };
        let symoff: u64 = symtab.symoff.get(endian).into();
        let stroff: u64 = symtab.stroff.get(endian).into();
        let symbols = u64::from(symtab.nsyms.get(endian)) * size_of::<Mach::Nlist>() as u64;
        want.add(base, symoff, symbols);
        // Of the strings (tens of megabytes in an unstripped file), those of
        // the symbols the reader reads: external and undefined ones. The
        // symbol table comes before its strings, so they are found in the
        // same pass; a longer name is fetched when the reader misses it.
        let Ok(table) = symtab.symbols::<Mach, _>(endian, data) else {
            continue;
        };
        for nlist in table.iter() {
            use object::read::macho::Nlist;
            let kind = nlist.n_type();
            let stab = kind & object::macho::N_STAB != 0;
            let undefined = kind & object::macho::N_TYPE == object::macho::N_UNDF;
            if !stab && (undefined || kind & object::macho::N_EXT != 0) {
                want.leaf(base, stroff + u64::from(nlist.n_strx(endian)), SYMBOL_NAME);
            }
        }
    }
}

fn pe<Pe: ImageNtHeaders>(data: View, base: u64, want: &mut Wants) {
    let Ok(dos) = object::pe::ImageDosHeader::parse(data) else {
        return;
    };
    let mut offset: u64 = dos.nt_headers_offset().into();
    let Ok((nt_headers, directories)) = Pe::parse(data, &mut offset) else {
        return;
    };
    let count = nt_headers.file_header().number_of_sections.get(LE);
    want.add(base, offset, u64::from(count) * 40);
    let Ok(sections) = nt_headers.sections(data, offset) else {
        return;
    };
    if let Some(export) = directories.get(object::pe::IMAGE_DIRECTORY_ENTRY_EXPORT) {
        if let Ok((offset, size)) = export.file_range(&sections) {
            want.leaf(base, offset.into(), size.into());
        }
    }
    // The COFF symbol table (rare in images), which the platform
    // detection's full parse reads: the symbols and the string table's size,
    // then the string table.
    let header = nt_headers.file_header();
    let symbols = u64::from(header.pointer_to_symbol_table.get(LE));
    if symbols != 0 {
        let strings = symbols + u64::from(header.number_of_symbols.get(LE)) * 18;
        // (At most 2^32 + 2^32 * 18: no overflow.)
        want.add(base, symbols, strings - symbols + 4);
        if let Ok(size) = data.read_at::<object::U32Bytes<LE>>(strings) {
            want.leaf(base, strings, size.get(LE).into());
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::binary::audit::read_extension;
    use crate::binary::stream::{read_in_memory, Limits};

    /// Inputs the fuzz targets found, each read streamed as it is whole.
    #[test]
    fn inputs_found_by_fuzzing_are_read_streamed_as_whole() {
        // An ELF with no section count in its header, whose first section
        // header (which then holds the count) says 2^64-1: the count times
        // the header size overflowed.
        let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0o\0".to_vec();
        elf.resize(32, 0);
        elf.extend_from_slice(&[64, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0]);
        elf.extend_from_slice(&[0, 0, 0, 0, 64, 0, 56, 0, 255, 255, 64, 0, 0, 0, 0, 0]);
        elf.resize(76, 0);
        elf.resize(133, 255);
        elf.resize(185, 0);
        let limits = Limits {
            keep: 64 << 20,
            passes: 16,
        };
        let inputs: Vec<Vec<u8>> = vec![elf];
        for input in &inputs {
            let streamed = read_in_memory(input, &|view| read_extension(view), limits);
            let whole = read_extension(input.as_slice());
            if let Ok(streamed) = streamed {
                assert_eq!(streamed.map(|(b, _)| b), whole.map(|(b, _)| b));
            }
        }
    }
}
