//! Quiet when right: on a CPython tree in order, `--all`, `--generate-all`
//! and the check of the generated files print what the tree's own
//! `stable_abi.py` prints, plus at most one summary line for the header
//! findings the script cannot see; `--verbose` prints every one of them.
//!
//! The script runs as the tree's own build runs it (`make
//! check-limited-abi`): `sys.version_info` set to the tree's release (the
//! script takes its `Py_LIMITED_API` from it), gcc as the compiler, and the
//! tree's built libraries where a build leaves them, at its top. The
//! shared trees' shared libraries are stripped to their dynamic symbols,
//! which the script's `nm` (without `-D`) does not read: it is given `-D`
//! for them. The lines `nm` itself prints about archive members without
//! symbols (`nm: brc.o: no symbols`) are left out of the comparison.
//!
//! The 3.15.2 tree's manifest lags its headers (about fifteen functions of
//! 3.15 are declared but not listed), so the script fails there: the tree
//! is brought in order first, as a core developer would, by listing the
//! functions the script names and regenerating with the script.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{scratch_copy, shared_tree, stable_abi, stderr, stdout};

/// Runs a reference script's `main()` as the tree's build would (see the
/// module's documentation): `RUNNER SCRIPT MINOR CC ARGS...`.
const RUN_AS_THE_BUILD: &str = r#"
import collections, importlib.util, sys, sysconfig
script, minor, cc = sys.argv[1], int(sys.argv[2]), sys.argv[3]
spec = importlib.util.spec_from_file_location("stable_abi_reference", script)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
Version = collections.namedtuple("Version", "major minor micro releaselevel serial")
sys.version_info = Version(3, minor, 0, "final", 0)
build = {"CC": cc, "LIBRARY": f"libpython3.{minor}.a", "LDLIBRARY": f"libpython3.{minor}.so"}
config_var = sysconfig.get_config_var
sysconfig.get_config_var = lambda name: build.get(name) or config_var(name)
nm = module.binutils_get_exported_symbols
module.binutils_get_exported_symbols = (
    lambda library, dynamic=False: nm(library, dynamic or library.endswith(".so"))
)
sys.argv = [script] + sys.argv[4:]
module.main()
"#;

/// What a core developer's checkout has, and the built libraries.
const PARTS: [&str; 8] = [
    "Include",
    "Misc",
    "PC",
    "Doc",
    "Lib",
    "Modules",
    "pyconfig.h",
    "lib",
];

/// A shared tree's copy, with its libraries where the build leaves them,
/// and its script.
struct Tree {
    _dir: tempfile::TempDir,
    root: PathBuf,
    script: PathBuf,
    minor: &'static str,
    python: &'static str,
}

impl Tree {
    fn new(test: &str, release: &str, script: &str, minor: &'static str) -> Option<Tree> {
        let tree = shared_tree(test, release)?;
        let python = common::python(test)?;
        let (dir, root) = scratch_copy(&tree, &PARTS);
        for entry in std::fs::read_dir(root.join("lib")).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            // libpython3.N.so.1.0 is also reached as libpython3.N.so.
            let link = match name.strip_suffix(".1.0") {
                Some(so) => so.to_string(),
                None => name.clone(),
            };
            std::os::unix::fs::symlink(Path::new("lib").join(&name), root.join(link)).unwrap();
        }
        std::fs::write(root.join("run_as_the_build.py"), RUN_AS_THE_BUILD).unwrap();
        let script = common::shared_root().join("reference").join(script);
        Some(Tree {
            _dir: dir,
            root,
            script,
            minor,
            python,
        })
    }

    fn script(&self, args: &[&str]) -> Output {
        Command::new(self.python)
            .arg("run_as_the_build.py")
            .arg(&self.script)
            .args([self.minor, "gcc"])
            .args(args)
            .current_dir(&self.root)
            .output()
            .unwrap()
    }

    fn tool(&self, args: &[&str]) -> Output {
        stable_abi(&self.root, args)
    }
}

