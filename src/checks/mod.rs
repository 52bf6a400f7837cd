//! Header checks: the headers against the manifest, at every version.
//!
//! Every check is one unit in its own file, with its [`Code`] (the
//! `[check]` suffix of its findings, the first word of a baseline line,
//! and its documentation for `stable-abi explain`). [`CHECKS`] lists them;
//! adding a check is one row there.
//!
//! The checks read a [`Context`]: the manifest, and the limited view of the
//! headers at every `Py_LIMITED_API` version from 3.2 to the tree's own,
//! and, from 3.15, the view of the free-threaded Stable ABI (abi3t,
//! `Py_TARGET_ABI3T`) at every version. The checks that depend on the ABI
//! (`struct`, `abi3t-hidden`) read both; each finding says which ABI it is
//! about (`"abi"` in JSON). It
//! is built once ([`Context::build`]); the headers are parsed once and each
//! version is an evaluation of that one parse.
//!
//! # JSON output (`--format json`)
//!
//! ```json
//! {
//!   "findings": [
//!     {
//!       "check": "too-early",            // stable name of the check
//!       "severity": "error",             // "error" or "warning"
//!       "name": "PyEval_GetFrameBuiltins",
//!       "versions": ["3.2", "3.3"],      // Py_LIMITED_API versions affected;
//!                                        // [] when it depends on none
//!       "message": "PyEval_GetFrameBuiltins is declared for …",
//!       "notes": [{"location": {"path": "…", "line": 1, "column": 1} | null,
//!                  "message": "…"}],
//!       "platforms": ["windows"],        // only with --platform all, when not
//!                                        // every platform shows the finding
//!       "path": "Include/ceval.h",       // null when the finding has no place
//!       "line": 25,
//!       "column": 24
//!     }
//!   ],
//!   "summary": {"errors": 1, "warnings": 0, "by_check": {"too-early": 1}}
//! }
//! ```
//!
//! Findings come sorted by check (in [`CHECKS`] order), then by name; there
//! is one finding per check and name, its versions grouped (with several
//! platforms, one per group of platforms that show it alike:
//! [`merge_platforms`]). Accepted
//! findings (the `--baseline`) are left out; stale baseline entries follow
//! as `stale-baseline` warnings located in the baseline file. Paths are as
//! the manifest path given makes them (relative when it is relative).

mod abi3t_hidden;
mod baseline;
mod guard_constant;
mod ifdef;
mod missing;
mod platforms;
mod structs;
mod too_early;
mod unlisted;
mod versions;

use std::collections::{BTreeMap, BTreeSet};

use crate::abi::Abi;
use crate::code::Code;
use crate::diagnostic::{Finding, Location};
use crate::error::Result;
use crate::manifest::{Item, Kind, Manifest, Selection};
use crate::version::Version;
use crate::view::{
    sample_views, Defines, GuardConstant, Headers, Listing, RangeViews, Sample, View,
};

pub use baseline::{apply_baseline, Baseline, STALE_BASELINE, STALE_BASELINE_CODE};
pub use platforms::{each_platform, merge as merge_platforms, run_on_platforms};
pub use unlisted::at_version as unlisted_at;
pub use versions::{format_versions, parse_versions};

/// The stable name of the `missing` check.
pub const MISSING: &str = missing::NAME;

/// One header check: its code (name, summary, documentation) and the
/// function that runs it.
pub struct Check {
    pub code: &'static Code,
    pub run: fn(&Context) -> Vec<Finding>,
}

/// Every header check, in the order findings are reported.
pub const CHECKS: &[Check] = &[
    Check {
        code: &missing::CODE,
        run: missing::check,
    },
    Check {
        code: &unlisted::CODE,
        run: unlisted::check,
    },
    Check {
        code: &too_early::CODE,
        run: too_early::check,
    },
    Check {
        code: &ifdef::CODE,
        run: ifdef::check,
    },
    Check {
        code: &structs::CODE,
        run: structs::check,
    },
    Check {
        code: &abi3t_hidden::CODE,
        run: abi3t_hidden::check,
    },
    Check {
        code: &guard_constant::CODE,
        run: guard_constant::check,
    },
];

