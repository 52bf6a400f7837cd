//! Reading built binaries without binutils: libpython's exports, and
//! extension modules that claim the Stable ABI.
//!
//! - [`symbols`]: what an ELF, Mach-O, PE/COFF file or static archive
//!   exports, imports and links to ([`symbols::read_binary`], over bytes,
//!   never panics; containers nest at most as real files do).
//! - [`library`]: `stable-abi library`, and for `--unixy-check`
//!   [`library::default_libraries`] + [`library::check_libraries`]; files
//!   are memory-mapped and identified by device and inode ([`mapped`]).
//! - [`platform`]: the platform a binary names and the feature macros it
//!   defines (the platform table), with `--feature`/`--no-feature`.
//! - [`audit`]: `stable-abi audit` of extensions and wheels, using
//!   [`classify`] on the Stable ABI facts of [`table`] (a manifest, or the
//!   table built into the binary), reported by [`report`]; its inputs are
//!   found by [`inputs`]; wheels are read by [`wheel`], each member
//!   streamed ([`stream`]) keeping only the pieces [`plan`] asks for
//!   ([`sparse`]); [`claims`], [`platform`] and [`unusable`] judge what
//!   the symbol table alone does not.

pub mod audit;
mod central;
pub mod claims;
pub mod classify;
pub mod inputs;
pub mod library;
pub mod mapped;
pub mod names;
pub mod not_on_platform;
mod pe;
pub mod plan;
pub mod platform;
pub mod problems;
pub mod report;
pub mod sparse;
pub mod stream;
pub mod symbols;
pub mod table;
pub mod unusable;
pub mod wheel;
mod zipped;

pub use library::{
    check_libraries, default_libraries, library_findings, library_report, print_assumptions,
    read_each_library, read_libraries, Features, Library, LibraryReport,
};
pub use platform::{Assumptions, FeatureOverrides, Platform};
pub use symbols::{read_binary, Binary, BinaryError, BinaryFormat};
