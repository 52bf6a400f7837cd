//! Do extension modules and wheels that claim the Stable ABI (abi3) keep
//! to it? (`stable-abi audit`)
//!
//! Each extension's imported Python symbols are classified against the
//! manifest (or the built-in table) for a target version: the wheel tag's
//! (`cp38-abi3` → 3.8), else `--target`, else 3.2. The inputs
//! ([`inputs`]) are read in parallel (`read`: a wheel's members are
//! streamed, never inflated whole, see [`wheel`](crate::binary::wheel), and
//! of each binary only its Python names are kept), then every binary is
//! judged (`judge`) knowing every binary read: a `Py*` name one imports
//! from another it links is that binary's, not CPython's (`links`). An
//! input named twice (or also found in a directory named) is audited once.
//!
//! Exit status: 2 when an input could not be read (unreadable path, corrupt
//! zip, truncated or non-object file) or when no extension module was found
//! in any input at all (a wrong path should not pass silently); else 1 when
//! any extension imports a symbol outside the Stable ABI, one newer than its
//! target, or links a version-specific libpython; else 0. A wheel without
//! extensions, or one whose tag is neither abi3 nor abi3t, is a note, not a
//! failure.
//!
//! A tag's claims are expanded as installers do (`cp315-abi3.abi3t` is an
//! abi3 and an abi3t claim) and each is judged on its own by [`claims`](crate::binary::claims):
//! the file names the interpreters of its range search, how an abi3t
//! module is defined, the DLL a Windows extension links; the module's own
//! hooks (`PyInit_*`, `PyModExport_*`) are never judged as symbols.
//!
//! Only extension modules are extensions: a file with a module's name
//! ([`is_module_file_name`](crate::binary::names::is_module_file_name)) or
//! exporting a module hook. Another shared library in a wheel or directory
//! (`.dylibs/libzmq.5.dylib`, auditwheel's `pkg.libs/libfoo-1a2b.so.3`,
//! delvewheel's `pkg.libs/foo-1a2b.dll`;
//! [`is_extension_name`](crate::binary::names::is_extension_name)) is audited
//! only when it imports Python symbols, as a library: by its symbols and
//! links alone.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::abi::Abi;
use crate::binary::inputs::{self, Input};
use crate::binary::platform::{self, Assumptions, Detected, FeatureOverrides};
use crate::binary::sparse::Data;
use crate::binary::symbols::{self, Binary, BinaryError};
use crate::binary::table::AbiTable;
use crate::binary::wheel::WheelTag;
use crate::diagnostic::{has_errors, Finding, InArchive};
use crate::error::{Error, Result};
use crate::output::escape;
use crate::parallel;
use crate::version::Version;
use crate::Outcome;

mod judge;
mod links;
mod read;

use judge::{judge, Claim, Linked};
use links::Links;
pub use read::Member;
use read::{read_file_input, read_wheel_input, shown_file_name, ReadInput};

/// What was audited in one input (a wheel, or an extension module file).
#[derive(Debug, Serialize)]
pub struct InputReport {
    #[serde(serialize_with = "crate::output::escape::serialize_path")]
    pub path: PathBuf,
    pub kind: InputKind,
    /// The wheel's tag, when it has one.
    pub tag: Option<String>,
    /// Whether the wheel's tag claims abi3 or abi3t (`None` for extension
    /// files and untagged wheels).
    pub abi3: Option<bool>,
    /// The Stable ABIs claimed (a compressed `abi3.abi3t` is both), each
    /// judged on its own; for an extension file, the one its name says.
    pub abis: Vec<Abi>,
    /// What is wrong with the wheel's tags (`tag-mismatch`,
    /// `abi3t-too-early`). In JSON only their number: the findings are the
    /// envelope's.
    #[serde(serialize_with = "count")]
    pub problems: Vec<Finding>,
    /// The version the extensions must load on; `None` when not audited.
    pub target: Option<Version>,
    /// Where the target came from: `wheel tag`, `--target` or `default`
    /// (3.2).
    pub target_from: Option<&'static str>,
    pub extensions: Vec<ExtensionReport>,
    pub notes: Vec<String>,
    /// Why the input could not be read.
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    Wheel,
    Extension,
}

