//! Writing a generated file, or comparing it with what is on disk.
//!
//! A file is only written when its content changes (so its mtime stays
//! otherwise), and then atomically: a temporary file beside it, renamed over
//! it, so an interrupted run never leaves half a file.

use std::io::{self, Write};
use std::path::Path;

use crate::error::{Error, Result};
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
pub fn update_file(path: &Path, expected: &str, generate: bool) -> Result<Update> {
    let existing = match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(err) if err.kind() == io::ErrorKind::NotFound => None,
        Err(err) => return Err(Error::io(path, "cannot read", err)),
    };
    if existing.as_deref() == Some(expected.as_bytes()) {
        return Ok(Update::UpToDate);
    }
    if generate {
        write_atomically(path, expected.as_bytes())?;
        return Ok(Update::Written);
    }
    let Some(existing) = existing else {
        return Ok(Update::Missing);
    };
    let existing = String::from_utf8_lossy(&existing);
    let shown = path.display().to_string();
    let diff = TextDiff::from_lines(existing.as_ref(), expected)
        .unified_diff()
        .header(&shown, &format!("{shown} (expected)"))
        .to_string();
    Ok(Update::Stale { diff })
}

fn write_atomically(path: &Path, content: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|err| Error::io(dir, "cannot create directory", err))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".stable-abi-")
        .tempfile_in(dir)
        .map_err(|err| Error::io(dir, "cannot create a temporary file", err))?;
    temp.write_all(content)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|err| Error::io(temp.path(), "cannot write", err))?;
    // Keep the permissions of the file being replaced; a new file gets the
    // usual rw-r--r-- rather than the temporary file's private mode.
    let permissions = match std::fs::metadata(path) {
        Ok(metadata) => Some(metadata.permissions()),
        Err(_) => default_permissions(),
    };
    if let Some(permissions) = permissions {
        std::fs::set_permissions(temp.path(), permissions)
            .map_err(|err| Error::io(temp.path(), "cannot set permissions", err))?;
    }
    temp.persist(path)
        .map_err(|err| Error::io(path, "cannot replace", err.error))?;
    Ok(())
}

#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

/// Elsewhere a temporary file is not private to begin with.
#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}