/// "Macros" that are static inline functions (documented as macros by the
/// manifest). A preprocessor does not list them as macros, so they count as
/// defined — as `Tools/build/stable_abi.py` counts them.
pub const STATIC_INLINE_FUNCTIONS: [&str; 5] = [
    "Py_INCREF",
    "Py_SET_REFCNT",
    "Py_SET_TYPE",
    "Py_XDECREF",
    "Py_XINCREF",
];

/// What the checks read: the manifest and the views.
pub struct Context<'a> {
    pub manifest: &'a Manifest,
    /// The view at every version, oldest first (3.2 … the tree's version),
    /// at the version's first value (`0x03NN0000`, `3` for 3.2).
    pub views: Vec<(Version, View)>,
    /// For each of `views`, the other values of the version's range that
    /// give another view ([`Headers::range_views`]).
    pub ranges: Vec<Ranges>,
    /// The free-threaded Stable ABI's view (abi3t, PEP 803) at every
    /// version from 3.15 to the tree's, oldest first; empty before 3.15.
    pub abi3t_views: Vec<(Version, View)>,
    /// The manifest's feature macros that the view at the current version
    /// defines: items whose `ifdef` is another are not expected.
    pub feature_macros: BTreeSet<String>,
    /// For each feature macro, the view at the current version with that
    /// macro toggled (`-D` when it is undefined, `-U` when defined); or why
    /// the headers could not be evaluated that way.
    pub toggled: BTreeMap<String, Result<View, Untoggled>>,
}

/// Why the headers could not be evaluated with a feature macro toggled.
#[derive(Clone, Debug)]
pub struct Untoggled {
    pub reason: String,
    /// Where the headers undo the toggle (their own `#define` of the
    /// macro), when that is why.
    pub location: Option<Location>,
}

