//! Differential: for each of CPython's own `stable_abi.py` scripts in
//! `../shared/reference/` and each manifest (CPython main's history in
//! `../shared/manifests/`, and the two shared trees' manifests), the four
//! files `stable-abi --generate-all --release <the script's release>` writes
//! are byte-identical to those the script writes, and so are the standard
//! output of `--dump` and of `--list` (the tree's own path aside) and
//! whether each succeeds. Where the script rejects a manifest (an older
//! script does not know a newer field; a manifest cut short, made here from
//! 3.13.15's, lacks a kind), the drop-in must reject it too, writing
//! nothing, and name the same `KeyError` where the script stops with one.

mod common;

use common::GENERATED_FILES;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The reference scripts and the release each one is.
const SCRIPTS: [(&str, &str); 3] = [
    ("stable_abi-3.11.py", "3.11.2"),
    ("stable_abi-3.13.py", "3.13.15"),
    ("stable_abi-3.14.py", "3.14.10"),
];

/// A Python the scripts run under (they need `tomllib`: 3.11 or newer).
fn python(test: &str) -> Option<String> {
    for candidate in [
        "python3",
        "python3.14",
        "python3.13",
        "python3.12",
        "python3.11",
    ] {
        let ok = Command::new(candidate)
            .args([
                "-c",
                "import sys, tomllib; sys.exit(sys.version_info < (3, 11))",
            ])
            .output()
            .is_ok_and(|out| out.status.success());
        if ok {
            return Some(candidate.to_string());
        }
    }
    common::missing(
        test,
        "python311",
        "no Python 3.11 or newer to run the reference scripts",
    )
}

/// A tree with only the manifest and the four files, empty (the scripts
/// read a file before they rewrite it).
fn tree_with(manifest: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("cpython");
    std::fs::create_dir_all(root.join("Misc")).unwrap();
    std::fs::copy(manifest, root.join("Misc/stable_abi.toml")).unwrap();
    for file in GENERATED_FILES {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "").unwrap();
    }
    (dir, root)
}

/// The four files after generation, or `None` when generation failed.
fn generated(root: &Path, ok: bool) -> Option<Vec<String>> {
    ok.then(|| {
        GENERATED_FILES
            .iter()
            .map(|file| std::fs::read_to_string(root.join(file)).unwrap())
            .collect()
    })
}

/// The actions compared besides generation, the manifest argument they
/// are given, and the files the driver leaves their standard output in (the
/// drop-in's go beside them, in its own tree). The script prints paths as
/// `pathlib` shows them: `./Misc/stable_abi.toml` gives `PC/python3dll.c`.
const PRINTING_ACTIONS: [(&str, &str, &str); 3] = [
    ("--dump", "Misc/stable_abi.toml", "DUMP"),
    ("--list", "Misc/stable_abi.toml", "LIST"),
    ("--list", "./Misc/stable_abi.toml", "LIST_DOT"),
];

/// The check of one file before any is generated (each is empty), with a
/// manifest argument `pathlib` shows otherwise: it fails, naming the file
/// and, at the end, the manifest ("The stable ABI manifest is at: …").
const CHECK: [&str; 2] = ["--python3dll", ".//Misc/./stable_abi.toml"];

/// Runs a reference script's `main()` once per tree named on stdin (one
/// directory a line): [`CHECK`], then `--generate-all Misc/stable_abi.toml`
/// in each, then [`PRINTING_ACTIONS`], one Python process per script
/// instead of one per manifest. A tree where generation fails gets a
/// `FAILED` file holding the error; `--dump` leaves its standard output in
/// `DUMP` (`DUMP.FAILED` when it fails), `--list` in `LIST`, and so on.
const DRIVER: &str = r#"
import contextlib, importlib.util, io, os, sys, traceback
script = sys.argv[1]
spec = importlib.util.spec_from_file_location("stable_abi_reference", script)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)

