use super::*;
use crate::view::load::virtual_file;
use crate::view::pp::expr;
use crate::view::pp::ir::Item;

struct NoFiles;
impl Oracle for NoFiles {
    fn has_include(&self, name: &str, _system: bool) -> bool {
        name == "present.h"
    }
}

/// Runs `run` with an expander whose macros are `macros` (a file of
/// `#define`s), on the tokens of `condition`.
fn with_macros<R>(
    macros: &str,
    condition: &str,
    run: impl FnOnce(&mut Expander, &[Token], &Interner) -> R,
) -> R {
    let mut interner = Interner::default();
    let file = virtual_file("<test>", macros, 0, &mut interner);
    let tokens = lex::tokenize(condition.as_bytes(), 0, condition.len(), &mut interner);
    let mut table = MacroTable::default();
    for item in &file.items {
        if let Item::Define(definition) = item {
            table.insert(definition.name, definition);
        }
    }
    let mut expander = Expander::new(&table, &interner, &NoFiles);
    run(&mut expander, &tokens, &interner)
}

/// Defines `macros` (a file of `#define`s), then evaluates `condition`.
fn eval(macros: &str, condition: &str) -> Result<bool, String> {
    with_macros(macros, condition, |expander, tokens, _| {
        let expanded = expander.expand_condition(tokens)?;
        expr::evaluate(&expanded).map(|value| value.is_true())
    })
}

/// [`eval`], the general way only (no shortcut).
fn eval_in_general(macros: &str, condition: &str) -> Result<bool, String> {
    with_macros(macros, condition, |expander, tokens, _| {
        let expanded = expander.expand_condition_in_general(tokens)?;
        expr::evaluate(&expanded).map(|value| value.is_true())
    })
}

#[test]
fn object_and_function_like_macros() {
    let macros = "#define V 0x030D0000\n#define AT_LEAST(v) (V >= (v))\n\
                  #define ADD(a, b) ((a) + (b))\n#define NESTED ADD(ADD(1, 2), 3)\n";
    assert_eq!(eval(macros, "AT_LEAST(0x030C0000)"), Ok(true));
    assert_eq!(eval(macros, "AT_LEAST(0x030E0000)"), Ok(false));
    assert_eq!(eval(macros, "NESTED == 6"), Ok(true));
    // A function-like macro without arguments is just an identifier: 0.
    assert_eq!(eval(macros, "ADD + 1"), Ok(true));
}

#[test]
fn self_reference_does_not_recurse() {
    let macros = "#define A A\n#define B C\n#define C B\n#define F(x) F(x)\n";
    assert_eq!(eval(macros, "A || B || C"), Ok(false));
    // F(1) expands once to F(1), which is identifier F then (1): not a value.
    assert!(eval(macros, "F(1)").is_err());
}

#[test]
fn stringize_paste_and_variadics() {
    let macros = "#define CAT(a, b) a ## b\n#define V3 3\n#define STR(x) #x\n\
                  #define FIRST(x, ...) x\n#define COUNT(...) FIRST(__VA_ARGS__, 0)\n\
                  #define NAMED(args...) FIRST(args)\n";
    assert_eq!(eval(macros, "CAT(V, 3) == 3"), Ok(true));
    assert_eq!(eval(macros, "CAT(1, 2) == 12"), Ok(true));
    assert!(eval(macros, "STR(x)").is_err(), "a string is not a value");
    assert_eq!(eval(macros, "FIRST(7, 8, 9) == 7"), Ok(true));
    assert_eq!(eval(macros, "COUNT(5) == 5"), Ok(true));
    assert_eq!(eval(macros, "NAMED(4, 5) == 4"), Ok(true));
}

