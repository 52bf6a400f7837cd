//! stable-abi: CPython's Limited API / Stable ABI tooling.
//!
//! The manifest (`Misc/stable_abi.toml`) is read by [`manifest`]; the files
//! generated from it are in [`generate`]; [`legacy`] is the drop-in for
//! `Tools/build/stable_abi.py`; [`view`] is what the headers expose at a given
//! `Py_LIMITED_API`, which the header [`checks`] compare with the manifest;
//! [`binary`] reads libraries and extension modules; [`abi`] says what
//! distinguishes the two Stable ABIs, abi3 and abi3t.

pub mod abi;
pub mod binary;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod compat;
pub mod diagnostic;
pub mod generate;
pub mod legacy;
pub mod manifest;
pub mod pyfmt;
pub mod release;
pub mod unixy;
pub mod version;
pub mod view;

use std::fmt;

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

/// The command line asks for nothing sensible: exit status 2, like clap's
/// own usage errors.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}
