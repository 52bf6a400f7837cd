//! Any bytes given as `Include/Python.h`: the view at the full API, 3.2 and
//! 3.13 is a view or an error with a location, never a panic. Run with
//! `cargo fuzz run view` from this directory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let succeeded = stable_abi::view::fuzz_view(data);
    assert!(succeeded <= 3);
});
