//! The preprocessor's view of characters: comments and line splices removed
//! (keeping every byte offset, so locations stay exact), then tokens.

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::sync::Arc;

/// An interned identifier. Interning at load time makes the macro table of
/// each view a map of small integers, which keeps evaluating 12 versions
/// cheap.
pub type Sym = u32;

/// Identifiers seen in the headers, each stored once.
///
/// An interner can be layered over a shared one ([`Interner::over`]): it
/// knows the shared names under their symbols and numbers new ones after
/// them, so a view that adds `-D` names does not copy the headers' names.
#[derive(Default, Debug, Clone)]
pub struct Interner {
    base: Option<Arc<Interner>>,
    /// The number of the base's symbols: this interner's own come after.
    first: Sym,
    /// This interner's symbols, found by the hash of their names: a name is
    /// hashed once whether it is found or added. Hashed with foldhash:
    /// interning every identifier of the headers is a good part of loading
    /// them, and SipHash's resistance to collisions chosen by an attacker
    /// buys nothing here.
    ids: hashbrown::HashTable<Sym>,
    hasher: foldhash::fast::RandomState,
    /// Shared with the views, whose maps are keyed by these names: a view
    /// holds a reference to each name, not a copy.
    names: Vec<Arc<str>>,
}

impl Interner {
    /// An interner that extends `base`.
    pub fn over(base: Arc<Interner>) -> Interner {
        Interner {
            first: base.len(),
            base: Some(base),
            ..Interner::default()
        }
    }

    /// An empty interner with room for `names` names.
    pub fn with_capacity(names: usize) -> Interner {
        Interner {
            ids: hashbrown::HashTable::with_capacity(names),
            names: Vec::with_capacity(names),
            ..Interner::default()
        }
    }

    fn len(&self) -> Sym {
        self.first + self.names.len() as Sym
    }

    pub fn intern(&mut self, name: &str) -> Sym {
        if let Some(sym) = self.base.as_ref().and_then(|base| base.get(name)) {
            return sym;
        }
        let len = self.len();
        let Interner {
            ids,
            hasher,
            names,
            first,
            ..
        } = self;
        let own = |sym: &Sym| names[(sym - *first) as usize].as_bytes();
        let hash = hasher.hash_one(name.as_bytes());
        match ids.entry(
            hash,
            |sym| own(sym) == name.as_bytes(),
            |sym| hasher.hash_one(own(sym)),
        ) {
            hashbrown::hash_table::Entry::Occupied(entry) => *entry.get(),
            hashbrown::hash_table::Entry::Vacant(entry) => {
                entry.insert(len);
                names.push(name.into());
                len
            }
        }
    }

    /// [`Interner::intern`] of a name as the bytes of a header: decoded
    /// (lossily, as [`lossy`] does) only when it is not known yet, which
    /// spares validating UTF-8 for most identifiers.
    pub fn intern_bytes(&mut self, name: &[u8]) -> Sym {
        match self.get_bytes(name) {
            Some(sym) => sym,
            None => self.intern(&lossy(name)),
        }
    }

    /// The symbol of a name, if any header (or the profile) uses it.
    pub fn get(&self, name: &str) -> Option<Sym> {
        self.get_bytes(name.as_bytes())
    }

    /// [`Interner::get`] of a name's bytes (names are hashed as bytes).
    fn get_bytes(&self, name: &[u8]) -> Option<Sym> {
        if let Some(sym) = self.base.as_ref().and_then(|base| base.get_bytes(name)) {
            return Some(sym);
        }
        let hash = self.hasher.hash_one(name);
        self.ids
            .find(hash, |&sym| self.name(sym).as_bytes() == name)
            .copied()
    }

    pub fn name(&self, sym: Sym) -> &str {
        self.shared_name(sym).map_or("", |name| name)
    }

    /// The name of `sym`, to be kept (`None`: no such symbol).
    pub fn shared_name(&self, sym: Sym) -> Option<&Arc<str>> {
        match &self.base {
            Some(base) if sym < self.first => base.shared_name(sym),
            _ => self.names.get((sym - self.first) as usize),
        }
    }

