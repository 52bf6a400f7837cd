//! Property: every manifest the drop-in accepts can be generated, is then
//! checked with exit 0, and its `--dump` exits 0 and reads back as the same
//! manifest. The manifests are drawn at random (deterministically: a failure
//! reproduces) from everything the format has: every kind (each at least
//! once, as `stable_abi.py` reads a table of each), every field,
//! both string quotes, comments, blank lines, kinds in any order, members
//! lists over several lines, and sizes from a few items to several of the
//! plain reader's 1 MiB chunks; each for a release of each script edition.

mod common;

use std::fmt::Write;
use std::path::Path;

use common::mutation::Rng;
use common::{stable_abi, stderr};
use stable_abi::manifest::{Manifest, Rules};

/// The releases drawn from: one of each script's edition.
const RELEASES: [&str; 4] = ["3.11.2", "3.12.8", "3.13.15", "3.14.10"];

const FEATURE_MACROS: [(&str, &str); 3] = [
    ("HAVE_FORK", "on platforms with fork()"),
    ("MS_WINDOWS", "on Windows"),
    (
        "PY_HAVE_THREAD_NATIVE_ID",
        "on platforms with native thread IDs",
    ),
];

/// A quoted string, in either of TOML's quotes.
fn quoted(rng: &mut Rng, text: &str) -> String {
    if rng.below(2) == 0 {
        format!("'{text}'")
    } else {
        format!("\"{text}\"")
    }
}

/// A random valid manifest of about `items` items (at least 6) for
/// `release`: the first six of one kind each, the others of any kind.
fn manifest(rng: &mut Rng, items: usize, release: &str) -> String {
    let static_inline = release.starts_with("3.14");
    let mut text = String::from("# A manifest drawn at random.\n\n");
    let feature_macros = 1 + rng.below(FEATURE_MACROS.len());
    let mut blocks: Vec<String> = Vec::new();
    for (name, doc) in &FEATURE_MACROS[..feature_macros] {
        let mut block = format!("[feature_macro.{name}]\n    doc = {}\n", quoted(rng, doc));
        match rng.below(4) {
            0 => block.push_str("    windows = true\n"),
            1 => block.push_str("    windows = 'maybe'\n"),
            2 => block.push_str("    windows = false\n"),
            _ => {}
        }
        blocks.push(block);
    }
    for index in 0..items {
        let kinds = ["function", "data", "macro", "const", "typedef", "struct"];
        let kind = kinds[if index < kinds.len() {
            index
        } else {
            rng.below(kinds.len())
        }];
        let private = rng.below(8) == 0;
        let name = format!("{}Py{kind}_{index}", if private { "_" } else { "" });
        let mut block = format!("[{kind}.{name}]");
        if rng.below(6) == 0 {
            block.push_str("  # a comment");
        }
        let minor = 2 + rng.below(13);
        let _ = write!(
            block,
            "\n    added = {}\n",
            quoted(rng, &format!("3.{minor}"))
        );
        if private || rng.below(10) == 0 {
            block.push_str("    abi_only = true\n");
        }
        if rng.below(8) == 0 {
            let (feature, _) = FEATURE_MACROS[rng.below(feature_macros)];
            let _ = writeln!(block, "    ifdef = {}", quoted(rng, feature));
        }
        if kind == "macro" && static_inline && rng.below(3) == 0 {
            block.push_str("    is_static_inline_function = true\n");
        }
        if kind == "struct" {
            match rng.below(3) {
                0 => block.push_str("    struct_abi_kind = 'full-abi'\n"),
                1 => block.push_str("    struct_abi_kind = 'opaque'\n"),
                _ => {
                    block.push_str("    struct_abi_kind = 'members'\n");
                    let members: Vec<String> = (0..1 + rng.below(4))
                        .map(|m| quoted(rng, &format!("m{m}")))
                        .collect();
                    if rng.below(2) == 0 {
                        let _ = writeln!(block, "    members = [{}]", members.join(", "));
                    } else {
                        let _ = writeln!(
                            block,
                            "    members = [\n        {},\n    ]",
                            members.join(",\n        ")
                        );
                    }
                }
            }
        }
        if rng.below(5) == 0 {
            block.push('\n');
        }
        blocks.push(block);
    }
    // Kinds in any order, and split over the file: shuffle some blocks.
    for _ in 0..blocks.len() / 4 {
        let (a, b) = (rng.below(blocks.len()), rng.below(blocks.len()));
        blocks.swap(a, b);
    }
    for block in blocks {
        text.push_str(&block);
    }
    text
}

/// Generates, checks and dumps `text` for `release`; returns why it failed.
fn generate_check_dump(text: &str, release: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("Misc")).unwrap();
    for file in common::GENERATED_FILES {
        std::fs::create_dir_all(dir.path().join(file).parent().unwrap()).unwrap();
    }
    std::fs::write(dir.path().join("Misc/stable_abi.toml"), text).unwrap();
    let run = |args: &[&str]| {
        let mut args = args.to_vec();
        args.extend(["--release", release]);
        let output = stable_abi(dir.path(), &args);
        if output.status.success() {
            Ok(output)
        } else {
            Err(format!(
                "{args:?} exits {:?}:\n{}",
                output.status.code(),
                stderr(&output)
            ))
        }
    };
    run(&["--generate-all", "Misc/stable_abi.toml"])?;
    run(&common::CHECK_GENERATED)?;
    let dumped = run(&["--dump", "Misc/stable_abi.toml"])?;
    let dump = String::from_utf8(dumped.stdout).map_err(|err| err.to_string())?;
    let rules = Rules {
        static_inline_macros: release.starts_with("3.14"),
        abi3t_opaque: false,
        ..Rules::ALL_KNOWN
    };
    let path = Path::new("Misc/stable_abi.toml");
    let original = Manifest::parse_with(text, path, rules).map_err(|err| err.to_string())?;
    let reread = Manifest::parse_with(&dump, path, rules).map_err(|err| err.to_string())?;
    let (original, reread) = (original.manifest, reread.manifest);
    if original.items.len() != reread.items.len() {
        return Err("the dump has another number of items".into());
    }
    match original
        .items
        .iter()
        .find(|item| reread.get(&item.name) != Some(item))
    {
        Some(item) => Err(format!(
            "{} reads back differently from the dump",
            item.name
        )),
        None => Ok(()),
    }
}

#[test]
fn every_accepted_manifest_generates_checks_and_dumps_back() {
    let mut rng = Rng(0x5eed_1234_abcd);
    for case in 0..24 {
        let release = RELEASES[case % RELEASES.len()];
        let items = [6, 40, 400][rng.below(3)];
        let text = manifest(&mut rng, items, release);
        if let Err(why) = generate_check_dump(&text, release) {
            panic!("case {case} ({release}): {why}\n{text}");
        }
    }
}

#[test]
fn a_manifest_of_several_chunks_generates_checks_and_dumps_back() {
    let mut rng = Rng(0xb16_c0ffee);
    let text = manifest(&mut rng, 40_000, "3.14.10");
    assert!(text.len() > 2 << 20, "{} bytes", text.len());
    generate_check_dump(&text, "3.14.10").unwrap();
}
