//! `stable-abi library [PATH...]`: built libraries export the whole Stable
//! ABI.

use std::collections::BTreeSet;
use std::io::Write;

use crate::abi::Abi;
use crate::binary::library::not_in_abi3t;
use crate::binary::names::library_abi;
use crate::binary::platform::FeatureOverrides;
use crate::binary::{
    default_libraries, library_report, print_assumptions, read_each_library, Features,
    LibraryReport,
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
    // An unreadable file is its own error; the others are checked.
    let read: Vec<std::result::Result<LibraryReport, Error>> = read_each_library(&paths)
        .into_iter()
        .map(|library| {
            library.map(|library| library_report(&manifest, &library, &features, &not_in_abi3t))
        })
        .collect();
    let reports: Vec<&LibraryReport> = read.iter().flatten().collect();
    let errors: Vec<&Error> = read.iter().filter_map(|r| r.as_ref().err()).collect();
    let findings: Vec<Finding> = reports.iter().flat_map(|r| r.findings.clone()).collect();
    let out = &mut super::stdout();
    match args.format {
        Format::Text => {
            for report in &reports {
                print_assumptions(out, &report.path, &report.assumed)?;
            }
            print_findings(out, "library", &findings, args.format)?;
        }
        Format::Json => {
            // As the audit's inputs: an unreadable library is an entry
            // with its `error`.
            let libraries: Vec<JsonLibrary> = paths
                .iter()
                .zip(&read)
                .map(|(path, read)| match read {
                    Ok(report) => JsonLibrary::Read(report),
                    Err(err) => JsonLibrary::Unreadable {
                        path,
                        error: match err {
                            Error::File { message, .. } => {
                                output::escape::line(message).into_owned()
                            }
                            other => other.to_string(),
                        },
                    },
                })
                .collect();
            output::write_json(
                out,
                &output::Report::new("library", &findings).with("libraries", &libraries),
            )?
        }
        Format::Sarif(_) => print_findings(out, "library", &findings, args.format)?,
    }
    out.flush()?;
    if !errors.is_empty() {
        for error in &errors {
            errln!("{error}");
        }
        return Err(Error::other(format!(
            "{} librar{} could not be read",
            errors.len(),
            if errors.len() == 1 { "y" } else { "ies" }
        )));
    }
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

/// A library in `library --format json`'s `libraries`: its report, or the
/// error that kept it from being read.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum JsonLibrary<'a> {
    Read(&'a LibraryReport),
    Unreadable {
        #[serde(serialize_with = "crate::output::escape::serialize_path")]
        path: &'a std::path::PathBuf,
        error: String,
    },
}
