//! One fixture pair per rule: OLD and NEW manifests that differ by exactly
//! what the rule is about, and must trigger it (and nothing else).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::*;
use crate::manifest::Manifest;
use crate::version::Version;

const BASE: &str = "\
[function.PyFoo]
    added = '3.2'
[function._PyFoo_Impl]
    added = '3.2'
    abi_only = true
[macro.METH_FASTCALL]
    added = '3.7'
[feature_macro.HAVE_FORK]
    doc = 'on platforms with fork()'
    windows = false
[struct.PyObject]
    added = '3.2'
    struct_abi_kind = 'members'
    members = ['ob_refcnt', 'ob_type']
[struct.PyModuleDef_Base]
    added = '3.2'
    struct_abi_kind = 'full-abi'
[struct.PyThing]
    added = '3.2'
    struct_abi_kind = 'opaque'
";

fn side(text: &str, name: &str) -> Side {
    let path = PathBuf::from(format!("{name}/Misc/stable_abi.toml"));
    let manifest = Manifest::parse(text, &path).unwrap_or_else(|err| panic!("{err}"));
    Side::new(Origin::File(path), manifest, Some(Version::new(3, 14)))
}

/// The fixture pairs: rule name, and what NEW is (BASE edited).
fn fixtures() -> Vec<(&'static str, String)> {
    let edit = |old: &str, new: &str| {
        assert_eq!(BASE.matches(old).count(), 1, "{old:?}");
        BASE.replacen(old, new, 1)
    };
    vec![
        (items::REMOVED, edit("[function.PyFoo]\n    added = '3.2'\n", "")),
        (
            items::ABI_ONLY_REMOVED,
            edit("[function._PyFoo_Impl]\n    added = '3.2'\n    abi_only = true\n", ""),
        ),
        (
            features::FEATURE_MACRO_REMOVED,
            edit(
                "[feature_macro.HAVE_FORK]\n    doc = 'on platforms with fork()'\n    windows = false\n",
                "",
            ),
        ),
        (items::KIND_CHANGED, edit("[function.PyFoo]", "[macro.PyFoo]")),
        (
            items::ADDED_CHANGED,
            edit("[macro.METH_FASTCALL]\n    added = '3.7'", "[macro.METH_FASTCALL]\n    added = '3.10'"),
        ),
        (
            items::IFDEF_ADDED,
            edit("[function.PyFoo]\n    added = '3.2'\n", "[function.PyFoo]\n    added = '3.2'\n    ifdef = 'HAVE_FORK'\n"),
        ),
        (
            structs::STRUCT_ABI_KIND_CHANGED,
            edit("struct_abi_kind = 'full-abi'", "struct_abi_kind = 'opaque'"),
        ),
        (
            structs::MEMBER_REMOVED,
            edit("members = ['ob_refcnt', 'ob_type']", "members = ['ob_refcnt']"),
        ),
        (
            structs::MEMBER_REORDERED,
            edit("members = ['ob_refcnt', 'ob_type']", "members = ['ob_type', 'ob_refcnt']"),
        ),
        (features::WINDOWS_CHANGED, edit("windows = false", "windows = 'maybe'")),
        (
            items::NEW_NOT_CURRENT,
            format!("{BASE}[function.PyBar]\n    added = '3.12'\n"),
        ),
        (
            items::LIMITED_TO_ABI_ONLY,
            edit("[function.PyFoo]\n    added = '3.2'\n", "[function.PyFoo]\n    added = '3.2'\n    abi_only = true\n"),
        ),
        (items::NEW, format!("{BASE}[function.PyBar]\n    added = '3.14'\n")),
    ]
}

