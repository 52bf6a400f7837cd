//! Tests of `expr`.

use super::*;
use crate::view::pp::lex::{tokenize, Interner};

fn eval(text: &str) -> Result<i64, String> {
    let mut interner = Interner::default();
    let tokens: Vec<PTok> = tokenize(text.as_bytes(), 0, text.len(), &mut interner)
        .into_iter()
        .map(|t| PTok::plain(t.kind))
        .collect();
    evaluate(&tokens).map(|v| v.bits as i64)
}

#[test]
fn c_arithmetic() {
    assert_eq!(eval("0x030D0000 >= 0x030C0000"), Ok(1));
    assert_eq!(eval("1 + 2 * 3 - 4 / 2 % 3"), Ok(5));
    assert_eq!(eval("-1 < 0"), Ok(1));
    assert_eq!(eval("-1 < 0u"), Ok(0), "unsigned comparison");
    assert_eq!(eval("(1 << 4) | 010"), Ok(24));
    assert_eq!(eval("0 ? 1/0 : 7"), Ok(7));
    assert_eq!(eval("1 || 1/0"), Ok(1));
    assert_eq!(eval("18446744073709551615UL == -1"), Ok(1));
    assert_eq!(eval("'a' == 97 && '\\n' == 10"), Ok(1));
    assert_eq!(eval("!defined_later + 3"), Ok(4));
    assert_eq!(eval("2147483647L * 2 + 1 == 4294967295LL"), Ok(1));
    assert_eq!(
        eval(&format!("{}1{}", "(".repeat(200), ")".repeat(200))),
        Ok(1)
    );
}

#[test]
fn malformed_expressions_are_errors() {
    for bad in [
        "1 +",
        "(1",
        "1 2",
        "1/0",
        "1.5",
        "\"s\"",
        "0x",
        "1 ? 2",
        "(1 ? 2)",
        "1 )",
        "1 :",
        "(1 : 2)",
        "1 ? 2 : 3 : 4",
        "()",
        "--1",
    ] {
        assert!(eval(bad).is_err(), "{bad} should be an error");
    }
    assert_eq!(
        eval("(1").unwrap_err(),
        "expected ')' at end of #if expression"
    );
    assert_eq!(eval("(1 ? 2)").unwrap_err(), "expected ':' before \")\"");
    assert_eq!(
        eval("1 )").unwrap_err(),
        "missing binary operator before token \")\""
    );
    assert_eq!(eval("(1 : 2)").unwrap_err(), "expected ')' before \":\"");
}

#[test]
fn conditional_operators_nest_to_the_right() {
    assert_eq!(eval("1 ? 2 : 3 ? 4 : 5"), Ok(2));
    assert_eq!(eval("0 ? 2 : 0 ? 4 : 5"), Ok(5));
    assert_eq!(eval("1 ? 0 ? 3 : 4 : 5"), Ok(4));
    assert_eq!(eval("0 || 1 ? 6 : 7"), Ok(6));
    assert_eq!(eval("1 ? 2 : 3 || 0"), Ok(2));
    assert_eq!(eval("0 ? 1 : -1 < 0u"), Ok(0), "the branches' common type");
    assert!(
        eval("0 && 1 / 0 || 3 % 0 == 0 ? 1 : 2").is_err(),
        "3 % 0 is evaluated"
    );
    assert_eq!(eval("1 ? 2 : 1 / 0"), Ok(2), "the branch not taken");
    assert_eq!(eval("0 ? (1 / 0) : (0 && 1 % 0)"), Ok(0));
}

#[test]
fn nesting_is_bounded_by_memory_not_the_stack() {
    // gcc takes 100,000 levels of each; so does the parser, on a
    // thread with a small stack.
    let n = 100_000;
    let cases = [
        (format!("{}1{}", "(".repeat(n), ")".repeat(n)), 1),
        (format!("{}1", "- ".repeat(n)), 1),
        (format!("{}1", "! ".repeat(n + 1)), 0),
        (format!("{}7{}", "1 ? ".repeat(n), " : 0".repeat(n)), 7),
        (
            format!("{}1{}", "(1 + ".repeat(n), ")".repeat(n)),
            n as i64 + 1,
        ),
    ];
    std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || {
            for (text, value) in cases {
                assert_eq!(eval(&text), Ok(value), "{}", &text[..20]);
            }
        })
        .unwrap()
        .join()
        .unwrap();
}
