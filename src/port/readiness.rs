//! `stable-abi audit --readiness`: the binary counterpart of `port`, for
//! extensions that are not built for the Stable ABI yet. Of each
//! extension's imported Python symbols, those outside the Stable ABI, and
//! the version the others need (the newest `added` among them).
//!
//! A binary shows only the functions and data it links to: macros that
//! read an object's struct (`PyTuple_GET_ITEM`), member access
//! (`Py_TYPE(o)->tp_name`) and static types compile into it without a
//! trace, so this is a lower bound of what `port` finds in the sources.

use std::path::PathBuf;

use serde::Serialize;

use crate::binary::classify::{classify, Verdict};
use crate::binary::inputs::{self, Input};
use crate::binary::mapped::MappedFile;
use crate::binary::sparse::Data;
use crate::binary::symbols::{self, Binary, BinaryError};
use crate::binary::table::AbiTable;
use crate::binary::wheel::{member_path, read_wheel};
use crate::version::Version;

/// What a binary cannot see, said with every report.
pub const BLIND_SPOT: &str = "a binary shows only the functions and data it links to: macros, \
struct member access and static types are not seen here (`stable-abi port` finds them in the \
sources)";

/// The readiness of one extension module.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Readiness {
    /// The file, or `WHEEL/member` inside a wheel.
    pub path: PathBuf,
    /// Imported Python symbols outside the Stable ABI.
    pub outside: Vec<String>,
    /// Imported Python symbols in the Stable ABI.
    pub stable: usize,
    /// The newest `added` among those: the lowest `Py_LIMITED_API` they
    /// allow.
    pub minimum_version: Version,
    /// The symbol that sets it (none: 3.2).
    pub because: Option<String>,
    /// Why it could not be read.
    pub error: Option<String>,
}

/// The readiness of one binary's bytes (a mapped file or the kept pieces
/// of a wheel member).
pub fn assess<'a, R: Data<'a>>(path: PathBuf, data: R, table: &AbiTable) -> Readiness {
    assess_read(path, symbols::read(data), table)
}

/// [`assess`] of a binary already read.
fn assess_read(path: PathBuf, read: Result<Binary, BinaryError>, table: &AbiTable) -> Readiness {
    let mut readiness = Readiness {
        path,
        outside: Vec::new(),
        stable: 0,
        minimum_version: Version::FIRST,
        because: None,
        error: None,
    };
    let binary = match read {
        Ok(binary) => binary,
        Err(err) => {
            readiness.error = Some(err.to_string());
            return readiness;
        }
    };
    for symbol in &binary.imports {
        match classify(table, symbol, Version::FIRST) {
            // (Unknown is beyond the table's knowledge, never so at 3.2.)
            Some(Verdict::NotStable | Verdict::Unknown) => readiness.outside.push(symbol.clone()),
            Some(Verdict::NeedsNewer(version)) => {
                readiness.stable += 1;
                if version > readiness.minimum_version {
                    readiness.minimum_version = version;
                    readiness.because = Some(symbol.clone());
                }
            }
            Some(Verdict::Fine) => readiness.stable += 1,
            None => {}
        }
    }
    readiness
}

/// The readiness of every extension module in `paths` (files, wheels,
/// directories searched for both), whatever their tags.
pub fn assess_paths(paths: &[PathBuf], table: &AbiTable) -> Vec<Readiness> {
    let mut results = Vec::new();
    let unreadable = |path: PathBuf, error: String| Readiness {
        path,
        outside: Vec::new(),
        stable: 0,
        minimum_version: Version::FIRST,
        because: None,
        error: Some(error),
    };
    for input in inputs::collect(paths) {
        let path = match input {
            Input::File(path) => path,
            Input::Unreadable(path, error) => {
                results.push(unreadable(path, error));
                continue;
            }
            Input::Skipped(..) => continue,
        };
        if inputs::is_wheel(&path) {
            let contents = crate::input::open(&path)
                .map_err(|err| format!("cannot read: {err}"))
                .and_then(|(file, _)| read_wheel(file));
            match contents {
                Ok(contents) => {
                    for member in &contents.extensions {
                        let place = member_path(&path, member);
                        match contents.read(member, &|view| symbols::read(view)) {
                            Ok(read) => results.push(assess_read(place, read, table)),
                            Err(error) => results.push(unreadable(place, error)),
                        }
                    }
                }
                Err(error) => results.push(unreadable(path, error)),
            }
        } else {
            match MappedFile::open(&path) {
                Ok(data) => results.push(assess(path, &data[..], table)),
                Err(err) => results.push(unreadable(path, format!("cannot read: {err}"))),
            }
        }
    }
    results
}

/// The report as text: per extension, its symbols outside the Stable ABI
/// and the version the others need; then what a binary cannot see.
pub fn text(results: &[Readiness]) -> String {
    let mut text = String::new();
    for result in results {
        let path = result.path.display();
        if let Some(error) = &result.error {
            text.push_str(&format!("{path}: error: {error}\n"));
            continue;
        }
        text.push_str(&format!(
            "{path}: {} Python symbol(s) outside the Stable ABI, {} in it",
            result.outside.len(),
            result.stable
        ));
        if !result.outside.is_empty() {
            text.push_str(&format!(": {}", result.outside.join(", ")));
        }
        text.push_str(&format!(
            "\n    the Stable ABI symbols need Py_LIMITED_API {:#010x} ({})",
            result.minimum_version.hex(),
            result.minimum_version
        ));
        if let Some(because) = &result.because {
            text.push_str(&format!(", for {because}"));
        }
        text.push('\n');
    }
    text.push_str(&format!("note: {BLIND_SPOT}\n"));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let table = AbiTable::builtin();
        let result = assess("x.so".into(), &b"not a binary"[..], &table);
        assert!(result.error.is_some());
        assert!(text(&[result]).contains("x.so: error: "));
    }
}