    /// The place of each symbol in the names' sorted order, by symbol:
    /// sorting a view's entries by these numbers sorts them by name
    /// without comparing strings (done once per load, used by every view).
    pub fn ranks(&self) -> Vec<u32> {
        // Sorted as (name, symbol) pairs: the names are compared directly,
        // not looked up at every comparison.
        let mut names: Vec<(&str, Sym)> =
            (0..self.len()).map(|sym| (self.name(sym), sym)).collect();
        names.sort_unstable();
        let mut ranks = vec![0; names.len()];
        for (rank, (_, sym)) in names.into_iter().enumerate() {
            ranks[sym as usize] = rank as u32;
        }
        ranks
    }
}

/// `bytes` as text, each invalid UTF-8 sequence replaced by U+FFFD.
///
/// Valid text (every header CPython ships) goes through std's validation,
/// which skips ASCII a word at a time, and is borrowed, not copied;
/// `String::from_utf8_lossy` alone checks byte by byte.
pub fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Like [`lossy`], taking ownership: valid text keeps its buffer.
pub fn lossy_owned(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes)
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
}

/// Returns `text` with comments and backslash-newlines replaced by spaces,
/// byte for byte, so offsets in the result are offsets in the original.
///
/// Line splices become spaces first, then comments, in the order of a
/// compiler's translation phases (C11 5.1.1.2); a token split by a splice
/// stays split, which CPython's headers never do. A newline inside a
/// block comment becomes a space too: a directive that ends in such a
/// comment continues to the line the comment ends on, as in a compiler.
/// Only the bytes that can start something are visited (found with
/// memchr): most of a header is neither.
pub fn strip_comments(text: &[u8]) -> Vec<u8> {
    let mut out = text.to_vec();
    let n = out.len();
    // Phase 2: backslash-newlines.
    let mut from = 0;
    while let Some(found) = memchr::memchr(b'\\', &out[from..]) {
        let i = from + found;
        let len = splice_len(&out, i);
        out[i..i + len].fill(b' ');
        from = i + len.max(1);
    }
    // Phase 3: comments, skipping string and character literals.
    let mut i = 0;
    while let Some(found) = memchr::memchr3(b'/', b'"', b'\'', &out[i..]) {
        i += found;
        match out[i] {
            b'/' if i + 1 < n && out[i + 1] == b'*' => {
                let start = i;
                let end = memchr::memmem::find(&out[i + 2..], b"*/").map_or(n, |p| i + 2 + p + 2);
                out[start..end].fill(b' ');
                i = end;
            }
            b'/' if i + 1 < n && out[i + 1] == b'/' => {
                let end = memchr::memchr(b'\n', &out[i..]).map_or(n, |p| i + p);
                out[i..end].fill(b' ');
                i = end;
            }
            b'"' | b'\'' => i = skip_quoted(&out, i, n),
            _ => i += 1,
        }
    }
    out
}

/// The next stop (the first byte `find_stop` finds in what it is given,
/// e.g. with `memchr::memchr2`) or quote (`"`, `'`) at or after `from`. A
/// quote is searched only up to the next stop, so that a scan calling this
/// in a loop stays linear however rare quotes are.
pub fn next_stop_or_quote(
    text: &[u8],
    from: usize,
    find_stop: impl Fn(&[u8]) -> Option<usize>,
) -> Option<usize> {
    let rest = text.get(from..)?;
    let stop = find_stop(rest);
    let quote = memchr::memchr2(b'"', b'\'', &rest[..stop.unwrap_or(rest.len())]);
    quote.or(stop).map(|at| from + at)
}

