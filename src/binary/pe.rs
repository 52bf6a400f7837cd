//! PE images (DLLs, `.pyd` extension modules): the export table, the
//! imported DLLs and the names imported from them, delay-loaded ones too.
//!
//! The import tables are walked entry by entry through small reads at the
//! addresses they hold (the `object` crate's own import reader takes the
//! whole rest of the section), so a streamed member keeps only the
//! descriptors, name tables and names, not the section around them.

use object::pe::{ImageDelayloadDescriptor, ImageDosHeader, ImageImportDescriptor};
use object::read::pe::{ImageNtHeaders, ImageThunkData, SectionTable};
use object::{pod::Pod, LittleEndian as LE};

use super::sparse::Data;
use super::symbols::{c_name, corrupt, library_name, Binary, BinaryError, BinaryFormat, Errors};

/// Reads a PE image's exports and imports.
pub(super) fn read<'a, Pe: ImageNtHeaders, R: Data<'a>>(data: R) -> Result<Binary, BinaryError> {
    let pe = corrupt("PE");
    let dos = ImageDosHeader::parse(data).map_err(&pe)?;
    let mut offset = dos.nt_headers_offset().into();
    let (nt_headers, directories) = Pe::parse(data, &mut offset).map_err(&pe)?;
    let sections = nt_headers.sections(data, offset).map_err(&pe)?;
    let mut binary = Binary::empty(BinaryFormat::Pe);
    // The export table, forwarders included: `python3.dll` forwards every
    // Stable ABI symbol to `python3N.dll`.
    if let Some(table) = directories.export_table(data, &sections).map_err(&pe)? {
        for (pointer, _) in table.name_iter() {
            let name = table.name_from_pointer(pointer).map_err(&pe)?;
            if let Some(name) = c_name(name, false) {
                binary.exports.insert(name);
            }
        }
    }
    let image = Image {
        data,
        sections: &sections,
    };
    // Every imported DLL is needed, even one imported only by ordinal,
    // and delay-loaded ones too.
    use object::pe::{IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT, IMAGE_DIRECTORY_ENTRY_IMPORT};
    let mut errors = Errors::default();
    if let Some(directory) = directories.get(IMAGE_DIRECTORY_ENTRY_IMPORT) {
        let at = directory.virtual_address.get(LE);
        image.imports::<Pe, ImageImportDescriptor>(at, &mut binary, &mut errors)?;
    }
    if let Some(directory) = directories.get(IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT) {
        let at = directory.virtual_address.get(LE);
        image.imports::<Pe, ImageDelayloadDescriptor>(at, &mut binary, &mut errors)?;
    }
    errors.or(binary)
}

fn next(at: u32, size: usize) -> Result<u32, BinaryError> {
    at.checked_add(size as u32)
        .ok_or_else(|| BinaryError("truncated or corrupt PE file: import table past 4 GiB".into()))
}

/// An entry of an import directory: a DLL and the table of names imported
/// from it.
trait Descriptor: Pod {
    /// What it is, for messages.
    const WHAT: &'static str;
    /// The entry that ends the directory.
    fn is_end(&self) -> bool;
    /// The address of the DLL's name.
    fn dll(&self) -> u32;
    /// The address of the import name table.
    fn names(&self) -> u32;
}

impl Descriptor for ImageImportDescriptor {
    const WHAT: &'static str = "import descriptor";
    fn is_end(&self) -> bool {
        self.is_null()
    }
    fn dll(&self) -> u32 {
        self.name.get(LE)
    }
    fn names(&self) -> u32 {
        // The lookup table, else (in some old linkers' output) the
        // address table, which holds the same before binding.
        match self.original_first_thunk.get(LE) {
            0 => self.first_thunk.get(LE),
            table => table,
        }
    }
}

impl Descriptor for ImageDelayloadDescriptor {
    const WHAT: &'static str = "delay-load descriptor";
    fn is_end(&self) -> bool {
        self.is_null()
    }
    fn dll(&self) -> u32 {
        self.dll_name_rva.get(LE)
    }
    fn names(&self) -> u32 {
        self.import_name_table_rva.get(LE)
    }
}

/// The image's bytes by relative virtual address.
struct Image<'s, 'a, R> {
    data: R,
    sections: &'s SectionTable<'a>,
}

impl<'a, R: Data<'a>> Image<'_, 'a, R> {
    /// The file offset of `rva`, and how many bytes of its section follow.
    fn place(&self, rva: u32, what: &str) -> Result<(u64, u64), BinaryError> {
        self.sections
            .pe_file_range_at(rva)
            .map(|(offset, size)| (offset.into(), size.into()))
            .ok_or_else(|| {
                BinaryError(format!(
                    "truncated or corrupt PE file: {what} at address {rva:#x} is in no section"
                ))
            })
    }

    fn at<T: Pod>(&self, rva: u32, what: &str) -> Result<&'a T, BinaryError> {
        let (offset, _) = self.place(rva, what)?;
        self.data.read_at(offset).map_err(|()| {
            BinaryError(format!(
                "truncated or corrupt PE file: cannot read the {what} at {rva:#x}"
            ))
        })
    }

    fn string(&self, rva: u32, what: &str) -> Result<&'a [u8], BinaryError> {
        let (offset, size) = self.place(rva, what)?;
        self.data
            .read_bytes_at_until(offset..offset + size, 0)
            .map_err(|()| {
                BinaryError(format!(
                    "truncated or corrupt PE file: the {what} at {rva:#x} does not end in its section"
                ))
            })
    }

    /// The DLLs and names of the import directory at `rva`. A name that
    /// cannot be read is kept in `errors` and the reading goes on (see
    /// [`Errors`]); a table that cannot be read ends it.
    fn imports<Pe: ImageNtHeaders, D: Descriptor>(
        &self,
        mut rva: u32,
        binary: &mut Binary,
        errors: &mut Errors,
    ) -> Result<(), BinaryError> {
        loop {
            let descriptor: &D = self.at(rva, D::WHAT)?;
            if descriptor.is_end() {
                return Ok(());
            }
            if let Some(dll) = errors.keep(self.string(descriptor.dll(), "DLL name")) {
                binary.needed.insert(library_name(dll));
            }
            self.names::<Pe>(descriptor.names(), binary, errors)?;
            rva = next(rva, size_of::<D>())?;
        }
    }

    /// The names of the import name table at `rva` (ordinals have none).
    fn names<Pe: ImageNtHeaders>(
        &self,
        mut rva: u32,
        binary: &mut Binary,
        errors: &mut Errors,
    ) -> Result<(), BinaryError> {
        loop {
            let thunk: Pe::ImageThunkData = *self.at(rva, "import name table entry")?;
            if thunk.address() == 0 {
                return Ok(());
            }
            if !thunk.is_ordinal() {
                // A hint (two bytes), then the name.
                let name = self.string(next(thunk.address(), 2)?, "imported name");
                if let Some(name) = errors.keep(name).and_then(|name| c_name(name, false)) {
                    binary.imports.insert(name);
                }
            }
            rva = next(rva, size_of::<Pe::ImageThunkData>())?;
        }
    }
}
