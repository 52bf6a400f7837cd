//! The plain reader (CPython's subset of TOML, read straight from
//! `toml_parser`'s events) and the `toml_edit` document reader give the same
//! manifest, warnings and errors, to the line and column: on every real
//! manifest, on edge cases of the subset and around it, and on thousands of
//! deterministic mutations. Every real manifest is read by the plain reader.

mod common;

use std::path::{Path, PathBuf};

use common::mutation::{mutate, Edits, Rng};
use stable_abi::manifest::{Manifest, Rules};

/// The rule sets the drop-in and the other commands read under.
const RULES: [Rules; 3] = [
    Rules::ALL_KNOWN,
    Rules {
        newer: true,
        ..Rules::ALL_KNOWN
    },
    Rules {
        static_inline_macros: false,
        abi3t_opaque: false,
        ..Rules::ALL_KNOWN
    },
];

/// What a reader made of `text`: the items with where they are, the kinds
/// it has tables of, and the warnings; or the errors.
fn outcome(result: stable_abi::Result<stable_abi::manifest::Parsed>) -> String {
    match result {
        Ok(parsed) => format!(
            "{:#?}\n{:?}\n{:#?}",
            parsed.manifest.items, parsed.manifest.kind_tables, parsed.warnings
        ),
        Err(err) => format!("error: {err}"),
    }
}

/// Both readers agree on `text` under every rule set. Returns whether the
/// plain reader read it (else the fast path gave way to `toml_edit`).
fn assert_agree(text: &str) -> bool {
    let path = Path::new("Misc/stable_abi.toml");
    for rules in RULES {
        let plain = outcome(Manifest::parse_with(text, path, rules));
        let document = outcome(Manifest::parse_by_document(text, path, rules));
        assert_eq!(
            plain, document,
            "the readers differ ({rules:?}) on:\n{text}"
        );
    }
    Manifest::reads_plainly(text)
}

const SAMPLE: &str = "\
# The manifest. Please append new items at the end.

[feature_macro.HAVE_FORK]
    doc = 'on platforms with fork()'
    windows = false
[feature_macro.MS_WINDOWS]
    doc = \"on Windows\"
    windows = 'maybe'
[function.PyFoo]
    added = '3.2'
    ifdef = 'HAVE_FORK'

[macro.Py_BAR]   # a comment after a header
    added = '3.13'
    is_static_inline_function = true
[data._Py_Private]
    added = '3.2'
    abi_only = true
[struct.PyThing]
    added = '3.14'
    struct_abi_kind = 'members'
    members = ['ob_refcnt', 'ob_type']
[struct.PyObject]
    added = '3.2'
    struct_abi_kind = 'abi3t-opaque'
[const.Py_TPFLAGS_X]
    added = '3.10'
[typedef.Py_ssize_t]
    added = '3.2'
";

#[test]
#[cfg_attr(
    not(all(shared_3_13_15, shared_3_15_2, shared_manifests)),
    ignore = "needs ../shared/cpython/3.13.15, ../shared/cpython/3.15.2 and ../shared/manifests"
)]
fn every_real_manifest_is_read_plainly_and_alike() {
    let test = "every_real_manifest_is_read_plainly_and_alike";
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut manifests = vec![repo.join("Misc/stable_abi.toml")];
    let Some(history_dir) = common::shared_dir(test, "manifests") else {
        return;
    };
    let entries = std::fs::read_dir(history_dir).unwrap();
    let mut history: Vec<PathBuf> = entries.map(|entry| entry.unwrap().path()).collect();
    history.sort();
    manifests.extend(history);
    for release in ["3.13.15", "3.15.2"] {
        manifests
            .extend(common::shared_tree(test, release).map(|t| t.join("Misc/stable_abi.toml")));
    }
    assert!(manifests.len() >= 60, "{} manifests", manifests.len());
    for manifest in &manifests {
        let text = std::fs::read_to_string(manifest).unwrap();
        assert!(
            assert_agree(&text),
            "{} is not read by the plain reader",
            manifest.display()
        );
    }
}

/// The table `audit` falls back on is a `--dump` of the manifest: read
/// plainly too.
#[test]
fn the_built_in_table_is_read_plainly_and_alike() {
    assert!(assert_agree(stable_abi::binary::table::BUILTIN_TABLE));
}

#[test]
fn the_sample_and_its_variants_are_read_plainly() {
    assert!(assert_agree(SAMPLE));
    assert!(assert_agree(&SAMPLE.replace('\n', "\r\n")));
    assert!(assert_agree(&SAMPLE.replace("    ", "\t")));
    assert!(assert_agree(
        &SAMPLE.replace("[function.PyFoo]", "[ function . PyFoo ]")
    ));
    assert!(assert_agree(SAMPLE.trim_end()));
    assert!(assert_agree(""));
    assert!(assert_agree("# only a comment\n\n"));
    assert!(assert_agree("[function.PyFoo]\n"));
}

