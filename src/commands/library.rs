//! `stable-abi library [PATH...]`: built libraries export the whole Stable
//! ABI.

use crate::binary::{check_libraries, default_libraries, Features};
use crate::cli::LibraryArgs;
use crate::diagnostic::{print_findings, Format};
use crate::error::{Error, Result};
use crate::Outcome;

pub fn run(args: &LibraryArgs) -> Result<Outcome> {
    let manifest = super::load_manifest(&args.manifest, args.strict)?;
    let paths = if args.paths.is_empty() {
        let root = manifest.root();
        let found = default_libraries(&root);
        if found.is_empty() {
            return Err(Error::file(
                &root,
                "no libpython3.N.so*, .dylib or .a in the tree, its lib/ or the \
                 current directory; pass the libraries to check",
            ));
        }
        found
    } else {
        args.paths.clone()
    };
    let features = Features::PlatformDefaults(args.feature.iter().cloned().collect());
    let findings = check_libraries(&manifest, &paths, &features)?;
    print_findings(
        &mut std::io::stdout().lock(),
        "library",
        &findings,
        args.format,
    )?;
    let outcome = Outcome::of(&findings);
    if outcome == Outcome::Success && args.format == Format::Text {
        for path in &paths {
            eprintln!("{}: exports the whole Stable ABI", path.display());
        }
    }
    Ok(outcome)
}
