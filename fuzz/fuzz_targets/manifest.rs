//! Any bytes given as Misc/stable_abi.toml: an error or a manifest, never a
//! panic; and a manifest that parses renders every generator and dumps.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use stable_abi::generate::GENERATORS;
use stable_abi::manifest::{self, Manifest};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(manifest) = Manifest::parse(text, Path::new("stable_abi.toml")) {
        for generator in GENERATORS {
            generator.render(&manifest).expect("every valid manifest renders");
        }
        manifest::check_round_trip(&manifest).expect("a valid manifest round-trips");
    }
});
