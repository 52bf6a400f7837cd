//! Editions: what `stable_abi.py` does differently from one CPython release
//! to the next, one row per release range, so that the drop-in writes the
//! files a tree's own script writes (see [`crate::release`] for how the
//! release is found).
//!
//! Every difference below was read from CPython's own scripts (3.11.2's
//! `Tools/scripts/stable_abi.py`, 3.13.15's and 3.14.10's
//! `Tools/build/stable_abi.py`; 3.15.2's is byte-identical to 3.14.10's) and
//! is checked against them by `tests/editions_differential.rs`. The CPython
//! change behind each is named where it is used.
//!
//! CPython 3.12's script is not among them: its rows were established from
//! the public history instead (a 3.12.3-based tree's
//! `Tools/build/stable_abi.py`, and the CPython changes that reached the
//! 3.12 branch), and `tests/editions_3_12.rs` pins each difference from
//! 3.11's script.
//!
//! A release newer than the newest row (CPython main) uses the newest row;
//! see [`Edition::lookup`].

use crate::manifest::Kind;
use crate::release::Release;

/// How the ctypes test starts.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CtypesPreamble {
    /// 3.11: `from _testcapi import get_feature_macros`, nothing skipped.
    Plain,
    /// 3.12+: skipped without `_testcapi`, and on `Py_TRACE_REFS` builds,
    /// whose `PyObject` layout differs (CPython gh-88299).
    SkipsUnsupportedBuilds,
}

/// How the ctypes test groups the symbols that depend on a feature macro.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FeatureGroups {
    /// 3.11: one group per feature macro that has symbols, in the order of
    /// their first symbol (a dict filled with `setdefault`).
    ByFirstSymbol,
    /// 3.12+: one group per feature macro, in name order, empty ones too.
    EveryMacro,
}

/// One row of [`EDITIONS`].
#[derive(Debug)]
pub struct Edition {
    /// The releases of the row, as the README's table names them.
    pub name: &'static str,
    /// The first release of the row, and the last (`None`: every later
    /// release of the same minor version and, for the newest row, newer
    /// ones).
    pub first: Release,
    pub last: Option<Release>,
    /// The script named in the banners of the generated files.
    pub script: &'static str,
    /// Whether `python3dll.c` and the ctypes test begin with a blank line.
    pub leading_blank_line: bool,
    /// The first column of `stable_abi.dat`: `role` or `kind`.
    pub doc_column: &'static str,
    /// What that column says for each kind; `None`: not listed.
    pub doc_label: fn(Kind) -> Option<&'static str>,
    pub ctypes_preamble: CtypesPreamble,
    /// Symbols the ctypes test leaves out.
    pub ctypes_skipped: &'static [&'static str],
    pub feature_groups: FeatureGroups,
    /// Whether `macro` items may say `is_static_inline_function`, which
    /// `--unixy-check` then does not expect among the defined macros.
    pub static_inline_macros: bool,
    /// The kinds in the order the script registers them (`itemclasses`):
    /// its `parse_manifest` reads them in this order, stopping with a
    /// `KeyError` at the first one the manifest has no table of (see
    /// `dropin::require_kind_tables`), and `--dump` prints them in it.
    pub dump_order: &'static [Kind; 7],
    /// Whether `--list` prints resolved (absolute) paths.
    pub list_resolves_paths: bool,
    /// Whether the manifest argument may be left out (its default is the
    /// tree's `Misc/stable_abi.toml`).
    pub manifest_optional: bool,
    /// The usage errors when nothing is asked for: with `--generate`, and
    /// without.
    pub no_action_errors: (&'static str, &'static str),
}

/// 3.11: roles as reST names them; consts "all undocumented" (left out).
fn doc_label_3_11(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Function => Some("function"),
        Kind::Data => Some("var"),
        Kind::Struct | Kind::Typedef => Some("type"),
        Kind::Macro => Some("macro"),
        Kind::Const | Kind::FeatureMacro => None,
    }
}

