//! `stable-abi view 3.N`: what one Limited API version exposes.

use crate::abi::Abi;
use crate::cli::ViewArgs;
use crate::diagnostic::Format;
use crate::error::{Error, Result};
use crate::version::Version;
use crate::view::{entries, hex_ranges, write_entries, Defines, Headers};
use crate::Outcome;
use std::io::Write;

/// The `Py_LIMITED_API` value to view: `--limited-api`, which must be a
/// value of the version (and is for abi3 only), or the version's first.
fn limited_api_value(args: &ViewArgs) -> Result<Option<u32>> {
    match (args.limited_api, args.abi) {
        (None, _) => Ok(None),
        (Some(value), Abi::Abi3) if Version::of_limited_api_value(value) == Some(args.version) => {
            Ok(Some(value))
        }
        (Some(value), Abi::Abi3) => Err(Error::usage(format!(
            "--limited-api {value:#010x} is not a value of {}: expected {}",
            args.version,
            hex_ranges(&args.version.limited_api_ranges())
        ))),
        (Some(_), abi) => Err(Error::usage(format!(
            "--limited-api is for abi3 ({abi} views take the version's first value)"
        ))),
    }
}

pub fn run(args: &ViewArgs) -> Result<Outcome> {
    if matches!(args.format, Format::Sarif(_)) {
        return Err(Error::usage(
            "view lists declarations, not findings: use --format text or json",
        ));
    }
    let exact = limited_api_value(args)?;
    let manifest = super::load_manifest(&args.manifest, args.strict)?;
    let listed = |name: &str| manifest.in_limited_api(name);
    let headers = Headers::load_with_outside(
        &manifest.root(),
        &super::config(args.platform, &args.headers)?,
        &listed,
    )?;
    if args.version < args.abi.first_version() {
        return Err(Error::usage(format!(
            "{} begins with {} (PEP 803): there is no {} {}",
            args.abi,
            args.abi.first_version(),
            args.abi,
            args.version
        )));
    }
    let view = match exact {
        Some(value) => headers.view_value(Some(value), &Defines::default())?,
        None => headers.view_abi(args.abi, args.version, &Defines::default())?,
    };
    let entries = entries(&view, &manifest, args.kind.as_deref());
    let mut out = super::stdout();
    let limited = (
        args.version,
        exact.unwrap_or(args.version.limited_api_value()),
    );
    let written = write_entries(&mut out, &entries, limited, args.abi, args.format);
    super::free_at_exit((entries, view, headers));
    super::free_at_exit(manifest);
    // A closed pipe (`stable-abi view 3.9 | head`) ends the run quietly
    // in `main`, as for every command.
    written.and_then(|()| out.flush())?;
    Ok(Outcome::Success)
}
