//! `stable-abi library` on a free-threaded libpython (abi3t, PEP 803).

mod cc;
mod common;

#[test]
#[cfg_attr(
    not(all(shared_3_15_2, c_compiler)),
    ignore = "needs ../shared/cpython/3.15.2 and a C compiler"
)]
fn a_free_threaded_libpython_is_checked_as_abi3t() {
    let test = "a_free_threaded_libpython_is_checked_as_abi3t";
    let Some(tree) = common::abi3t_tree(test) else {
        return;
    };
    // The released 3.15 library under a free-threaded build's name: the
    // items abi3t keeps (here all: the abi3t headers declare what abi3's do).
    let dir = tempfile::tempdir().unwrap();
    let library = dir.path().join("libpython3.15t.so.1.0");
    std::fs::copy(tree.join("lib/libpython3.15.so.1.0"), &library).unwrap();
    let manifest = tree.join("Misc/stable_abi.toml");
    let output = common::stable_abi(
        dir.path(),
        &[
            "library",
            "--manifest",
            manifest.to_str().unwrap(),
            "libpython3.15t.so.1.0",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", common::stdout(&output));
    assert!(
        common::stderr(&output)
            .contains("libpython3.15t.so.1.0: exports the whole Stable ABI (abi3t)"),
        "{}",
        common::stderr(&output)
    );

    // A free-threaded library missing a symbol: the finding says abi3t.
    let Some(cc) = cc::compiler(test) else {
        return;
    };
    let small = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(small.path().join("Misc")).unwrap();
    std::fs::write(
        small.path().join("Misc/stable_abi.toml"),
        "[function.PyLong_FromLong]\n    added = '3.2'\n[function.PyModule_Exec]\n    added = '3.15'\n",
    )
    .unwrap();
    cc::shared_object(
        &cc,
        small.path(),
        "libpython3.15t.so",
        "void *PyLong_FromLong(long v) { return 0; }\n",
        &[],
    );
    let output = common::stable_abi(
        small.path(),
        &["library", "--format", "json", "libpython3.15t.so"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", common::stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = &json["findings"][0];
    assert_eq!(finding["name"], "PyModule_Exec");
    assert_eq!(finding["abi"], "abi3t");
    assert!(finding["message"]
        .as_str()
        .unwrap()
        .ends_with("(a free-threaded build: abi3t)"));
}
