//! Every file the tool writes, written one way: [`file`].
//!
//! The generated files, `headers --write-baseline`, `audit --write-table`,
//! `compat --write-accepted` and the manifest `add` rewrites all go through
//! it. The rules, the same for every writer:
//!
//! - **Only a change is written.** A file whose content is already the one
//!   to write is left alone, mtime and all.
//! - **Regular files are replaced atomically**: the content goes to a
//!   temporary file in the target's own directory (`.stable-abi-XXXXXXXX`),
//!   is synced, takes the target's permission bits (and, for root, its
//!   owner), and is renamed over the target. A reader sees the old file or
//!   the new one, never a part; an interrupted run (SIGINT, SIGTERM,
//!   SIGHUP, `ulimit -f`) leaves no temporary file (see `cleanup.rs`).
//! - **A symbolic link is written through**: its final target is replaced
//!   (in the target's directory) and the link is kept, as `open(path, 'w')`
//!   in CPython's script does.
//! - **Standard output is written through** when the path is `-` or
//!   `/dev/stdout`: the content is written as it is; nothing is read first.
//! - **Anything else is an error naming the path**, and nothing is written:
//!   a device, a FIFO, a socket or a directory (their content is not
//!   read first, so a FIFO cannot hang the run); a file this user may not
//!   write (`chmod 444`, as CPython's script fails with `PermissionError`);
//!   a directory that does not exist (it is not created: as CPython's
//!   script, which fails with `FileNotFoundError`).
//!
//! Reports go to standard output through [`stdout_fmt`] (the `outln!`
//! macro), whose failures are [`Error::Output`]: `main` ends a run on a
//! closed pipe quietly with exit status 0 (as ripgrep does), and on any
//! other failure (a full disk: `> /dev/full`; a file past `ulimit -f`,
//! SIGXFSZ being ignored from the start: [`ignore_file_size_signal`]) with
//! an error and status 2.

mod cleanup;

use std::fs::{self, Metadata};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

pub use cleanup::{ignore_file_size_signal, Child, TempDir};

use crate::error::{Error, Result};

/// What [`file`] did.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Written {
    /// The file already had the content: not touched.
    Unchanged,
    /// The file was created, or replaced because it differed.
    Replaced,
    /// The path named standard output, which got the content.
    Stdout,
}

/// Writes `content` to the file at `path` by the rules above.
///
/// Errors (each naming `path`, nothing written): a target that is not a
/// regular file, not writable by this user, in a directory that does not
/// exist, or a write that fails (a full disk, a file size limit);
/// [`Error::Output`] when standard output fails.
pub fn file(path: &Path, content: &[u8]) -> Result<Written> {
    if names_stdout(path) {
        let mut out = io::stdout().lock();
        out.write_all(content)
            .and_then(|()| out.flush())
            .map_err(Error::Output)?;
        return Ok(Written::Stdout);
    }
    let target = resolve_links(path)?;
    let fail = |what: &str, err: io::Error| Error::io(path, &with_target(what, path, &target), err);
    let existing = match fs::metadata(&target) {
        Ok(metadata) => Some(metadata),
        Err(err) if err.kind() == io::ErrorKind::NotFound => None,
        Err(err) => return Err(fail("cannot write", err)),
    };
    let dir = parent_dir(&target);
    match &existing {
        Some(metadata) => {
            not_special(path, &target, metadata)?;
            if read_regular(&target).map_err(|err| fail("cannot read", err))? == content {
                return Ok(Written::Unchanged);
            }
            may_write(&target).map_err(|err| fail("cannot write", err))?;
        }
        None => match fs::metadata(dir) {
            Ok(metadata) if metadata.is_dir() => {}
            Ok(_) => {
                return Err(Error::file(
                    path,
                    format!("cannot write: {} is not a directory", dir.display()),
                ))
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                return Err(Error::file(
                    path,
                    format!(
                        "cannot write: the directory {} does not exist (it is not created)",
                        dir.display()
                    ),
                ))
            }
            Err(err) => return Err(Error::io(dir, "cannot write into the directory", err)),
        },
    }
    replace(&target, dir, content, existing.as_ref()).map_err(|(what, err)| fail(what, err))?;
    Ok(Written::Replaced)
}

