//! What an interrupted run leaves behind: nothing.
//!
//! The temporary files of the atomic writer ([`TempFile`]), the temporary
//! directories of `compat` ([`TempDir`]) and the children that write into
//! them ([`Child`]) are registered here while they live. On SIGINT, SIGTERM
//! or SIGHUP a thread (started with the first registration, so commands
//! that write nothing keep the default behaviour) kills those children,
//! removes those files and directories, and then ends the process by the
//! same signal, with its default action: the shell sees 130 for SIGINT,
//! 143 for SIGTERM, as if nothing had been caught. A signal the process
//! was started with ignored (`nohup`, `cmd &` in a script) stays ignored.
//!
//! The registry's lock is held while a temporary file is created and
//! registered, and while it is renamed and unregistered; the signal thread
//! takes the same lock before cleaning up and never gives it back. So no
//! file is created after the cleanup, and none is removed after it has
//! become the target.
//!
//! SIGXFSZ (a write past `ulimit -f`) is ignored from the start of the
//! process ([`ignore_file_size_signal`], called by `main`, and again with
//! the first registration for a library caller), so such a write fails
//! with EFBIG, an error the writer reports and cleans up after and that
//! standard output reports as any failure to write it, rather than killing
//! the process without a word (status 153) and with a temporary file left.

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, Once, PoisonError};

/// What is alive and must go if the process is interrupted.
struct Live {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
    children: Vec<u32>,
}

static LIVE: Mutex<Live> = Mutex::new(Live {
    files: Vec::new(),
    dirs: Vec::new(),
    children: Vec::new(),
});

/// The registry, locked; the signal thread is started first.
fn live() -> MutexGuard<'static, Live> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(install);
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

fn remove(list: &mut Vec<PathBuf>, path: &Path) {
    if let Some(i) = list.iter().rposition(|p| p == path) {
        list.swap_remove(i);
    }
}

/// The signals that end a run early and are cleaned up after.
#[cfg(unix)]
const SIGNALS: [i32; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// Ignores SIGXFSZ: a write past the file size limit (`ulimit -f`) then
/// fails with EFBIG ("File too large") instead of killing the process.
#[cfg(unix)]
pub fn ignore_file_size_signal() {
    // SAFETY: setting a signal's disposition to SIG_IGN is always sound.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

#[cfg(not(unix))]
pub fn ignore_file_size_signal() {}

#[cfg(unix)]
fn install() {
    ignore_file_size_signal();
    let caught: Vec<i32> = SIGNALS
        .into_iter()
        .filter(|&signal| !ignored(signal))
        .collect();
    let Ok(mut signals) = signal_hook::iterator::Signals::new(&caught) else {
        return;
    };
    let started = std::thread::Builder::new()
        .name("stable-abi-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let mut live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
                clean_up(&mut live);
                // Ends the process (default action of these signals),
                // with the lock held: nothing is created after this.
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        });
    drop(started);
}

#[cfg(not(unix))]
fn install() {}

/// Whether `signal` was ignored when the process started.
#[cfg(unix)]
fn ignored(signal: i32) -> bool {
    // SAFETY: sigaction with a null new action only reads the current one
    // into `old`, a zeroed sigaction (a valid value of the C struct).
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_IGN
    }
}

#[cfg(unix)]
fn clean_up(live: &mut Live) {
    for &pid in &live.children {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            continue;
        };
        // SAFETY: plain system calls on a child of this process; waitpid
        // reaps it so that it writes nothing more into a directory below.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            libc::waitpid(pid, std::ptr::null_mut(), 0);
        }
    }
    for file in &live.files {
        let _ = std::fs::remove_file(file);
    }
    for dir in &live.dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// A temporary file beside a file being replaced, removed when dropped or
/// interrupted unless it was [persisted](TempFile::persist).
pub(super) struct TempFile {
    path: PathBuf,
    pub(super) file: File,
}

impl TempFile {
    /// Creates `DIR/.stable-abi-XXXXXXXX` (new, never an existing file)
    /// with permission bits `mode` (less the umask).
    ///
    /// The path stays relative when `dir` is: nothing here asks for the
    /// current directory, which may be longer than `PATH_MAX`.
    pub(super) fn create_in(dir: &Path, mode: u32) -> io::Result<TempFile> {
        let state = std::collections::hash_map::RandomState::new();
        let mut last_error = None;
        for attempt in 0u32..100 {
            let mut hasher = state.build_hasher();
            hasher.write_u32(std::process::id());
            hasher.write_u32(attempt);
            let name = format!(".stable-abi-{:08x}", hasher.finish() as u32);
            let path = dir.join(OsStr::new(&name));
            let mut live = live();
            match new_file(&path, mode) {
                Ok(file) => {
                    live.files.push(path.clone());
                    return Ok(TempFile { path, file });
                }
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => last_error = Some(err),
                Err(err) => return Err(err),
            }
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("no free temporary name")))
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the file over `target` (atomic within one file system).
    pub(super) fn persist(self, target: &Path) -> io::Result<()> {
        let mut live = live();
        std::fs::rename(&self.path, target)?;
        remove(&mut live.files, &self.path);
        drop(live);
        std::mem::forget(self);
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let mut live = live();
        let _ = std::fs::remove_file(&self.path);
        remove(&mut live.files, &self.path);
    }
}

#[cfg(unix)]
fn new_file(path: &Path, mode: u32) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
}

#[cfg(not(unix))]
fn new_file(path: &Path, _mode: u32) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// A temporary directory (in `$TMPDIR`), removed with its content when
/// dropped or interrupted.
pub struct TempDir {
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
}

impl TempDir {
    /// Errors: the directory cannot be created.
    pub fn new() -> io::Result<TempDir> {
        let mut live = live();
        let dir = tempfile::tempdir()?;
        let path = dir.path().to_path_buf();
        live.dirs.push(path.clone());
        Ok(TempDir {
            dir: Some(dir),
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let mut live = live();
        drop(self.dir.take());
        remove(&mut live.dirs, &self.path);
    }
}

/// A child process, killed (and waited for) if the run is interrupted, so
/// that it writes nothing into a [`TempDir`] after that is removed.
pub struct Child {
    child: Option<std::process::Child>,
    pid: u32,
}

impl Child {
    /// Starts `command`. Errors: it cannot be started.
    pub fn spawn(command: &mut Command) -> io::Result<Child> {
        let mut live = live();
        let child = command.spawn()?;
        let pid = child.id();
        live.children.push(pid);
        Ok(Child {
            child: Some(child),
            pid,
        })
    }

    /// The child's standard output, when it was asked to be piped, to feed
    /// another child.
    pub fn take_stdout(&mut self) -> Option<Stdio> {
        self.child.as_mut()?.stdout.take().map(Stdio::from)
    }

    /// Waits for the child, collecting what it printed (as
    /// [`std::process::Child::wait_with_output`]).
    pub fn wait_with_output(mut self) -> io::Result<Output> {
        match self.child.take() {
            Some(child) => child.wait_with_output(),
            None => Err(io::Error::other("the child was already waited for")),
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        // A child dropped unwaited is reaped by nobody; that is the
        // caller's choice, as with std's `Child`.
        let pid = self.pid;
        live().children.retain(|&p| p != pid);
    }
}
