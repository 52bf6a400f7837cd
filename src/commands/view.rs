//! `stable-abi view 3.N`: what one Limited API version exposes.

use crate::cli::ViewArgs;
use crate::diagnostic::Format;
use crate::error::{Error, Result};
use crate::view::{entries, write_entries, Defines, Headers};
use crate::Outcome;

pub fn run(args: &ViewArgs) -> Result<Outcome> {
    if args.format == Format::Sarif {
        return Err(Error::usage(
            "view lists declarations, not findings: use --format text or json",
        ));
    }
    let manifest = super::load_manifest(&args.manifest, args.strict)?;
    let headers = Headers::load(&manifest.root(), &super::defines(&args.headers)?)?;
    if args.version < args.abi.first_version() {
        return Err(Error::usage(format!(
            "{} begins with {} (PEP 803): there is no {} {}",
            args.abi,
            args.abi.first_version(),
            args.abi,
            args.version
        )));
    }
    let view = headers.view_abi(args.abi, args.version, &Defines::default())?;
    let entries = entries(&view, &manifest, args.kind.as_deref());
    let mut out = std::io::stdout().lock();
    match write_entries(&mut out, &entries, args.version, args.abi, args.format) {
        // `stable-abi view 3.9 | head` is not an error.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(Outcome::Success),
        result => {
            result?;
            Ok(Outcome::Success)
        }
    }
}
