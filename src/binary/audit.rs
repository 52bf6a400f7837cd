//! Do extension modules and wheels that claim the Stable ABI (abi3) keep
//! to it? (`stable-abi audit`)
//!
//! Each extension's imported Python symbols are classified against the
//! manifest (or the built-in table) for a target version: the wheel tag's
//! (`cp38-abi3` → 3.8), else `--target`, else 3.2. Inputs are audited in
//! parallel.
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
//! abi3 and an abi3t claim) and each is judged on its own by [`claims`]:
//! the file names the interpreters of its range search, how an abi3t
//! module is defined, the DLL a Windows extension links; the module's own
//! hooks (`PyInit_*`, `PyModExport_*`) are never judged as symbols.
//!
//! Only extension modules are extensions: a file with a module's name
//! ([`is_module_file_name`]) or exporting a module hook. Another shared
//! library in a wheel (`.dylibs/libzmq.5.dylib`) is audited only when it
//! imports Python symbols, as a library: by its symbols and links alone.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::abi::Abi;
use crate::binary::claims;
use crate::binary::classify::{classify, is_python_symbol, Verdict};
use crate::binary::inputs::{self, Input};
use crate::binary::mapped::MappedFile;
use crate::binary::names::{
    is_module_file_name, version_specific_filename, version_specific_libpython,
};
use crate::binary::not_on_platform;
use crate::binary::platform::{self, Assumptions, Detected, FeatureOverrides};
use crate::binary::problems;
use crate::binary::sparse::Data;
use crate::binary::symbols::{self, Binary, BinaryError};
use crate::binary::table::AbiTable;
use crate::binary::unusable;
use crate::binary::wheel::{member_path, read_wheel, WheelTag};
use crate::diagnostic::{has_errors, Finding};
use crate::error::{Error, Result};
use crate::output::escape;
use crate::parallel;
use crate::version::Version;
use crate::Outcome;

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
    /// What is wrong with it ([`problems`]): symbols outside the Stable
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
    /// Why it could not be read.
    pub error: Option<String>,
}

fn count<S: serde::Serializer>(findings: &[Finding], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(findings.len() as u64)
}

impl ExtensionReport {
    pub fn is_clean(&self) -> bool {
        self.error.is_none() && !has_errors(&self.findings)
    }

