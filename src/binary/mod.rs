//! Reading built binaries: libpython's exports, and extension modules.

pub mod audit;
pub mod library;
