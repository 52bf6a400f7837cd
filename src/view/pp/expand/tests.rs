use super::*;
use crate::view::load::virtual_file;
use crate::view::pp::expr;
use crate::view::pp::ir::Item;
use crate::view::pp::lex;

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

/// Each token as `(spelling, space before, tracked, painted)`.
fn described(tokens: &[PTok], interner: &Interner) -> Vec<(String, bool, bool, bool)> {
    tokens
        .iter()
        .map(|t| {
            (
                lex::spell(&t.kind, interner),
                t.space_before,
                t.tracked,
                t.painted,
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
    // With a budget of 1,000 steps: a token is one, a one-number macro
    // three (its name read, its number produced and read).
    let cases = [
        (joined("0", 500), Ok(false)), // 999 tokens
        (joined("0", 501), Err(())),   // 1,001 tokens
        (joined("Z", 250), Ok(false)), // 999 steps
        (joined("Z", 251), Err(())),   // 1,003 steps
    ];
    for (condition, expected) in cases {
        let run = |general: bool| {
            with_macros(macros, &condition, |expander, tokens, _| {
                expander.budget = 1_000;
                let expanded = if general {
                    expander.expand_condition_in_general(tokens)
                } else {
                    expander.expand_condition(tokens)
                }?;
                expr::evaluate(&expanded).map(|value| value.is_true())
            })
        };
        let shortcut = run(false);
        assert_eq!(shortcut, run(true));
        assert_eq!(shortcut.map_err(|_| ()), expected);
    }
}

/// `#define M0 1`, then `M{i}` defined as `body(i - 1)` for i up to `n`.
fn chain(n: usize, body: impl Fn(usize) -> String) -> String {
    let mut text = String::from("#define M0 1\n");
    for i in 1..=n {
        text.push_str(&format!("#define M{i} {}\n", body(i - 1)));
    }
    text
}

#[test]
fn long_chains_of_macros_expand_in_linear_steps() {
    // Hide sets made these cubic; each level is now a few steps, where
    // anything quadratic would take hundreds of millions.
    let n = 20_000;
    let cases = [
        (chain(n, |i| format!("M{i}")), 4),
        (chain(n, |i| format!("(M{i})")), 8),
        (
            chain(n, |i| format!("F(M{i})")).replace("M0 1", "M0 1\n#define F(x) x"),
            16,
        ),
    ];
    for (macros, steps_per_level) in cases {
        let condition = format!("M{n} == 1");
        with_macros(&macros, &condition, |expander, tokens, _| {
            expander.budget = n * steps_per_level;
            let expanded = expander.expand_condition(tokens).expect("within budget");
            assert_eq!(expr::evaluate(&expanded).map(|v| v.is_true()), Ok(true));
        });
    }
}

#[test]
fn calls_nested_in_arguments_are_not_copied_at_each_level() {
    let n = 20_000;
    let condition = format!("{}1{} == 1", "F(".repeat(n), ")".repeat(n));
    with_macros("#define F(x) x\n", &condition, |expander, tokens, _| {
        expander.budget = 8 * n;
        let expanded = expander.expand_condition(tokens).expect("within budget");
        assert_eq!(expr::evaluate(&expanded).map(|v| v.is_true()), Ok(true));
    });
}

#[test]
fn macros_that_multiply_their_tokens_end_at_the_budget() {
    let mut macros = String::from("#define A0 1\n");
    for i in 1..=40 {
        macros.push_str(&format!("#define A{i} A{} + A{}\n", i - 1, i - 1));
    }
    let error = with_macros(&macros, "A40", |expander, tokens, _| {
        expander.budget = 100_000;
        expander.expand_condition(tokens).unwrap_err()
    });
    assert_eq!(
        error,
        "macro expansion of this #if takes more than 100000 steps"
    );
}

#[test]
fn a_name_met_inside_its_own_replacement_stays_painted() {
    // C11 6.10.3.4 example 3's core: `f(f)(1)` and friends. A name painted
    // inside its replacement is not replaced even where a call follows it
    // outside; one merely left unreplaced (not followed by `(`) is.
    let macros = "#define f(a) a + f(a)\n#define g f\n#define h(x) x(1)\n";
    with_macros(macros, "f(2)", |expander, tokens, interner| {
        let expanded = expander.expand_condition(tokens).unwrap();
        let spelled: Vec<String> = described(&expanded, interner)
            .into_iter()
            .map(|(text, _, _, painted)| format!("{text}{}", if painted { "*" } else { "" }))
            .collect();
        assert_eq!(spelled.join(" "), "2 + f* ( 2 )");
    });
    // `h(g)`: the argument `g` becomes `f`, not painted (no `(` follows it
    // in the argument), which h's body then calls.
    let macros = "#define f(a) a\n#define g f\n#define h(x) x(1)\n";
    assert_eq!(eval(macros, "h(g) == 1"), Ok(true));
    // A call whose `(` follows the replacement that named it.
    assert_eq!(eval("#define F(x) x\n#define G F\n", "G(7) == 7"), Ok(true));
}

#[test]
fn a_tracked_macro_marks_what_it_expands_to_through_other_macros() {
    let macros = "#define V 0x030D0000\n#define ID(x) x\n#define AT_LEAST(v) (ID(V) >= (v))\n";
    let mut interner = Interner::default();
    let file = virtual_file("<test>", macros, 0, &mut interner);
    let condition = "AT_LEAST(0x030C0000) && 5";
    let tokens = lex::tokenize(condition.as_bytes(), 0, condition.len(), &mut interner);
    let mut table = MacroTable::default();
    for item in &file.items {
        if let Item::Define(definition) = item {
            table.insert(definition.name, definition);
        }
    }
    let v = interner.get("V");
    let mut expander = Expander::new(&table, &interner, &NoFiles).tracking(v);
    let expanded = expander.expand_condition(tokens.as_slice()).unwrap();
    let tracked: Vec<String> = expanded
        .iter()
        .filter(|t| t.is_tracked())
        .map(|t| lex::spell(&t.kind, &interner))
        .collect();
    // Everything AT_LEAST's replacement holds comes from it, not from V:
    // only V's number is tracked, and `5` outside is not.
    assert_eq!(tracked, ["0x030D0000"]);
}
