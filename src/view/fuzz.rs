//! The fuzzing entry point: arbitrary bytes through every stage of the
//! view (lexing, parsing, the walk, `#if` evaluation). It must never panic;
//! `fuzz/fuzz_targets/view.rs` drives it with cargo-fuzz, and the tests
//! below with garbage of our own.

use crate::version::Version;

use super::{Defines, Headers};

/// Takes `text` as `Python.h` and computes the full API view and the views
/// at 3.2 and 3.13. Returns how many of the three succeeded (the others
/// are input errors, which is fine).
pub fn fuzz_view(text: &[u8]) -> usize {
    let headers = Headers::from_text(text);
    [None, Some(Version::FIRST), Some(Version::new(3, 13))]
        .into_iter()
        .filter(|&limited| headers.view(limited, &Defines::default()).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Random(u64);

    impl Random {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    const SAMPLE: &str = include_str!("../../tests/fixtures/view/basic/Include/Python.h");

    /// Pieces that make garbage look like headers, so it gets past the lexer.
    const PIECES: &[&str] = &[
        "#if ",
        "#ifdef ",
        "#ifndef ",
        "#elif ",
        "#else\n",
        "#endif\n",
        "#define ",
        "#undef ",
        "#include ",
        "#error ",
        "#pragma once\n",
        "defined(",
        "Py_LIMITED_API",
        "+0 >= ",
        "0x030D0000",
        "(",
        ")",
        "##",
        "#",
        "__VA_ARGS__",
        "...",
        ",",
        "\n",
        "\\\n",
        "/*",
        "*/",
        "//",
        "\"",
        "'",
        "PyAPI_FUNC(",
        "PyAPI_DATA(",
        "typedef struct ",
        "{",
        "}",
        ";",
        "F(x)",
        "F",
        "x",
        "?",
        ":",
        "<",
        ">",
        "<<",
        "-",
        "!",
        "~",
        "/",
        "%",
        "1",
        "0",
        "9999999999999999999999",
        "'\\x",
        "__has_include(",
        "__has_attribute(",
        "\"pyconfig.h\"",
        "<limits.h>",
        " ",
        "\u{e9}",
    ];

    #[test]
    fn random_bytes_never_panic() {
        let mut random = Random(0x2545_F491_4F6C_DD1D);
        for _ in 0..500 {
            let len = random.below(300);
            let bytes: Vec<u8> = (0..len).map(|_| random.next() as u8).collect();
            fuzz_view(&bytes);
        }
    }

    #[test]
    fn header_like_garbage_never_panics() {
        let mut random = Random(0x9E37_79B9_7F4A_7C15);
        let mut succeeded = 0;
        for _ in 0..1500 {
            let mut text = String::new();
            for _ in 0..random.below(60) {
                text.push_str(PIECES[random.below(PIECES.len())]);
            }
            succeeded += fuzz_view(text.as_bytes());
        }
        // Not everything is an error: the generator does reach the walk.
        assert!(succeeded > 0);
    }

    #[test]
    fn truncated_headers_never_panic() {
        // The fixture, without the includes a lone text cannot resolve.
        let sample: String = SAMPLE
            .lines()
            .filter(|line| !line.starts_with("#include \"") || line.contains("pyconfig"))
            .map(|line| format!("{line}\n"))
            .collect();
        let bytes = sample.as_bytes();
        let mut step = 0;
        while step < bytes.len() {
            fuzz_view(&bytes[..step]);
            fuzz_view(&bytes[step..]);
            step += 7;
        }
        assert_eq!(fuzz_view(bytes), 3, "the whole sample is a valid header");
    }

    #[test]
    fn hostile_inputs_are_errors_not_panics() {
        let cases = [
            "#if (((((((((((((((((((((((((((((((((((((((((((((((((((((1".repeat(20),
            format!("#if {}1\n#endif\n", "!".repeat(100_000)),
            "#define A B\n#define B A\n#if A\n#endif\n".to_string(),
            "#define F(x) F(F(x))\n#if F(1)\n#endif\n".to_string(),
            "#define F(x) x\n#if F(\n#endif\n".to_string(),
            "#define G(x, y) x ## y\n#if G(,) G(1,) G(,2)\n#endif\n".to_string(),
            "#define S(x) #x\n#if S(a\"b)\n#endif\n".to_string(),
            "/* unterminated comment\n#if 1\n".to_string(),
            format!(
                "typedef struct {}x{};",
                "{struct {".repeat(2000),
                "};}".repeat(2000)
            ),
            "#include \"Python.h\"\n".to_string(),
            "#if 1/0\n#endif\n".to_string(),
            "#if '\\x'\n#endif\n".to_string(),
            "#elif 1\n".to_string(),
        ];
        for case in &cases {
            fuzz_view(case.as_bytes());
        }
        // An include of itself is a cycle: an error at every version.
        assert_eq!(fuzz_view(b"#include \"Python.h\"\n"), 0);
    }
}