/// The content of the regular file at `path`, or `None` when there is
/// none: what a check compares with. Nothing is opened in a way that
/// blocks (a FIFO is refused, not waited on).
///
/// Errors: the path is not a regular file, or cannot be read.
pub fn read_existing(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::metadata(path) {
        Ok(metadata) => not_special(path, path, &metadata)?,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(Error::io(path, "cannot read", err)),
    }
    read_regular(path)
        .map(Some)
        .map_err(|err| Error::io(path, "cannot read", err))
}

/// Whether `path` means standard output to a writer: `-` or `/dev/stdout`.
pub fn names_stdout(path: &Path) -> bool {
    path == Path::new("-") || path == Path::new("/dev/stdout")
}

/// Writes formatted text to standard output, as `print!` does but
/// returning the failure ([`Error::Output`]) rather than panicking.
pub fn stdout_fmt(args: std::fmt::Arguments<'_>) -> Result<()> {
    io::stdout().lock().write_fmt(args).map_err(Error::Output)
}

/// Writes formatted text to standard error, as `eprint!` does; a failure
/// (a closed pipe) is ignored, as there is nowhere left to say it.
pub fn stderr_fmt(args: std::fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// `path` with every symbolic link followed to its final target (which
/// may not exist yet: a dangling link gets its target created).
///
/// Errors: a loop of links, or a link that cannot be read.
fn resolve_links(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    // As Linux's limit on links followed in one lookup (ELOOP).
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let link = fs::read_link(&current)
                    .map_err(|err| Error::io(&current, "cannot read the link", err))?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(Error::file(
        path,
        "cannot write: too many levels of symbolic links",
    ))
}

/// `what`, saying where a link led when `target` is not `path`.
fn with_target(what: &str, path: &Path, target: &Path) -> String {
    if path == target {
        what.to_string()
    } else {
        format!("{what} {} (the link's target)", target.display())
    }
}

/// The directory of `target`, `.` for a bare file name.
fn parent_dir(target: &Path) -> &Path {
    match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Refuses what is not a regular file, naming what it is.
fn not_special(path: &Path, target: &Path, metadata: &Metadata) -> Result<()> {
    if metadata.is_file() {
        return Ok(());
    }
    let what = file_kind(metadata);
    let shown = if path == target {
        String::new()
    } else {
        format!(" (through the link, {})", target.display())
    };
    Err(Error::file(
        path,
        format!(
            "is {what}{shown}, not a regular file: stable-abi reads and replaces only \
             regular files (a writer takes `-` or /dev/stdout for standard output)"
        ),
    ))
}

#[cfg(unix)]
fn file_kind(metadata: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = metadata.file_type();
    if kind.is_dir() {
        "a directory"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn file_kind(metadata: &Metadata) -> &'static str {
    if metadata.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// The whole content of a regular file, opened so that nothing blocks
/// (were it swapped for a FIFO since it was looked at, the open returns at
/// once and the check of what was opened refuses it).
fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let mut file = options.open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::other(format!(
            "{} is no longer a regular file",
            path.display()
        )));
    }
    let mut content = Vec::with_capacity(metadata.len() as usize);
    file.read_to_end(&mut content)?;
    Ok(content)
}

/// Whether this user may write the file (CPython's script opens it for
/// writing, and fails on a read-only file unless run as root).
#[cfg(unix)]
fn may_write(path: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return Ok(());
    };
    // SAFETY: `c_path` is a valid NUL-terminated string.
    if unsafe { libc::access(c_path.as_ptr(), libc::W_OK) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(unix))]
fn may_write(path: &Path) -> io::Result<()> {
    if fs::metadata(path)?.permissions().readonly() {
        Err(io::Error::from(io::ErrorKind::PermissionDenied))
    } else {
        Ok(())
    }
}

