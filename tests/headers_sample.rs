//! The sample tree of this repository passes `make check-limited-abi`'s
//! header step with its committed baseline, which must not go stale.

mod common;

use std::path::Path;

#[test]
fn sample_tree_passes_with_its_baseline() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = common::stable_abi(
        repo,
        &[
            "headers",
            "--manifest",
            "Misc/stable_abi.toml",
            "--baseline",
            "Misc/stable_abi_baseline.txt",
        ],
    );
    let stdout = common::stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        common::stderr(&output)
    );
    assert!(!stdout.contains("[stale-baseline]"), "{stdout}");
    // Without the baseline the accepted defect is reported.
    let plain = common::stable_abi(repo, &["headers", "--manifest", "Misc/stable_abi.toml"]);
    assert_eq!(plain.status.code(), Some(1));
    assert!(common::stdout(&plain).contains("[too-early]"));
}