/// The script's stderr without `nm`'s own lines.
fn script_stderr(output: &Output) -> String {
    stderr(output)
        .lines()
        .filter(|line| !line.starts_with("nm: "))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The tool prints what the script prints (stdout exactly; stderr but for
/// `nm`'s lines), plus at most the one summary line, and exits alike.
fn prints_what_the_script_prints(tree: &Tree, args: &[&str]) {
    let script = tree.script(args);
    let tool = tree.tool(args);
    let (script_err, tool_err) = (script_stderr(&script), stderr(&tool));
    assert!(
        script.status.success(),
        "{args:?}: the script:\n{script_err}"
    );
    assert!(tool.status.success(), "{args:?}: the tool:\n{tool_err}");
    assert_eq!(stdout(&tool), stdout(&script), "{args:?}: stdout");
    let extra: Vec<&str> = tool_err
        .lines()
        .filter(|line| !script_err.lines().any(|l| l == *line))
        .collect();
    assert!(
        script_err.lines().all(|line| tool_err.contains(line)),
        "{args:?}: the script's\n{script_err}\nthe tool's\n{tool_err}"
    );
    let summary = "header findings stable_abi.py does not check";
    match extra[..] {
        [] => {}
        [line] => assert!(
            line.starts_with("note: ") && line.contains(summary),
            "{args:?}: {line}"
        ),
        _ => panic!("{args:?}: more than the summary line:\n{tool_err}"),
    }
}

/// On a tree in order: `--all`, the check of the four files and
/// `--generate-all` print what the script prints, and `--verbose` every
/// finding.
fn quiet_when_right(tree: &Tree) {
    prints_what_the_script_prints(tree, &["--all", "Misc/stable_abi.toml"]);
    prints_what_the_script_prints(tree, &common::CHECK_GENERATED);
    prints_what_the_script_prints(tree, &["--generate-all", "Misc/stable_abi.toml"]);
    verbose_shows_every_finding(tree);
}

/// Every header finding is in `--all --verbose` (on stderr): each finding
/// of `stable-abi headers --no-baseline`, by its name and check, and the
/// summary line of `--all` counts those beyond the script's checks.
fn verbose_shows_every_finding(tree: &Tree) {
    let quiet = stderr(&tree.tool(&["--all", "Misc/stable_abi.toml"]));
    let verbose = tree.tool(&["--all", "--verbose", "Misc/stable_abi.toml"]);
    let verbose = stderr(&verbose);
    let headers = tree.tool(&["headers", "--no-baseline", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&headers.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.len() > 50, "{} findings", findings.len());
    for finding in findings {
        let (name, check) = (
            finding["name"].as_str().unwrap(),
            finding["check"].as_str().unwrap(),
        );
        let tag = format!("[{check}]");
        assert!(
            verbose
                .lines()
                .any(|line| line.contains(name) && line.ends_with(&tag)),
            "{check} {name} is not in --verbose:\n{verbose}"
        );
    }
    let warnings = verbose
        .lines()
        .filter(|l| l.starts_with("warning: ") || l.contains(": warning: "))
        .count();
    let summary = format!(
        "note: {warnings} header findings stable_abi.py does not check (older \
         Py_LIMITED_API versions, more checks), not errors without a baseline: \
         `stable-abi headers` (or --verbose) lists them; `stable-abi headers \
         --write-baseline Misc/stable_abi_baseline.txt` accepts them"
    );
    assert!(quiet.contains(&summary), "{summary}\nnot in\n{quiet}");
}

#[test]
#[cfg_attr(
    not(all(shared_3_13_15, shared_reference, python311, gcc)),
    ignore = "needs ../shared/cpython/3.13.15, ../shared/reference, python3 >= 3.11 and gcc"
)]
fn on_3_13_15_the_tool_prints_what_its_script_prints() {
    let test = "on_3_13_15_the_tool_prints_what_its_script_prints";
    let Some(tree) = Tree::new(test, "3.13.15", "stable_abi-3.13.py", "13") else {
        return;
    };
    quiet_when_right(&tree);
    with_the_baseline_only_new_findings_show(&tree);
}

/// With today's findings accepted in `Misc/stable_abi_baseline.txt` (found
/// beside the manifest), `--all` prints nothing at all; after a one-item
/// manifest edit, the stale file's diff and the one new finding, which
/// fails.
fn with_the_baseline_only_new_findings_show(tree: &Tree) {
    let written = tree.tool(&[
        "headers",
        "--write-baseline",
        "Misc/stable_abi_baseline.txt",
    ]);
    assert!(written.status.success(), "{}", stderr(&written));
    let all = tree.tool(&["--all", "Misc/stable_abi.toml"]);
    assert!(all.status.success(), "{}", stderr(&all));
    assert_eq!((stdout(&all), stderr(&all)), (String::new(), String::new()));

    common::edit(
        &tree.root,
        "Misc/stable_abi.toml",
        "[function.PyObject_Call]\n    added = '3.2'",
        "[function.PyObject_Call]\n    added = '3.3'",
    );
    let all = tree.tool(&["--all", "Misc/stable_abi.toml"]);
    let (out, err) = (stdout(&all), stderr(&all));
    assert_eq!(all.status.code(), Some(1), "{out}{err}");
    assert!(
        out.starts_with("File Doc/data/stable_abi.dat differs from expected!\n"),
        "{out}"
    );
    assert!(out.contains("\n+func,PyObject_Call,3.3,,\n"), "{out}");
    let errors: Vec<&str> = err.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].ends_with(
            "PyObject_Call is declared for Py_LIMITED_API 3.2 but was added in 3.3 [too-early]"
        ),
        "{err}"
    );
    assert!(!err.contains(": warning: "), "{err}");
    assert!(
        err.contains("did not succeed: doc_list, unixy_check"),
        "{err}"
    );
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, shared_reference, python311, gcc)),
    ignore = "needs ../shared/cpython/3.15.2, ../shared/reference, python3 >= 3.11 and gcc"
)]
fn on_3_15_2_in_order_the_tool_prints_what_its_script_prints() {
    let test = "on_3_15_2_in_order_the_tool_prints_what_its_script_prints";
    let Some(tree) = Tree::new(test, "3.15.2", "stable_abi-3.14.py", "15") else {
        return;
    };
    // The pristine tree: both fail, on the same names (tests/editions_verdict.rs).
    let pristine = tree.script(&["--all", "Misc/stable_abi.toml"]);
    assert!(!pristine.status.success());
    let unlisted: Vec<String> = script_stderr(&pristine)
        .split("Some extra declarations were found")
        .nth(1)
        .unwrap_or_default()
        .lines()
        .skip(1)
        .map_while(|line| line.strip_prefix(" - "))
        .map(str::to_string)
        .collect();
    assert!(unlisted.len() >= 10, "{unlisted:?}");
    let quiet = tree.tool(&["--all", "Misc/stable_abi.toml"]);
    let errors = stderr(&quiet)
        .lines()
        .filter(|line| line.contains(": error: "))
        .count();
    assert_eq!(errors, unlisted.len(), "{}", stderr(&quiet));

    // In order: the functions listed, the files regenerated by the script.
    let manifest = tree.root.join("Misc/stable_abi.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    for name in &unlisted {
        text.push_str(&format!("\n[function.{name}]\n    added = '3.15'\n"));
    }
    std::fs::write(&manifest, text).unwrap();
    let regenerated = tree.script(&["--generate-all", "Misc/stable_abi.toml"]);
    assert!(regenerated.status.success(), "{}", stderr(&regenerated));

    quiet_when_right(&tree);
}
