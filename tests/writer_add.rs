//! `stable-abi add` at its edges: values that cannot be written, names
//! refused at the command line, CRLF and BOM manifests, two `add`s at once.

mod common;
mod writer_common;

use std::process::{Command, Stdio};

use writer_common::*;

const MANIFEST: &str = "Misc/stable_abi.toml";

#[test]
fn a_value_that_cannot_be_written_is_a_usage_error() {
    let (_dir, tree) = sample_tree();
    let manifest = tree.join(MANIFEST);
    age(&manifest);
    let before = snapshot(&tree, &[MANIFEST]);
    for (args, message) in [
        (
            &["--members", "a'b"][..],
            "error: --members: \"a'b\" is not a C identifier (a member's name)\n",
        ),
        (
            &["--members", "a\nb"],
            "error: --members: \"a\\nb\" is not a C identifier (a member's name)\n",
        ),
        (
            &["--members", "a,"],
            "error: --members: \"\" is not a C identifier (a member's name)\n",
        ),
    ] {
        let mut all = vec!["add", "struct", "PyNew", "--struct-abi-kind", "members"];
        all.extend(args);
        let output = run(&tree, &all);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.starts_with(message), "{args:?}: {stderr}");
        // The command line is what is wrong: its usage, no manifest place.
        assert!(stderr.contains("Usage: stable-abi add "), "{stderr}");
        assert!(!stderr.contains("stable_abi.toml:"), "{stderr}");
        assert_eq!(snapshot(&tree, &[MANIFEST]), before, "{args:?}");
    }
}

#[test]
fn name_errors_point_at_the_command_line() {
    let (_dir, tree) = sample_tree();
    let before = snapshot(&tree, &[MANIFEST]);
    for (args, message) in [
        (
            &["add", "function", "2bad"][..],
            "error: NAME \"2bad\" is not a C identifier\n",
        ),
        (
            &["add", "function", "Py Foo"],
            "error: NAME \"Py Foo\" is not a C identifier\n",
        ),
        (
            &["add", "function", "_PyFoo"],
            "error: _PyFoo is private (a leading underscore): pass --abi-only",
        ),
    ] {
        let output = run(&tree, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.starts_with(message), "{args:?}: {stderr}");
        assert!(stderr.contains("Usage: stable-abi add "), "{stderr}");
        assert!(!stderr.contains(":1:1:"), "{stderr}");
    }
    assert_eq!(snapshot(&tree, &[MANIFEST]), before);
}

#[test]
fn a_crlf_manifest_with_a_bom_is_appended_in_its_own_line_endings() {
    let (_dir, tree) = sample_tree();
    let manifest = tree.join(MANIFEST);
    let lf = std::fs::read_to_string(&manifest).unwrap();
    let windows = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    std::fs::write(&manifest, &windows).unwrap();

    let output = run(&tree, &["add", "function", "PyWindows_New"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let after = std::fs::read_to_string(&manifest).unwrap();
    assert_eq!(
        after,
        format!("{windows}[function.PyWindows_New]\r\n    added = '3.13'\r\n")
    );
    // It reads back, item and all.
    let output = run(&tree, &["--dump", MANIFEST]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("[function.PyWindows_New]\n"));

    // Mixed line endings: which to append is unclear, so nothing is.
    std::fs::write(&manifest, format!("{windows}# a last line\n")).unwrap();
    age(&manifest);
    let before = snapshot(&tree, &[MANIFEST]);
    let output = run(&tree, &["add", "function", "PyMixed_New"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        "Misc/stable_abi.toml:1:1: error: the file mixes CRLF and LF line endings: cannot \
         tell which to append\n"
    );
    assert_eq!(snapshot(&tree, &[MANIFEST]), before);
}

#[test]
fn two_adds_at_once_keep_both_items() {
    let (_dir, tree) = sample_tree();
    let rounds = 10;
    for round in 0..rounds {
        let children: Vec<_> = ["A", "B"]
            .iter()
            .map(|side| {
                Command::new(bin())
                    .current_dir(&tree)
                    .args(["add", "function", &format!("PyRace{side}_{round}")])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        }
    }
    let text = std::fs::read_to_string(tree.join(MANIFEST)).unwrap();
    for round in 0..rounds {
        for side in ["A", "B"] {
            let header = format!("[function.PyRace{side}_{round}]\n");
            assert_eq!(text.matches(&header).count(), 1, "{header}");
        }
    }
    assert_eq!(temporaries(&tree.join("Misc")), Vec::<String>::new());
}