    /// Names the extension's file (`path`) in its findings.
    fn in_file(mut self, path: &Path) -> Self {
        for finding in &mut self.findings {
            finding.file = Some(path.to_path_buf());
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

/// Audits one extension module's bytes against `table` for `target`, for
/// each claimed ABI (an abi3t claim is audited at 3.15 at the earliest), on
/// the platform the file names (else the wheel's platform tags say) with
/// `features` applied. A file that is no extension module is a library
/// ([`BinaryKind`]). Never panics; unreadable bytes give a report with
/// `error` set.
pub fn audit_extension_for(
    name: &str,
    data: &[u8],
    table: &AbiTable,
    target: Version,
    abis: &[Abi],
    features: &FeatureOverrides,
    wheel_platforms: &[String],
) -> ExtensionReport {
    let read = read_extension(data).map_err(|err| err.to_string());
    audit_read_extension(name, read, table, target, abis, features, wheel_platforms)
}

/// What the audit reads of an extension: its symbols and the platform it
/// names. `data` is a mapped file or the kept pieces of a wheel member.
pub fn read_extension<'a, R: Data<'a>>(data: R) -> Result<(Binary, Detected), BinaryError> {
    Ok((symbols::read(data)?, platform::detect_in(data)))
}

/// [`audit_extension_for`] of an extension already read (or the message
/// saying why it could not be).
fn audit_read_extension(
    name: &str,
    read: Result<(Binary, Detected), String>,
    table: &AbiTable,
    target: Version,
    abis: &[Abi],
    features: &FeatureOverrides,
    wheel_platforms: &[String],
) -> ExtensionReport {
    let mut report = ExtensionReport {
        name: name.to_string(),
        abis: abis.to_vec(),
        ..ExtensionReport::default()
    };
    let (binary, detected) = match read {
        Ok(read) => read,
        Err(err) => {
            report.error = Some(err);
            return report;
        }
    };
    let is_module =
        is_module_file_name(name) || binary.exports.iter().any(|s| claims::is_export_hook(s));
    if !is_module {
        let imports_python = binary.imports.iter().any(|s| is_python_symbol(s));
        report.kind = if imports_python {
            BinaryKind::Library
        } else {
            BinaryKind::Unrelated
        };
        report.abis.clear();
    }
    // The symbols are judged at the oldest target of the claims.
    let oldest = abis
        .iter()
        .map(|&abi| claims::target_for(abi, target))
        .min()
        .unwrap_or(target);
    if is_module {
        if let Some(version) = version_specific_filename(name) {
            report.notes.push(format!(
                "the file name is for CPython {version} only; an abi3 extension is named \
                 `NAME.abi3.so` (or `NAME.pyd` on Windows) so every version imports it"
            ));
        }
    }
    let detected = platform::from_wheel_tag(detected, wheel_platforms);
    let assumed = platform::assume(table.manifest(), &detected, features);
    // The claims' problems (file name, module definition, Windows DLL) and
    // the warnings first, as they are about the extension as a whole.
    let mut claimed: Vec<Finding> = Vec::new();
    if is_module {
        claimed.extend(
            abis.iter()
                .flat_map(|&abi| claims::extension_problems(name, &binary, abi, target))
                .map(|problem| problems::claim(problem, name)),
        );
        if abis.contains(&Abi::Abi3t) {
            // What `abi3t-needs-modexport` reported is not repeated.
            let reported = claims::module_def_behind_pyinit(&binary);
            claimed.extend(
                unusable::findings(&binary, &table.abi3t_unusable)
                    .into_iter()
                    .filter(|finding| !reported.contains(&finding.name.as_str())),
            );
        }
    }
    claimed.extend(not_on_platform::findings(&binary, table, &assumed));
    report.assumed = Some(assumed);
    let own = claims::own_python_exports(&binary);
    if is_module && !own.is_empty() {
        claimed.push(problems::own_python_symbols(name, &own));
    }
    let mut not_stable = Vec::new();
    let mut too_new = Vec::new();
    for symbol in &binary.imports {
        if claims::is_export_hook(symbol) {
            continue;
        }
        let Some(verdict) = classify(table, symbol, oldest) else {
            continue;
        };
        report.python_symbols += 1;
        match verdict {
            Verdict::Fine => {}
            Verdict::NotStable => not_stable.push(problems::not_stable(symbol)),
            Verdict::Unknown => not_stable.push(problems::unknown_to_table(symbol, table.knows)),
            Verdict::NeedsNewer(needs) => {
                let entry = table.get(symbol).and_then(|item| table.location(item));
                too_new.push(problems::too_new(symbol, needs, oldest, entry));
            }
        }
    }
    let links = binary.needed.iter().filter_map(|library| {
        version_specific_libpython(library)
            .map(|version| problems::version_specific_link(library, &version))
    });
    report.findings = claimed
        .into_iter()
        .chain(not_stable)
        .chain(too_new)
        .chain(links)
        .map(|finding| problems::in_slices(finding, &binary))
        .collect();
    report
}

/// Audits a wheel file.
pub fn audit_wheel(path: &Path, table: &AbiTable, defaults: &TargetDefault) -> InputReport {
    let mut report = InputReport::new(path, InputKind::Wheel);
    let file = match crate::input::open(path) {
        Ok((file, _)) => file,
        Err(err) => {
            report.error = Some(format!("cannot read: {err}"));
            return report;
        }
    };
    let contents = match read_wheel(file) {
        Ok(contents) => contents,
        Err(err) => {
            report.error = Some(err);
            return report;
        }
    };
    let filename = escape::path(path.file_name().map_or(path, Path::new));
    let filename = filename.as_ref();
    let from_name = WheelTag::from_filename(filename);
    report.problems = claims::tag_problems(from_name.as_ref(), contents.metadata_tag.as_ref())
        .into_iter()
        .map(|problem| problems::claim(problem, filename).in_file(path))
        .collect();
    let tag = from_name.or_else(|| contents.metadata_tag.clone());
    report.tag = tag.as_ref().map(ToString::to_string);
    report.abis = tag.as_ref().map(claims::claimed_abis).unwrap_or_default();
    report.abi3 = tag.as_ref().map(|_| !report.abis.is_empty());
    if tag.is_none() {
        report.abis = vec![Abi::Abi3];
    }
    match &tag {
        Some(tag) if report.abis.is_empty() => {
            report.notes.push(format!(
                "tagged {tag}, neither abi3 nor abi3t: not audited against the Stable ABI"
            ));
            return report;
        }
        Some(_) => {}
        None => report
            .notes
            .push("no wheel tag in the file name or the WHEEL file".to_string()),
    }
    if contents.extensions.is_empty() {
        report
            .notes
            .push("no extension module in this wheel".to_string());
        return report;
    }
    let (target, from) = defaults.pick(tag.as_ref());
    report.target = Some(target);
    report.target_from = Some(from);
    report.notes.extend(beyond_table(table, target));
    let abis = report.abis.clone();
    let platforms = tag
        .as_ref()
        .map(|tag| tag.platform.clone())
        .unwrap_or_default();
    let audited = parallel::map(&contents.extensions, |member| {
        let read = contents
            .read(member, &|view| read_extension(view))
            .and_then(|read| read.map_err(|err| err.to_string()));
        audit_read_extension(
            &member.name,
            read,
            table,
            target,
            &abis,
            &defaults.features,
            &platforms,
        )
        .in_file(&member_path(path, member))
    });
    report.extensions = audited
        .into_iter()
        .filter(|extension| extension.kind != BinaryKind::Unrelated)
        .collect();
    if report.extensions.is_empty() {
        report
            .notes
            .push("no extension module in this wheel".to_string());
    }
    report
}

/// The note on an input whose target is newer than the table knows.
fn beyond_table(table: &AbiTable, target: Version) -> Option<String> {
    let knows = table.knows.filter(|_| table.is_beyond(target))?;
    Some(format!(
        "target Python {target} is newer than the Stable ABI this table knows ({knows}): \
         symbols it does not list are warnings (unknown-to-table); pass --manifest with \
         Python {target}'s Misc/stable_abi.toml for a verdict"
    ))
}

/// Audits an extension module file.
pub fn audit_extension_file(
    path: &Path,
    table: &AbiTable,
    defaults: &TargetDefault,
) -> InputReport {
    let mut report = InputReport::new(path, InputKind::Extension);
    // Mapped, not read: only the pages its tables are on are loaded.
    let data = match MappedFile::open(path) {
        Ok(data) => data,
        Err(err) => {
            report.error = Some(format!("cannot read: {err}"));
            return report;
        }
    };
    let (target, from) = defaults.pick(None);
    report.target = Some(target);
    report.target_from = Some(from);
    let name = escape::path(path.file_name().map_or(path, Path::new)).into_owned();
    report.abis = claims::abis_of_file_name(&name);
    report.notes.extend(beyond_table(table, target));
    let extension = audit_extension_for(
        &name,
        &data,
        table,
        target,
        &report.abis,
        &defaults.features,
        &[],
    )
    .in_file(path);
    if let Some(err) = extension.error {
        report.error = Some(err);
    } else if extension.kind == BinaryKind::Unrelated {
        report
            .notes
            .push("neither an extension module nor a library importing Python symbols".to_string());
    } else {
        report.extensions.push(extension);
    }
    report
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

/// Audits every input in parallel, in input order.
pub fn audit_paths(
    paths: &[PathBuf],
    table: &AbiTable,
    defaults: &TargetDefault,
) -> Vec<InputReport> {
    parallel::map(&inputs::collect(paths), |input| match input {
        Input::File(path) if inputs::is_wheel(path) => audit_wheel(path, table, defaults),
        Input::File(path) => audit_extension_file(path, table, defaults),
        Input::Unreadable(path, error) => {
            let mut report = InputReport::new(path, InputKind::Extension);
            report.error = Some(error.clone());
            report
        }
        Input::Skipped(path, why) => {
            let mut report = InputReport::new(path, InputKind::Extension);
            report.notes.push(why.clone());
            report
        }
    })
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
