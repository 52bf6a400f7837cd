//! Writing a generated file, or comparing it with what is on disk.
//!
//! Writing goes through [`crate::write::file`]: only a change is written
//! (so an unchanged file keeps its mtime), atomically, through a symbolic
//! link, and never into a special file or a missing directory.

use std::path::Path;

use crate::error::Result;
use crate::write::{self, Written};
use similar::TextDiff;

/// What happened to one generated file.
#[derive(Debug, PartialEq, Eq)]
pub enum Update {
    /// On disk and identical.
    UpToDate,
    /// Written (created, or replaced because it differed).
    Written,
    /// Check mode: the file differs; the unified diff turns the file on disk
    /// into what generation would write.
    Stale { diff: String },
    /// Check mode: the file does not exist.
    Missing,
}

/// Generates (`generate = true`) or checks one file against `expected`.
///
/// Errors: as [`write::file`] when generating; when checking, a path that
/// is not a regular file or cannot be read.
pub fn update_file(path: &Path, expected: &str, generate: bool) -> Result<Update> {
    if generate {
        return Ok(match write::file(path, expected.as_bytes())? {
            Written::Unchanged => Update::UpToDate,
            Written::Replaced | Written::Stdout => Update::Written,
        });
    }
    let Some(existing) = write::read_existing(path)? else {
        return Ok(Update::Missing);
    };
    if existing == expected.as_bytes() {
        return Ok(Update::UpToDate);
    }
    let existing = String::from_utf8_lossy(&existing);
    let shown = path.display().to_string();
    let diff = TextDiff::from_lines(existing.as_ref(), expected)
        .unified_diff()
        .header(&shown, &format!("{shown} (expected)"))
        .to_string();
    Ok(Update::Stale { diff })
}
