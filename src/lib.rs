//! stable-abi: CPython's Limited API / Stable ABI tooling.
//!
//! The manifest (`Misc/stable_abi.toml`) is read by [`manifest`]; the files
//! generated from it are in [`generate`]; [`dropin`] reproduces
//! `Tools/build/stable_abi.py`; [`view`] is what the headers expose at a
//! given `Py_LIMITED_API`, which the header [`checks`] compare with the
//! manifest; [`binary`] reads libraries and extension modules; every input
//! file is opened by [`input`]; findings are reported by [`diagnostic`] and
//! [`output`], errors are one [`Error`]; [`abi`] says what distinguishes the
//! two Stable ABIs, abi3 and abi3t, and [`platform`] the platforms whose view
//! of the headers is checked; [`port`] finds what stands between an
//! extension's sources and the Stable ABIs; every file the tool writes goes
//! through [`write`].
//!
//! The command line is declared in [`cli`] and run by [`commands`], the only
//! modules that know clap.

/// `println!` to standard output that returns a failure (a closed pipe, a
/// full disk) as [`Error::Output`] rather than panicking: `outln!(...)?`.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::write::stdout_fmt(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` to standard output that returns a failure: `out!(...)?`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::write::stdout_fmt(format_args!($($arg)*))
    };
}

/// `eprintln!` that never panics: a failure to write to standard error is
/// ignored (there is nowhere left to report it).
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::write::stderr_fmt(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub mod abi;
pub mod binary;
pub mod checks;
pub mod cli;
pub mod code;
pub mod codes;
pub mod commands;
pub mod compat;
pub mod diagnostic;
pub mod dropin;
pub mod error;
pub mod generate;
pub mod input;
pub mod manifest;
pub mod output;
pub mod parallel;
pub mod platform;
pub mod port;
pub mod pyfmt;
pub mod release;
pub mod version;
pub mod view;
pub mod write;

pub use error::{Error, Result};

/// How a command ended, when it ran to the end.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything checked is in order: exit status 0.
    Success,
    /// A check failed: exit status 1.
    Failure,
}

impl Outcome {
    /// Failure when any finding is an error (warnings do not fail).
    pub fn of(findings: &[diagnostic::Finding]) -> Outcome {
        if diagnostic::has_errors(findings) {
            Outcome::Failure
        } else {
            Outcome::Success
        }
    }
}
