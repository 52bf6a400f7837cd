//! Binaries read through a memory map, and a file's identity.
//!
//! A built libpython is large (an unstripped `libpython3.13.a` is ~70 MB)
//! while what the checks read of it is small: an archive's symbol index, an
//! ELF's `.dynsym` and `.dynstr`, a DLL's export table. Mapping the file
//! instead of reading it loads only the pages that are touched, so time and
//! memory do not grow with the file's size.

use std::io;
use std::ops::Deref;
use std::path::{Path, PathBuf};

use memmap2::Mmap;

/// The bytes of a file, mapped read-only (an empty file has no mapping).
pub struct MappedFile {
    map: Option<Mmap>,
}

impl MappedFile {
    /// Maps `path`, which must be a regular file ([`crate::input::open`]:
    /// never a FIFO or device).
    ///
    /// The file must not be truncated while it is mapped (a build writing
    /// the library at the same moment): reading a page past the new end
    /// would fault, as it would for any tool that maps libraries (`nm`,
    /// the dynamic loader).
    pub fn open(path: &Path) -> io::Result<MappedFile> {
        let (file, metadata) = crate::input::open(path)?;
        let len = metadata.len();
        if len == 0 {
            return Ok(MappedFile { map: None });
        }
        // SAFETY: the map is read-only and private to this process; see
        // above for the one way another process can invalidate it.
        let map = unsafe { Mmap::map(&file) }?;
        Ok(MappedFile { map: Some(map) })
    }
}

impl Deref for MappedFile {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.map.as_deref().unwrap_or(&[])
    }
}

/// What makes two paths the same file: device and inode where the platform
/// has them (hard links, symlinks such as `libpython3.13.so` →
/// `libpython3.13.so.1.0`), else the canonical path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileIdentity {
    Inode { device: u64, inode: u64 },
    Path(PathBuf),
}

/// The identity of the file `path` leads to (following symlinks); the path
/// itself when it cannot be examined (the read reports why later).
pub fn file_identity(path: &Path) -> FileIdentity {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(metadata) = std::fs::metadata(path) {
            return FileIdentity::Inode {
                device: metadata.dev(),
                inode: metadata.ino(),
            };
        }
    }
    FileIdentity::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_maps_to_no_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.so");
        std::fs::write(&path, b"").unwrap();
        assert!(MappedFile::open(&path).unwrap().is_empty());
    }

    #[test]
    fn a_mapped_file_has_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lib.a");
        std::fs::write(&path, b"!<arch>\n").unwrap();
        assert_eq!(&*MappedFile::open(&path).unwrap(), b"!<arch>\n");
    }

    #[test]
    fn a_directory_is_not_mapped() {
        let dir = tempfile::tempdir().unwrap();
        let err = MappedFile::open(dir.path()).err().unwrap();
        assert_eq!(err.to_string(), "is a directory, not a regular file");
    }

    #[test]
    fn hard_links_and_symlinks_are_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("libpython3.13.so.1.0");
        std::fs::write(&real, b"x").unwrap();
        let hard = dir.path().join("hard.so");
        std::fs::hard_link(&real, &hard).unwrap();
        let other = dir.path().join("other.so");
        std::fs::write(&other, b"x").unwrap();
        assert_eq!(file_identity(&real), file_identity(&hard));
        assert_ne!(file_identity(&real), file_identity(&other));
        #[cfg(unix)]
        {
            let link = dir.path().join("libpython3.13.so");
            std::os::unix::fs::symlink(&real, &link).unwrap();
            assert_eq!(file_identity(&real), file_identity(&link));
        }
    }
}