def run(args, failed_file, output_file=None, manifest="Misc/stable_abi.toml"):
    # The manifest first: `--python3dll` would take it as its file.
    sys.argv = [script, manifest, *args]
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            module.main()
        failed = None
    except SystemExit as exit:
        failed = None if exit.code in (None, 0) else f"exit {exit.code}"
    except BaseException:
        failed = traceback.format_exc()
    if output_file:
        with open(output_file, "w") as f:
            f.write(out.getvalue())
    if failed:
        with open(failed_file, "w") as f:
            f.write(failed)

for tree in sys.stdin.read().splitlines():
    os.chdir(tree)
    run(["--python3dll"], "CHECK.FAILED", "CHECK", ".//Misc/./stable_abi.toml")
    run(["--generate-all"], "FAILED")
    run(["--dump"], "DUMP.FAILED", "DUMP")
    run(["--list"], "LIST.FAILED", "LIST")
    run(["--list"], "LIST_DOT.FAILED", "LIST_DOT", "./Misc/stable_abi.toml")
"#;

/// Compares what the script printed for `action` (in its tree) with what
/// the tool printed, and whether each succeeded; `--list`'s paths are
/// compared relative to each one's tree.
fn compare_printed(
    case: &Case,
    (action, manifest, file): (&str, &str, &str),
    output: &std::process::Output,
) -> Option<String> {
    let (by_script, by_tool) = (&case.by_script.1, &case.by_tool.1);
    let relative = |text: String, root: &Path| {
        let root = root.canonicalize().unwrap();
        text.replace(&format!("{}/", root.display()), "<tree>/")
    };
    let script_ok = !by_script.join(format!("{file}.FAILED")).exists();
    let expected = relative(
        std::fs::read_to_string(by_script.join(file)).unwrap(),
        by_script,
    );
    let actual = relative(
        String::from_utf8_lossy(&output.stdout).into_owned(),
        by_tool,
    );
    let name = format!(
        "{} @ {}: {action} {manifest}",
        case.manifest.display(),
        case.release
    );
    if script_ok != output.status.success() {
        return Some(format!(
            "{name}: the script {}, the tool exits {:?}:\n{}",
            if script_ok { "succeeds" } else { "fails" },
            output.status.code(),
            common::stderr(output)
        ));
    }
    (expected != actual).then(|| {
        let diff = similar::TextDiff::from_lines(expected.as_str(), actual.as_str())
            .unified_diff()
            .header("script", "stable-abi")
            .to_string();
        format!("{name}: the output differs\n{diff}")
    })
}

/// Compares [`CHECK`]'s first line of output (the file that differs) and
/// the line of its failure that names the manifest.
fn compare_check(case: &Case, output: &std::process::Output) -> Option<String> {
    let by_script = &case.by_script.1;
    let first_line = |text: &str| text.lines().next().map(str::to_string);
    let footer = |text: &str| {
        text.lines()
            .find(|line| line.contains("The stable ABI manifest is at:"))
            .map(|line| line.trim().to_string())
    };
    let script_out = std::fs::read_to_string(by_script.join("CHECK")).unwrap();
    let script_err = std::fs::read_to_string(by_script.join("CHECK.FAILED")).unwrap_or_default();
    let expected = (first_line(&script_out), footer(&script_err));
    let actual = (
        first_line(&common::stdout(output)),
        footer(&common::stderr(output)),
    );
    (expected != actual).then(|| {
        format!(
            "{} @ {}: {CHECK:?}: the script says {expected:?}, the tool {actual:?}",
            case.manifest.display(),
            case.release
        )
    })
}

