//! `compat` over CPython main's manifest history (`../shared/manifests/`):
//! every consecutive pair, the whole report compared with a committed
//! golden file, and every break and warning explained below as the real
//! upstream event it is.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use stable_abi::compat::{compare_manifests, items, Origin, Side};
use stable_abi::diagnostic::Severity;
use stable_abi::manifest::Manifest;

const GOLDEN: &str = "tests/golden/compat_history.txt";

/// Every error and warning the history produces: (NEW manifest, rule,
/// name), and what happened upstream. Notes (new items, items turned
/// `abi_only`) are in the golden file only.
const EXPLAINED: &[(&str, &str, &str, &str)] = &[
    // The buffer protocol joined the Limited API in 3.11; its PyBUF_*
    // constants were listed in the manifest afterwards, during 3.12, with
    // their true `added`. A retroactive listing, which the warning is for.
    (
        "2022-12-06-ce77f70",
        "compat-new-not-current",
        "PyBUF_*",
        "retroactive listing",
    ),
    // _PyState_AddModule was dropped from the manifest as private and
    // restored the next day, since python3.dll exports it: the removal is
    // a break (abi_only symbols stay), the restoration a "new" 3.2 item.
    (
        "2023-02-16-c28af44",
        "compat-abi-only-removed",
        "_PyState_AddModule",
        "dropped",
    ),
    (
        "2023-02-17-0d52938",
        "compat-new-not-current",
        "_PyState_AddModule",
        "restored",
    ),
    // Two reference-count helpers added during 3.12 development and removed
    // before 3.12 shipped (the finding's note says so).
    (
        "2023-06-06-d597e88",
        "compat-abi-only-removed",
        "_Py_DecRefTotal_DO_NOT_USE_THIS",
        "unreleased",
    ),
    (
        "2023-06-06-d597e88",
        "compat-abi-only-removed",
        "_Py_IncRefTotal_DO_NOT_USE_THIS",
        "unreleased",
    ),
    // PY_TIMEOUT_MAX, a variable the headers exported since 3.2, was listed
    // and two days later removed from the Limited API: a real, deliberate
    // break of the 3.13 development.
    (
        "2023-10-01-a7e1874",
        "compat-new-not-current",
        "PY_TIMEOUT_MAX",
        "retroactive listing",
    ),
    (
        "2023-10-03-a1dbcd1",
        "compat-removed",
        "PY_TIMEOUT_MAX",
        "removed from the Limited API",
    ),
    // PyUnicode_AsUTF8 was added to the 3.13 Limited API and the addition
    // reverted before 3.13 shipped.
    (
        "2023-11-14-fc581a2",
        "compat-removed",
        "PyUnicode_AsUTF8",
        "unreleased",
    ),
    // PyExc_IncompleteInputError, added during 3.13, left the Limited API
    // in the 3.13 betas, before 3.13.0 shipped. main was 3.14 by then, and
    // nothing in a manifest says 3.13 had not shipped: from main's view a
    // break, without the "not released yet" note.
    (
        "2024-06-25-c64b48b",
        "compat-removed",
        "PyExc_IncompleteInputError",
        "3.13 beta",
    ),
    // The buffer slots' numbers, in the Limited API since 3.11, listed
    // during 3.15.
    (
        "2025-11-05-72d5898",
        "compat-new-not-current",
        "Py_bf_getbuffer",
        "retroactive listing",
    ),
    (
        "2025-11-05-72d5898",
        "compat-new-not-current",
        "Py_bf_releasebuffer",
        "retroactive listing",
    ),
    // The module-definition slots (PEP 489, 3.5; Py_mod_gil and
    // Py_mod_multiple_interpreters later) listed during 3.15 ...
    (
        "2025-11-26-205ce05",
        "compat-new-not-current",
        "PyModuleDef_Slot",
        "retroactive listing",
    ),
    (
        "2025-11-26-205ce05",
        "compat-new-not-current",
        "Py_mod_create",
        "retroactive listing",
    ),
    (
        "2025-11-26-205ce05",
        "compat-new-not-current",
        "Py_mod_exec",
        "retroactive listing",
    ),
    (
        "2025-11-26-205ce05",
        "compat-new-not-current",
        "Py_mod_gil",
        "retroactive listing",
    ),
    (
        "2025-11-26-205ce05",
        "compat-new-not-current",
        "Py_mod_multiple_interpreters",
        "retroactive listing",
    ),
    // ... and three days later Py_mod_gil's `added` corrected from 3.12 to
    // 3.13, the release that introduced it (free threading, PEP 703).
    (
        "2025-11-29-0bf40c9",
        "compat-added-changed",
        "Py_mod_gil",
        "`added` corrected",
    ),
];

