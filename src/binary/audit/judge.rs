//! The audit of one binary read from an input: every rule of its claims
//! for an extension module; its symbols and links for another library.
//!
//! A `Py*`/`_Py*` name it imports is judged against the Stable ABI unless
//! a binary it links exports it ([`super::links`]): then that binary
//! defines it and the name is that binary's, not CPython's.

use crate::abi::Abi;
use crate::binary::audit::{BinaryKind, ExtensionReport, FromLibrary, Member};
use crate::binary::claims::{self, Place};
use crate::binary::classify::{classify, is_python_symbol, Verdict};
use crate::binary::names::{is_module_file_name, version_specific_libpython};
use crate::binary::not_on_platform;
use crate::binary::platform::{self, FeatureOverrides};
use crate::binary::problems;
use crate::binary::table::AbiTable;
use crate::binary::unusable;
use crate::diagnostic::Finding;
use crate::version::Version;

/// What a binary is judged against: its input's claims and target, and
/// where it sits.
pub struct Claim<'a> {
    pub table: &'a AbiTable,
    pub target: Version,
    /// The Stable ABIs claimed (each judged on its own).
    pub abis: &'a [Abi],
    pub features: &'a FeatureOverrides,
    /// The wheel's platform tags (none outside a wheel).
    pub wheel_platforms: &'a [String],
    /// The other files of its wheel or directory.
    pub others: &'a [String],
}

/// What the audit read of the binaries a binary links.
#[derive(Default)]
pub struct Linked<'a> {
    /// The binaries it links that the audit read (see [`super::links`]),
    /// each with the name it is shown by.
    pub read: Vec<(String, &'a Member)>,
    /// The libraries it links that the audit did not read, other than the
    /// system's and Python's.
    pub unread: Vec<String>,
}

/// The audit of `member` (see the module documentation). Never panics; a
/// binary that could not be read gives a report with `error` set.
pub fn judge(member: &Member, claim: &Claim, linked: &Linked) -> ExtensionReport {
    let name = member.name.as_str();
    let mut report = ExtensionReport {
        name: name.to_string(),
        abis: claim.abis.to_vec(),
        ..ExtensionReport::default()
    };
    let (binary, detected) = match &member.read {
        Ok(read) => read,
        Err(err) => {
            if !is_module_file_name(name) {
                report.kind = BinaryKind::Library;
                report.abis.clear();
            }
            report.error = Some(err.clone());
            return report.in_file(&member.path, member.archive.as_ref());
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
    let target = claim.target;
    // The symbols are judged at the oldest target of the claims.
    let oldest = claim
        .abis
        .iter()
        .map(|&abi| claims::target_for(abi, target))
        .min()
        .unwrap_or(target);
    let table = claim.table;
    let detected = platform::from_wheel_tag(detected.clone(), claim.wheel_platforms);
    let assumed = platform::assume(table.manifest(), &detected, claim.features);
    // The claims' problems (file name, module definition, Windows DLL) and
    // the warnings first, as they are about the extension as a whole.
    let mut claimed: Vec<Finding> = Vec::new();
    if is_module {
        let place = Place {
            windows: Place::is_windows(claim.wheel_platforms, binary.format),
            others: claim.others,
        };
        report
            .notes
            .extend(claims::one_version_note(name, claim.abis, target, &place));
        claimed.extend(
            claim
                .abis
                .iter()
                .flat_map(|&abi| claims::extension_problems(name, binary, abi, target, &place))
                .map(|problem| problems::claim(problem, name)),
        );
        if claim.abis.contains(&Abi::Abi3t) {
            // What `abi3t-needs-modexport` reported is not repeated.
            let reported = claims::module_def_behind_pyinit(binary);
            claimed.extend(
                unusable::findings(binary, &table.abi3t_unusable)
                    .into_iter()
                    .filter(|finding| !reported.contains(&finding.name.as_str())),
            );
        }
    }
    claimed.extend(not_on_platform::findings(binary, table, &assumed));
    report.assumed = Some(assumed);
    let own = claims::own_python_exports(binary);
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
        if verdict == Verdict::Fine {
            continue;
        }
        // A binary it links defines it: that binary's name, whatever
        // CPython has.
        if let Some((library, _)) = linked
            .read
            .iter()
            .find(|(_, provider)| provider.exports(symbol))
        {
            report.from_libraries.push(FromLibrary {
                symbol: symbol.clone(),
                library: library.clone(),
            });
            continue;
        }
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
    if !not_stable.is_empty() && !linked.unread.is_empty() {
        report.notes.push(format!(
            "it links {}, which this audit did not read: a name it imports that such a \
             library exports is that library's, not CPython's (audit the wheels or files that \
             hold them together with this one)",
            linked.unread.join(", ")
        ));
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
        .map(|finding| problems::in_slices(finding, binary))
        .collect();
    report.in_file(&member.path, member.archive.as_ref())
}
