//! Every file the tool reads is opened here, so every command treats odd
//! inputs alike.
//!
//! - An input must be a regular file (a symlink to one is fine). A
//!   directory, FIFO, socket or device is refused with what it is, before
//!   it is opened where that can be told (opening some devices has effects;
//!   opening a FIFO waits for a writer), and again after opening (without
//!   blocking), in case it was swapped in between. So `/dev/zero`, a FIFO
//!   or a symlink to a device is an error, never a hang or an endless read.
//! - A text input (a manifest, a header, a baseline, a wheel's `WHEEL`
//!   file) may be at most [`TEXT_LIMIT`] bytes: far above any real one
//!   (CPython's manifest is about 100 KB, its largest header about 200 KB),
//!   low enough that a runaway file fails before it fills memory.
//! - Binaries are not read whole: they are mapped ([`map`]), so a 3 GB
//!   library costs the pages its symbol tables are on; wheels are opened
//!   ([`open`]) and their members streamed ([`crate::binary::wheel`]).
//!
//! Errors are [`io::Error`]s whose text says what is wrong (`is a FIFO,
//! not a regular file`), so the callers' messages (`cannot read the
//! manifest: …`) stay as they were; [`not_regular`] tells what kind of file
//! was refused.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// The largest text input read: 256 MiB.
pub const TEXT_LIMIT: u64 = 256 << 20;

/// Why a file was refused: it is not a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotRegular {
    Directory,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
    /// Anything else a file system may hold.
    Other,
}

impl NotRegular {
    /// What `metadata` describes, when it is not a regular file.
    pub fn of(metadata: &Metadata) -> Option<NotRegular> {
        let kind = metadata.file_type();
        if kind.is_file() {
            return None;
        }
        if kind.is_dir() {
            return Some(NotRegular::Directory);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if kind.is_fifo() {
                return Some(NotRegular::Fifo);
            }
            if kind.is_socket() {
                return Some(NotRegular::Socket);
            }
            if kind.is_char_device() {
                return Some(NotRegular::CharDevice);
            }
            if kind.is_block_device() {
                return Some(NotRegular::BlockDevice);
            }
        }
        Some(NotRegular::Other)
    }

    /// `a directory`, `a FIFO`, …
    pub fn name(self) -> &'static str {
        match self {
            NotRegular::Directory => "a directory",
            NotRegular::Fifo => "a FIFO",
            NotRegular::Socket => "a socket",
            NotRegular::CharDevice => "a character device",
            NotRegular::BlockDevice => "a block device",
            NotRegular::Other => "not a file",
        }
    }
}

impl std::fmt::Display for NotRegular {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotRegular::Other => f.write_str("not a regular file"),
            kind => write!(f, "is {}, not a regular file", kind.name()),
        }
    }
}

impl std::error::Error for NotRegular {}

/// The kind of file `err` refused, when it was refused for not being a
/// regular file.
pub fn not_regular(err: &io::Error) -> Option<NotRegular> {
    err.get_ref()?.downcast_ref::<NotRegular>().copied()
}

fn refuse(kind: NotRegular) -> io::Error {
    let error_kind = match kind {
        NotRegular::Directory => io::ErrorKind::IsADirectory,
        _ => io::ErrorKind::InvalidInput,
    };
    io::Error::new(error_kind, kind)
}

/// Opens a regular file for reading (see the module documentation), with
/// its metadata.
pub fn open(path: &Path) -> io::Result<(File, Metadata)> {
    // Before opening: a device or FIFO is never opened.
    if let Some(kind) = NotRegular::of(&std::fs::metadata(path)?) {
        return Err(refuse(kind));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Should a FIFO be swapped in after the check, opening it does not
        // wait for a writer. (On a regular file the flag changes nothing.)
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let metadata = file.metadata()?;
    if let Some(kind) = NotRegular::of(&metadata) {
        return Err(refuse(kind));
    }
    Ok((file, metadata))
}

/// Whether something readable-looking is at `path`: anything but a
/// directory (following symlinks). A FIFO or device counts, so that a
/// lookup (an `#include`, a baseline beside the manifest) finds it and
/// reading it ([`read`]) says what it is, rather than "not found".
pub fn is_present(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|metadata| !metadata.is_dir())
}

/// The bytes of a regular text file of at most [`TEXT_LIMIT`] bytes.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    read_limited(path, TEXT_LIMIT)
}

/// [`read`], decoded as UTF-8 (an error otherwise).
pub fn read_to_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read(path)?).map_err(|err| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not UTF-8 (at byte {})", err.utf8_error().valid_up_to()),
        )
    })
}

/// The bytes of a regular file of at most `limit` bytes (a file that
/// grows past it while read is refused too).
pub fn read_limited(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let (file, metadata) = open(path)?;
    if metadata.len() > limit {
        return Err(too_large(metadata.len(), limit));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

fn too_large(size: u64, limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "is {}, more than the {} an input may be",
            human_size(size),
            human_size(limit)
        ),
    )
}

/// `3.0 GiB`, `256 MiB`, `512 bytes`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn a_regular_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        std::fs::write(&path, "x = 1\n").unwrap();
        assert_eq!(read_to_string(&path).unwrap(), "x = 1\n");
    }

    #[test]
    fn a_directory_is_refused_saying_so() {
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path()).unwrap_err();
        assert_eq!(not_regular(&err), Some(NotRegular::Directory));
        assert_eq!(err.to_string(), "is a directory, not a regular file");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.h");
        std::fs::write(&path, vec![b'x'; 2048]).unwrap();
        let err = read_limited(&path, 1024).unwrap_err();
        assert_eq!(
            err.to_string(),
            "is 2 KiB, more than the 1 KiB an input may be"
        );
        assert!(read_limited(&path, 2048).is_ok());
    }

    /// Makes a FIFO at `path` (for the tests).
    #[cfg(unix)]
    pub(crate) fn make_fifo(path: &Path) {
        let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: a valid C string; mkfifo only creates the file.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        make_fifo(&path);
        let err = read(&path).unwrap_err();
        assert_eq!(not_regular(&err), Some(NotRegular::Fifo));
        assert_eq!(err.to_string(), "is a FIFO, not a regular file");
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(512), "512 bytes");
        assert_eq!(human_size(256 << 20), "256 MiB");
        assert_eq!(human_size(3 << 30), "3 GiB");
        assert_eq!(human_size(1536), "1.5 KiB");
    }
}
