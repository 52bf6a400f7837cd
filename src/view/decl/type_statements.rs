//! Narrowing a header's code to what can declare a type, before
//! tree-sitter parses it: most of a header is function declarations and
//! inline function bodies, and parsing them is most of the cost of loading.

use crate::view::pp::lex;

/// Whether a byte can be part of a word (an identifier or a number).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The keywords that make a statement one that can declare a type.
const TYPE_KEYWORDS: [&[u8]; 4] = [b"typedef", b"struct", b"union", b"enum"];

/// Where each of [`TYPE_KEYWORDS`] appears in `code` as a whole word, in
/// order (found with memchr's substring search, which skips most of a
/// header; the scan then only asks whether a stretch holds one).
fn type_keywords(code: &[u8]) -> Vec<usize> {
    let whole_word = |at: usize, len: usize| {
        (at == 0 || !is_word_byte(code[at - 1]))
            && code.get(at + len).is_none_or(|&b| !is_word_byte(b))
    };
    let mut found: Vec<usize> = TYPE_KEYWORDS
        .iter()
        .flat_map(|keyword| {
            memchr::memmem::find_iter(code, keyword).filter(|&at| whole_word(at, keyword.len()))
        })
        .collect();
    found.sort_unstable();
    found
}

/// `code` with every top-level statement that names no `typedef`,
/// `struct`, `union` or `enum` blanked (offsets kept), and the bodies of
/// function definitions reduced to `;`. A keyword counts where a word can
/// be: not in a quoted literal, nor in a brace-enclosed body the scan
/// steps over.
pub fn only_type_statements(code: &[u8]) -> Vec<u8> {
    let mut out = code.to_vec();
    let keywords = type_keywords(code);
    let mut next_keyword = 0;
    // Whether `code[from..to]` holds a keyword; the stretches asked about
    // only move forward.
    let mut keyword_in = |from: usize, to: usize| {
        while keywords.get(next_keyword).is_some_and(|&at| at < from) {
            next_keyword += 1;
        }
        keywords.get(next_keyword).is_some_and(|&at| at < to)
    };
    // The statement begins at `start`; its words before `scanned` are
    // already looked at.
    let mut start = 0;
    let mut scanned = 0;
    let mut has_type_keyword = false;
    let mut i = 0;
    while let Some(stop) =
        lex::next_stop_or_quote(code, i, |rest| memchr::memchr3(b';', b'{', b'}', rest))
    {
        i = stop;
        has_type_keyword |= keyword_in(scanned, i);
        match code[i] {
            b'"' | b'\'' => {
                i = lex::skip_quoted(code, i, code.len());
                scanned = i;
                continue;
            }
            b';' => {
                if !has_type_keyword {
                    out[start..=i].fill(b' ');
                }
                start = i + 1;
                has_type_keyword = false;
            }
            b'{' => {
                let before = code[..i].iter().rposition(|c| !c.is_ascii_whitespace());
                match before.map(|p| code[p]) {
                    // `extern "C" {`: a wrapper, not a statement.
                    Some(b'"') => {
                        out[start..=i].fill(b' ');
                        start = i + 1;
                        has_type_keyword = false;
                    }
                    // A function body: the definition becomes a declaration.
                    Some(b')') => {
                        let end = matching_brace(code, i);
                        if has_type_keyword {
                            out[i..end].fill(b' ');
                            out[i] = b';';
                        } else {
                            out[start..end].fill(b' ');
                        }
                        i = end;
                        start = end;
                        scanned = end;
                        has_type_keyword = false;
                        continue;
                    }
                    // A struct, union, enum or initializer: up to its `;`.
                    _ => i = matching_brace(code, i) - 1,
                }
            }
            // The `}` closing `extern "C" {`.
            b'}' => {
                out[start..=i].fill(b' ');
                start = i + 1;
                has_type_keyword = false;
            }
            _ => {}
        }
        i += 1;
        scanned = i;
    }
    out
}

/// The index after the `}` matching the `{` at `open` (or the end).
fn matching_brace(code: &[u8], open: usize) -> usize {
    super::struct_body::closing_brace(code, open).map_or(code.len(), |close| close + 1)
}

/// The kept code with each run of blanks squeezed to one space: what
/// tree-sitter parses (it lexes blanks one by one, and most of the kept
/// code is blanks), with the way back to the header's offsets.
pub struct Compact {
    pub text: Vec<u8>,
    /// Where each piece starts in `text` and in the original, in order.
    pieces: Vec<(usize, u32)>,
}

impl Compact {
    pub fn new(code: &[u8]) -> Compact {
        let mut text = Vec::with_capacity(code.len() / 4);
        let mut pieces = vec![(0, 0)];
        let mut i = 0;
        while i < code.len() {
            if code[i].is_ascii_whitespace() {
                text.push(b' ');
                i = blank_run_end(code, i);
                pieces.push((text.len(), i as u32));
            } else {
                let end = code[i..]
                    .iter()
                    .position(u8::is_ascii_whitespace)
                    .map_or(code.len(), |p| i + p);
                text.extend_from_slice(&code[i..end]);
                i = end;
            }
        }
        Compact { text, pieces }
    }

    /// The original offset of byte `compact` of `text`.
    pub fn original(&self, compact: usize) -> u32 {
        let index = self.pieces.partition_point(|&(start, _)| start <= compact);
        let (start, original) = self.pieces[index.saturating_sub(1)];
        original + (compact - start) as u32
    }
}

/// The end of the run of blanks at `from`. The blanked statements are
/// most of a header: long runs of spaces, skipped eight bytes at a time.
fn blank_run_end(code: &[u8], from: usize) -> usize {
    let mut i = from;
    while code.get(i..i + 8) == Some(b"        ") {
        i += 8;
    }
    code[i..]
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(code.len(), |p| i + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_maps_offsets_back() {
        let code = b"  typedef   int\n\n  T;  ";
        let compact = Compact::new(code);
        assert_eq!(compact.text, b" typedef int T; ");
        for (word, original) in [("typedef", 2), ("int", 12), ("T;", 19)] {
            let at = compact
                .text
                .windows(word.len())
                .position(|w| w == word.as_bytes())
                .unwrap();
            assert_eq!(compact.original(at), original, "{word}");
            assert_eq!(&code[original as usize..][..word.len()], word.as_bytes());
        }
    }

    #[test]
    fn keeps_type_statements_and_offsets() {
        let code = b"extern \"C\" {\nPyAPI_FUNC(int) f(void);\ntypedef int T;\n\
                     static inline int g(struct s *p) { return p->x; }\n\
                     static inline int h(void) { return 0; }\nstruct s { int x; };\n}\n";
        let kept = only_type_statements(code);
        assert_eq!(kept.len(), code.len());
        let text = String::from_utf8(kept).unwrap();
        let words: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(
            words,
            [
                "typedef", "int", "T;", "static", "inline", "int", "g(struct", "s", "*p)", ";",
                "struct", "s", "{", "int", "x;", "};"
            ]
        );
    }
}
