//! Any bytes given as a wheel: an error or the audit of its extension
//! modules, never a panic, and never more work than the members' declared
//! sizes (each member is streamed, keeping only what its tables need).
#![no_main]

use libfuzzer_sys::fuzz_target;
use stable_abi::binary::audit::read_extension;
use stable_abi::binary::wheel::{read_wheel, WHEEL_LIMIT};

fuzz_target!(|data: &[u8]| {
    let Ok(wheel) = read_wheel(data.to_vec()) else {
        return;
    };
    let declared: u64 = wheel.extensions.iter().map(|member| member.size).sum();
    assert!(declared <= WHEEL_LIMIT);
    for member in &wheel.extensions {
        let _ = wheel.read(member, &|view| read_extension(view).map(|(binary, _)| binary));
    }
});
