//! A built libpython exports the whole Stable ABI (`stable-abi library`).
//!
//! Expected are all functions and data items of the manifest, `abi_only`
//! included (they are ABI, called by macros), whose `ifdef` feature macro is
//! defined on the target. Each one the library does not export is a
//! `missing-export` finding at its manifest entry.
//!
//! For `--unixy-check`, call [`default_libraries`] on the manifest's tree and
//! [`check_libraries`] with the feature macros the header view defines.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::binary::names::is_libpython;
use crate::binary::platform::{self, Assumptions, FeatureOverrides};
use crate::binary::symbols::read_binary;
use crate::codes::Code;
use crate::diagnostic::Finding;
use crate::error::{Error, Result};
use crate::manifest::{Kind, Manifest, Selection};

/// The code of a symbol the library does not export.
pub const MISSING_EXPORT: Code = Code {
    name: "missing-export",
    command: "library",
    summary: "a Stable ABI function or data the library does not export",
    doc: r#"A function or data item of the manifest (`abi_only` ones included:
macros call them) whose `ifdef` feature macro is defined on the target is
not in the library's exports (an ELF's dynamic symbol table, an archive's
symbol index, a Mach-O's external symbols, a DLL's export table).
Reported at the item's manifest entry.

Why it matters: an extension built for the Stable ABI links against the
symbol by name; on a Python whose libpython lacks it, the extension fails
to load (undefined symbol), although the manifest promised it.

Example: a build that forgot `PyType_GetName`:

    Misc/stable_abi.toml:2101:1: error: function PyType_GetName (added in 3.11) is not exported by libpython3.13.so [missing-export]"#,
};

/// Which feature macros (`ifdef` values) are defined on the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Features {
    /// Exactly these, whatever the library's format (e.g. what the header
    /// view of the configured tree defines), with the reason to report.
    Exactly(BTreeSet<String>, String),
    /// Those of each library's platform, as the file says it
    /// ([`platform::detect`], [`platform::PLATFORM_TABLE`]), then
    /// `--feature` / `--no-feature`.
    PlatformDefaults(FeatureOverrides),
}

impl Features {
    /// The feature macros assumed for a binary's bytes, and why.
    pub fn for_binary(&self, manifest: &Manifest, data: &[u8]) -> Assumptions {
        match self {
            Features::Exactly(defined, why) => platform::exactly(manifest, defined, why),
            Features::PlatformDefaults(overrides) => {
                platform::assume(manifest, &platform::detect(data), overrides)
            }
        }
    }
}

/// One library's check: the feature macros assumed, and what is missing.
#[derive(Debug, Serialize)]
pub struct LibraryReport {
    pub path: PathBuf,
    pub assumed: Assumptions,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// Checks that each library exports every Stable ABI symbol expected on its
/// platform. Returns one `missing-export` error per library and missing
/// symbol (located at the manifest entry, noting the library and `added`).
/// An unreadable or non-object file is an `Err` naming the file.
pub fn check_libraries(
    manifest: &Manifest,
    paths: &[PathBuf],
    features: &Features,
) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    for path in paths {
        findings.extend(check_library(manifest, path, features)?.findings);
    }
    Ok(findings)
}

/// [`check_libraries`] for one library, with the feature macros assumed.
pub fn check_library(
    manifest: &Manifest,
    path: &Path,
    features: &Features,
) -> Result<LibraryReport> {
    let data = std::fs::read(path).map_err(|err| Error::io(path, "cannot read", err))?;
    let binary = read_binary(&data).map_err(|err| Error::file(path, err))?;
    let assumed = features.for_binary(manifest, &data);
    let defined = assumed.defined();
    let expected = manifest.select(Selection::of(&Kind::SYMBOLS).where_defined(&defined));
    let findings = expected
        .into_iter()
        .filter(|item| !binary.exports.contains(&item.name))
        .map(|item| {
            let added = item
                .added
                .map(|v| v.to_string())
                .unwrap_or_else(|| "?".into());
            let mut finding = Finding::error(
                MISSING_EXPORT.name,
                item.name.clone(),
                format!(
                    "{} {} (added in {added}) is not exported by {}",
                    item.kind,
                    item.name,
                    path.display()
                ),
            )
            .at(Some(manifest.location(item)));
            if let Some(added) = item.added {
                finding = finding.versions(vec![added]);
            }
            if let Some(ifdef) = &item.ifdef {
                let why = assumed
                    .features
                    .iter()
                    .find(|f| &f.name == ifdef)
                    .map_or(String::new(), |f| format!(" ({})", f.why));
                finding = finding.note(
                    None,
                    format!(
                        "expected because {ifdef} is assumed defined{why}; \
                         pass --no-feature {ifdef} if the target lacks it"
                    ),
                );
            }
            finding
        })
        .collect();
    Ok(LibraryReport {
        path: path.to_path_buf(),
        assumed,
        findings,
    })
}

/// `PATH: note: platform P (from EVIDENCE); feature macros: A, B; not C`,
/// then one line per macro with the reason.
pub fn print_assumptions(
    out: &mut dyn std::io::Write,
    path: &Path,
    assumed: &Assumptions,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{}: note: platform {} (from {}); feature macros: {}",
        path.display(),
        assumed.platform,
        assumed.platform_from,
        assumed.summary()
    )?;
    for feature in &assumed.features {
        let state = if feature.defined {
            "defined"
        } else {
            "not defined"
        };
        writeln!(out, "    {} {state}: {}", feature.name, feature.why)?;
    }
    Ok(())
}

/// The libpython libraries of a built CPython tree, found without running
/// Python: `libpython3.N*.so*`, `libpython3.N*.dylib` and `libpython3.N*.a`
/// in the tree itself (where `make` leaves them in an in-tree build) or its
/// `lib/` (an installed prefix); when neither has any, in the current
/// directory (an out-of-tree build directory, where `make` runs the checks
/// from, as the reference tool reads sysconfig's `LIBRARY`/`LDLIBRARY`
/// there). A shared library found under several names (the `.so` symlink and
/// `.so.1.0`) is checked once. Empty when there are none.
pub fn default_libraries(root: &Path) -> Vec<PathBuf> {
    let mut seen = BTreeSet::new();
    let mut found = Vec::new();
    for dir in [root.to_path_buf(), root.join("lib")] {
        libraries_in(&dir, &mut seen, &mut found);
    }
    if found.is_empty() {
        libraries_in(Path::new("."), &mut seen, &mut found);
    }
    found
}

fn libraries_in(dir: &Path, seen: &mut BTreeSet<PathBuf>, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(is_libpython)
        })
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    for path in paths {
        let identity = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.insert(identity) {
            found.push(path);
        }
    }
}
