//! CPython 3.12's editions. Its own `stable_abi.py` is not among the
//! reference scripts, so the test pins what was established from CPython's
//! history (see `src/generate/editions.rs`): a 3.12 tree gets exactly what
//! 3.11's script writes for the same manifest, changed in these ways only:
//!
//! - the banners name `Tools/build/stable_abi.py` (not `Tools/scripts/`);
//! - `python3dll.c` and the ctypes test lose their first, blank line;
//! - from 3.12.5 (CPython gh-122025), `stable_abi.dat` says `func` and
//!   `data` where 3.11 says `function` and `var`.
//!
//! 3.11's script runs as the oracle on a manifest of CPython main from
//! October 2023, when 3.12 had just shipped.

mod common;

use common::GENERATED_FILES;

use std::path::{Path, PathBuf};
use std::process::Command;

const MANIFEST: &str = "2023-10-21-dd85e42.toml";

/// A tree with `manifest`, the four files empty, and a `patchlevel.h`
/// saying 3.`minor`.`micro` when given.
fn tree(manifest: &Path, release: Option<(u8, u8)>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("cpython");
    std::fs::create_dir_all(root.join("Misc")).unwrap();
    std::fs::copy(manifest, root.join("Misc/stable_abi.toml")).unwrap();
    let mut files: Vec<(String, String)> = GENERATED_FILES
        .iter()
        .map(|f| (f.to_string(), String::new()))
        .collect();
    if let Some((minor, micro)) = release {
        files.push((
            "Include/patchlevel.h".into(),
            format!(
                "#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION {minor}\n\
                 #define PY_MICRO_VERSION {micro}\n\
                 #define PY_RELEASE_LEVEL PY_RELEASE_LEVEL_FINAL\n\
                 #define PY_RELEASE_SERIAL 0\n"
            ),
        ));
    }
    for (file, text) in files {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    (dir, root)
}

fn read_all(root: &Path) -> Vec<String> {
    GENERATED_FILES
        .iter()
        .map(|file| std::fs::read_to_string(root.join(file)).unwrap())
        .collect()
}

/// What 3.11's script writes for the manifest, or `None` (skipped with the
/// reason printed; a failure under `CI=true`).
fn by_3_11_script(test: &str) -> Option<(PathBuf, Vec<String>)> {
    let manifest = common::shared_root().join("manifests").join(MANIFEST);
    let script = common::shared_root().join("reference/stable_abi-3.11.py");
    if !manifest.is_file() || !script.is_file() {
        return common::missing(
            test,
            "shared_manifests",
            "no ../shared/manifests or ../shared/reference",
        );
    }
    let python_ok = Command::new("python3")
        .args(["-c", "import tomllib"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !python_ok {
        return common::missing(
            test,
            "python311",
            "no Python 3.11 or newer to run 3.11's script",
        );
    }
    let (_dir, root) = tree(&manifest, None);
    let output = Command::new("python3")
        .arg(&script)
        .args(["--generate-all", "Misc/stable_abi.toml"])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", common::stderr(&output));
    Some((manifest, read_all(&root)))
}

/// 3.11's files as 3.12's script writes them (see the module's comment).
fn as_3_12(by_3_11: &[String], c_domain_roles: bool) -> Vec<String> {
    by_3_11
        .iter()
        .zip(GENERATED_FILES)
        .map(|(text, file)| {
            let mut text = text.replace("Tools/scripts/stable_abi.py", "Tools/build/stable_abi.py");
            if file == "PC/python3dll.c" || file.ends_with(".py") {
                text = text
                    .strip_prefix('\n')
                    .expect("3.11's blank line")
                    .to_string();
            }
            if file.ends_with(".dat") && c_domain_roles {
                text = text
                    .lines()
                    .map(|line| {
                        let line = match line.split_once(',') {
                            Some(("function", rest)) => format!("func,{rest}"),
                            Some(("var", rest)) => format!("data,{rest}"),
                            _ => line.to_string(),
                        };
                        line + "\n"
                    })
                    .collect();
            }
            text
        })
        .collect()
}

fn check(test: &str, micro: u8, c_domain_roles: bool) {
    let Some((manifest, by_3_11)) = by_3_11_script(test) else {
        return;
    };
    // The differences are real for this manifest: each rule changes something.
    assert!(by_3_11.iter().all(|t| !t.is_empty()));
    assert!(by_3_11[0].starts_with('\n') && by_3_11[2].starts_with('\n'));
    assert!(by_3_11[3].contains("Tools/scripts/stable_abi.py"));
    assert!(by_3_11[1].contains("\nfunction,") && by_3_11[1].contains("\nvar,"));

    let (_dir, root) = tree(&manifest, Some((12, micro)));
    let output = common::stable_abi(&root, &["--generate-all", "Misc/stable_abi.toml"]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let expected = as_3_12(&by_3_11, c_domain_roles);
    for ((file, expected), actual) in GENERATED_FILES.iter().zip(&expected).zip(read_all(&root)) {
        let diff = similar::TextDiff::from_lines(expected.as_str(), actual.as_str())
            .unified_diff()
            .header("derived 3.12", "stable-abi")
            .to_string();
        assert!(diff.is_empty(), "3.12.{micro}: {file} differs\n{diff}");
    }
    // And a check of the files just written passes.
    let output = common::stable_abi(
        &root,
        &[
            "Misc/stable_abi.toml",
            "--python3dll",
            "--doc-list",
            "--ctypes-test",
            "--testcapi-feature-macros",
        ],
    );
    assert!(
        output.status.success(),
        "{}{}",
        common::stdout(&output),
        common::stderr(&output)
    );
}

#[test]
#[cfg_attr(
    not(all(shared_reference, shared_manifests, python311)),
    ignore = "needs ../shared/reference, ../shared/manifests and python3 >= 3.11"
)]
fn early_3_12_writes_3_11s_roles_from_tools_build() {
    check("early_3_12_writes_3_11s_roles_from_tools_build", 4, false);
}

#[test]
#[cfg_attr(
    not(all(shared_reference, shared_manifests, python311)),
    ignore = "needs ../shared/reference, ../shared/manifests and python3 >= 3.11"
)]
fn late_3_12_writes_the_c_domain_roles() {
    check("late_3_12_writes_the_c_domain_roles", 5, true);
}

#[test]
#[cfg_attr(
    not(all(shared_reference, shared_manifests, python311)),
    ignore = "needs ../shared/reference, ../shared/manifests and python3 >= 3.11"
)]
fn list_names_the_3_12_edition() {
    let Some((manifest, _)) = by_3_11_script("list_names_the_3_12_edition") else {
        return;
    };
    let (_dir, root) = tree(&manifest, Some((12, 3)));
    let output = common::stable_abi(&root, &["--list", "Misc/stable_abi.toml"]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let err = common::stderr(&output);
    assert!(err.contains("release: 3.12.3"), "{err}");
    assert!(err.contains("edition 3.12.0–3.12.4"), "{err}");
}