/// Whether `name` matches an EXPLAINED name (`PyBUF_*` is a prefix).
fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

/// A manifest of the history, named by its file name (so the report reads
/// the same wherever the data is), or why it cannot be read.
fn load(path: &Path) -> Result<(Side, String), String> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).map_err(|err| format!("{name}: {err}"))?;
    let manifest = Manifest::parse(&text, Path::new(&name)).map_err(|err| err.to_string())?;
    Ok((Side::new(Origin::File(name.into()), manifest, None), text))
}

#[test]
#[cfg_attr(not(shared_manifests), ignore = "needs ../shared/manifests")]
fn compat_over_main_history_matches_the_golden_report() {
    let Some(dir) = common::shared_dir("compat_over_main_history", "manifests") else {
        return;
    };
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 60,
        "the history has {} manifests",
        paths.len()
    );

    let mut report = String::new();
    let mut seen = BTreeSet::new();
    let mut previous: Option<(Side, String)> = None;
    for path in &paths {
        let current = match load(path) {
            Ok(current) => current,
            Err(err) => {
                // A manifest newer than the parser knows: say which, and
                // compare the next one with the last that read.
                report.push_str(&format!("!! does not parse: {err}\n"));
                continue;
            }
        };
        if let Some((old, _)) = &previous {
            let (new, new_text) = &current;
            let findings = compare_manifests(old, new);
            report.push_str(&format!(
                "== {} -> {}\n",
                old.manifest.path.display(),
                new.manifest.path.display()
            ));
            for finding in &findings {
                report.push_str(&format!("{finding}\n"));
                // No false "removed": the name is truly gone from NEW's text.
                if finding.check.ends_with("-removed") && finding.check != "compat-member-removed" {
                    let header = format!(".{}]", finding.name);
                    assert!(!new_text.contains(&header), "{finding}");
                }
                if finding.severity != Severity::Note {
                    let stem = new
                        .manifest
                        .path
                        .file_stem()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned();
                    let explained = EXPLAINED.iter().position(|(file, check, name, _)| {
                        *file == stem && *check == finding.check && matches(name, &finding.name)
                    });
                    let Some(index) = explained else {
                        panic!("unexplained in {stem}: {finding}");
                    };
                    seen.insert(index);
                }
            }
        }
        previous = Some(current);
    }
    let golden_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("STABLE_ABI_BLESS").is_some() {
        std::fs::write(&golden_path, &report).unwrap();
    }
    let unseen: Vec<_> = (0..EXPLAINED.len())
        .filter(|i| !seen.contains(i))
        .map(|i| EXPLAINED[i])
        .collect();
    assert!(unseen.is_empty(), "explained but not reported: {unseen:?}");
    // Removals of items added in the release being developed carry the
    // note that says so.
    assert_eq!(
        report.matches("if 3.13 is not released yet").count(),
        1,
        "{report}"
    );
    assert_eq!(
        report.matches("if 3.12 is not released yet").count(),
        2,
        "{report}"
    );
    assert!(report.contains(items::NEW), "new items are reported");

    let golden = std::fs::read_to_string(&golden_path).unwrap_or_default();
    if golden != report {
        let diff = similar::TextDiff::from_lines(&golden, &report)
            .unified_diff()
            .header(GOLDEN, "now")
            .to_string();
        panic!("the report differs from {GOLDEN} (STABLE_ABI_BLESS=1 rewrites it):\n{diff}");
    }
}
