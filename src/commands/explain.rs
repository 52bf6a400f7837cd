//! `stable-abi explain [CODE]`: what a finding's code means, as
//! `ruff rule` does; without a code, every code with its summary.

use crate::cli::ExplainArgs;
use crate::codes;
use crate::error::{Error, Result};
use crate::Outcome;

pub fn run(args: &ExplainArgs) -> Result<Outcome> {
    let text = match &args.code {
        None => codes::list(),
        Some(name) => {
            // Accept the code as a finding line shows it, `[too-early]`.
            let name = name.trim_start_matches('[').trim_end_matches(']');
            let code = codes::find(name).ok_or_else(|| {
                Error::usage(format!("no code `{name}`; `stable-abi explain` lists them"))
            })?;
            codes::explain(code)
        }
    };
    out!("{text}")?;
    Ok(Outcome::Success)
}
