//! A built libpython exports the whole Stable ABI (`stable-abi library`).
//!
//! Expected are all functions and data items of the manifest, `abi_only`
//! included (they are ABI, called by macros), whose `ifdef` feature macro is
//! defined on the target. Each one the library does not export is a
//! `missing-export` finding at its manifest entry.
//!
//! For `--unixy-check`, call [`default_libraries`] on the manifest's tree and
//! [`check_libraries`] with the feature macros the header view defines (or
//! [`read_libraries`] first, alongside other work, then
//! [`library_findings`]).
//!
//! Libraries are memory-mapped and only their symbol tables are read, each
//! file once however many names lead to it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::parallel;
use serde::Serialize;

use crate::abi::Abi;
use crate::binary::mapped::{file_identity, FileIdentity, MappedFile};
use crate::binary::names::{is_libpython, library_abi};
use crate::binary::platform::{self, Assumptions, Detected, FeatureOverrides};
use crate::binary::symbols::{read_binary, BinaryFormat};
use crate::code::Code;
use crate::diagnostic::Finding;
use crate::error::{Error, Result};
use crate::manifest::{Kind, Manifest, Selection};
use crate::view::{Defines, Headers};

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

Example: a `libpython3.13.so` built without `PyType_GetName`, checked in
CPython 3.13.15's tree (`stable-abi library libpython3.13.so`):

    Misc/stable_abi.toml:2265:1: error: function PyType_GetName (added in 3.11) is not exported by libpython3.13.so [missing-export]"#,
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
    /// The feature macros assumed for a binary of the `detected` platform,
    /// and why.
    pub fn for_platform(&self, manifest: &Manifest, detected: &Detected) -> Assumptions {
        match self {
            Features::Exactly(defined, why) => platform::exactly(manifest, defined, why),
            Features::PlatformDefaults(overrides) => {
                platform::assume(manifest, detected, overrides)
            }
        }
    }
}

