//! Any bytes given as Misc/stable_abi.toml: an error or a manifest, never a
//! panic; a manifest that parses renders every generator and dumps; and the
//! plain reader and the `toml_edit` document reader agree on it.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use stable_abi::generate::editions::EDITIONS;
use stable_abi::generate::GENERATORS;
use stable_abi::manifest::{self, Manifest, Rules};

/// What a reader made of the text, to compare.
fn outcome(result: stable_abi::Result<manifest::Parsed>) -> String {
    match result {
        Ok(parsed) => format!("{:?}\n{:?}", parsed.manifest.items, parsed.warnings),
        Err(err) => format!("error: {err}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("stable_abi.toml");
    if let Ok(manifest) = Manifest::parse(text, path) {
        for generator in GENERATORS {
            for edition in EDITIONS {
                generator
                    .render(&manifest, edition)
                    .expect("every valid manifest renders");
            }
        }
        manifest::check_round_trip(&manifest, Rules::ALL_KNOWN)
            .expect("a valid manifest round-trips");
    }
    if Manifest::reads_plainly(text) {
        assert_eq!(
            outcome(Manifest::parse_with(text, path, Rules::ALL_KNOWN)),
            outcome(Manifest::parse_by_document(text, path, Rules::ALL_KNOWN)),
            "the plain reader and toml_edit differ"
        );
    }
});