/// 3.12.5+ and 3.13.0–3.13.9: the C domain's role names (CPython
/// gh-121970, the rewritten `c_annotations` extension: main PR gh-121985,
/// backported to 3.13 as gh-122027 and to 3.12 as gh-122025); consts still
/// left out.
fn doc_label_3_13_early(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Const => None,
        kind => doc_label_3_13(kind),
    }
}

/// 3.13 later: consts listed too, with the `macro` role (CPython gh-138189,
/// "Document constants like `Py_tp_repr`").
fn doc_label_3_13(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Function => Some("func"),
        Kind::Data => Some("data"),
        Kind::Struct | Kind::Typedef => Some("type"),
        Kind::Macro | Kind::Const => Some("macro"),
        Kind::FeatureMacro => None,
    }
}

/// 3.14+: a `kind` column with the manifest's kind names (CPython
/// gh-138189 on main, where 3.14's script comes from).
fn doc_label_3_14(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::FeatureMacro => None,
        kind => Some(kind.as_str()),
    }
}

/// The first 3.13 release whose `stable_abi.dat` lists `const` items.
///
/// CPython gh-138189 added them: main PR gh-138190, merged in November 2025
/// (reviewed 2025-11-04; its 3.14 backport, gh-141131, was opened on
/// 2025-11-06 as a cherry-pick of the merged commit); the 3.13 backport is
/// one of gh-141193, gh-141410, gh-141718, opened 2025-11-07 to 2025-11-18.
/// 3.13.9 was released on 2025-10-14 (`Misc/NEWS.d/3.13.9.rst`), before
/// the change existed, so 3.13.0–3.13.9 leave consts out; 3.13.10, released
/// on 2025-12-02 (`Misc/NEWS.d/3.13.10.rst`), is the first release after
/// the backport was opened. Its merge date is not established here (were
/// it merged after 2025-12-02, 3.13.10 would still leave consts out and
/// 3.13.11 would be first); `--release 3.13.M` chooses explicitly.
pub const CONSTS_DOCUMENTED_IN_3_13: Release = Release::new(3, 13, 10);

/// The first 3.12 release whose `stable_abi.dat` has the C domain's role
/// names (`func`, `data`).
///
/// CPython gh-122025, the 3.12 backport of gh-121985 (gh-121970), was
/// merged on 2024-07-19; 3.12.5, released on 2024-08-06, is the first 3.12
/// release after it (`Misc/NEWS.d/3.12.5.rst`: "release date: 2024-08-06").
/// A 3.12.3-based tree's script still has 3.11's roles (`function`, `var`).
pub const C_DOMAIN_ROLES_IN_3_12: Release = Release::new(3, 12, 5);

const SCRIPT_3_11: &str = "Tools/scripts/stable_abi.py";
/// 3.12 moved the build scripts to `Tools/build/` (a 3.12.3-based tree has
/// `Tools/build/stable_abi.py` with `SCRIPT_NAME` naming it; CPython
/// gh-105091, May 2023, runs it there on "a fresh build of 3.12").
const SCRIPT_3_12: &str = "Tools/build/stable_abi.py";

const NO_ACTION_3_11: (&str, &str) = (
    "No file specified. Use --help for usage.",
    "No check specified. Use --help for usage.",
);
const NO_ACTION_3_14: (&str, &str) = (
    "No file specified. Use --generate-all to regenerate all files, or --help for usage.",
    "No check specified. Use --all to check all files, or --help for usage.",
);

