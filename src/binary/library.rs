//! `stable-abi library`

use anyhow::Result;

use crate::cli::LibraryArgs;
use crate::Outcome;

pub fn run(_args: &LibraryArgs) -> Result<Outcome> {
    anyhow::bail!("`stable-abi library` is not available yet")
}