/// Compares one case: the script's tree and the tool's (after both ran);
/// returns a description of the difference, if any.
fn compare(
    release: &str,
    manifest: &Path,
    by_script: &Path,
    by_tool: &Path,
    output: &std::process::Output,
) -> Option<String> {
    let script_failure = std::fs::read_to_string(by_script.join("FAILED")).ok();
    let expected = generated(by_script, script_failure.is_none());
    let actual = generated(by_tool, output.status.success());
    let name = manifest.display();
    match (expected, actual) {
        (None, None) => {
            // Both reject it; the tool with a located error, and untouched files.
            let untouched = GENERATED_FILES
                .iter()
                .all(|f| std::fs::read(by_tool.join(f)).unwrap().is_empty());
            if !untouched || output.status.code() != Some(2) {
                return Some(format!("{name} @ {release}: rejected, but not cleanly"));
            }
            // A kind the script finds no table of: the tool names the same.
            let script_failure = script_failure.unwrap_or_default();
            let key_error = script_failure
                .lines()
                .rfind(|line| !line.is_empty())
                .filter(|line| line.starts_with("KeyError: "));
            key_error
                .filter(|key_error| !common::stderr(output).contains(*key_error))
                .map(|key_error| {
                    format!(
                        "{name} @ {release}: the script stops with {key_error}, the tool \
                         says:\n{}",
                        common::stderr(output)
                    )
                })
        }
        (Some(_), None) => Some(format!(
            "{name} @ {release}: the script accepts it, the tool does not:\n{}",
            common::stderr(output)
        )),
        (None, Some(_)) => Some(format!(
            "{name} @ {release}: the script rejects it, the tool does not:\n{}",
            script_failure.unwrap_or_default()
        )),
        (Some(expected), Some(actual)) => GENERATED_FILES
            .iter()
            .zip(expected.iter().zip(&actual))
            .find(|(_, (e, a))| e != a)
            .map(|(file, (e, a))| {
                let diff = similar::TextDiff::from_lines(e.as_str(), a.as_str())
                    .unified_diff()
                    .header("script", "stable-abi")
                    .to_string();
                format!("{name} @ {release}: {file} differs\n{diff}")
            }),
    }
}

/// Manifests made from `whole` (a real one) in `dir`: cut short (feature
/// macros only; a few items more), without the macros and functions (the
/// 3.13 script stops at `macro`, the 3.14 script at `function`), and cut
/// short with the missing kinds' tables empty (which the scripts read, but
/// whose `--dump` they reject).
fn crafted(whole: &Path, dir: &Path) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(whole).unwrap();
    let head = |lines: usize| -> String { text.split_inclusive('\n').take(lines).collect() };
    let mut without = String::new();
    let mut dropping = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with('[') {
            dropping = line.starts_with("[macro.") || line.starts_with("[function.");
        }
        if !dropping {
            without.push_str(line);
        }
    }
    assert!(without.contains("[struct.") && !without.contains("[macro."));
    [
        ("cut-85.toml", head(85)),
        ("cut-148.toml", head(148)),
        ("no-macro-nor-function.toml", without),
        (
            "cut-148-empty-tables.toml",
            head(148) + "[typedef]\n[const]\n[data]\n[macro]\n",
        ),
    ]
    .into_iter()
    .map(|(name, text)| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    })
    .collect()
}

/// One script and manifest: the two trees they generate into.
struct Case {
    release: &'static str,
    manifest: PathBuf,
    by_script: (tempfile::TempDir, PathBuf),
    by_tool: (tempfile::TempDir, PathBuf),
}