#[test]
fn each_rule_has_a_fixture_pair_that_triggers_it_alone() {
    let old = side(BASE, "old");
    let mut covered = BTreeSet::new();
    for (rule, new_text) in fixtures() {
        let new = side(&new_text, "new");
        let findings = compare_manifests(&old, &new);
        let checks: Vec<&str> = findings.iter().map(|f| f.check).collect();
        assert_eq!(checks, [rule], "{findings:#?}");
        let expected = RULES.iter().find(|r| r.name == rule).unwrap();
        assert_eq!(findings[0].severity, expected.severity, "{rule}");
        let location = findings[0].location.as_ref().unwrap();
        let side_dir = if rule.ends_with("removed") && rule != structs::MEMBER_REMOVED {
            "old"
        } else {
            "new"
        };
        assert!(location.path.starts_with(side_dir), "{rule}: {location}");
        covered.insert(rule);
    }
    let all: BTreeSet<&str> = RULES.iter().map(|r| r.name).collect();
    assert_eq!(covered, all, "every rule has a fixture");
}

#[test]
fn identical_manifests_are_compatible() {
    assert!(compare_manifests(&side(BASE, "old"), &side(BASE, "new")).is_empty());
}

#[test]
fn less_exposure_short_of_full_abi_is_reported_as_members_removed() {
    let new = BASE.replacen(
        "struct_abi_kind = 'members'\n    members = ['ob_refcnt', 'ob_type']",
        "struct_abi_kind = 'opaque'",
        1,
    );
    let findings = compare_manifests(&side(BASE, "old"), &side(&new, "new"));
    let checks: Vec<&str> = findings.iter().map(|f| f.check).collect();
    assert_eq!(checks, [structs::MEMBER_REMOVED]);
    let more = BASE.replacen(
        "struct_abi_kind = 'opaque'",
        "struct_abi_kind = 'full-abi'",
        1,
    );
    let findings = compare_manifests(&side(BASE, "old"), &side(&more, "new"));
    assert_eq!(findings[0].check, structs::STRUCT_ABI_KIND_CHANGED);
}

#[test]
fn appended_members_are_compatible() {
    let new = BASE.replacen(
        "['ob_refcnt', 'ob_type']",
        "['ob_refcnt', 'ob_type', 'ob_x']",
        1,
    );
    assert!(compare_manifests(&side(BASE, "old"), &side(&new, "new")).is_empty());
}

#[test]
fn removal_prints_like_a_compiler_at_old() {
    let (_, new) = &fixtures()[0];
    let findings = compare_manifests(&side(BASE, "old"), &side(new, "new"));
    assert_eq!(
        findings[0].to_string(),
        "old/Misc/stable_abi.toml:1:1: error: Limited API item function PyFoo was removed \
         (added in 3.2) [compat-removed]\n    note: new/Misc/stable_abi.toml has no such item"
    );
    assert_eq!(
        Path::new("old").join(crate::manifest::MANIFEST_IN_TREE),
        Path::new("old/Misc/stable_abi.toml")
    );
}

#[test]
fn help_lists_every_rule_with_its_severity_and_summary() {
    for rule in RULES {
        let row = format!(
            "{:<32}{:<9}{}",
            rule.name,
            rule.severity.to_string(),
            rule.summary
        );
        assert!(
            crate::cli::COMPAT_HELP.contains(&row),
            "`compat --help` lacks {row:?}"
        );
    }
    for (name, summary) in headers::RULES {
        let row = format!("{name:<32}{summary}");
        assert!(
            crate::cli::COMPAT_HELP.contains(&row),
            "`compat --help` lacks {row:?}"
        );
    }
}

#[test]
fn abi3t_opaque_breaks_abi3t_only_once_it_exists() {
    let new = BASE.replacen(
        "struct_abi_kind = 'full-abi'",
        "struct_abi_kind = 'abi3t-opaque'",
        1,
    );
    let mut old = side(BASE, "old");
    // Before 3.15 there is no abi3t, and abi3 still sees 'full-abi'.
    old.release = Version::new(3, 14);
    assert!(compare_manifests(&old, &side(&new, "new")).is_empty());
    old.release = Version::new(3, 15);
    let findings = compare_manifests(&old, &side(&new, "new"));
    assert_eq!(findings.len(), 1);
    assert!(
        findings[0].message.ends_with("(breaking abi3t)"),
        "{}",
        findings[0].message
    );
}
