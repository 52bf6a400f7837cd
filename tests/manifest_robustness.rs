//! No input makes the manifest reader panic: thousands of deterministic
//! mutations of a real manifest, each either rejected with located errors or
//! accepted, rendered and round-tripped. (The fuzz target in fuzz/ explores
//! further; this keeps CI honest about the same property.)

use std::panic::catch_unwind;
use std::path::Path;

use stable_abi::generate::editions::EDITIONS;
use stable_abi::generate::GENERATORS;
use stable_abi::manifest::{self, Manifest};
use stable_abi::Error;

/// xorshift64: reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

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

fn mutate(base: &str, rng: &mut Rng) -> String {
    let mut text = base.to_string();
    for _ in 0..=rng.below(4) {
        let at = rng.below(text.len());
        let at = (0..=at)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        match rng.below(4) {
            0 => text.insert_str(at, PIECES[rng.below(PIECES.len())]),
            1 => {
                let end = (at + rng.below(40)).min(text.len());
                let end = (end..=text.len())
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap();
                text.replace_range(at..end, "");
            }
            2 => text.truncate(at),
            _ => {
                let line = text[at..].lines().next().unwrap_or("").to_string();
                text.insert_str(at, &format!("{line}\n"));
            }
        }
    }
    text
}

#[test]
fn mutated_manifests_never_panic() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("Misc/stable_abi.toml");
    let base = std::fs::read_to_string(sample).unwrap();
    let mut rng = Rng(0x5eed_cafe_f00d_1234);
    let (mut accepted, mut rejected) = (0, 0);
    for round in 0..3000 {
        let text = mutate(&base, &mut rng);
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
