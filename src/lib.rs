//! stable-abi: CPython's Limited API / Stable ABI tooling.
//!
//! The manifest (`Misc/stable_abi.toml`) is read by [`manifest`]; the files
//! generated from it are in [`generate`]; [`dropin`] reproduces
//! `Tools/build/stable_abi.py`; [`view`] is what the headers expose at a
//! given `Py_LIMITED_API`, which the header [`checks`] compare with the
//! manifest; [`binary`] reads libraries and extension modules; every input
//! file is opened by [`input`]; findings are reported by [`diagnostic`] and
//! [`output`], errors are one [`Error`]; [`abi`] says what distinguishes the
//! two Stable ABIs, abi3 and abi3t.
//!
//! The command line is declared in [`cli`] and run by [`commands`], the only
//! modules that know clap.

pub mod abi;
pub mod binary;
pub mod checks;
pub mod cli;
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
pub mod pyfmt;
pub mod release;
pub mod version;
pub mod view;

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
