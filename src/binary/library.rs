//! `stable-abi library`: a built libpython exports the whole Stable ABI.
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

use anyhow::{Context, Result};

use crate::abi::Abi;
use crate::binary::symbols::{read_binary, BinaryFormat};
use crate::cli::LibraryArgs;
use crate::diagnostic::{print_findings, Finding};
use crate::manifest::{Kind, Manifest, Windows};
use crate::view::{Headers, Profile};
use crate::Outcome;

/// Which feature macros (`ifdef` values) are defined on the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Features {
    /// Exactly these, whatever the library's format (e.g. what the header
    /// view of the configured tree defines).
    Exactly(BTreeSet<String>),
    /// The defaults of each library's platform ([`platform_features`]) plus
    /// these (`--feature`).
    PlatformDefaults(BTreeSet<String>),
}

impl Features {
    fn for_format(&self, manifest: &Manifest, format: BinaryFormat) -> BTreeSet<String> {
        match self {
            Features::Exactly(defined) => defined.clone(),
            Features::PlatformDefaults(extra) => {
                let mut defined = platform_features(manifest, format);
                defined.extend(extra.iter().cloned());
                defined
            }
        }
    }
}

/// The feature macros a platform defines by default. Windows binaries: the
/// manifest's `windows = true` macros (`'maybe'` ones depend on the build,
/// so pass them with `--feature`). Others: those every POSIX platform with
/// a shared libpython has, `HAVE_FORK` and `PY_HAVE_THREAD_NATIVE_ID`
/// (Linux, macOS and the BSDs), when the manifest lists them.
pub fn platform_features(manifest: &Manifest, format: BinaryFormat) -> BTreeSet<String> {
    let macros = manifest.feature_macros();
    if format.is_windows() {
        return macros
            .into_iter()
            .filter(|m| m.windows == Windows::Yes)
            .map(|m| m.name.clone())
            .collect();
    }
    const POSIX: [&str; 2] = ["HAVE_FORK", "PY_HAVE_THREAD_NATIVE_ID"];
    macros
        .into_iter()
        .filter(|m| POSIX.contains(&m.name.as_str()))
        .map(|m| m.name.clone())
        .collect()
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
/// need not export the items in `not_in_abi3t` (see [`not_in_abi3t`]).
pub fn check_libraries_with(
    manifest: &Manifest,
    paths: &[PathBuf],
    features: &Features,
    not_in_abi3t: &BTreeSet<String>,
) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    for path in paths {
        findings.extend(check_library(manifest, path, features, not_in_abi3t)?);
    }
    Ok(findings)
}

/// The Stable ABI a libpython serves, by its name: a free-threaded build's
/// (`libpython3.15t.so`, `python3t.dll`, `python315t.dll`) serves abi3t
/// extensions (PEP 803), any other abi3.
pub fn library_abi(path: &Path) -> Abi {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let after_version = |rest: &str| -> bool {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let flags: String = rest[digits..]
            .chars()
            .take_while(|c| c.is_ascii_alphabetic() || *c == '_')
            .collect();
        flags.contains('t')
    };
    if let Some(rest) = name.strip_prefix("libpython3.") {
        if after_version(rest) {
            return Abi::Abi3t;
        }
    }
    if let Some(rest) = name.strip_prefix("python3") {
        if name.ends_with(".dll") && after_version(rest) {
            return Abi::Abi3t;
        }
    }
    Abi::Abi3
}

/// The manifest's functions and data that the abi3t headers of the tree
/// at `root` no longer declare although the abi3 headers do (at the tree's
/// version): a free-threaded libpython need not export them. Empty when
/// the tree has no headers, or predates abi3t (3.15).
pub fn not_in_abi3t(manifest: &Manifest, root: &Path) -> BTreeSet<String> {
    let Ok(headers) = Headers::load(root, &Profile::default()) else {
        return BTreeSet::new();
    };
    let version = headers.python_version();
    let none = Profile::default();
    let (Ok(abi3), Ok(abi3t)) = (
        headers.view_abi(Abi::Abi3, version, &none),
        headers.view_abi(Abi::Abi3t, version, &none),
    ) else {
        return BTreeSet::new();
    };
    manifest
        .select(&[Kind::Function, Kind::Data], false, None)
        .into_iter()
        .filter(|item| abi3.symbol(&item.name).is_some() && abi3t.symbol(&item.name).is_none())
        .map(|item| item.name.clone())
        .collect()
}