/// The temporary file, written and renamed over `target`. On failure the
/// temporary file is gone; the error says what step failed.
fn replace(
    target: &Path,
    dir: &Path,
    content: &[u8],
    existing: Option<&Metadata>,
) -> std::result::Result<(), (&'static str, io::Error)> {
    let mode = existing.map_or(0o666, mode_of);
    let mut temp = cleanup::TempFile::create_in(dir, mode).map_err(|err| {
        (
            "cannot create a temporary file beside it",
            io::Error::new(err.kind(), format!("{} in {}", err, dir.display())),
        )
    })?;
    let written = temp.file.write_all(content);
    let written = written.and_then(|()| keep_owner_and_mode(&temp.file, existing));
    let written = written.and_then(|()| temp.file.sync_all());
    written.map_err(|err| {
        (
            "cannot write",
            io::Error::new(
                err.kind(),
                format!("{err} (writing {})", temp.path().display()),
            ),
        )
    })?;
    temp.persist(target).map_err(|err| ("cannot replace", err))
}

#[cfg(unix)]
fn mode_of(metadata: &Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(_: &Metadata) -> u32 {
    0o666
}

/// The replaced file's exact permission bits (the umask narrowed them at
/// creation) and, when run as root, its owner and group.
#[cfg(unix)]
fn keep_owner_and_mode(file: &fs::File, existing: Option<&Metadata>) -> io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Some(existing) = existing else {
        return Ok(());
    };
    file.set_permissions(fs::Permissions::from_mode(mode_of(existing)))?;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        let created = file.metadata()?;
        if (created.uid(), created.gid()) != (existing.uid(), existing.gid()) {
            std::os::unix::fs::fchown(file, Some(existing.uid()), Some(existing.gid()))?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn keep_owner_and_mode(file: &fs::File, existing: Option<&Metadata>) -> io::Result<()> {
    match existing {
        Some(existing) => file.set_permissions(existing.permissions()),
        None => Ok(()),
    }
}

/// An exclusive lock on a file that is read, changed and replaced (the
/// manifest `add` rewrites), held until dropped: two runs at once take
/// turns, and the second reads what the first wrote.
pub struct Lock {
    _file: fs::File,
}

impl Lock {
    /// Locks the file at `path` and reads it. As the file is replaced by a
    /// rename, a lock taken on a file that was replaced meanwhile is given
    /// up and taken again on the new one.
    ///
    /// Errors: the file cannot be opened, locked or read.
    pub fn read(path: &Path) -> Result<(Lock, Vec<u8>)> {
        let fail = |err| Error::io(path, "cannot read", err);
        let target = resolve_links(path)?;
        loop {
            let metadata = fs::metadata(&target).map_err(fail)?;
            not_special(path, &target, &metadata)?;
            let mut file = fs::File::open(&target).map_err(fail)?;
            lock_exclusive(&file).map_err(|err| Error::io(path, "cannot lock", err))?;
            if same_file(&file, &target).map_err(fail)? {
                let mut content = Vec::new();
                file.read_to_end(&mut content).map_err(fail)?;
                return Ok((Lock { _file: file }, content));
            }
        }
    }
}

#[cfg(unix)]
fn lock_exclusive(file: &fs::File) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    loop {
        // SAFETY: flock on an open descriptor this function borrows.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

#[cfg(not(unix))]
fn lock_exclusive(_: &fs::File) -> io::Result<()> {
    Ok(())
}

/// Whether `path` still names the file `file` has open.
#[cfg(unix)]
fn same_file(file: &fs::File, path: &Path) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let (open, named) = (file.metadata()?, fs::metadata(path)?);
    Ok((open.dev(), open.ino()) == (named.dev(), named.ino()))
}

#[cfg(not(unix))]
fn same_file(_: &fs::File, _: &Path) -> io::Result<bool> {
    Ok(true)
}

#[cfg(test)]
mod tests;
