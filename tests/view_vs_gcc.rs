//! The view against gcc in configurations the `expected/` oracle does not
//! cover (debug, free-threaded, trace-refs builds; the full API): gcc
//! preprocesses `Python.h`, and the declarations are read back from its
//! output. Skipped when gcc is not installed (the product never needs it),
//! except under `CI=true`, where it must run.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use stable_abi::version::Version;
use stable_abi::view::{Defines, Headers};

/// Functions and data declared in gcc's preprocessed `Python.h`.
fn gcc_declarations(
    tree: &Path,
    limited: Option<Version>,
    defines: &[&str],
) -> Option<BTreeSet<String>> {
    let mut gcc = Command::new("gcc");
    // PyAPI_FUNC/PyAPI_DATA expand to themselves, so the declarations stay
    // recognizable; _Py_NO_RETURN to nothing, as stable_abi.py does.
    gcc.current_dir(tree).args([
        "-E",
        "-P",
        "-I.",
        "-I./Include",
        "-DSIZEOF_WCHAR_T=4",
        "-DPyAPI_FUNC(RTYPE)=PyAPI_FUNC(RTYPE)",
        "-DPyAPI_DATA(RTYPE)=PyAPI_DATA(RTYPE)",
        "-D_Py_NO_RETURN=",
    ]);
    if let Some(version) = limited {
        gcc.arg(format!(
            "-DPy_LIMITED_API={:#x}",
            version.limited_api_value()
        ));
    }
    for define in defines {
        gcc.arg(format!("-D{define}"));
    }
    let output = gcc.arg("Include/Python.h").output().ok()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let view = Headers::from_text(&output.stdout)
        .view(None, &Defines::default())
        .expect("preprocessed text has no directives left to fail");
    Some(
        view.functions
            .into_keys()
            .chain(view.data.into_keys())
            .map(|name| name.to_string())
            .collect(),
    )
}

#[test]
#[cfg_attr(
    not(all(cpython_tree, gcc)),
    ignore = "needs a CPython tree (../shared/cpython/3.13.15 or $STABLE_ABI_CPYTHON) and gcc"
)]
fn view_matches_gcc_in_other_configurations() {
    let Some(tree) = common::cpython_tree("view_matches_gcc_in_other_configurations") else {
        return;
    };
    let headers = Headers::load(&tree, &Defines::default()).unwrap();
    let configurations: [(Option<Version>, &[&str]); 6] = [
        (None, &[]),
        (None, &["Py_DEBUG"]),
        (None, &["Py_GIL_DISABLED"]),
        (None, &["Py_TRACE_REFS", "Py_STATS"]),
        (Some(Version::new(3, 13)), &["Py_DEBUG"]),
        (Some(Version::new(3, 8)), &["Py_REF_DEBUG"]),
    ];
    let mut problems = Vec::new();
    for (limited, defines) in configurations {
        let Some(expected) = gcc_declarations(&tree, limited, defines) else {
            common::missing::<()>(
                "view_matches_gcc_in_other_configurations",
                "gcc",
                "gcc is not installed",
            );
            return;
        };
        let extra = Defines {
            defines: defines
                .iter()
                .map(|d| (d.to_string(), "1".to_string()))
                .collect(),
            undefines: Vec::new(),
        };
        let view = headers.view(limited, &extra).unwrap();
        let ours: BTreeSet<String> = view
            .functions
            .into_keys()
            .chain(view.data.into_keys())
            .map(|name| name.to_string())
            .collect();
        assert!(ours.len() > 500);
        let only_ours: Vec<_> = ours.difference(&expected).collect();
        let only_gcc: Vec<_> = expected.difference(&ours).collect();
        if !only_ours.is_empty() || !only_gcc.is_empty() {
            problems.push(format!(
                "{limited:?} {defines:?}: only in the view {only_ours:?}; only in gcc {only_gcc:?}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
