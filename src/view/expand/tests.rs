use super::*;
use crate::view::expr;
use crate::view::ir::Item;
use crate::view::load::virtual_file;

struct NoFiles;
impl Oracle for NoFiles {
    fn has_include(&self, name: &str, _system: bool) -> bool {
        name == "present.h"
    }
}

/// Defines `macros` (a file of `#define`s), then evaluates `condition`.
fn eval(macros: &str, condition: &str) -> Result<bool, String> {
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
    let expanded = expander.expand_condition(&tokens)?;
    expr::evaluate(&expanded).map(|value| value.is_true())
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
