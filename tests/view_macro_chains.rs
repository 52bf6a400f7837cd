//! Macro chains in the headers (`#define M{i} M{i-1}` for i up to N, then
//! `#if M{N-1}`): expansion is linear, nesting is bounded by memory as in
//! gcc, and the one limit left (the steps one `#if` may take) is a located
//! error, exit 2. `make bench` (`benches/macro_chain.rs`) shows the growth.

mod common;

use std::path::{Path, PathBuf};

/// A copy of the sample tree whose `Python.h` includes `Include/chain.h`
/// holding `header`.
fn tree_with_chain(header: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("cpython");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR"));
    for part in ["Include", "Misc"] {
        common::copy_tree(&sample.join(part), &root.join(part));
    }
    std::fs::write(root.join("Include/chain.h"), header).unwrap();
    let python_h = root.join("Include/Python.h");
    let text = std::fs::read_to_string(&python_h).unwrap();
    let text = text.replace("#endif /* !Py_PYTHON_H */", "#include \"chain.h\"\n#endif");
    std::fs::write(python_h, text).unwrap();
    (dir, root)
}

/// `#define M0 1` and `M{i}` as `body(i - 1)` up to `M{n-1}`, which
/// `#if` then tests.
fn chain(n: usize, body: impl Fn(usize) -> String) -> String {
    let mut text = String::from("#define M0 1\n");
    for i in 1..n {
        text.push_str(&format!("#define M{i} {}\n", body(i - 1)));
    }
    text.push_str(&format!("#if M{}\n#define CHAIN_TRUE 1\n#endif\n", n - 1));
    text
}

fn plain(i: usize) -> String {
    format!("M{i}")
}

fn parenthesized(i: usize) -> String {
    format!("(M{i})")
}

#[test]
fn view_evaluates_chains_of_100000_macros() {
    for body in [plain, parenthesized] {
        let (_dir, root) = tree_with_chain(&chain(100_000, body));
        let output = common::stable_abi(
            &root,
            &[
                "view",
                "3.13",
                "--kind",
                "macro",
                "--manifest",
                "Misc/stable_abi.toml",
            ],
        );
        assert!(output.status.success(), "{}", common::stderr(&output));
        let text = common::stdout(&output);
        assert!(text.contains("macro CHAIN_TRUE"), "the #if is true");
        assert!(text.contains("macro M99999"), "every macro is listed");
    }
}

#[test]
fn headers_and_the_unixy_check_evaluate_chains_of_10000_macros() {
    // 25 s (headers, view and --all alike) before expansion was linear.
    for body in [plain, parenthesized] {
        let (_dir, root) = tree_with_chain(&chain(10_000, body));
        let output = common::stable_abi(&root, &["headers", "--manifest", "Misc/stable_abi.toml"]);
        assert_ne!(output.status.code(), Some(2), "{}", common::stderr(&output));
        assert!(!common::stderr(&output).contains("error:"));
        let output = common::stable_abi(&root, &["Misc/stable_abi.toml", "--unixy-check"]);
        assert!(output.status.success(), "{}", common::stderr(&output));
    }
}

#[test]
fn calls_nested_100000_deep_evaluate() {
    let n = 100_000;
    let header = format!(
        "#define F(x) x\n#if {}1{}\n#define NESTED_TRUE 1\n#endif\n",
        "F(".repeat(n),
        ")".repeat(n)
    );
    let (_dir, root) = tree_with_chain(&header);
    let output = common::stable_abi(&root, &["view", "3.13", "--kind", "macro"]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    assert!(common::stdout(&output).contains("macro NESTED_TRUE"));
}

#[test]
fn macros_that_multiply_their_tokens_are_a_located_error() {
    // A40 is 2^40 ones: gcc runs out of memory; the budget stops it.
    let mut header = String::from("#define A0 1\n");
    for i in 1..=40 {
        header.push_str(&format!("#define A{i} A{} + A{}\n", i - 1, i - 1));
    }
    header.push_str("#if A40\n#endif\n");
    let (_dir, root) = tree_with_chain(&header);
    let output = common::stable_abi(&root, &["view", "3.13"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = common::stderr(&output);
    assert!(
        stderr.starts_with(
            "Include/chain.h:42:1: error: macro expansion of this #if takes more than \
             16777216 steps\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("note: included from here"), "{stderr}");
}
