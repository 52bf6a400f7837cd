//! Every way a manifest can be wrong gets a clear error at `file:line:col`,
//! exit status 2, and nothing written.

mod common;

use common::{stable_abi, stderr};

/// Writes `text` as `Misc/stable_abi.toml` in a scratch tree, runs
/// `--generate-all`, and checks the exit status, the message and that no
/// file was generated.
fn assert_rejected(text: &[u8], location: &str, message: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("Misc")).unwrap();
    std::fs::write(dir.path().join("Misc/stable_abi.toml"), text).unwrap();
    let output = stable_abi(dir.path(), &["--generate-all"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    let expected = format!("Misc/stable_abi.toml:{location}: error: ");
    assert!(err.contains(&expected), "expected {expected:?} in:\n{err}");
    assert!(err.contains(message), "expected {message:?} in:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!dir.path().join("PC").exists(), "nothing may be written");
}

const FEATURE: &str = "[feature_macro.HAVE_FORK]\n    doc = 'on platforms with fork()'\n";

#[test]
fn toml_syntax_error() {
    assert_rejected(
        b"[function.PyFoo]\n    added = '3.2\n",
        "2:17",
        "invalid TOML: invalid literal string",
    );
}

#[test]
fn unknown_kind() {
    assert_rejected(
        b"[functoin.PyFoo]\n    added = '3.2'\n",
        "1:2",
        "unknown kind `functoin`",
    );
}

#[test]
fn unknown_field() {
    assert_rejected(
        b"[function.PyFoo]\n    added = '3.2'\n    abi_onyl = true\n",
        "3:5",
        "unknown field `abi_onyl` in function `PyFoo`",
    );
}

#[test]
fn wrong_value_type() {
    assert_rejected(
        b"[function.PyFoo]\n    added = 3.2\n",
        "2:13",
        "`added` of function `PyFoo` must be a string like '3.2', not a float",
    );
    assert_rejected(
        b"[function.PyFoo]\n    added = '3.2'\n    abi_only = 'yes'\n",
        "3:16",
        "must be true or false, not a string",
    );
}

#[test]
fn missing_added() {
    assert_rejected(
        b"[const.Py_FOO]\n    abi_only = true\n",
        "1:1",
        "const `Py_FOO` has no `added` version",
    );
}

#[test]
fn malformed_versions() {
    for bad in ["3", "3.x", "4.0", " 3.2"] {
        let text = format!("[function.PyFoo]\n    added = '{bad}'\n");
        assert_rejected(text.as_bytes(), "2:13", "malformed version");
    }
}

#[test]
fn name_defined_twice_across_kinds() {
    assert_rejected(
        b"[function.PyFoo]\n    added = '3.2'\n[macro.PyFoo]\n    added = '3.3'\n",
        "3:1",
        "`PyFoo` is defined twice (as function and as macro)",
    );
    // The note points at the first definition.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("Misc")).unwrap();
    std::fs::write(
        dir.path().join("Misc/stable_abi.toml"),
        "[function.PyFoo]\n    added = '3.2'\n[macro.PyFoo]\n    added = '3.3'\n",
    )
    .unwrap();
    let err = stderr(&stable_abi(dir.path(), &["--generate-all"]));
    assert!(
        err.contains("Misc/stable_abi.toml:1:1: note: first defined here"),
        "{err}"
    );
}

#[test]
fn name_defined_twice_in_one_kind_is_a_toml_error() {
    assert_rejected(
        b"[function.PyFoo]\n    added = '3.2'\n[function.PyFoo]\n    added = '3.3'\n",
        "3:1",
        "invalid TOML: invalid table header: duplicate key `PyFoo` in table `function`",
    );
}

#[test]
fn ifdef_naming_no_feature_macro() {
    let text = format!("{FEATURE}[function.PyFoo]\n    added = '3.2'\n    ifdef = 'HAVE_SPOON'\n");
    assert_rejected(
        text.as_bytes(),
        "3:1",
        "ifdef = 'HAVE_SPOON', which is not in the manifest; ifdef must name a feature_macro",
    );
    let text = "[function.PyBar]\n    added = '3.2'\n[function.PyFoo]\n    added = '3.2'\n    ifdef = 'PyBar'\n";
    assert_rejected(text.as_bytes(), "3:1", "which is a function");
}

#[test]
fn underscore_name_without_abi_only() {
    assert_rejected(
        b"[function._PyFoo]\n    added = '3.2'\n",
        "1:1",
        "`_PyFoo` is private (underscore-prefixed)",
    );
}

#[test]
fn struct_without_or_with_unknown_abi_kind() {
    assert_rejected(
        b"[struct.PyFoo]\n    added = '3.2'\n",
        "1:1",
        "struct `PyFoo` has no `struct_abi_kind`",
    );
    assert_rejected(
        b"[struct.PyFoo]\n    added = '3.2'\n    struct_abi_kind = 'partial'\n",
        "3:23",
        "unknown struct_abi_kind 'partial'",
    );
}

#[test]
fn members_on_a_struct_that_is_not_members() {
    assert_rejected(
        b"[struct.PyFoo]\n    added = '3.2'\n    struct_abi_kind = 'opaque'\n    members = ['a']\n",
        "1:1",
        "struct `PyFoo` lists `members` but its struct_abi_kind is 'opaque'",
    );
}

#[test]
fn non_utf8_file() {
    assert_rejected(
        b"[function.PyFoo]\n    added = '3.2' # caf\xe9\n",
        "2:24",
        "not valid UTF-8",
    );
}

#[test]
fn missing_file_suggests_the_toml() {
    let dir = tempfile::tempdir().unwrap();
    let output = stable_abi(dir.path(), &["Misc/stable_abi.txt", "--all"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains(
            "Misc/stable_abi.txt: error: manifest not found; did you mean Misc/stable_abi.toml?"
        ),
        "{err}"
    );
    let output = stable_abi(dir.path(), &["--all"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("Misc/stable_abi.toml: error: cannot read the manifest"));
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("Misc")).unwrap();
    std::fs::write(
        dir.path().join("Misc/stable_abi.toml"),
        "[function.PyFoo]\n    added = '3'\n[function.PyBar]\n    added = '3.x'\n",
    )
    .unwrap();
    let err = stderr(&stable_abi(dir.path(), &["--generate-all"]));
    assert!(err.contains("stable_abi.toml:2:13: error: "), "{err}");
    assert!(err.contains("stable_abi.toml:4:13: error: "), "{err}");
}

#[test]
fn no_action_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("Misc")).unwrap();
    // A table of every kind, as stable_abi.py reads before anything else.
    let manifest = format!("{FEATURE}[typedef]\n[const]\n[data]\n[macro]\n[function]\n[struct]\n");
    std::fs::write(dir.path().join("Misc/stable_abi.toml"), manifest).unwrap();
    let output = stable_abi(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("No check specified. Use --all to check all files"));
    let output = stable_abi(dir.path(), &["--generate"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("No file specified. Use --generate-all"));
}

/// A manifest whose values hold a newline (a forged `error:` line), an
/// escape sequence and a right-to-left override, in an `ifdef`, a quoted
/// name, a kind, a `struct_abi_kind` and a member.
const HOSTILE: &str = r#"[function.PyA]
    added = '3.2'
    ifdef = "X\nerror: forged"
[struct.PyB]
    added = '3.2'
    struct_abi_kind = "full\u001b[31m\u202e"
    members = ["a\nerror: forged member"]
["func\u202etion".PyC]
    added = '3.2'
[function."PyD\u001b[2J"]
    added = '3.2'
"#;

#[test]
fn values_of_a_manifest_are_printed_escaped_one_diagnostic_per_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("Misc")).unwrap();
    std::fs::write(dir.path().join("Misc/stable_abi.toml"), HOSTILE).unwrap();
    std::fs::write(
        dir.path().join("old.toml"),
        "[function.PyA]\n    added = '3.2'\n",
    )
    .unwrap();
    let manifest = "Misc/stable_abi.toml";
    // compat reads a manifest leniently (a kind it does not know is not
    // its concern): three errors.
    let runs: [(&[&str], usize); 6] = [
        (&[manifest, "--all"], 5),
        (&["--dump", manifest], 5),
        (&["headers", "--manifest", manifest], 5),
        (&["headers", "--manifest", manifest, "--format", "json"], 5),
        (&["compat", "--baseline", "old.toml", manifest], 3),
        (
            &[
                "add",
                "function",
                "PyZ",
                "--added",
                "3.2",
                "--manifest",
                manifest,
            ],
            5,
        ),
    ];
    for (args, count) in runs {
        let output = stable_abi(dir.path(), args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), count, "{args:?}: one line per error:\n{err}");
        for line in &lines {
            assert!(line.starts_with(manifest), "{args:?}: {line:?}");
            assert!(
                !line.chars().any(|c| c.is_control() || c == '\u{202e}'),
                "{args:?}: {line:?}"
            );
        }
        for shown in [
            "ifdef = 'X\\nerror: forged'",
            "member `a\\nerror: forged member`",
            "`PyD\\x1b[2J`",
            "'full\\x1b[31m\\u{202e}'",
            "unknown kind `func\\u{202e}tion`",
        ]
        .into_iter()
        .take(count)
        {
            assert!(err.contains(shown), "{args:?}: {shown} in\n{err}");
        }
    }
}