#[test]
#[cfg_attr(
    not(all(
        shared_3_13_15,
        shared_3_15_2,
        shared_reference,
        shared_manifests,
        python311
    )),
    ignore = "needs ../shared/cpython/3.13.15, ../shared/cpython/3.15.2, ../shared/reference, ../shared/manifests and python3 >= 3.11"
)]
fn every_script_and_manifest_give_the_same_files() {
    let test = "every_script_and_manifest_give_the_same_files";
    let Some(python) = python(test) else { return };
    let reference = common::shared_root().join("reference");
    let manifests_dir = common::shared_root().join("manifests");
    if !manifests_dir.is_dir() || !reference.is_dir() {
        common::missing::<()>(
            test,
            "shared_manifests",
            "no ../shared/reference or ../shared/manifests",
        );
        return;
    }
    let mut manifests: Vec<PathBuf> = std::fs::read_dir(&manifests_dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    manifests.sort();
    for tree in ["3.13.15", "3.15.2"] {
        manifests.push(
            common::shared_root()
                .join("cpython")
                .join(tree)
                .join("Misc/stable_abi.toml"),
        );
    }
    assert!(manifests.len() >= 60, "{} manifests", manifests.len());
    let crafted_dir = tempfile::tempdir().unwrap();
    manifests.extend(crafted(
        &common::shared_root().join("cpython/3.13.15/Misc/stable_abi.toml"),
        crafted_dir.path(),
    ));

    let cases: Vec<(usize, Case)> = SCRIPTS
        .iter()
        .enumerate()
        .flat_map(|(index, (_, release))| {
            manifests.iter().map(move |manifest| {
                let case = Case {
                    release,
                    manifest: manifest.clone(),
                    by_script: tree_with(manifest),
                    by_tool: tree_with(manifest),
                };
                (index, case)
            })
        })
        .collect();

    let driver_dir = tempfile::tempdir().unwrap();
    let driver = driver_dir.path().join("driver.py");
    std::fs::write(&driver, DRIVER).unwrap();
    let next = Mutex::new(0usize);
    let outputs: Mutex<Vec<Option<Vec<std::process::Output>>>> =
        Mutex::new(vec![None; cases.len()]);
    std::thread::scope(|scope| {
        // Each script over its trees, in one process; the scripts in parallel.
        for (index, (script, _)) in SCRIPTS.iter().enumerate() {
            let trees: Vec<String> = cases
                .iter()
                .filter(|(i, _)| *i == index)
                .map(|(_, case)| case.by_script.1.display().to_string())
                .collect();
            let (python, driver, reference) = (&python, &driver, &reference);
            scope.spawn(move || {
                use std::io::Write;
                let mut child = Command::new(python)
                    .arg(driver)
                    .arg(reference.join(script))
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap();
                let mut stdin = child.stdin.take().unwrap();
                stdin.write_all(trees.join("\n").as_bytes()).unwrap();
                drop(stdin);
                assert!(child.wait().unwrap().success(), "the driver of {script}");
            });
        }
        // The tool, once per case.
        for _ in 0..2 {
            scope.spawn(|| loop {
                let index = {
                    let mut next = next.lock().unwrap();
                    *next += 1;
                    *next - 1
                };
                let Some((_, case)) = cases.get(index) else {
                    break;
                };
                let run = |action: &str, manifest: &str| {
                    common::stable_abi(
                        &case.by_tool.1,
                        &[action, "--release", case.release, manifest],
                    )
                };
                let mut output = vec![run(CHECK[0], CHECK[1])];
                output.push(run("--generate-all", "Misc/stable_abi.toml"));
                output.extend(
                    PRINTING_ACTIONS
                        .iter()
                        .map(|(action, manifest, _)| run(action, manifest)),
                );
                outputs.lock().unwrap()[index] = Some(output);
            });
        }
    });
    let outputs = outputs.into_inner().unwrap();
    let failures: Vec<String> = cases
        .iter()
        .zip(&outputs)
        .flat_map(|((_, case), output)| {
            let output = output.as_ref().unwrap();
            let check = compare_check(case, &output[0]);
            let generation = compare(
                case.release,
                &case.manifest,
                &case.by_script.1,
                &case.by_tool.1,
                &output[1],
            );
            let printing = PRINTING_ACTIONS
                .iter()
                .zip(&output[2..])
                .map(|(&action, output)| compare_printed(case, action, output));
            [check, generation].into_iter().chain(printing).flatten()
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // The scripts accept most manifests: a run that generated nothing
    // cannot pass.
    let generated_by_script = cases
        .iter()
        .filter(|(_, case)| !case.by_script.1.join("FAILED").exists())
        .count();
    assert!(
        generated_by_script > cases.len() / 2,
        "{generated_by_script}"
    );
}
