//! The `too-early` findings, and the `missing` findings for function, data,
//! macro and const items, equal `expected/guards.txt` — what a real C
//! preprocessor says about CPython 3.13.15 at every version's first value
//! (`0x03NN0000`) — plus what the rest of each version's range adds.

mod common;

use std::path::Path;

use stable_abi::checks::{run_checks, Context};
use stable_abi::diagnostic::{Finding, Location};
use stable_abi::manifest::{Kind, Manifest};
use stable_abi::version::Version;
use stable_abi::view::{ByName, Decl, Defines, Headers, View};

/// The kinds `guards.txt` covers.
const GUARD_KINDS: [Kind; 4] = [Kind::Function, Kind::Data, Kind::Macro, Kind::Const];

/// `CHECK NAME 3.N` lines of the findings `guards.txt` covers, sorted.
fn guard_lines(manifest: &Manifest, findings: &[Finding]) -> Vec<String> {
    let mut lines = Vec::new();
    for finding in findings {
        let covered = match finding.check {
            "too-early" => true,
            "missing" => manifest
                .get(&finding.name)
                .is_some_and(|item| GUARD_KINDS.contains(&item.kind)),
            _ => false,
        };
        if covered {
            for version in &finding.versions {
                lines.push(format!("{} {} {version}", finding.check, finding.name));
            }
        }
    }
    lines.sort();
    lines
}

fn expected_lines(expected: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(expected.join("guards.txt")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

/// A view made of the oracle's own lists: declarations (as functions or
/// data, by the manifest's kind) and macros.
fn oracle_view(manifest: &Manifest, expected: &Path, version: Version) -> View {
    let names = |file: String| -> ByName<Decl> {
        let path = expected.join(&file);
        let text = std::fs::read_to_string(&path).unwrap();
        text.lines()
            .enumerate()
            .map(|(index, name)| {
                let location = Location::new(&path, index + 1, 1);
                (name.into(), Decl { location })
            })
            .collect()
    };
    let declared = names(format!("declarations-{version}.txt"));
    let (data, functions) = declared
        .into_iter()
        .partition(|(name, _)| manifest.get(name).is_some_and(|i| i.kind == Kind::Data));
    View {
        limited: Some(version),
        functions,
        data,
        macros: names(format!("macros-{version}.txt")),
        ..View::default()
    }
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn checks_on_the_oracle_lists_equal_guards() {
    let Some(tree) = common::cpython_tree("checks_on_the_oracle_lists_equal_guards") else {
        return;
    };
    let Some(expected) = common::expected_dir(&tree, "checks_on_the_oracle_lists_equal_guards")
    else {
        return;
    };
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).unwrap();
    let views = Version::FIRST
        .up_to(Version::new(3, 13))
        .into_iter()
        .map(|version| (version, oracle_view(&manifest, &expected, version)))
        .collect();
    let context = Context::new(&manifest, views);
    let defined = std::fs::read_to_string(expected.join("feature-macros-defined.txt")).unwrap();
    assert_eq!(
        context.feature_macros.iter().cloned().collect::<Vec<_>>(),
        defined.lines().collect::<Vec<_>>()
    );
    let findings = run_checks(&context);
    assert_eq!(guard_lines(&manifest, &findings), expected_lines(&expected));
}

#[test]
#[cfg_attr(
    not(reference_tree),
    ignore = "needs the built CPython 3.13.15 tree of ../shared/cpython/3.13.15"
)]
fn checks_on_the_headers_equal_guards() {
    let Some(tree) = common::cpython_tree("checks_on_the_headers_equal_guards") else {
        return;
    };
    let Some(expected) = common::expected_dir(&tree, "checks_on_the_headers_equal_guards") else {
        return;
    };
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).unwrap();
    let headers = Headers::load(&tree, &Defines::default()).unwrap();
    let context = Context::build(&manifest, &headers).unwrap();
    assert_eq!(context.views.len(), 12);
    // The oracle evaluates each version at its first value, 0x03NN0000:
    // the views there give exactly its findings.
    let at_first_values = Context::new(&manifest, context.views.clone());
    let findings = run_checks(&at_first_values);
    assert_eq!(guard_lines(&manifest, &findings), expected_lines(&expected));
    // Over the whole ranges, sliceobject.h's `>= 0x03050400 && < 0x03060000
    // || >= 0x03060100` declares the two functions of 3.7 (the manifest's
    // comment says "and 3.6.1 and 3.5.4") for part of 3.5 and of 3.6 too.
    let findings = run_checks(&context);
    let mut lines = expected_lines(&expected);
    for name in ["PySlice_AdjustIndices", "PySlice_Unpack"] {
        for version in ["3.5", "3.6"] {
            lines.push(format!("too-early {name} {version}"));
        }
    }
    lines.sort();
    assert_eq!(guard_lines(&manifest, &findings), lines);
}
