//! The tests were built knowing what is at hand: each need of
//! `tests/common/data.rs` (a CPython tree, `../shared/...`, python3, gcc)
//! is a cfg that `build.rs` sets when it is there, and the tests that need
//! it are ignored without it. `build.rs` probes again when a watched file
//! goes or changes, or `STABLE_ABI_CPYTHON`, `CI` or `CC` change; data that
//! appears after the build (a `../shared` made later) is noticed here.

mod common;

use std::path::Path;

use common::data::{under_ci, NEEDS};

/// Each cfg is what `build.rs` sets for what is at hand now: set when
/// the need is there, and under `CI=true` when CI requires it.
#[test]
fn the_tests_were_built_knowing_what_is_at_hand() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let stale: Vec<String> = NEEDS
        .iter()
        .filter_map(|need| {
            let present = (need.probe)(repo).present;
            let expected = present || (under_ci() && (need.required_under_ci)());
            let built = common::built_with(need.cfg);
            (expected != built).then(|| {
                format!(
                    "{} ({}): {} now, {} when the tests were built",
                    need.cfg,
                    need.what,
                    if present { "at hand" } else { "missing" },
                    if built { "set" } else { "not set" }
                )
            })
        })
        .collect();
    assert!(
        stale.is_empty(),
        "the tests were built for other data: {}. Run `touch build.rs` and test again \
         (cargo then looks again)",
        stale.join("; ")
    );
}