/// [`check_libraries_with`] for one library.
pub fn check_library(
    manifest: &Manifest,
    path: &Path,
    features: &Features,
    not_in_abi3t: &BTreeSet<String>,
) -> Result<Vec<Finding>> {
    let data = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let binary = read_binary(&data).map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
    let defined = features.for_format(manifest, binary.format);
    let abi = library_abi(path);
    let expected = manifest.select(&[Kind::Function, Kind::Data], true, Some(&defined));
    let kind_of_build = match abi {
        Abi::Abi3 => "",
        Abi::Abi3t => " (a free-threaded build: abi3t)",
    };
    let findings = expected
        .into_iter()
        .filter(|item| abi == Abi::Abi3 || !not_in_abi3t.contains(&item.name))
        .filter(|item| !binary.exports.contains(&item.name))
        .map(|item| {
            let added = item
                .added
                .map(|v| v.to_string())
                .unwrap_or_else(|| "?".into());
            let mut finding = Finding::error(
                "missing-export",
                item.name.clone(),
                format!(
                    "{} {} (added in {added}) is not exported by {}{kind_of_build}",
                    item.kind,
                    item.name,
                    path.display()
                ),
            )
            .at(Some(manifest.location(item)))
            .abi(abi);
            if let Some(added) = item.added {
                finding = finding.versions(vec![added]);
            }
            if let Some(ifdef) = &item.ifdef {
                finding = finding.note(
                    None,
                    format!("expected because {ifdef} is defined on the target"),
                );
            }
            finding
        })
        .collect();
    Ok(findings)
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

/// `libpython3.N[abiflags].{so[.X.Y], dylib, a}`; not the version-free
/// `libpython3.so`, which only forwards.
fn is_libpython(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("libpython3.") else {
        return false;
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let rest = rest[digits..].trim_start_matches(['d', 't']);
    let versioned_so = rest
        .strip_prefix(".so.")
        .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
    rest == ".a" || rest == ".dylib" || rest == ".so" || versioned_so
}

pub fn run(args: &LibraryArgs) -> Result<Outcome> {
    let manifest = Manifest::load(&args.manifest)?;
    let paths = if args.paths.is_empty() {
        let root = manifest.root();
        let found = default_libraries(&root);
        if found.is_empty() {
            anyhow::bail!(
                "{}: no libpython3.N.so*, .dylib or .a in the tree, its lib/ or the \
                 current directory; pass the libraries to check",
                root.display()
            );
        }
        found
    } else {
        args.paths.clone()
    };
    let features = Features::PlatformDefaults(args.feature.iter().cloned().collect());
    let any_abi3t = paths.iter().any(|p| library_abi(p) == Abi::Abi3t);
    let not_in_abi3t = if any_abi3t {
        not_in_abi3t(&manifest, &manifest.root())
    } else {
        BTreeSet::new()
    };
    let findings = check_libraries_with(&manifest, &paths, &features, &not_in_abi3t)?;
    print_findings(&mut std::io::stdout().lock(), &findings, args.format)?;
    let outcome = Outcome::of(&findings);
    if outcome == Outcome::Success && args.format == crate::diagnostic::Format::Text {
        for path in &paths {
            let abi = library_abi(path);
            eprintln!("{}: exports the whole Stable ABI ({abi})", path.display());
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_threaded_libraries_serve_abi3t() {
        for (name, abi) in [
            ("libpython3.15t.so.1.0", Abi::Abi3t),
            ("lib/libpython3.15td.a", Abi::Abi3t),
            ("python3t.dll", Abi::Abi3t),
            ("PYTHON315T.DLL", Abi::Abi3t),
            ("libpython3.15.so.1.0", Abi::Abi3),
            ("libpython3.15d.so", Abi::Abi3),
            ("python3.dll", Abi::Abi3),
        ] {
            assert_eq!(library_abi(Path::new(name)), abi, "{name}");
        }
    }

    #[test]
    fn libpython_names() {
        for good in [
            "libpython3.13.so",
            "libpython3.13.so.1.0",
            "libpython3.13d.so",
            "libpython3.13t.a",
            "libpython3.9.dylib",
        ] {
            assert!(is_libpython(good), "{good}");
        }
        for bad in [
            "libpython3.so",
            "libpython3.13.so.o",
            "libpython3.x.a",
            "python313.dll",
        ] {
            assert!(!is_libpython(bad), "{bad}");
        }
    }
}
