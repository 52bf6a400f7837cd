//! `stable-abi audit`

use anyhow::Result;

use crate::cli::AuditArgs;
use crate::Outcome;

pub fn run(_args: &AuditArgs) -> Result<Outcome> {
    anyhow::bail!("`stable-abi audit` is not available yet")
}
