//! The `#if`s of a source that decide on the headers' version
//! (`PY_VERSION_HEX`) or on a name the headers define, rather than on the
//! target: a use they keep, or a fallback they leave out, is reported with
//! them, and does not raise the version the code needs.

use std::collections::HashMap;

use crate::version::Version;
use crate::view::{ConstantUse, FileId, Unit};

use super::scan::Hasher;

/// An `#if` of the source that decides a use of a newer name without
/// testing the target ([`GuardKind`]), and the version that name needs:
/// under `Py_LIMITED_API` the `#if` is what to change (to test
/// `Py_LIMITED_API`), not the target.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Guard {
    pub version: Version,
    /// The directive that compares the version, and its file.
    pub file: FileId,
    pub directive: u32,
    pub kind: GuardKind,
}

/// What a [`Guard`]'s `#if` does to a use.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum GuardKind {
    /// Keeps it: `#if PY_VERSION_HEX >= 0x030D0000`.
    Version,
    /// Leaves out the source's own definition of the name for older
    /// Pythons: `#if PY_VERSION_HEX < 0x030D0000`.
    Fallback,
    /// Keeps it: `#ifdef Py_mod_gil`, a name the headers define at the
    /// target although what the branch uses is newer.
    Feature,
}

/// The unit's branches taken because of the headers' version, each with
/// the version it asks for: the newest `PY_VERSION_HEX >= c` (or `> c`,
/// `< c` for an `#else`...) its group's conditions compare with, among
/// those the headers (`headers`) reach. A constant after the headers'
/// version is left out: the branch taken is the one for older headers. A
/// branch of `#ifdef Py_...` asks for every version up to the headers'.
pub(super) fn guards(unit: &Unit, headers: Version) -> Vec<(FileId, (u32, u32), Guard)> {
    unit.version_guards
        .iter()
        .filter_map(|branch| {
            let range = branch.range?;
            if branch.feature {
                let guard = Guard {
                    version: headers,
                    file: branch.file,
                    directive: branch.directive,
                    kind: GuardKind::Feature,
                };
                return Some((branch.file, range, guard));
            }
            let version = branch
                .constants
                .iter()
                .filter_map(|constant| {
                    let at = match constant.usage {
                        ConstantUse::From => constant.value,
                        ConstantUse::After => constant.value.saturating_add(1),
                        _ => return None,
                    };
                    let version = Version::of_limited_api_value(u32::try_from(at).ok()?)?;
                    (version <= headers).then_some(version)
                })
                .max()?;
            let guard = Guard {
                version,
                file: branch.file,
                directive: branch.directive,
                kind: GuardKind::Version,
            };
            Some((branch.file, range, guard))
        })
        .collect()
}

/// The macros and functions the unit defines in a branch that its `#if` on
/// the headers' version leaves out (fallbacks for older headers), each
/// with the file and directive of that `#if`.
pub(super) fn fallbacks<'s>(unit: &Unit<'s>) -> HashMap<&'s str, (FileId, u32), Hasher> {
    let mut fallbacks = HashMap::default();
    for file in &unit.files {
        let groups: Vec<_> = unit
            .version_guards
            .iter()
            .filter(|group| group.file == file.id)
            .collect();
        if groups.is_empty() {
            continue;
        }
        for &(name, offset) in &file.skipped_places {
            let group = groups.iter().find(|group| {
                group
                    .skipped
                    .iter()
                    .any(|&(start, end)| start <= offset && offset < end)
            });
            if let Some(group) = group {
                fallbacks.entry(name).or_insert((file.id, group.directive));
            }
        }
    }
    fallbacks
}