/// Length of a backslash-newline at `i` (`\` `\n` or `\` `\r\n`), else 0.
fn splice_len(text: &[u8], i: usize) -> usize {
    match (text.get(i + 1), text.get(i + 2)) {
        (Some(b'\n'), _) => 2,
        (Some(b'\r'), Some(b'\n')) => 3,
        _ => 0,
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokKind {
    Ident(Sym),
    Number(Arc<str>),
    Char(Arc<str>),
    Str(Arc<str>),
    Punct(&'static str),
    /// A stray character (e.g. `@` or `$`), kept so errors can show it.
    Other(char),
    /// An identifier made by `##` that no header uses (so not a macro).
    Unknown(Arc<str>),
}

/// A token and where it starts (byte offset in its file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokKind,
    pub offset: u32,
    /// Whether whitespace precedes it (matters for `#` stringizing only).
    pub space_before: bool,
}

/// The punctuators that begin with `first` (C11 6.4.6, without digraphs
/// and `#`, which the tokenizer reads itself), longest first.
fn punctuators(first: u8) -> &'static [&'static str] {
    match first {
        b'<' => &["<<=", "<<", "<=", "<"],
        b'>' => &[">>=", ">>", ">=", ">"],
        b'.' => &["...", "."],
        b'-' => &["->", "--", "-=", "-"],
        b'+' => &["++", "+=", "+"],
        b'=' => &["==", "="],
        b'!' => &["!=", "!"],
        b'&' => &["&&", "&=", "&"],
        b'|' => &["||", "|=", "|"],
        b'*' => &["*=", "*"],
        b'/' => &["/=", "/"],
        b'%' => &["%=", "%"],
        b'^' => &["^=", "^"],
        b'[' => &["["],
        b']' => &["]"],
        b'(' => &["("],
        b')' => &[")"],
        b'{' => &["{"],
        b'}' => &["}"],
        b'~' => &["~"],
        b'?' => &["?"],
        b':' => &[":"],
        b';' => &[";"],
        b',' => &[","],
        _ => &[],
    }
}
const HASH: &str = "#";

pub fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

pub fn is_ident_char(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit()
}

/// Tokenizes `text[start..end]` (comment-stripped); offsets are absolute.
pub fn tokenize(text: &[u8], start: usize, end: usize, interner: &mut Interner) -> Vec<Token> {
    let end = end.min(text.len());
    // About one token per four bytes of C: growing from empty would
    // reallocate several times for every line lexed.
    let mut tokens = Vec::with_capacity(end.saturating_sub(start) / 4);
    let mut i = start;
    let mut space_before = false;
    while i < end {
        let b = text[i];
        if b.is_ascii_whitespace() {
            space_before = true;
            i += 1;
            continue;
        }
        let begin = i;
        let kind = if is_ident_start(b) {
            // Character and string literals with an encoding prefix.
            while i < end && is_ident_char(text[i]) {
                i += 1;
            }
            let word = &text[begin..i];
            let prefixed = matches!(word, b"L" | b"u" | b"U" | b"u8");
            if prefixed && i < end && (text[i] == b'\'' || text[i] == b'"') {
                let quote = text[i];
                i = skip_quoted(text, i, end);
                literal(text, begin, i, quote)
            } else {
                TokKind::Ident(interner.intern_bytes(word))
            }
        } else if b.is_ascii_digit() || (b == b'.' && i + 1 < end && text[i + 1].is_ascii_digit()) {
            // A preprocessing number: digits, letters, dots, and signs after e/p.
            i += 1;
            while i < end {
                let c = text[i];
                let sign_of_exponent =
                    (c == b'+' || c == b'-') && matches!(text[i - 1], b'e' | b'E' | b'p' | b'P');
                if is_ident_char(c) || c == b'.' || sign_of_exponent {
                    i += 1;
                } else {
                    break;
                }
            }
            TokKind::Number(lossy(&text[begin..i]).into())
        } else if b == b'"' || b == b'\'' {
            i = skip_quoted(text, i, end);
            literal(text, begin, i, b)
        } else if b == b'#' {
            i += if text.get(i + 1) == Some(&b'#') { 2 } else { 1 };
            TokKind::Punct(if i - begin == 2 { "##" } else { HASH })
        } else if let Some(p) = punctuators(b)
            .iter()
            .find(|p| text[i..end].starts_with(p.as_bytes()))
        {
            i += p.len();
            TokKind::Punct(p)
        } else {
            let ch = String::from_utf8_lossy(&text[i..(i + 1).min(end)])
                .chars()
                .next()
                .unwrap_or('?');
            i += 1;
            TokKind::Other(ch)
        };
        tokens.push(Token {
            kind,
            offset: begin as u32,
            space_before,
        });
        space_before = false;
    }
    tokens
}

fn literal(text: &[u8], begin: usize, end: usize, quote: u8) -> TokKind {
    let body: Arc<str> = lossy(&text[begin..end]).into();
    if quote == b'\'' {
        TokKind::Char(body)
    } else {
        TokKind::Str(body)
    }
}

/// The index after the quoted literal that starts at `i` (the quote), at
/// most `end`; an unterminated one ends at the line's end.
pub fn skip_quoted(text: &[u8], i: usize, end: usize) -> usize {
    let quote = text[i];
    let mut j = i + 1;
    while j < end && text[j] != quote && text[j] != b'\n' {
        if text[j] == b'\\' {
            j += 1;
        }
        j += 1;
    }
    (j + 1).min(end)
}

/// The text of a token, as it would be spelled.
pub fn spell(kind: &TokKind, interner: &Interner) -> String {
    match kind {
        TokKind::Ident(sym) => interner.name(*sym).to_string(),
        TokKind::Number(s) | TokKind::Char(s) | TokKind::Str(s) | TokKind::Unknown(s) => {
            s.to_string()
        }
        TokKind::Punct(p) => p.to_string(),
        TokKind::Other(c) => c.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layered_interner_shares_the_base_and_numbers_new_names_after_it() {
        let mut base = Interner::default();
        let a = base.intern("Py_LIMITED_API");
        let b = base.intern("MS_WINDOWS");
        let base = Arc::new(base);
        let mut layer = Interner::over(Arc::clone(&base));
        assert_eq!(layer.intern("MS_WINDOWS"), b);
        assert_eq!(layer.get("Py_LIMITED_API"), Some(a));
        let new = layer.intern("Py_NEWNAME");
        assert!(new > a && new > b);
        assert_eq!(layer.intern("Py_NEWNAME"), new);
        assert_eq!(layer.name(new), "Py_NEWNAME");
        assert_eq!(layer.name(a), "Py_LIMITED_API");
        // The base is untouched.
        assert_eq!(base.get("Py_NEWNAME"), None);
        assert_eq!(base.name(new), "");
    }

    #[test]
    fn interning_bytes_is_interning_their_lossy_text() {
        let mut base = Interner::default();
        let known = base.intern("PyObject");
        let mut layer = Interner::over(Arc::new(base));
        assert_eq!(layer.intern_bytes(b"PyObject"), known);
        let new = layer.intern_bytes(b"Py_New");
        assert_eq!(layer.intern("Py_New"), new);
        assert_eq!(layer.intern_bytes(b"Py_New"), new);
        // Two invalid sequences with one lossy text are one name.
        let invalid = layer.intern_bytes(b"caf\xe9");
        assert_eq!(layer.name(invalid), "caf\u{fffd}");
        assert_eq!(layer.intern_bytes(b"caf\xff"), invalid);
        assert_eq!(layer.intern("caf\u{fffd}"), invalid);
    }

    #[test]
    fn strips_comments_and_splices_keeping_offsets() {
        let text = b"a /* x\ny */ b // c \\\nd\n#define X \\\n 1\n\"/*\"";
        let out = strip_comments(text);
        assert_eq!(out.len(), text.len());
        let s = String::from_utf8(out).unwrap();
        assert_eq!(s, "a           b         \n#define X    1\n\"/*\"");
    }

    #[test]
    fn tokenizes_numbers_punct_and_literals() {
        let mut interner = Interner::default();
        let text = b"x>=0x1FUL<<2 'a' L\"s\" 1e+5 ##";
        let tokens = tokenize(text, 0, text.len(), &mut interner);
        let spelled: Vec<String> = tokens.iter().map(|t| spell(&t.kind, &interner)).collect();
        assert_eq!(
            spelled,
            ["x", ">=", "0x1FUL", "<<", "2", "'a'", "L\"s\"", "1e+5", "##"]
        );
        assert!(matches!(tokens[5].kind, TokKind::Char(_)));
        assert!(matches!(tokens[6].kind, TokKind::Str(_)));
    }
}