/// What an audited binary is.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BinaryKind {
    /// An extension module: judged by every rule of its claims.
    #[default]
    Extension,
    /// Another shared library that imports Python symbols: judged by its
    /// symbols and links only.
    Library,
    /// Another shared library importing no Python symbol: not audited
    /// (never in a report).
    Unrelated,
}

/// The audit of one extension module (or of a library beside one).
#[derive(Debug, Default, Serialize)]
pub struct ExtensionReport {
    /// The path inside the wheel, or the file's path.
    pub name: String,
    /// An extension module or another library.
    pub kind: BinaryKind,
    /// How many of its imports are Python's.
    pub python_symbols: usize,
    /// What is wrong with it ([`problems`](crate::binary::problems)): symbols outside the Stable
    /// ABI, then symbols newer than the target, then version-specific
    /// links. In JSON only their number: the findings are the envelope's.
    #[serde(rename = "problems", serialize_with = "count")]
    pub findings: Vec<Finding>,
    /// The Stable ABIs it was judged against.
    pub abis: Vec<Abi>,
    /// Remarks that do not fail the audit.
    pub notes: Vec<String>,
    /// Its platform and the feature macros assumed there (`None` when it
    /// could not be read).
    pub assumed: Option<Assumptions>,
    /// The `Py*` names it imports that a binary it links defines, which
    /// are that binary's, not CPython's: not judged (see `links`).
    pub from_libraries: Vec<FromLibrary>,
    /// Why it could not be read.
    pub error: Option<String>,
}

/// A name an extension imports from a library it links, not from CPython.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FromLibrary {
    pub symbol: String,
    /// The library: its path in the same wheel, else its full path.
    pub library: String,
}

fn count<S: serde::Serializer>(findings: &[Finding], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(findings.len() as u64)
}

impl ExtensionReport {
    pub fn is_clean(&self) -> bool {
        self.error.is_none() && !has_errors(&self.findings)
    }

    /// Names the extension's file (`path`, inside `archive` when it is a
    /// wheel's member) in its findings.
    fn in_file(mut self, path: &Path, archive: Option<&InArchive>) -> Self {
        for finding in &mut self.findings {
            finding.file = Some(path.to_path_buf());
            finding.in_archive = archive.cloned();
        }
        self
    }
}

/// How an input's target version is chosen when no wheel tag gives one,
/// and the feature macros beyond the platform's (`--feature`,
/// `--no-feature`).
#[derive(Clone, Debug, Default)]
pub struct TargetDefault {
    pub target: Option<Version>,
    pub features: FeatureOverrides,
}

impl TargetDefault {
    fn pick(&self, tag: Option<&WheelTag>) -> (Version, &'static str) {
        if let Some(version) = tag.and_then(WheelTag::minimum_python) {
            return (version, "wheel tag");
        }
        match self.target {
            Some(version) => (version, "--target"),
            None => (Version::FIRST, "default"),
        }
    }
}

/// Audits one extension module's bytes against `table` for `target`, as
/// abi3 (see [`audit_extension_for`]).
pub fn audit_extension(
    name: &str,
    data: &[u8],
    table: &AbiTable,
    target: Version,
    features: &FeatureOverrides,
) -> ExtensionReport {
    audit_extension_for(name, data, table, target, &[Abi::Abi3], features, &[])
}

/// Audits one extension module's bytes alone against `table` for
/// `target`, for each claimed ABI (an abi3t claim is audited at 3.15 at the
/// earliest), on the platform the file names (else the wheel's platform
/// tags say) with `features` applied. A file that is no extension module
/// is a library ([`BinaryKind`]). Never panics; unreadable bytes give a
/// report with `error` set.
pub fn audit_extension_for(
    name: &str,
    data: &[u8],
    table: &AbiTable,
    target: Version,
    abis: &[Abi],
    features: &FeatureOverrides,
    wheel_platforms: &[String],
) -> ExtensionReport {
    let member = Member::new(name, PathBuf::new(), read_extension(data));
    let claim = Claim {
        table,
        target,
        abis,
        features,
        wheel_platforms,
        others: &[],
    };
    let mut report = judge(&member, &claim, &Linked::default());
    for finding in &mut report.findings {
        finding.file = None;
    }
    report
}

/// What the audit reads of an extension: its symbols and the platform it
/// names. `data` is a mapped file or the kept pieces of a wheel member.
pub fn read_extension<'a, R: Data<'a>>(data: R) -> Result<(Binary, Detected), BinaryError> {
    Ok((symbols::read(data)?, platform::detect_in(data)))
}