/// One library's check: the feature macros assumed, and what is missing.
#[derive(Debug, Serialize)]
pub struct LibraryReport {
    #[serde(serialize_with = "crate::output::escape::serialize_path")]
    pub path: PathBuf,
    pub assumed: Assumptions,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// A library's exported symbols, read once.
#[derive(Clone, Debug)]
pub struct Library {
    /// The path as given (for messages).
    pub path: PathBuf,
    pub format: BinaryFormat,
    /// The platform the file names ([`platform::detect`]).
    pub platform: Detected,
    /// Shared by the paths that lead to the same file.
    pub exports: Arc<BTreeSet<String>>,
}

/// A file's format, platform and exported symbols.
type Exports = (BinaryFormat, Detected, Arc<BTreeSet<String>>);

/// Reads the exports of each library, mapping each distinct file once
/// (paths with the same device and inode share one read: the `.so` and
/// `.so.1.0` of a build) and the files in parallel. An unreadable, truncated
/// or non-object file is an `Err` naming it (the first in `paths` order).
pub fn read_libraries(paths: &[PathBuf]) -> Result<Vec<Library>> {
    read_each_library(paths).into_iter().collect()
}

/// [`read_libraries`] with a result for each path: an unreadable file is
/// the error of its own paths, the others are read.
pub fn read_each_library(paths: &[PathBuf]) -> Vec<Result<Library>> {
    let identities: Vec<FileIdentity> = paths.iter().map(|path| file_identity(path)).collect();
    let mut first: BTreeMap<&FileIdentity, usize> = BTreeMap::new();
    for (index, identity) in identities.iter().enumerate() {
        first.entry(identity).or_insert(index);
    }
    let distinct: Vec<usize> = first.values().copied().collect();
    let mut read: Vec<(usize, Result<Exports>)> =
        parallel::map(&distinct, |&index| (index, read_exports(&paths[index])));
    read.sort_by_key(|(index, _)| *index);
    let by_index: BTreeMap<usize, Result<Exports>> = read.into_iter().collect();
    paths
        .iter()
        .zip(&identities)
        .map(|(path, identity)| {
            let (format, platform, exports) = match &by_index[&first[identity]] {
                Ok(read) => read.clone(),
                Err(Error::File { message, .. }) => return Err(Error::file(path, message)),
                Err(err) => return Err(Error::file(path, err)),
            };
            Ok(Library {
                path: path.clone(),
                format,
                platform,
                exports,
            })
        })
        .collect()
}

/// One library's exports, through a memory map: only the symbol index,
/// dynamic symbol table or export table is paged in.
fn read_exports(path: &Path) -> Result<Exports> {
    let data = MappedFile::open(path).map_err(|err| {
        if crate::input::not_regular(&err) == Some(crate::input::NotRegular::Directory) {
            Error::file(
                path,
                "is a directory; expected a library file (libpython3.N.so*, \
                 libpython3.N.dylib, libpython3.N.a, python3N.dll): pass the files, \
                 or no PATH for the libraries of the manifest's tree",
            )
        } else {
            Error::io(path, "cannot read", err)
        }
    })?;
    let binary = read_binary(&data).map_err(|err| Error::file(path, err))?;
    Ok((
        binary.format,
        platform::detect(&data),
        Arc::new(binary.exports),
    ))
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
    check_libraries_with(manifest, paths, features, &BTreeSet::new())
}

/// [`check_libraries`], where a free-threaded library ([`library_abi`])
/// need not export the items in `not_in_abi3t` (see [`not_in_abi3t`]);
/// its findings say `abi3t`.
pub fn check_libraries_with(
    manifest: &Manifest,
    paths: &[PathBuf],
    features: &Features,
    not_in_abi3t: &BTreeSet<String>,
) -> Result<Vec<Finding>> {
    let libraries = read_libraries(paths)?;
    Ok(libraries
        .iter()
        .flat_map(|library| library_findings_with(manifest, library, features, not_in_abi3t))
        .collect())
}

/// The manifest's functions and data that the abi3t headers of the tree
/// at `root` no longer declare although the abi3 headers do (at the tree's
/// version): a free-threaded libpython need not export them (PEP 803).
/// Empty when the tree has no readable headers, or predates abi3t.
pub fn not_in_abi3t(manifest: &Manifest, root: &Path) -> BTreeSet<String> {
    let Ok(headers) = Headers::load(root, &Defines::default()) else {
        return BTreeSet::new();
    };
    let version = headers.python_version();
    let none = Defines::default();
    let (Ok(abi3), Ok(abi3t)) = (
        headers.view_abi(Abi::Abi3, version, &none),
        headers.view_abi(Abi::Abi3t, version, &none),
    ) else {
        return BTreeSet::new();
    };
    manifest
        .select(Selection::of(&Kind::SYMBOLS))
        .into_iter()
        .filter(|item| abi3.symbol(&item.name).is_some() && abi3t.symbol(&item.name).is_none())
        .map(|item| item.name.clone())
        .collect()
}

/// The `missing-export` findings of one library already read.
pub fn library_findings(
    manifest: &Manifest,
    library: &Library,
    features: &Features,
) -> Vec<Finding> {
    library_findings_with(manifest, library, features, &BTreeSet::new())
}

/// [`library_findings`], leaving out `not_in_abi3t` for a free-threaded
/// library (see [`check_libraries_with`]).
pub fn library_findings_with(
    manifest: &Manifest,
    library: &Library,
    features: &Features,
    not_in_abi3t: &BTreeSet<String>,
) -> Vec<Finding> {
    library_report(manifest, library, features, not_in_abi3t).findings
}

/// [`library_findings_with`] with the feature macros assumed for the
/// library.
pub fn library_report(
    manifest: &Manifest,
    library: &Library,
    features: &Features,
    not_in_abi3t: &BTreeSet<String>,
) -> LibraryReport {
    let path = &library.path;
    let assumed = features.for_platform(manifest, &library.platform);
    let defined = assumed.defined();
    let abi = library_abi(path);
    let kind_of_build = match abi {
        Abi::Abi3 => "",
        Abi::Abi3t => " (a free-threaded build: abi3t)",
    };
    let expected = manifest.select(Selection::of(&Kind::SYMBOLS).where_defined(&defined));
    let findings = expected
        .into_iter()
        .filter(|item| abi == Abi::Abi3 || !not_in_abi3t.contains(&item.name))
        .filter(|item| !library.exports.contains(&item.name))
        .map(|item| {
            let added = item
                .added
                .map(|v| v.to_string())
                .unwrap_or_else(|| "?".into());
            let mut finding = Finding::error(
                MISSING_EXPORT.name,
                item.name.clone(),
                format!(
                    "{} {} (added in {added}) is not exported by {}{kind_of_build}",
                    item.kind,
                    item.name,
                    crate::output::escape::path(path)
                ),
            )
            .at(Some(manifest.location(item)))
            .abi(abi);
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
    LibraryReport {
        path: path.clone(),
        assumed,
        findings,
    }
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
        crate::output::escape::path(path),
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
/// `.so.1.0`, as a symlink or a hard link) is checked once. Empty when there
/// are none.
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

fn libraries_in(dir: &Path, seen: &mut BTreeSet<FileIdentity>, found: &mut Vec<PathBuf>) {
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
        if seen.insert(file_identity(&path)) {
            found.push(path);
        }
    }
}
