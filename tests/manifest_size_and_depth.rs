//! Manifests past any real one: several megabytes (read in chunks), with an
//! error on their last line or a table defined twice across chunks; values
//! nested 100,000 deep. Each is a located error, exit 2, with the generated
//! files untouched; no command overflows its stack. `make bench`
//! (`benches/manifest_size.rs`) measures the 100 MB case.

mod common;

use std::path::Path;

use common::{stable_abi, stderr, GENERATED_FILES};

/// An item of each kind but functions, data and structs (`stable_abi.py`
/// reads a table of every kind).
const OTHER_KINDS: &str = "[feature_macro.HAVE_FORK]\n    doc = 'on platforms with fork()'\n\
     [typedef.Py_ssize_t]\n    added = '3.2'\n[const.METH_O]\n    added = '3.2'\n\
     [macro.Py_None]\n    added = '3.2'\n";

/// `copies` copies of a few items, each copy's names with a suffix.
fn many_items(copies: usize) -> String {
    let mut text = String::from(OTHER_KINDS);
    for copy in 0..copies {
        text.push_str(&format!(
            "[function.PyFoo_{copy}]\n    added = '3.2'\n    ifdef = 'HAVE_FORK'\n\
             [struct.PyBar_{copy}]\n    added = '3.13'\n    struct_abi_kind = 'members'\n    \
             members = ['a', 'b']\n[data.PyBaz_{copy}]\n    added = '3.2'\n"
        ));
    }
    text
}

/// A tree with `manifest` and the four generated files (as `--generate-all`
/// wrote them from `written_from`), and what those files hold with when
/// they were written.
fn tree(
    manifest: &str,
    written_from: &str,
) -> (tempfile::TempDir, Vec<(Vec<u8>, std::time::SystemTime)>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("Misc")).unwrap();
    for file in common::GENERATED_FILES {
        std::fs::create_dir_all(dir.path().join(file).parent().unwrap()).unwrap();
    }
    let path = dir.path().join("Misc/stable_abi.toml");
    std::fs::write(&path, written_from).unwrap();
    let output = stable_abi(dir.path(), &["--generate-all"]);
    assert!(output.status.success(), "{}", stderr(&output));
    std::fs::write(&path, manifest).unwrap();
    let before = snapshot(dir.path());
    (dir, before)
}

fn snapshot(root: &Path) -> Vec<(Vec<u8>, std::time::SystemTime)> {
    GENERATED_FILES
        .iter()
        .map(|file| {
            let path = root.join(file);
            let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
            (std::fs::read(&path).unwrap(), modified)
        })
        .collect()
}

/// Runs `--generate-all` on the tree: exit 2, `location` and `message` in
/// the error, the generated files as they were.
fn assert_rejected(manifest: &str, location: &str, message: &str) {
    let written_from = format!(
        "{OTHER_KINDS}[function.PyOld]\n    added = '3.2'\n[data.PyOld_Type]\n    added = '3.2'\n\
         [struct.PyOldObject]\n    added = '3.2'\n    struct_abi_kind = 'opaque'\n"
    );
    let (dir, before) = tree(manifest, &written_from);
    let output = stable_abi(dir.path(), &["--generate-all"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    let expected = format!("Misc/stable_abi.toml:{location}: error: {message}");
    assert!(
        err.starts_with(&expected),
        "expected {expected:?}, got:\n{err}"
    );
    assert!(
        snapshot(dir.path()) == before,
        "the generated files changed"
    );
}

#[test]
fn a_syntax_error_on_the_last_line_of_a_large_manifest_is_located() {
    // 5 MB: read in 5 chunks; the error is in the last.
    let text = many_items(35_000);
    assert!(text.len() > 5 << 20, "{}", text.len());
    let lines = text.lines().count();
    assert_rejected(
        &format!("{text}[function.Oops\n"),
        &format!("{}:15", lines + 1),
        "invalid TOML: invalid table header: expected `.`, `]`",
    );
    // A value cut short, in the middle.
    let header = "[data.PyBaz_20000]\n";
    let cut = text.replacen(
        &format!("{header}    added = '3.2'"),
        &format!("{header}    added = "),
        1,
    );
    assert_ne!(cut, text);
    let line = text[..text.find(header).unwrap()].lines().count() + 2;
    assert_rejected(&cut, &format!("{line}:13"), "invalid TOML: ");
}

#[test]
fn a_table_defined_twice_chunks_apart_is_located_at_the_second() {
    let text = many_items(20_000);
    let lines = text.lines().count();
    assert_rejected(
        &format!("{text}[function.PyFoo_3]\n    added = '3.2'\n"),
        &format!("{}:1", lines + 1),
        "invalid TOML: invalid table header: duplicate key `PyFoo_3` in table `function`",
    );
}

#[test]
fn a_large_manifest_generates_and_dumps() {
    let text = many_items(20_000);
    let (dir, _) = tree(&text, &text);
    let output = stable_abi(dir.path(), &common::CHECK_GENERATED);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = stable_abi(dir.path(), &["--dump", "Misc/stable_abi.toml"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        output.stdout.iter().filter(|&&b| b == b'[').count(),
        4 + 3 * 20_000 + 20_000,
        "every header, and every `members` list"
    );
}

#[test]
fn values_nested_100000_deep_are_a_located_error_for_every_command() {
    let tree = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (opening, column) in [("[", 84), ("{a=", 242)] {
        let dir = tempfile::tempdir().unwrap();
        for part in ["Include", "Misc"] {
            common::copy_tree(&tree.join(part), &dir.path().join(part));
        }
        let manifest = dir.path().join("Misc/stable_abi.toml");
        let text = format!("x = {}\n", opening.repeat(100_000));
        std::fs::write(&manifest, &text).unwrap();
        let m = "Misc/stable_abi.toml";
        let commands: [&[&str]; 6] = [
            &["--dump", m],
            &["headers", "--manifest", m],
            &["view", "3.13", "--manifest", m],
            &["library", "--manifest", m, "Misc"],
            &["audit", "--manifest", m, "Misc"],
            &[
                "add",
                "function",
                "PyFoo",
                "--added",
                "3.13",
                "--manifest",
                m,
            ],
        ];
        for args in commands {
            let output = stable_abi(dir.path(), args);
            let err = stderr(&output);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
            let expected = format!("{m}:1:{column}: error: invalid TOML: recursion limit exceeded");
            assert!(err.starts_with(&expected), "{args:?}: {err}");
        }
        assert_eq!(
            std::fs::read_to_string(&manifest).unwrap(),
            text,
            "`add` wrote nothing"
        );
    }
}
