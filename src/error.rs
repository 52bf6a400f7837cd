//! Why a command could not run to its end: the one error type of the crate.
//!
//! Every kind ends the process with exit status 2 ([`Error::EXIT_STATUS`]);
//! the kind only decides how it is printed:
//!
//! - [`Error::Usage`]: the command line asks for nothing sensible; printed
//!   like clap's own usage errors (`error: …` and the usage line).
//! - [`Error::Located`]: an input file breaks a rule at a place, printed
//!   like a compiler (`path:line:col: error: message`, with notes); all the
//!   errors of one file at once.
//! - [`Error::File`]: a file as a whole cannot be read, written or
//!   understood (`path: error: message`).
//! - [`Error::Other`]: the run failed for a reason tied to no one file
//!   (`stable-abi: error: message`).
//! - [`Error::Output`]: the report could not be written to standard output
//!   (or error). A closed pipe (`stable-abi ... | head -1`) is no error:
//!   `main` ends the run quietly with status 0, as ripgrep does; any other
//!   failure (a full disk, `> /dev/full`) is printed and exits 2.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::diagnostic::LocatedError;
use crate::output::escape;

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug)]
pub enum Error {
    Usage(String),
    Located(Vec<LocatedError>),
    File { path: PathBuf, message: String },
    Other(String),
    Output(std::io::Error),
}

impl Error {
    /// The exit status of every error (0 and 1 are the commands' outcomes).
    pub const EXIT_STATUS: u8 = 2;

    pub fn usage(message: impl Into<String>) -> Error {
        Error::Usage(message.into())
    }

    /// `path: error: message`.
    pub fn file(path: impl AsRef<Path>, message: impl fmt::Display) -> Error {
        Error::File {
            path: path.as_ref().to_path_buf(),
            message: message.to_string(),
        }
    }

    /// An I/O failure on `path` while doing `what` (`cannot read`, …).
    pub fn io(path: impl AsRef<Path>, what: &str, err: std::io::Error) -> Error {
        Error::file(path, format!("{what}: {err}"))
    }

    pub fn other(message: impl Into<String>) -> Error {
        Error::Other(message.into())
    }

    /// Whether this is the reader of standard output having gone away (a
    /// closed pipe): the quiet end of a run, not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output(err) if err.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) => f.write_str(message),
            Error::Located(errors) => {
                for (i, error) in errors.iter().enumerate() {
                    if i > 0 {
                        f.write_str("\n")?;
                    }
                    write!(f, "{error}")?;
                }
                Ok(())
            }
            Error::File { path, message } => {
                let (path, message) = (escape::path(path), escape::line(message));
                write!(f, "{path}: error: {message}")
            }
            Error::Other(message) => write!(f, "stable-abi: error: {}", escape::line(message)),
            Error::Output(err) => write!(f, "stable-abi: error: cannot write the output: {err}"),
        }
    }
}

impl std::error::Error for Error {}

/// Writing the report to stdout or stderr failed. (Files are read and
/// written with [`Error::io`], which names them.)
impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::Output(err)
    }
}

impl From<LocatedError> for Error {
    fn from(error: LocatedError) -> Self {
        Error::Located(vec![error])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;

    #[test]
    fn each_kind_prints_its_own_way() {
        let located = Error::from(LocatedError::new(Location::new("a.h", 2, 3), "bad"));
        assert_eq!(located.to_string(), "a.h:2:3: error: bad");
        let file = Error::file("lib.so", "cannot read");
        assert_eq!(file.to_string(), "lib.so: error: cannot read");
        assert_eq!(
            Error::other("nothing").to_string(),
            "stable-abi: error: nothing"
        );
        assert_eq!(Error::usage("say more").to_string(), "say more");
    }
}
