//! The compiler is the oracle for `stable-abi port`'s recall: every Python
//! API name in gcc's errors when a real, non-limited extension is compiled
//! for the Stable ABI must be among port's findings in the same file.
//!
//! The sources are the sdists of `tests/sdists.txt` (fetched by `make
//! fetch-sdists` into `~/.cache/stable-abi/sdists`, `$STABLE_ABI_SDISTS`).
//! Each is compiled with `gcc -fsyntax-only -DPy_LIMITED_API=0x030A0000`
//! against `../shared/cpython/3.13.15` (port: `--target 3.10`), and with
//! `-DPy_TARGET_ABI3T=0x030F0000` against `../shared/cpython/3.15.2` (port:
//! `--abi abi3t --target 3.15`). gcc's messages that name what is missing
//! (implicit declaration, undeclared, unknown type name, incomplete type,
//! has no member) give the names; a name counts when the full API of those
//! headers declares it (or, for a member, when an API struct has it). A
//! member is recalled by a finding on it (`Struct.member`) or on its struct
//! (the object whose initializer names it). Goal: recall ≥ 0.98 for each.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use stable_abi::view::{Config, Defines, Headers};

/// The sources of `tests/sdists.txt`, in the cache; `None` (skipped, or a
/// failure under CI) when one is missing.
fn sdist_sources(test: &str) -> Option<Vec<PathBuf>> {
    let cache = match std::env::var_os("STABLE_ABI_SDISTS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".cache/stable-abi/sdists"),
    };
    let list = include_str!("sdists.txt");
    let mut sources = Vec::new();
    for line in list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        for source in line.split_whitespace().skip(2) {
            let path = cache.join(source);
            if !path.is_file() {
                return common::skip(
                    test,
                    format!("{} is missing: run `make fetch-sdists`", path.display()),
                );
            }
            sources.push(path);
        }
    }
    Some(sources)
}

/// What the full API of a tree declares: its names, and its structs'
/// members (by struct name).
struct FullApi {
    names: HashSet<String>,
    structs: BTreeMap<String, Vec<String>>,
}

fn full_api(root: &Path) -> FullApi {
    let config = Config::default().for_extensions();
    let headers = Headers::load(root, &config).unwrap();
    let mut api = FullApi {
        names: HashSet::new(),
        structs: BTreeMap::new(),
    };
    for defines in [Defines::default(), Defines::define("Py_GIL_DISABLED", "1")] {
        let view = headers.view(None, &defines).unwrap();
        for map in [
            &view.functions,
            &view.data,
            &view.macros,
            &view.typedefs,
            &view.enumerators,
            &view.inline_functions,
        ] {
            api.names.extend(map.keys().map(|name| name.to_string()));
        }
        for (name, def) in &view.structs {
            api.names.insert(name.to_string());
            if let Some(members) = &def.members {
                api.structs
                    .entry(name.to_string())
                    .or_default()
                    .extend(members.iter().cloned());
            }
        }
    }
    api
}

/// One name gcc says is missing: a plain name, or a member with its struct.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Missing {
    Name(String),
    Member { owner: String, member: String },
}

/// The quoted words of a gcc message (`LC_ALL=C` quotes with `'`).
fn quoted(message: &str) -> Vec<&str> {
    message.split('\'').skip(1).step_by(2).collect()
}

/// What one gcc message says is missing, if it names it.
fn missing_in(message: &str) -> Option<Missing> {
    let words = quoted(message);
    let strip = |word: &str| word.trim_start_matches("struct ").to_string();
    if message.contains("has no member named") {
        return Some(Missing::Member {
            owner: strip(words.first()?),
            member: strip(words.last()?),
        });
    }
    let name = if message.contains("implicit declaration of function")
        || message.contains("unknown type name")
        || message.contains("' undeclared")
    {
        words.first()?
    } else if let Some(at) = message.find("incomplete type") {
        // `incomplete typedef 'PyTypeObject' {aka 'struct _typeobject'}`:
        // the first name after the phrase.
        quoted(&message[at..]).into_iter().next()?
    } else {
        return None;
    };
    Some(Missing::Name(strip(name)))
}

