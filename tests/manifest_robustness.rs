//! No input makes the manifest reader panic: thousands of deterministic
//! mutations of a real manifest, each either rejected with located errors or
//! accepted, rendered and round-tripped. (The fuzz target in fuzz/ explores
//! further; this keeps CI honest about the same property.)

mod common;

use std::panic::catch_unwind;
use std::path::Path;

use common::mutation::{mutate, Edits, Rng};
use stable_abi::generate::editions::EDITIONS;
use stable_abi::generate::GENERATORS;
use stable_abi::manifest::{self, Manifest};
use stable_abi::Error;

const PIECES: [&str; 16] = [
    "[",
    "]",
    "=",
    "'",
    "\"",
    ".",
    "\n",
    "\t",
    "{",
    "}",
    "#",
    ",",
    "3.2",
    "true",
    "[function.",
    "é",
];

#[test]
fn mutated_manifests_never_panic() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("Misc/stable_abi.toml");
    let base = std::fs::read_to_string(sample).unwrap();
    let mut rng = Rng(0x5eed_cafe_f00d_1234);
    let edits = Edits {
        rounds: 4,
        max_cut: 40,
        truncate: true,
    };
    let (mut accepted, mut rejected) = (0, 0);
    for round in 0..3000 {
        let text = mutate(&base, &mut rng, &PIECES, &edits);
        let result = catch_unwind(|| match Manifest::parse(&text, Path::new("m.toml")) {
            Ok(manifest) => {
                for generator in GENERATORS {
                    for edition in EDITIONS {
                        generator
                            .render(&manifest, edition)
                            .expect("every valid manifest renders");
                    }
                }
                manifest::check_round_trip(&manifest, manifest::Rules::ALL_KNOWN).map(|()| true)
            }
            Err(Error::Located(errors)) => {
                assert!(!errors.is_empty());
                for error in &errors {
                    assert!(error.location.line >= 1 && error.location.column >= 1);
                }
                Ok(false)
            }
            Err(other) => panic!("parsing text cannot fail to read: {other}"),
        });
        match result {
            Ok(Ok(true)) => accepted += 1,
            Ok(Ok(false)) => rejected += 1,
            Ok(Err(message)) => {
                panic!("round {round}: accepted but no round trip: {message}\n{text}")
            }
            Err(_) => panic!("round {round}: panicked on:\n{text}"),
        }
    }
    // The mutations must explore both sides, or the test proves little.
    assert!(
        accepted > 100 && rejected > 100,
        "{accepted} accepted, {rejected} rejected"
    );
}