impl InputReport {
    fn new(path: &Path, kind: InputKind) -> InputReport {
        InputReport {
            path: path.to_path_buf(),
            kind,
            tag: None,
            abi3: None,
            abis: Vec::new(),
            problems: Vec::new(),
            target: None,
            target_from: None,
            extensions: Vec::new(),
            notes: Vec::new(),
            error: None,
        }
    }

    /// Failed to read the input or one of its extensions.
    pub fn has_error(&self) -> bool {
        self.error.is_some() || self.extensions.iter().any(|e| e.error.is_some())
    }
}

/// Each input once: a path named twice, or reached both by name and by a
/// directory's walk (`stable-abi audit . dist`), is audited at its first
/// place only. Paths are compared canonically (symlinks resolved); one
/// that cannot be resolved is kept as it is.
fn distinct<T>(inputs: Vec<T>, path: impl Fn(&T) -> &Path) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    inputs
        .into_iter()
        .filter(|input| match std::fs::canonicalize(path(input)) {
            Ok(canonical) => seen.insert(canonical),
            Err(_) => true,
        })
        .collect()
}

/// Audits every input, in input order: each is read in parallel, then
/// each binary is judged knowing every binary read (a `Py*` name a binary
/// imports from another one it links, in any input, is that binary's:
/// `links`).
pub fn audit_paths(
    paths: &[PathBuf],
    table: &AbiTable,
    defaults: &TargetDefault,
) -> Vec<InputReport> {
    let inputs = distinct(inputs::collect(paths), Input::path);
    let mut read = parallel::map(&inputs, |input| match input {
        Input::File(path) if inputs::is_wheel(path) => read_wheel_input(path, defaults, table),
        Input::File(path) => read_file_input(path, defaults, table),
        Input::Unreadable(path, error) => {
            let mut report = InputReport::new(path, InputKind::Extension);
            report.error = Some(error.clone());
            ReadInput::new(report)
        }
        Input::Skipped(path, why) => {
            let mut report = InputReport::new(path, InputKind::Extension);
            report.notes.push(why.clone());
            ReadInput::new(report)
        }
    });
    // The files found in one directory are each other's neighbours.
    let files: Vec<(usize, PathBuf)> = read
        .iter()
        .enumerate()
        .filter(|(_, input)| input.report.kind == InputKind::Extension)
        .map(|(at, input)| (at, input.report.path.clone()))
        .collect();
    for (at, path) in &files {
        read[*at].others = files
            .iter()
            .filter(|(_, other)| other.parent() == path.parent())
            .map(|(_, other)| shown_file_name(other))
            .collect();
    }
    let links = Links::new(&read);
    let indices: Vec<usize> = (0..read.len()).collect();
    let judged = parallel::map(&indices, |&at| read[at].judge(at, table, defaults, &links));
    drop(links);
    read.into_iter()
        .zip(judged)
        .map(|(input, judged)| input.finish(judged))
        .collect()
}

/// The outcome of an audit whose reports are printed: failure when any
/// extension breaks the Stable ABI of its target.
///
/// Errors (exit status 2): an input could not be read, or none of `paths`
/// held an extension module (a wrong path should not pass silently).
pub fn outcome(reports: &[InputReport], paths: &[PathBuf]) -> Result<Outcome> {
    // Each unreadable input and each unreadable extension in a wheel.
    let unreadable: usize = reports
        .iter()
        .map(|r| {
            usize::from(r.error.is_some())
                + r.extensions.iter().filter(|e| e.error.is_some()).count()
        })
        .sum();
    if unreadable > 0 {
        return Err(Error::other(format!(
            "{unreadable} input(s) could not be read"
        )));
    }
    // A wheel skipped for not being abi3 was found, just not audited.
    let found_any = reports
        .iter()
        .any(|r| !r.extensions.is_empty() || r.abi3 == Some(false));
    if !found_any {
        let paths: Vec<String> = paths.iter().map(|p| escape::path(p).into_owned()).collect();
        return Err(Error::other(format!(
            "no extension module found in {}",
            paths.join(", ")
        )));
    }
    let clean = reports
        .iter()
        .all(|r| !has_errors(&r.problems) && r.extensions.iter().all(ExtensionReport::is_clean));
    Ok(if clean {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}

#[cfg(test)]
mod tests;
