//! What a maintainer decides on, per Stable ABI: how many distinct blockers
//! and uses, how many have a direct replacement, and the lowest version the
//! code needs once the replacements are made.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::abi::Abi;
use crate::version::Version;

use crate::diagnostic::Severity;

use super::api::Api;
use super::fix::Fix;
use super::replacements::Replacements;
use super::Judged;

/// One blocker (a finding name under one code), over every source.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Blocker {
    pub name: String,
    pub check: &'static str,
    /// `error`, or `warning` (the use compiles; see the code's doc).
    pub severity: Severity,
    pub uses: usize,
    /// What to use instead, and where that advice comes from.
    pub replacement: Option<String>,
    pub source: Option<String>,
    /// The version of the ABI the code needs for this blocker once it is
    /// fixed: of the replacement, or for a name newer than the target
    /// (kept, the target raised), of the name; none for a fix that needs
    /// no version (an `#include`, an `#if` to test `Py_LIMITED_API`).
    pub version: Option<Version>,
    /// Whether there is a fix ([`Fix::exists`]).
    #[serde(skip)]
    pub fixed: bool,
    /// The name of the replacement that sets [`Blocker::version`].
    #[serde(skip)]
    pub because: Option<String>,
}

/// The summary of one ABI.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AbiSummary {
    pub abi: Abi,
    pub sources: usize,
    /// Distinct blockers (by code and name) among the errors, and their
    /// uses: what keeps the sources from building for the ABI.
    pub blockers: usize,
    pub uses: usize,
    /// Blockers with a direct replacement (a name newer than the target
    /// counts: raising the target is its replacement), and their uses.
    pub with_replacement: usize,
    pub uses_with_replacement: usize,
    /// Distinct warnings (they build, and may not load before a version),
    /// and their uses.
    pub warnings: usize,
    pub warning_uses: usize,
    /// The names of the blockers without a replacement.
    pub without_replacement: Vec<String>,
    /// The lowest version of the ABI the code needs once every replacement
    /// is made: the newest of the versions the names it keeps need (a use
    /// under an `#if` on the headers' version that asks for it left out),
    /// the replacements need, and the ABI's first.
    pub minimum_version: Version,
    /// What sets [`AbiSummary::minimum_version`] (none: the ABI's first).
    pub minimum_because: Option<String>,
    /// Per blocker and warning, most used first.
    pub names: Vec<Blocker>,
}

/// Summarizes `judged` (the sources judged for one ABI).
pub fn summarize(
    abi: Abi,
    judged: &[Judged],
    api: &Api,
    replacements: &Replacements,
) -> AbiSummary {
    let mut names: BTreeMap<(&'static str, String), Blocker> = BTreeMap::new();
    let mut minimum = (abi.first_version(), None);
    let mut raise = |version: Version, because: &str| {
        if version > minimum.0 {
            minimum = (version, Some(because.to_string()));
        }
    };
    for source in judged {
        for (name, &since) in &source.found.needs {
            raise(since, name);
        }
        for (blocker, finding) in source.found.blockers.iter().zip(&source.findings) {
            let fix = Fix::of(blocker, replacements, api, abi);
            let (version, because) = fix.version(api, abi).unzip();
            let entry = names
                .entry((finding.check, blocker.name.clone()))
                .or_insert_with(|| Blocker {
                    name: blocker.name.clone(),
                    check: finding.check,
                    severity: finding.severity,
                    uses: 0,
                    replacement: None,
                    source: None,
                    version: None,
                    fixed: true,
                    because: None,
                });
            entry.uses += 1;
            entry.fixed &= fix.exists();
            if entry.replacement.is_none() {
                entry.replacement = fix.text();
                entry.source = fix.source().map(str::to_string);
            }
            // Uses fixed in several ways need the newest of their versions.
            if version > entry.version {
                entry.version = version;
                entry.because = because.flatten();
            }
        }
    }
    let mut names: Vec<Blocker> = names.into_values().collect();
    names.sort_by(|a, b| b.uses.cmp(&a.uses).then(a.name.cmp(&b.name)));
    let mut without_replacement = Vec::new();
    let (mut blockers, mut uses, mut with_replacement, mut uses_with_replacement) = (0, 0, 0, 0);
    let (mut warnings, mut warning_uses) = (0, 0);
    for blocker in &names {
        if let Some(version) = blocker.version {
            let because = match &blocker.because {
                Some(name) => format!("{name} (replacing {})", blocker.name),
                None => blocker.name.clone(),
            };
            raise(version, &because);
        }
        if blocker.severity != Severity::Error {
            warnings += 1;
            warning_uses += blocker.uses;
            continue;
        }
        blockers += 1;
        uses += blocker.uses;
        if blocker.fixed {
            with_replacement += 1;
            uses_with_replacement += blocker.uses;
        } else {
            without_replacement.push(blocker.name.clone());
        }
    }
    without_replacement.sort();
    without_replacement.dedup();
    AbiSummary {
        abi,
        sources: judged.len(),
        blockers,
        uses,
        with_replacement,
        uses_with_replacement,
        warnings,
        warning_uses,
        without_replacement,
        minimum_version: minimum.0,
        minimum_because: minimum.1,
        names,
    }
}

impl AbiSummary {
    /// The summary as text: a line of counts, the version once replaced,
    /// and the blockers without replacement.
    pub fn text(&self) -> String {
        let mut text = format!(
            "{}: {} blocker(s) in {} use(s) over {} source(s); {} with a direct replacement ({} use(s))",
            self.abi,
            self.blockers,
            self.uses,
            self.sources,
            self.with_replacement,
            self.uses_with_replacement,
        );
        if self.warnings > 0 {
            text.push_str(&format!(
                "; {} warning(s) in {} use(s)",
                self.warnings, self.warning_uses
            ));
        }
        let value = match self.abi {
            Abi::Abi3 => "Py_LIMITED_API",
            Abi::Abi3t => "Py_TARGET_ABI3T",
        };
        text.push_str(&format!(
            "\n  once replaced: {value} {:#010x} ({})",
            self.minimum_version.hex(),
            self.minimum_version
        ));
        if let Some(because) = &self.minimum_because {
            text.push_str(&format!(", for {because}"));
        }
        if !self.without_replacement.is_empty() {
            text.push_str(&format!(
                "\n  no direct replacement ({}): {}",
                self.without_replacement.len(),
                self.without_replacement.join(", ")
            ));
        }
        text
    }
}