/// The 3.12 script where it differs from 3.11's (a 3.12.3-based tree's
/// `Tools/build/stable_abi.py`): the script's new place in banners, and
/// `python3dll.c` and the ctypes test without a first blank line (both
/// templates became `f"""\` strings with `SCRIPT_NAME`). Everything else
/// is 3.11's: roles, the plain `_testcapi` import and the two skipped
/// symbols (the `Py_TRACE_REFS` skip and the group per feature macro came
/// with CPython gh-92046, January 2024, main only; the skip of
/// `PyModule_Create2` went with it, gh-108634 having made Py_TRACE_REFS
/// builds export them, main only). The other differences between 3.11's and
/// 3.13's scripts show in no generated file: 3.12 has `--all` skip
/// `--unixy-check` off Linux and macOS (CPython gh-105091) and the "or or"
/// typo fixed, and keeps 3.11's `--unixy-check` messages; the drop-in's
/// checks and messages are its own on every release.
const fn edition_3_12(
    name: &'static str,
    first: Release,
    last: Release,
    doc_label: fn(Kind) -> Option<&'static str>,
) -> Edition {
    Edition {
        name,
        first,
        last: Some(last),
        script: SCRIPT_3_12,
        leading_blank_line: false,
        doc_column: "role",
        doc_label,
        ctypes_preamble: CtypesPreamble::Plain,
        ctypes_skipped: &["PyModule_Create2", "PyModule_FromDefAndSpec2"],
        feature_groups: FeatureGroups::ByFirstSymbol,
        static_inline_macros: false,
        dump_order: &Kind::DUMP_ORDER,
        list_resolves_paths: false,
        manifest_optional: false,
        no_action_errors: NO_ACTION_3_11,
    }
}

/// Every edition, oldest first.
pub const EDITIONS: &[Edition] = &[
    Edition {
        name: "3.11",
        first: Release::new(3, 11, 0),
        last: Some(Release::new(3, 11, u16::MAX)),
        script: SCRIPT_3_11,
        // CPython gh-105345 removed the first empty line (3.12).
        leading_blank_line: true,
        doc_column: "role",
        doc_label: doc_label_3_11,
        ctypes_preamble: CtypesPreamble::Plain,
        // Not exported on every platform: bpo-44133.
        ctypes_skipped: &["PyModule_Create2", "PyModule_FromDefAndSpec2"],
        feature_groups: FeatureGroups::ByFirstSymbol,
        static_inline_macros: false,
        dump_order: &Kind::DUMP_ORDER,
        list_resolves_paths: false,
        manifest_optional: false,
        no_action_errors: NO_ACTION_3_11,
    },
    edition_3_12(
        "3.12.0–3.12.4",
        Release::new(3, 12, 0),
        Release::new(3, 12, C_DOMAIN_ROLES_IN_3_12.micro - 1),
        doc_label_3_11,
    ),
    edition_3_12(
        "3.12.5 and later",
        C_DOMAIN_ROLES_IN_3_12,
        Release::new(3, 12, u16::MAX),
        doc_label_3_13_early,
    ),
    Edition {
        name: "3.13.0–3.13.9",
        first: Release::new(3, 13, 0),
        last: Some(Release::new(3, 13, CONSTS_DOCUMENTED_IN_3_13.micro - 1)),
        script: SCRIPT_3_12,
        leading_blank_line: false,
        doc_column: "role",
        doc_label: doc_label_3_13_early,
        ctypes_preamble: CtypesPreamble::SkipsUnsupportedBuilds,
        ctypes_skipped: &[],
        feature_groups: FeatureGroups::EveryMacro,
        static_inline_macros: false,
        dump_order: &Kind::DUMP_ORDER,
        list_resolves_paths: false,
        manifest_optional: false,
        no_action_errors: NO_ACTION_3_11,
    },
    Edition {
        name: "3.13.10 and later",
        first: CONSTS_DOCUMENTED_IN_3_13,
        last: Some(Release::new(3, 13, u16::MAX)),
        script: SCRIPT_3_12,
        leading_blank_line: false,
        doc_column: "role",
        doc_label: doc_label_3_13,
        ctypes_preamble: CtypesPreamble::SkipsUnsupportedBuilds,
        ctypes_skipped: &[],
        feature_groups: FeatureGroups::EveryMacro,
        static_inline_macros: false,
        dump_order: &Kind::DUMP_ORDER,
        list_resolves_paths: false,
        manifest_optional: false,
        no_action_errors: NO_ACTION_3_11,
    },
    Edition {
        name: "3.14, 3.15",
        first: Release::new(3, 14, 0),
        last: None,
        script: SCRIPT_3_12,
        leading_blank_line: false,
        doc_column: "kind",
        doc_label: doc_label_3_14,
        ctypes_preamble: CtypesPreamble::SkipsUnsupportedBuilds,
        ctypes_skipped: &[],
        feature_groups: FeatureGroups::EveryMacro,
        // `Macro.is_static_inline_function`, new in 3.14's script.
        static_inline_macros: true,
        // ... in a class of its own, registered last: `--dump` prints
        // macros after every other kind.
        dump_order: &Kind::DUMP_ORDER_3_14,
        // `--list` prints `(base_path / default_path).resolve()`, and FILE
        // defaults to the tree's manifest (3.14's script).
        list_resolves_paths: true,
        manifest_optional: true,
        no_action_errors: NO_ACTION_3_14,
    },
];