/// The (file, missing name) pairs of gcc's diagnostics on `source`.
fn gcc_missing(source: &Path, tree: &Path, defines: &[&str]) -> BTreeSet<(PathBuf, Missing)> {
    let output = Command::new("gcc")
        .env("LC_ALL", "C")
        .arg("-fsyntax-only")
        .args(defines)
        .arg(format!("-I{}", tree.display()))
        .arg(format!("-I{}", tree.join("Include").display()))
        .arg(format!("-I{}", source.parent().unwrap().display()))
        .arg(source)
        .output()
        .expect("gcc runs");
    let text = String::from_utf8_lossy(&output.stderr);
    let mut found = BTreeSet::new();
    for line in text.lines() {
        // path:line:col: error|warning: message
        let mut parts = line.splitn(5, ':');
        let (Some(path), Some(_), Some(_), Some(kind), Some(message)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            continue;
        };
        if !matches!(kind.trim(), "error" | "warning") {
            continue;
        }
        if let Some(missing) = missing_in(message) {
            found.insert((canonical(Path::new(path)), missing));
        }
    }
    found
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// The names of port's findings on `source`, by file.
fn port_findings(source: &Path, tree: &Path, args: &[&str]) -> BTreeSet<(PathBuf, String)> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = vec![
        "port",
        source.to_str().unwrap(),
        "--cpython",
        tree.to_str().unwrap(),
        "--format",
        "json",
    ];
    all.extend(args);
    let output = common::stable_abi(here, &all);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}: {}",
        source.display(),
        common::stderr(&output)
    );
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                canonical(Path::new(finding["path"].as_str().unwrap())),
                finding["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Recall of gcc's API names among port's findings over `sources`.
fn recall(test: &str, tree: &Path, defines: &[&str], args: &[&str], sources: &[PathBuf]) {
    let api = full_api(tree);
    let (mut total, mut recalled) = (0, 0);
    let mut missed = Vec::new();
    for source in sources {
        let found = port_findings(source, tree, args);
        let named = |file: &Path, name: &str| {
            found.iter().any(|(path, finding)| {
                path == file
                    && (finding == name
                        || finding.rsplit_once('.').is_some_and(|(_, m)| m == name)
                        || finding.split_once('.').is_some_and(|(s, _)| s == name))
            })
        };
        for (file, missing) in gcc_missing(source, tree, defines) {
            let hit = match &missing {
                Missing::Name(name) if api.names.contains(name) => named(&file, name),
                Missing::Member { owner, member }
                    if api.structs.get(owner).is_some_and(|m| m.contains(member)) =>
                {
                    named(&file, member) || named(&file, owner)
                }
                _ => continue,
            };
            total += 1;
            if hit {
                recalled += 1;
            } else {
                missed.push(format!("{}: {missing:?}", file.display()));
            }
        }
    }
    let ratio = recalled as f64 / total.max(1) as f64;
    eprintln!("{test}: recall {recalled}/{total} = {ratio:.3}; missed: {missed:#?}");
    assert!(
        total > 100,
        "{test}: too few of gcc's names to judge ({total})"
    );
    assert!(
        ratio >= 0.98,
        "{test}: recall {ratio:.3} < 0.98; missed: {missed:#?}"
    );
}

fn gcc_present(test: &str) -> Option<()> {
    match Command::new("gcc").arg("--version").output() {
        Ok(output) if output.status.success() => Some(()),
        _ => common::skip(test, "no gcc on PATH"),
    }
}

#[test]
fn recall_of_gccs_names_for_abi3() {
    let test = "recall_of_gccs_names_for_abi3";
    let Some(sources) = sdist_sources(test) else {
        return;
    };
    let (Some(()), Some(tree)) = (gcc_present(test), common::shared_tree(test, "3.13.15")) else {
        return;
    };
    recall(
        test,
        &tree,
        &["-DPy_LIMITED_API=0x030A0000"],
        &["--target", "3.10"],
        &sources,
    );
}

#[test]
fn recall_of_gccs_names_for_abi3t() {
    let test = "recall_of_gccs_names_for_abi3t";
    let Some(sources) = sdist_sources(test) else {
        return;
    };
    let (Some(()), Some(tree)) = (gcc_present(test), common::abi3t_tree(test)) else {
        return;
    };
    recall(
        test,
        &tree,
        &["-DPy_TARGET_ABI3T=0x030F0000"],
        &["--abi", "abi3t", "--target", "3.15"],
        &sources,
    );
}

#[test]
fn gccs_messages_are_read() {
    let member = missing_in(
        " error: 'PyTypeObject' {aka 'struct _typeobject'} has no member named 'tp_name'",
    );
    assert_eq!(
        member,
        Some(Missing::Member {
            owner: "PyTypeObject".into(),
            member: "tp_name".into()
        })
    );
    for (message, name) in [
        (
            " warning: implicit declaration of function 'PyUnicode_KIND' [-Wimplicit]",
            "PyUnicode_KIND",
        ),
        (
            " error: 'PyUnicode_1BYTE_KIND' undeclared (first use in this function)",
            "PyUnicode_1BYTE_KIND",
        ),
        (
            " error: unknown type name 'PyUnicodeObject'; did you mean 'PyCodeObject'?",
            "PyUnicodeObject",
        ),
        (
            " error: invalid use of incomplete typedef 'PyTypeObject' {aka 'struct _typeobject'}",
            "PyTypeObject",
        ),
        (
            " error: invalid application of 'sizeof' to incomplete type 'PyObject'",
            "PyObject",
        ),
    ] {
        assert_eq!(
            missing_in(message),
            Some(Missing::Name(name.into())),
            "{message}"
        );
    }
    assert_eq!(missing_in(" error: storage size of 'x' isn't known"), None);
}