/// Edge cases: what the rules reject, and TOML beyond the subset (read by
/// `toml_edit`, with its messages).
#[test]
fn edge_cases_agree() {
    let plain = [
        "[functoin.PyFoo]\n    added = '3.2'\n",
        "[function.PyFoo]\n    added = '3.x'\n",
        "[function.PyFoo]\n    added = '3.2'\n    abi_only = 'yes'\n",
        "[function.PyFoo]\n    added = '3.2'\n    flag = true\n    off = false\n    s = ''\n    \
         words = ['a', \"it's\", '']\n    none = []\n",
        "[function.PyFoo]\n    added = '3.2'\n[macro.PyFoo]\n    added = '3.3'\n",
        "[function._PyFoo]\n    added = '3.2'\n",
        "[function.1abc]\n    added = '3.2'\n",
        "[function.a-b]\n    added = '3.2'\n",
        "[function.PyFoo]\n    added = '3.2'\n    ifdef = 'HAVE_SPOON'\n",
        "[struct.PyFoo]\n    added = '3.2'\n",
        "[struct.PyFoo]\n    added = '3.2'\n    struct_abi_kind = 'members'\n",
        "[struct.PyFoo]\n    added = '3.2'\n    struct_abi_kind = 'opaque'\n    members = ['a']\n",
        "[struct.PyFoo]\n    added = '3.2'\n    struct_abi_kind = 'members'\n    members = ['a', '1b']\n",
        "[struct.PyFoo]\n    added = '3.2'\n    struct_abi_kind = 'fancy'\n",
        "[struct.PyFoo]\n    added = '3.2'\n    struct_abi_kind = 'members'\n    \
         members = [\n        'a',  # first\n        'b',\n    ]\n",
        "[feature_macro.HAVE_X]\n    windows = 'no'\n",
        "[feature_macro.HAVE_X]\n    doc = true\n    windows = true\n",
        "[function.PyFoo]\n    added = '3.2'\n    doc = 'é, 𝄞'  # é\n",
        "[const.Py_X]\n",
        "[function.PyFoo]\n    added = '3.2'\n    is_static_inline_function = true\n",
        "[macro.PyFoo]\n    added = '3.2'\n    is_static_inline_function = 'yes'\n",
    ];
    for text in plain {
        assert!(assert_agree(text), "not read plainly:\n{text}");
    }
    let beyond = [
        "[function.PyFoo]\n    added = '3.2\n",
        "[function.PyFoo]\n    added = '3.2'\n[function.PyFoo]\n    added = '3.3'\n",
        "[function.PyFoo]\n    added = '3.2'\n    added = '3.3'\n",
        "[function.PyFoo]\n    added = 3.2\n",
        "[function.PyFoo]\n    added = 3\n",
        "[function.PyFoo]\n    added = '3.2'\n    n = 7\n    zero = 0\n    f = 1.5\n    \
         t = {a = 1}\n    d = 1979-05-27\n    mixed = ['a', 1]\n",
        "[function.\"PyFoo\"]\n    added = '3.2'\n",
        "[function.PyFoo]\n    \"added\" = '3.2'\n",
        "[function.PyFoo]\n    added.x = '3.2'\n",
        "[function]\n    PyFoo = {added = '3.2'}\n",
        "[function]\n[function.PyFoo]\n    added = '3.2'\n",
        "[const]\n[function.PyFoo]\n    added = '3.2'\n[typedef]\n",
        "[function.PyFoo.bar]\n    added = '3.2'\n",
        "[[function.PyFoo]]\n    added = '3.2'\n",
        "function = 1\n",
        "[function]\nPyFoo = 1\n",
        "added = '3.2'\n[function.PyFoo]\n",
        "[function.PyFoo]\n    doc = \"a\\tb\"\n    added = '3.2'\n",
        "[function.PyFoo]\n    doc = '''x'''\n    added = '3.2'\n",
        "[function.Pyé]\n    added = '3.2'\n",
        "\u{feff}[function.PyFoo]\n    added = '3.2'\n",
        "[function.PyFoo]  # \u{1}\n    added = '3.2'\n",
        "[function.PyFoo]\r    added = '3.2'\n",
        "[function.PyFoo]\n    abi_only = True\n",
        "[function.PyFoo] added = '3.2'\n",
    ];
    for text in beyond {
        assert!(!assert_agree(text), "read plainly:\n{text}");
    }
}

const PIECES: [&str; 24] = [
    "[",
    "]",
    "=",
    "'",
    "\"",
    ".",
    "\n",
    "\r\n",
    "\t",
    " ",
    "{",
    "}",
    "#",
    ",",
    "\\",
    "-",
    "3.2",
    "true",
    "[function.",
    "[[",
    "'''",
    "é",
    "\u{1}",
    "_",
];

#[test]
fn mutated_manifests_agree() {
    let mut rng = Rng(0x7a11_5eed_0bad_cafe);
    let edits = Edits {
        rounds: 3,
        max_cut: 12,
        truncate: false,
    };
    let (mut plain_accepted, mut plain_rejected, mut beyond) = (0, 0, 0);
    for _ in 0..3000 {
        let text = mutate(SAMPLE, &mut rng, &PIECES, &edits);
        if assert_agree(&text) {
            match Manifest::parse(&text, Path::new("m.toml")) {
                Ok(_) => plain_accepted += 1,
                Err(_) => plain_rejected += 1,
            }
        } else {
            beyond += 1;
        }
    }
    // The mutations must reach every path, or the test proves little.
    assert!(
        plain_accepted > 100 && plain_rejected > 100 && beyond > 100,
        "plain reader: {plain_accepted} accepted, {plain_rejected} rejected; toml_edit: {beyond}"
    );
}