/// The newest release whose script is known (3.15.2's is 3.14.10's). A
/// newer tree (CPython main) gets the newest edition, and what it does not
/// know in the manifest is a warning instead of an error.
pub const NEWEST_KNOWN: Release = Release::new(3, 15, u16::MAX);

/// Whether `release` is newer than every release the tool knows (CPython
/// main): its manifest may say what the tool does not know.
pub fn is_newer_than_known(release: Release) -> bool {
    matches!(Edition::lookup(release), Some((_, Fit::Newer)))
}

/// How an edition applies to a release.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Fit {
    /// The release is one the edition was established on.
    Known,
    /// The release is newer than every known one: the newest edition,
    /// with what it does not know passed through.
    Newer,
}

impl Edition {
    /// The edition for `release`, and how it fits; `None` for a release
    /// no row covers (before 3.11).
    pub fn lookup(release: Release) -> Option<(&'static Edition, Fit)> {
        if release.major == NEWEST_KNOWN.major && release.minor > NEWEST_KNOWN.minor {
            return Some((Edition::newest(), Fit::Newer));
        }
        // Boundaries are micro releases; a pre-release (3.14.0a1) belongs
        // with its final release.
        let key = |r: Release| (r.major, r.minor, r.micro);
        EDITIONS
            .iter()
            .find(|edition| {
                key(edition.first) <= key(release)
                    && edition.last.is_none_or(|last| key(release) <= key(last))
            })
            .map(|edition| (edition, Fit::Known))
    }

    /// The newest edition.
    pub fn newest() -> &'static Edition {
        EDITIONS.last().expect("the table has rows")
    }

    /// The releases the table covers, for messages.
    pub fn covered() -> String {
        let names: Vec<&str> = EDITIONS.iter().map(|e| e.name).collect();
        format!("{}, and newer", names.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(release: Release) -> Option<&'static str> {
        Edition::lookup(release).map(|(edition, _)| edition.name)
    }

    #[test]
    fn releases_find_their_rows() {
        assert_eq!(name(Release::new(3, 11, 2)), Some("3.11"));
        assert_eq!(name(Release::new(3, 12, 0)), Some("3.12.0–3.12.4"));
        assert_eq!(name(Release::new(3, 12, 4)), Some("3.12.0–3.12.4"));
        assert_eq!(name(Release::new(3, 12, 5)), Some("3.12.5 and later"));
        assert_eq!(
            name(Release::parse_arg("3.12").unwrap()),
            Some("3.12.5 and later")
        );
        assert_eq!(name(Release::new(3, 10, 9)), None);
        assert_eq!(name(Release::new(3, 13, 5)), Some("3.13.0–3.13.9"));
        assert_eq!(name(Release::new(3, 13, 9)), Some("3.13.0–3.13.9"));
        assert_eq!(name(Release::new(3, 13, 10)), Some("3.13.10 and later"));
        assert_eq!(name(Release::new(3, 13, 15)), Some("3.13.10 and later"));
        // `--release 3.13`: the newest 3.13.
        assert_eq!(
            name(Release::parse_arg("3.13").unwrap()),
            Some("3.13.10 and later")
        );
        assert_eq!(name(Release::new(3, 15, 2)), Some("3.14, 3.15"));
        assert_eq!(
            Edition::lookup(Release::new(3, 16, 0)).map(|(e, fit)| (e.name, fit)),
            Some(("3.14, 3.15", Fit::Newer))
        );
    }

    #[test]
    fn pre_releases_of_a_row_belong_to_it() {
        let mut alpha = Release::new(3, 14, 0);
        alpha.level = crate::release::Level::Alpha;
        assert_eq!(name(alpha), Some("3.14, 3.15"));
    }
}
