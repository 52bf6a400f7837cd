//! `stable-abi compat` as a command: OLD and NEW as git revisions, trees
//! and manifest files; text and JSON; exit statuses; accepted breaks.

mod common;

use std::path::Path;

use common::{stable_abi, stderr, stdout};

const OLD: &str = "\
[function.PyFoo]
    added = '3.2'
[function.PyGone]
    added = '3.2'
[macro.METH_FASTCALL]
    added = '3.7'
";

/// NEW: PyGone removed, METH_FASTCALL's `added` changed, PyNew added.
const NEW: &str = "\
[function.PyFoo]
    added = '3.2'
[macro.METH_FASTCALL]
    added = '3.10'
[function.PyNew]
    added = '3.14'
";

const PATCHLEVEL: &str = "#define PY_MINOR_VERSION        14\n";

fn write_tree(root: &Path, manifest: &str) {
    std::fs::create_dir_all(root.join("Misc")).unwrap();
    std::fs::create_dir_all(root.join("Include")).unwrap();
    std::fs::write(root.join("Misc/stable_abi.toml"), manifest).unwrap();
    std::fs::write(root.join("Include/patchlevel.h"), PATCHLEVEL).unwrap();
}

/// A checkout whose HEAD~1 has OLD and HEAD has NEW.
fn two_commits() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    common::git(root, &["init", "-q"]);
    write_tree(root, OLD);
    common::git(root, &["add", "."]);
    common::git(root, &["commit", "-q", "-m", "old"]);
    write_tree(root, NEW);
    common::git(root, &["commit", "-q", "-am", "new"]);
    dir
}

const EXPECTED_TEXT: &str = "\
HEAD~1:Misc/stable_abi.toml:3:1: error: Limited API item function PyGone was removed (added in 3.2) [compat-removed]
    note: Misc/stable_abi.toml has no such item
Misc/stable_abi.toml:3:1: error: `added` of METH_FASTCALL changed from '3.7' to '3.10' [compat-added-changed]
    HEAD~1:Misc/stable_abi.toml:5:1: note: '3.7' before
Misc/stable_abi.toml:5:1: note: new function PyNew (added in 3.14) [compat-new]
2 error(s), 0 warning(s), 1 note(s)
";

#[test]
fn a_revision_against_the_work_tree_without_touching_it() {
    let repo = two_commits();
    // An uncommitted edit must stay as it is.
    let edited = format!("{NEW}# uncommitted\n");
    std::fs::write(repo.path().join("Misc/stable_abi.toml"), &edited).unwrap();
    let output = stable_abi(repo.path(), &["compat", "--baseline", "HEAD~1"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stdout(&output), EXPECTED_TEXT);
    let after = std::fs::read_to_string(repo.path().join("Misc/stable_abi.toml")).unwrap();
    assert_eq!(after, edited);
}

#[test]
fn two_revisions_trees_and_files_give_the_same_findings() {
    let repo = two_commits();
    let old_tree = tempfile::tempdir().unwrap();
    write_tree(old_tree.path(), OLD);
    let old_tree_arg = old_tree.path().to_str().unwrap();
    let old_file = old_tree.path().join("Misc/stable_abi.toml");
    let forms: [&[&str]; 3] = [
        &["compat", "--baseline", "HEAD~1", "HEAD"],
        &["compat", "--baseline", old_tree_arg, "."],
        &[
            "compat",
            "--baseline",
            old_file.to_str().unwrap(),
            "Misc/stable_abi.toml",
        ],
    ];
    for args in forms {
        let output = stable_abi(repo.path(), args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            stderr(&output)
        );
        let text = stdout(&output);
        for check in ["[compat-removed]", "[compat-added-changed]", "[compat-new]"] {
            assert_eq!(text.matches(check).count(), 1, "{args:?}: {text}");
        }
    }
}

#[test]
fn json_and_accepted_breaks() {
    let repo = two_commits();
    let output = stable_abi(
        repo.path(),
        &["compat", "--baseline", "HEAD~1", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["summary"]["errors"], 2);
    assert_eq!(json["summary"]["notes"], 1);
    assert_eq!(json["findings"][0]["check"], "compat-removed");
    assert_eq!(json["findings"][0]["path"], "HEAD~1:Misc/stable_abi.toml");
    assert_eq!(json["findings"][0]["line"], 3);

    let accepted = repo.path().join("accepted.txt");
    let output = stable_abi(
        repo.path(),
        &[
            "compat",
            "--baseline",
            "HEAD~1",
            "--write-accepted",
            "accepted.txt",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(&accepted).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        lines,
        [
            "compat-added-changed METH_FASTCALL -",
            "compat-removed PyGone -"
        ]
    );
    let output = stable_abi(
        repo.path(),
        &[
            "compat",
            "--baseline",
            "HEAD~1",
            "--accepted",
            "accepted.txt",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("[compat-new]"));
    // Against itself nothing breaks, and the accepted lines are stale.
    let output = stable_abi(
        repo.path(),
        &["compat", "--baseline", "HEAD", "--accepted", "accepted.txt"],
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output).matches("[stale-baseline]").count(),
        2,
        "{}",
        stdout(&output)
    );
}

#[test]
fn bad_sides_are_input_errors() {
    let repo = two_commits();
    let output = stable_abi(repo.path(), &["compat", "--baseline", "no-such-rev"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("no-such-rev: error: neither a file, a directory nor a git revision"),
        "{}",
        stderr(&output)
    );
    std::fs::write(
        repo.path().join("bad.toml"),
        "[function.PyFoo]\n    added = 'x'\n",
    )
    .unwrap();
    let output = stable_abi(repo.path(), &["compat", "--baseline", "bad.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("bad.toml:2:13: error:"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_unknown_kind_on_a_known_release_says_what_is_wrong() {
    // 3.14 is a release the tool knows: not "newer than the tool knows".
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    write_tree(&old, OLD);
    write_tree(
        &new,
        &format!("{OLD}[functoin.PyTypo]\n    added = '3.14'\n"),
    );
    let output = stable_abi(dir.path(), &["compat", "--baseline", "old", "new"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(
            "new/Misc/stable_abi.toml:7:2: warning: unknown kind `functoin` (expected one of: \
             typedef, const, data, macro, function, feature_macro, struct); compat compares \
             what the tool knows and leaves this out (--strict: an error)"
        ),
        "{err}"
    );
    assert!(!err.contains("newer than the tool knows"), "{err}");
    let output = stable_abi(
        dir.path(),
        &["compat", "--strict", "--baseline", "old", "new"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}
