//! `stable-abi library [PATH...]`: built libraries export the whole Stable
//! ABI.

use std::collections::BTreeSet;

use crate::abi::Abi;
use crate::binary::library::{check_libraries_with, not_in_abi3t};
use crate::binary::names::library_abi;
use crate::binary::{default_libraries, Features};
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
    // A free-threaded libpython serves abi3t: it need not export what the
    // abi3t headers of the tree stop declaring.
    let not_in_abi3t = if paths.iter().any(|p| library_abi(p) == Abi::Abi3t) {
        not_in_abi3t(&manifest, &manifest.root())
    } else {
        BTreeSet::new()
    };
    let findings = check_libraries_with(&manifest, &paths, &features, &not_in_abi3t)?;
    print_findings(
        &mut std::io::stdout().lock(),
        "library",
        &findings,
        args.format,
    )?;
    let outcome = Outcome::of(&findings);
    if outcome == Outcome::Success && args.format == Format::Text {
        for path in &paths {
            let abi = library_abi(path);
            eprintln!("{}: exports the whole Stable ABI ({abi})", path.display());
        }
    }
    Ok(outcome)
}