impl<'a> Context<'a> {
    /// Parses the headers of the manifest's tree with `defines` (`-D`/`-U`)
    /// and evaluates them at every version ([`Context::build`]): `Python.h`
    /// alone, as the drop-in's `--unixy-check` and `stable_abi.py` see them
    /// (`stable-abi headers` adds the public headers outside its graph that
    /// provide an item, [`Headers::load_with_outside`]).
    ///
    /// Errors: the tree's version cannot be read, or a header is bad at
    /// some version (located, with its include stack).
    pub fn for_tree(manifest: &'a Manifest, defines: &Defines) -> Result<Context<'a>> {
        let headers = Headers::load(&manifest.root(), defines)?;
        Context::build(manifest, &headers)
    }

    /// Evaluates the parsed headers at every version from 3.2 to the tree's
    /// own, and once per feature macro toggled at the tree's version. (A
    /// feature macro given with `-D` when the headers were loaded is in the
    /// views' macros, so it counts as defined, as for a compiler.)
    pub fn build(manifest: &'a Manifest, headers: &Headers) -> Result<Context<'a>> {
        let versions = Version::FIRST.up_to(headers.python_version());
        let none = Defines::default();
        // Of the macros, typedefs and structs, the checks look up the
        // manifest's (functions and data are listed in full, for
        // `unlisted`), except `abi3t-hidden`, which compares every macro and
        // struct of abi3 with abi3t.
        let manifest_names = headers.listing_of(manifest.items.iter().map(|i| i.name.as_str()));
        let listing = |version: Version| {
            if version >= Abi::Abi3t.first_version() {
                &Listing::All
            } else {
                &manifest_names
            }
        };
        // Each version's views are independent evaluations of the one parse,
        // a fraction of a millisecond each: they run on this thread (see
        // `crate::parallel` for why).
        let ranges = versions
            .iter()
            .map(|&version| headers.range_views(version, &none, listing(version)))
            .collect::<Result<Vec<_>>>()?;
        let (views, ranges): (Vec<_>, Vec<_>) = ranges
            .into_iter()
            .map(|range| {
                let samples = Ranges {
                    extra: range.extra,
                    samples: range.samples,
                };
                ((range.version, range.base), samples)
            })
            .unzip();
        let abi3t_versions = Abi::Abi3t.versions(headers.python_version());
        let abi3t_views = abi3t_versions
            .iter()
            .map(|&version| Ok((version, headers.view_abi(Abi::Abi3t, version, &none)?)))
            .collect::<Result<Vec<_>>>()?;
        let mut context = Context::new(manifest, views);
        context.ranges = ranges;
        context.abi3t_views = abi3t_views;
        let current = context.current_version();
        let features: Vec<(String, bool)> = manifest
            .feature_macros()
            .into_iter()
            .map(|item| {
                let defined = context.feature_macros.contains(&item.name);
                (item.name.clone(), defined)
            })
            .collect();
        context.toggled = features
            .iter()
            .map(|(name, defined)| {
                let toggle = if *defined {
                    Defines::undefine(name)
                } else {
                    Defines::define(name, "1")
                };
                let view = headers
                    .view_listing(Some(current), &toggle, listing(current))
                    .map_err(|err| Untoggled {
                        reason: format!("{err:#}"),
                        location: None,
                    })
                    .and_then(|view| toggle_took_effect(view, name, *defined));
                (name.clone(), view)
            })
            .collect();
        Ok(context)
    }

    /// A context from views already computed (oldest first), without
    /// toggled views; the feature macros are those the newest view defines.
    pub fn new(manifest: &'a Manifest, views: Vec<(Version, View)>) -> Context<'a> {
        let feature_macros = match views.last() {
            Some((_, current)) => manifest
                .feature_macros()
                .into_iter()
                .filter(|item| current.macros.contains_key(item.name.as_str()))
                .map(|item| item.name.clone())
                .collect(),
            None => BTreeSet::new(),
        };
        let ranges = views
            .iter()
            .map(|(version, _)| Ranges {
                extra: Vec::new(),
                samples: RangeViews::single(*version, View::default()).samples,
            })
            .collect();
        Context {
            manifest,
            views,
            ranges,
            abi3t_views: Vec::new(),
            feature_macros,
            toggled: BTreeMap::new(),
        }
    }

    /// The views over the range of the `index`th version, interval by
    /// interval.
    pub fn samples(&self, index: usize) -> impl Iterator<Item = (&Sample, &View)> {
        let (_, base) = &self.views[index];
        let ranges = &self.ranges[index];
        sample_views(base, &ranges.extra, &ranges.samples)
    }

    /// Every constant `Py_LIMITED_API` is compared with, in any view: a
    /// guard seen by several views comes once for each.
    pub fn guard_constants(&self) -> impl Iterator<Item = &GuardConstant> {
        let extra = self.ranges.iter().flat_map(|r| r.extra.iter());
        self.views
            .iter()
            .map(|(_, view)| view)
            .chain(extra)
            .flat_map(|view| view.guard_constants.iter())
    }

    /// For each version `wanted`, the values of its range whose view
    /// `holds`: the versions where it holds for some value, each with the
    /// values when they are not the whole range, and the first view
    /// where it holds.
    pub fn holds_for(
        &self,
        wanted: impl Fn(Version) -> bool,
        holds: impl Fn(&View) -> bool,
    ) -> ValueScan<'_> {
        let mut scan = ValueScan::default();
        for (index, (version, _)) in self.views.iter().enumerate() {
            if !wanted(*version) {
                continue;
            }
            let mut values = Vec::new();
            let mut whole = true;
            for (sample, view) in self.samples(index) {
                if holds(view) {
                    values.push((sample.first, sample.last));
                    scan.first_view.get_or_insert((*version, view));
                } else {
                    whole = false;
                }
            }
            if values.is_empty() {
                continue;
            }
            scan.versions.push(*version);
            if !whole {
                scan.partial.push((*version, values));
            }
        }
        scan
    }

    /// The views of one Stable ABI, oldest first.
    pub fn views_of(&self, abi: Abi) -> &[(Version, View)] {
        match abi {
            Abi::Abi3 => &self.views,
            Abi::Abi3t => &self.abi3t_views,
        }
    }

    /// The tree's own version (the newest view).
    pub fn current_version(&self) -> Version {
        self.views.last().map_or(Version::FIRST, |(v, _)| *v)
    }

    /// The view at the tree's own version.
    pub fn current_view(&self) -> Option<&View> {
        self.views.last().map(|(_, view)| view)
    }

    /// Items of the Limited API (not `abi_only`) of the given kinds whose
    /// `ifdef`, if any, is defined in this configuration: what the headers
    /// must show.
    pub fn expected(&self, kinds: &[Kind]) -> Vec<&'a Item> {
        self.manifest.select(
            Selection::of(kinds)
                .limited_api()
                .where_defined(&self.feature_macros),
        )
    }
}

/// What [`Context::holds_for`] found.
#[derive(Debug, Default)]
pub struct ValueScan<'c> {
    pub versions: Vec<Version>,
    /// The versions where it holds for only some values, with those.
    pub partial: Vec<(Version, Vec<(u32, u32)>)>,
    pub first_view: Option<(Version, &'c View)>,
}

/// The views of a version's range beside its base view.
#[derive(Debug, Default)]
pub struct Ranges {
    pub extra: Vec<View>,
    pub samples: Vec<Sample>,
}

/// The toggled view, unless the headers themselves undo a `-U` (a header
/// that `#define`s the feature macro, like `PY_HAVE_THREAD_NATIVE_ID` in
/// `pythread.h`): comparing with such a view would report bogus findings.
fn toggle_took_effect(view: View, name: &str, was_defined: bool) -> Result<View, Untoggled> {
    match view.macros.get(name) {
        Some(decl) if was_defined => Err(Untoggled {
            reason: format!("-U {name} has no effect: the headers define it themselves here"),
            location: Some(decl.location.clone()),
        }),
        _ => Ok(view),
    }
}

/// How a manifest item shows in a view, when it does.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Seen<'v> {
    /// Declared or defined here.
    At(&'v Location),
    /// Counts as present without a place: a static inline function the
    /// manifest lists as a macro ([`STATIC_INLINE_FUNCTIONS`]).
    Implicitly,
}

impl<'v> Seen<'v> {
    /// Where, when there is a place.
    pub fn location(self) -> Option<&'v Location> {
        match self {
            Seen::At(location) => Some(location),
            Seen::Implicitly => None,
        }
    }
}

