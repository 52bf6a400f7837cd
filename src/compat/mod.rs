//! Compatibility between two releases: what NEW breaks of what OLD
//! promised in the Stable ABI.
//!
//! The manifest level compares `Misc/stable_abi.toml` of OLD and NEW item by
//! item (by name; names are unique across kinds). Every rule has a stable
//! name, `compat-…`, listed in [`RULES`] with its severity: an `error`
//! breaks the Stable ABI (exit status 1), a `warning` is suspicious, a
//! `note` is allowed and reported. The rules' documentation (what, why, an
//! example) is on their constants in [`items`], [`features`] and
//! [`structs`].
//!
//! A break made on purpose (a wrong `added` corrected upstream) is
//! accepted in a file in the format of the header checks' baseline
//! ([`crate::checks::Baseline`]): `compat-added-changed METH_FASTCALL -`.
//!
//! Findings about an item NEW has are located at its entry in NEW; those
//! about a removed item at its entry in OLD. Findings come in [`RULES`]
//! order, then by name.

pub mod c_text;
mod canonical;
mod decl_text;
pub mod features;
pub mod headers;
pub mod items;
pub mod layout;
mod source;
pub mod structs;

use crate::diagnostic::{Finding, Location, Severity};
use crate::manifest::Item;

pub use source::{HeaderRoot, Origin, Side};

/// One compat rule: its stable name, its severity, and one line of summary.
pub struct Rule {
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

const fn rule(name: &'static str, severity: Severity, summary: &'static str) -> Rule {
    Rule {
        name,
        severity,
        summary,
    }
}

/// Every code of `compat` but the layout's, in reporting order (manifest
/// rules, then header rules), for the registry of codes ([`crate::codes`]).
pub const CODES: &[&crate::code::Code] = &[
    &items::REMOVED_CODE,
    &items::ABI_ONLY_REMOVED_CODE,
    &features::FEATURE_MACRO_REMOVED_CODE,
    &items::KIND_CHANGED_CODE,
    &items::ADDED_CHANGED_CODE,
    &items::IFDEF_ADDED_CODE,
    &structs::STRUCT_ABI_KIND_CHANGED_CODE,
    &structs::MEMBER_REMOVED_CODE,
    &structs::MEMBER_REORDERED_CODE,
    &features::WINDOWS_CHANGED_CODE,
    &items::NEW_NOT_CURRENT_CODE,
    &items::LIMITED_TO_ABI_ONLY_CODE,
    &items::NEW_CODE,
    &headers::PROTOTYPE_CHANGED_CODE,
    &headers::CONST_CHANGED_CODE,
    &headers::CONST_UNEVALUATED_CODE,
    &headers::TYPEDEF_CHANGED_CODE,
    &headers::STRUCT_CHANGED_CODE,
    &headers::MEMBER_MOVED_CODE,
    &headers::MEMBERS_INSERTED_CODE,
];

/// Every manifest-level rule, in the order findings are reported.
pub const RULES: &[Rule] = &[
    rule(
        items::REMOVED,
        Severity::Error,
        "a Limited API item was removed",
    ),
    rule(
        items::ABI_ONLY_REMOVED,
        Severity::Error,
        "an abi_only item was removed",
    ),
    rule(
        features::FEATURE_MACRO_REMOVED,
        Severity::Error,
        "a feature macro was removed",
    ),
    rule(items::KIND_CHANGED, Severity::Error, "an item changed kind"),
    rule(
        items::ADDED_CHANGED,
        Severity::Error,
        "an item's `added` changed",
    ),
    rule(
        items::IFDEF_ADDED,
        Severity::Error,
        "an existing item gained (or changed) its `ifdef`",
    ),
    rule(
        structs::STRUCT_ABI_KIND_CHANGED,
        Severity::Error,
        "struct_abi_kind moved towards more exposure or away from 'full-abi'",
    ),
    rule(
        structs::MEMBER_REMOVED,
        Severity::Error,
        "a listed member of a 'members' struct was removed",
    ),
    rule(
        structs::MEMBER_REORDERED,
        Severity::Error,
        "the listed members of a 'members' struct moved",
    ),
    rule(
        features::WINDOWS_CHANGED,
        Severity::Error,
        "a feature macro's `windows` changed",
    ),
    rule(
        items::NEW_NOT_CURRENT,
        Severity::Warning,
        "a new item whose `added` is not after OLD's release, up to NEW's",
    ),
    rule(
        items::LIMITED_TO_ABI_ONLY,
        Severity::Note,
        "a Limited API item became abi_only (allowed)",
    ),
    rule(items::NEW, Severity::Note, "a new item (allowed)"),
];

/// OLD and NEW, side by side.
pub struct Pair<'a> {
    pub old: &'a Side,
    pub new: &'a Side,
}

impl Pair<'_> {
    /// Where `item` (of OLD) is in OLD's manifest.
    pub fn old_location(&self, item: &Item) -> Location {
        self.old.manifest.location(item)
    }

    /// Where `item` (of NEW) is in NEW's manifest.
    pub fn new_location(&self, item: &Item) -> Location {
        self.new.manifest.location(item)
    }

    /// NEW, for messages: its manifest's path (or `REV:Misc/stable_abi.toml`).
    pub fn new_label(&self) -> String {
        self.new.manifest.path.display().to_string()
    }
}

/// Compares the manifests of `old` and `new` with every rule of [`RULES`].
/// Never fails: both manifests are valid by construction.
pub fn compare_manifests(old: &Side, new: &Side) -> Vec<Finding> {
    let pair = Pair { old, new };
    let mut findings = Vec::new();
    for before in &old.manifest.items {
        let Some(after) = new.manifest.get(&before.name) else {
            findings.push(items::removed(&pair, before));
            continue;
        };
        if let Some(finding) = items::kind_changed(&pair, before, after) {
            // Nothing else compares across kinds.
            findings.push(finding);
            continue;
        }
        let per_item = [
            items::added_changed,
            items::ifdef_added,
            items::limited_to_abi_only,
            structs::struct_abi_kind_changed,
            structs::member_removed,
            structs::member_reordered,
            features::windows_changed,
        ];
        findings.extend(
            per_item
                .iter()
                .filter_map(|rule| rule(&pair, before, after)),
        );
    }
    for after in &new.manifest.items {
        if old.manifest.get(&after.name).is_none() {
            findings.push(items::new_item(&pair, after));
        }
    }
    sort(&mut findings);
    findings
}

/// [`RULES`] order, then by name.
fn sort(findings: &mut [Finding]) {
    let rank = |check: &str| RULES.iter().position(|r| r.name == check);
    findings.sort_by(|a, b| {
        rank(a.check)
            .cmp(&rank(b.check))
            .then_with(|| a.name.cmp(&b.name))
    });
}

#[cfg(test)]
mod tests;
