//! Any bytes as an extension's C source, preprocessed over small headers and
//! judged for abi3 and abi3t by `stable-abi port`: findings or an error with
//! a location, never a panic. Run with `cargo fuzz run port` from this
//! directory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    stable_abi::port::fuzz_port(data);
});
