//! What a maintainer decides on, per Stable ABI: how many distinct blockers
//! and uses, how many have a direct replacement, and the lowest version the
//! code needs once the replacements are made.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::abi::Abi;
use crate::version::Version;

use super::api::Api;
use super::replacements::Replacements;
use super::scan::Kind;
use super::Judged;

/// One blocker (a finding name under one code), over every source.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Blocker {
    pub name: String,
    pub check: &'static str,
    pub uses: usize,
    /// What to use instead, and where that advice comes from.
    pub replacement: Option<String>,
    pub source: Option<String>,
    /// The version of the ABI the replacement (or, for a name newer than
    /// the target, the name itself) needs.
    pub version: Option<Version>,
    /// The name of the replacement that sets [`Blocker::version`].
    #[serde(skip)]
    pub because: Option<String>,
}

/// The summary of one ABI.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AbiSummary {
    pub abi: Abi,
    pub sources: usize,
    /// Distinct blockers (by code and name), and their uses.
    pub blockers: usize,
    pub uses: usize,
    /// Blockers with a direct replacement (a name newer than the target
    /// counts: raising the target is its replacement), and their uses.
    pub with_replacement: usize,
    pub uses_with_replacement: usize,
    /// The names of the blockers without one.
    pub without_replacement: Vec<String>,
    /// The lowest version of the ABI the code needs once every replacement
    /// is made: the newest of the versions the names it keeps need, the
    /// replacements need, and the ABI's first.
    pub minimum_version: Version,
    /// What sets [`AbiSummary::minimum_version`] (none: the ABI's first).
    pub minimum_because: Option<String>,
    /// Per blocker, most used first.
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
            let entry = names
                .entry((finding.check, blocker.name.clone()))
                .or_insert_with(|| {
                    let replacement = replacements.get(&blocker.name);
                    let needs = replacement.map(|r| r.needs(api, abi));
                    let (version, because) = match blocker.kind {
                        Kind::Newer(since) | Kind::Early(since) => (Some(since), None),
                        _ => (needs.map(|n| n.0), needs.and_then(|n| n.1)),
                    };
                    Blocker {
                        name: blocker.name.clone(),
                        check: finding.check,
                        uses: 0,
                        replacement: replacement.map(|r| r.text.clone()),
                        source: replacement.map(|r| r.source.clone()),
                        version,
                        because: because.map(str::to_string),
                    }
                });
            entry.uses += 1;
        }
    }
    let mut names: Vec<Blocker> = names.into_values().collect();
    names.sort_by(|a, b| b.uses.cmp(&a.uses).then(a.name.cmp(&b.name)));
    let mut without_replacement = Vec::new();
    let (mut with_replacement, mut uses_with_replacement) = (0, 0);
    for blocker in &names {
        match blocker.version {
            Some(version) => {
                with_replacement += 1;
                uses_with_replacement += blocker.uses;
                let because = match &blocker.because {
                    Some(name) => format!("{name} (replacing {})", blocker.name),
                    None => blocker.name.clone(),
                };
                raise(version, &because);
            }
            None => without_replacement.push(blocker.name.clone()),
        }
    }
    without_replacement.sort();
    without_replacement.dedup();
    AbiSummary {
        abi,
        sources: judged.len(),
        blockers: names.len(),
        uses: names.iter().map(|b| b.uses).sum(),
        with_replacement,
        uses_with_replacement,
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
