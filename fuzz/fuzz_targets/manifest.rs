//! Any bytes given as Misc/stable_abi.toml: an error or a manifest, never a
//! panic, whatever the size of the plain reader's chunks; a manifest that
//! parses renders every generator at every edition, the same each time (the
//! check of a generated file compares it with a fresh rendering), and its
//! dump in each release's order reads back the same; and the plain reader
//! and the `toml_edit` document reader agree on it.
//!
//! Seeds beyond the corpus, `seeds/manifest/`: values nested 100,000 deep,
//! and the sample manifest (many chunks of 64 bytes) with a table defined
//! twice, or cut short, at its end: `cargo fuzz run manifest corpus/manifest
//! seeds/manifest -- -max_len=400000`.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use stable_abi::generate::editions::EDITIONS;
use stable_abi::generate::GENERATORS;
use stable_abi::manifest::{self, Kind, Manifest, Rules};

/// What a reader made of the text, to compare.
fn outcome(result: stable_abi::Result<manifest::Parsed>) -> String {
    match result {
        Ok(parsed) => format!(
            "{:?}\n{:?}\n{:?}",
            parsed.manifest.items, parsed.manifest.kind_tables, parsed.warnings
        ),
        Err(err) => format!("error: {err}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("stable_abi.toml");
    let whole = outcome(Manifest::parse_with(text, path, Rules::ALL_KNOWN));
    for chunk in [1, 64] {
        assert_eq!(
            outcome(Manifest::parse_in_chunks(text, path, Rules::ALL_KNOWN, chunk)),
            whole,
            "chunks of {chunk} bytes read differently"
        );
    }
    if let Ok(manifest) = Manifest::parse(text, path) {
        for generator in GENERATORS {
            for edition in EDITIONS {
                let rendered = generator
                    .render(&manifest, edition)
                    .expect("every valid manifest renders");
                assert_eq!(generator.render(&manifest, edition).ok(), Some(rendered));
            }
        }
        for order in [Kind::DUMP_ORDER, Kind::DUMP_ORDER_3_14] {
            let dump = manifest::dump_text(&manifest, &order);
            manifest::check_dump(&manifest, &dump, Rules::ALL_KNOWN)
                .expect("a valid manifest round-trips");
        }
    }
    if Manifest::reads_plainly(text) {
        assert_eq!(
            outcome(Manifest::parse_with(text, path, Rules::ALL_KNOWN)),
            outcome(Manifest::parse_by_document(text, path, Rules::ALL_KNOWN)),
            "the plain reader and toml_edit differ"
        );
    }
});
