//! Header checks: the headers against the manifest, at every version.

use anyhow::Result;

use crate::cli::HeadersArgs;
use crate::Outcome;

/// `stable-abi headers`
pub fn run(_args: &HeadersArgs) -> Result<Outcome> {
    anyhow::bail!("`stable-abi headers` is not available yet")
}
