//! Any bytes given as a library, an extension module or a wheel: an error
//! or a result, never a panic.
#![no_main]

use std::io::Cursor;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stable_abi::binary::audit::audit_extension;
use stable_abi::binary::read_binary;
use stable_abi::binary::table::AbiTable;
use stable_abi::binary::wheel::read_wheel;
use stable_abi::version::Version;

fuzz_target!(|data: &[u8]| {
    let _ = read_binary(data);
    static TABLE: OnceLock<AbiTable> = OnceLock::new();
    let table = TABLE.get_or_init(AbiTable::builtin);
    let report = audit_extension("fuzz.abi3.so", data, table, Version::new(3, 8), &Default::default());
    assert_eq!(report.error.is_some(), read_binary(data).is_err());
    if let Ok(wheel) = read_wheel(Cursor::new(data)) {
        for (name, bytes) in &wheel.extensions {
            let _ = audit_extension(name, bytes, table, Version::new(3, 8), &Default::default());
        }
    }
});
