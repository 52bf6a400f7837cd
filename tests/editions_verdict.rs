//! `stable-abi --all` gives the verdict of the tree's own `stable_abi.py
//! --all` on both shared trees: 3.13.15 passes; 3.15.2 fails, in both, on
//! the same functions, the ~15 that 3.15.2's headers declare and its
//! manifest (main's of April 2026) lags behind (`PyCriticalSection_Begin`,
//! `PyType_FromSlots`, …).
//!
//! The script runs as the tree's own interpreter would run it: it takes the
//! Limited API version from `sys.version_info`, so that is set to the
//! tree's; it needs gcc for the headers. Its library half (nm on the
//! running interpreter's libpython) cannot run here: it is taken as passing,
//! and the tool is run on a copy without `lib/`, where it skips its library
//! half too. Both compare the headers at the tree's version.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::{scratch_copy, shared_tree, stable_abi, stderr};

/// Runs a reference script's `main()` as if under CPython 3.`minor`, the
/// library half taken as passing.
const RUN_AS: &str = r#"
import collections, importlib.util, sys
script, minor = sys.argv[1], int(sys.argv[2])
spec = importlib.util.spec_from_file_location("stable_abi_reference", script)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
Version = collections.namedtuple("Version", "major minor micro releaselevel serial")
sys.version_info = Version(3, minor, 0, "final", 0)
module.binutils_check_library = lambda *args, **kwargs: True
sys.argv = [script] + sys.argv[3:]
module.main()
"#;

const PARTS: [&str; 7] = [
    "Include",
    "Misc",
    "PC",
    "Doc",
    "Lib",
    "Modules",
    "pyconfig.h",
];

/// The names under the script's "Some extra declarations were found".
fn script_unlisted(stderr: &str) -> BTreeSet<String> {
    stderr
        .split("Some extra declarations were found")
        .nth(1)
        .map(|rest| {
            rest.lines()
                .skip(1)
                .map_while(|line| line.strip_prefix(" - "))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The names of the tool's `[unlisted]` errors.
fn tool_unlisted(stderr: &str) -> BTreeSet<String> {
    stderr
        .lines()
        .filter(|line| line.contains(": error: ") && line.ends_with("[unlisted]"))
        .filter_map(|line| line.split(": error: ").nth(1)?.split(' ').next())
        .map(str::to_string)
        .collect()
}

fn verdicts(test: &str, release: &str, script: &str, minor: &str, passes: bool) {
    let Some(tree) = shared_tree(test, release) else {
        return;
    };
    let gcc = Command::new("gcc").arg("--version").output();
    let python = Command::new("python3")
        .args(["-c", "import tomllib"])
        .output();
    if !gcc.is_ok_and(|o| o.status.success()) || !python.is_ok_and(|o| o.status.success()) {
        common::missing::<()>(
            test,
            "gcc",
            "the reference script needs gcc and Python 3.11+",
        );
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference")
        .join(script);
    let (_dir, root) = scratch_copy(&tree, &PARTS);
    let runner = root.join("run_as.py");
    std::fs::write(&runner, RUN_AS).unwrap();
    let by_script = Command::new("python3")
        .arg(&runner)
        .arg(&script)
        .args([minor, "--all", "Misc/stable_abi.toml"])
        .current_dir(&root)
        .output()
        .unwrap();
    let script_err = String::from_utf8_lossy(&by_script.stderr).into_owned();
    let by_tool = stable_abi(&root, &["--all", "Misc/stable_abi.toml"]);
    let tool_err = stderr(&by_tool);

    assert_eq!(
        by_script.status.success(),
        passes,
        "the script:\n{script_err}"
    );
    assert_eq!(by_tool.status.success(), passes, "the tool:\n{tool_err}");
    assert_eq!(
        tool_unlisted(&tool_err),
        script_unlisted(&script_err),
        "the tool:\n{tool_err}"
    );
    if !passes {
        assert!(script_unlisted(&script_err).contains("PyType_FromSlots"));
    }
}

#[test]
#[cfg_attr(
    not(all(shared_3_13_15, shared_reference, python311, gcc)),
    ignore = "needs ../shared/cpython/3.13.15, ../shared/reference, python3 >= 3.11 and gcc"
)]
fn all_passes_on_3_13_15_as_its_script_does() {
    verdicts(
        "all_passes_on_3_13_15_as_its_script_does",
        "3.13.15",
        "stable_abi-3.13.py",
        "13",
        true,
    );
}

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, shared_reference, python311, gcc)),
    ignore = "needs ../shared/cpython/3.15.2, ../shared/reference, python3 >= 3.11 and gcc"
)]
fn all_fails_on_3_15_2_on_the_same_lagging_functions_as_its_script() {
    verdicts(
        "all_fails_on_3_15_2_on_the_same_lagging_functions_as_its_script",
        "3.15.2",
        "stable_abi-3.14.py",
        "15",
        false,
    );
}