/// Whether and where `name`, of `kind`, is declared or defined in `view`.
pub fn seen<'v>(view: &'v View, kind: Kind, name: &str) -> Option<Seen<'v>> {
    let found = match kind {
        Kind::Function | Kind::Data => view.symbol(name),
        Kind::Macro | Kind::Const => {
            if let Some(decl) = view.macros.get(name) {
                Some(decl)
            } else if kind == Kind::Macro && STATIC_INLINE_FUNCTIONS.contains(&name) {
                return Some(Seen::Implicitly);
            } else {
                None
            }
        }
        Kind::Typedef | Kind::Struct => {
            if let Some(decl) = view.typedefs.get(name) {
                Some(decl)
            } else {
                return view.structs.get(name).map(|s| Seen::At(&s.location));
            }
        }
        Kind::FeatureMacro => view.macros.get(name),
    };
    found.map(|decl| Seen::At(&decl.location))
}

/// Where a function or data is declared in `view`.
pub fn declared<'v>(view: &'v View, name: &str) -> Option<&'v Location> {
    view.symbol(name).map(|decl| &decl.location)
}

/// What "seen" means for a kind, for messages.
pub fn seen_verb(kind: Kind) -> &'static str {
    match kind {
        Kind::Function | Kind::Data => "declared",
        _ => "defined",
    }
}

/// Runs every check; findings in [`CHECKS`] order, then by name.
pub fn run_checks(context: &Context) -> Vec<Finding> {
    // About a millisecond for all of them: on this thread (see
    // `crate::parallel`).
    CHECKS
        .iter()
        .flat_map(|check| {
            let mut found = (check.run)(context);
            for finding in &mut found {
                finding.abi.get_or_insert(Abi::Abi3);
            }
            found.sort_by(|a, b| (&a.name, a.abi).cmp(&(&b.name, b.abi)));
            found
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod fixture;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_names_are_unique() {
        let names: BTreeSet<&str> = CHECKS.iter().map(|c| c.code.name).collect();
        assert_eq!(names.len(), CHECKS.len());
        assert!(!names.contains(STALE_BASELINE));
    }
}
