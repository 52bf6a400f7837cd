//! Any bytes given as a library or an extension module: an error or a
//! result, never a panic (nor a stack overflow: containers nest at most as
//! real files do); and the same result read whole (a mapped file) or
//! streamed, keeping only the pieces the plan asks for (a wheel member).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stable_abi::binary::audit::{audit_extension, read_extension};
use stable_abi::binary::read_binary;
use stable_abi::binary::stream::{read_in_memory, Limits};
use stable_abi::binary::table::AbiTable;
use stable_abi::version::Version;

fuzz_target!(|data: &[u8]| {
    let whole = read_binary(data);
    static TABLE: OnceLock<AbiTable> = OnceLock::new();
    let table = TABLE.get_or_init(AbiTable::builtin);
    let report = audit_extension("fuzz.abi3.so", data, table, Version::new(3, 8), &Default::default());
    assert_eq!(report.error.is_some(), whole.is_err());
    let limits = Limits { keep: 64 << 20, passes: 16 };
    let streamed = read_in_memory(data, &|view| read_extension(view), limits);
    if let Ok(streamed) = streamed {
        let whole_read = read_extension(data);
        assert_eq!(streamed.map(|(b, _)| b), whole_read.map(|(b, _)| b));
    }
});