#[test]
fn defined_and_has_operators() {
    let macros = "#define X\n#define IS_X defined(X)\n";
    assert_eq!(
        eval(macros, "defined X && defined(X) && !defined Y"),
        Ok(true)
    );
    assert_eq!(eval(macros, "IS_X"), Ok(true));
    assert_eq!(eval(macros, "defined(__has_attribute)"), Ok(true));
    assert_eq!(eval(macros, "defined(__has_feature)"), Ok(false));
    assert_eq!(eval(macros, "__has_attribute(visibility)"), Ok(true));
    assert_eq!(eval(macros, "__has_attribute(__visibility__)"), Ok(true));
    assert_eq!(eval(macros, "__has_attribute(no_such_thing)"), Ok(false));
    assert_eq!(eval(macros, "__has_builtin(__builtin_bswap32)"), Ok(true));
    assert_eq!(eval(macros, "__has_include(\"present.h\")"), Ok(true));
    assert_eq!(eval(macros, "__has_include(<absent.h>)"), Ok(false));
    assert!(eval(macros, "defined").is_err());
    assert!(eval(macros, "defined(X").is_err());
}

#[test]
fn wrong_argument_counts_are_errors() {
    let macros = "#define TWO(a, b) a\n";
    let error = eval(macros, "TWO(1)").unwrap_err();
    assert_eq!(error, "macro \"TWO\" takes 2 argument(s), 1 given");
    assert!(eval(macros, "TWO(1, 2, 3)").is_err());
    assert!(eval(macros, "TWO(1, 2").is_err());
}

/// Each token as `(spelling, space before, hide set)`.
fn described(tokens: &[PTok], interner: &Interner) -> Vec<(String, bool, Vec<Sym>)> {
    tokens
        .iter()
        .map(|t| {
            (
                lex::spell(&t.kind, interner),
                t.space_before,
                t.hide.to_vec(),
            )
        })
        .collect()
}

#[test]
fn simple_conditions_expand_as_in_general() {
    let macros = "#define V 0x030D0000\n#define SIZE 8\n#define EMPTY\n#define NAME V\n\
                  #define CALL(x) x\n#define TWO 1 + 1\n#define __has_thing 1\n";
    let conditions = [
        "!defined(Py_LIMITED_API) || V+0 >= 0x030A0000",
        "defined V && defined(SIZE) && !defined UNDEFINED",
        "SIZE == 8 && V > 0",
        "UNDEFINED_NAME == 0",
        " ( SIZE ) * 2 == 16",
        "defined(__has_attribute) || defined __has_feature",
        // Each of these takes the general path.
        "EMPTY + 1",
        "NAME == V",
        "CALL(3) == 3",
        "CALL == 0",
        "TWO == 2",
        "__has_attribute(visibility)",
        "__has_thing",
        "defined",
        "defined(",
        "defined(V",
        "defined(1)",
    ];
    let mut simple = 0;
    for condition in conditions {
        with_macros(macros, condition, |expander, tokens, interner| {
            let Some(shortcut) = expander.expand_simple_condition(tokens) else {
                return;
            };
            simple += 1;
            let general = expander
                .expand_condition_in_general(tokens)
                .unwrap_or_else(|e| panic!("{condition}: {e}"));
            assert_eq!(
                described(&shortcut, interner),
                described(&general, interner),
                "{condition}"
            );
        });
    }
    assert_eq!(simple, 6, "the first six conditions are simple");
}

#[test]
fn a_condition_past_the_expansion_budget_fails_either_way() {
    let macros = "#define Z 0\n";
    let joined = |term: &str, terms: usize| vec![term; terms].join(" || ");
    // The budget is 100,000 steps: a token is one, a one-number macro two.
    let cases = [
        (joined("0", 50_000), Ok(false)), // 99,999 tokens
        (joined("0", 50_001), Err(())),   // 100,001 tokens
        (joined("Z", 33_333), Ok(false)), // 99,998 steps
        (joined("Z", 33_334), Err(())),   // 100,001 steps
    ];
    for (condition, expected) in cases {
        let shortcut = eval(macros, &condition);
        assert_eq!(shortcut, eval_in_general(macros, &condition));
        assert_eq!(shortcut.map_err(|_| ()), expected);
    }
}
