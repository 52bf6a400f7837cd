//! Any text given as a header-check baseline (`--baseline FILE`): a
//! baseline, or an error at a line of the file; never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use stable_abi::checks::Baseline;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(error) = Baseline::parse(text, Path::new("baseline.txt")) {
        assert!(error.location.line >= 1);
    }
});
