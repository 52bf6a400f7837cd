//! `stable-abi library [PATH...]`: built libraries export the whole Stable
//! ABI.

use std::collections::BTreeSet;
use std::io::Write;

use crate::abi::Abi;
use crate::binary::library::not_in_abi3t;
use crate::binary::names::library_abi;
use crate::binary::platform::FeatureOverrides;
use crate::binary::{
    default_libraries, library_report, print_assumptions, read_libraries, Features,
};
use crate::cli::{FeatureArgs, LibraryArgs};
use crate::diagnostic::{print_findings, Finding, Format};
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::output;
use crate::Outcome;

/// `--feature` / `--no-feature`, checked against the manifest's feature
/// macros (a usage error names the unknown one).
pub fn feature_overrides(manifest: &Manifest, args: &FeatureArgs) -> Result<FeatureOverrides> {
    FeatureOverrides::new(manifest, &args.feature, &args.no_feature).map_err(Error::usage)
}

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
    let features = Features::PlatformDefaults(feature_overrides(&manifest, &args.features)?);
    // A free-threaded libpython serves abi3t: it need not export what the
    // abi3t headers of the tree stop declaring.
    let not_in_abi3t = if paths.iter().any(|p| library_abi(p) == Abi::Abi3t) {
        not_in_abi3t(&manifest, &manifest.root())
    } else {
        BTreeSet::new()
    };
    let reports: Vec<_> = read_libraries(&paths)?
        .iter()
        .map(|library| library_report(&manifest, library, &features, &not_in_abi3t))
        .collect();
    let findings: Vec<Finding> = reports.iter().flat_map(|r| r.findings.clone()).collect();
    let out = &mut super::stdout();
    match args.format {
        Format::Text => {
            for report in &reports {
                print_assumptions(out, &report.path, &report.assumed)?;
            }
            print_findings(out, "library", &findings, args.format)?;
        }
        Format::Json => output::write_json(
            out,
            &output::Report::new("library", &findings).with("libraries", &reports),
        )?,
        Format::Sarif(_) => print_findings(out, "library", &findings, args.format)?,
    }
    out.flush()?;
    let outcome = Outcome::of(&findings);
    if outcome == Outcome::Success && args.format == Format::Text {
        for path in &paths {
            let abi = library_abi(path);
            let path = crate::output::escape::path(path);
            errln!("{path}: exports the whole Stable ABI ({abi})");
        }
    }
    Ok(outcome)
}
