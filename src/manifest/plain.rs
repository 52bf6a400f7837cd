//! The fast reader: a manifest written the way CPython writes it, read
//! straight from `toml_parser`'s events into [`Tables`], with no document
//! model and no copy of any key or value (they borrow the text).
//!
//! It reads the subset of TOML the manifest uses: `[kind.name]` headers of
//! two bare keys, `key = value` lines with a bare key, and values that are
//! `'literal'` or `"basic"` strings without escapes, `true`, `false`, or
//! arrays of such strings; comments and blank lines anywhere. On anything
//! else (other TOML, invalid TOML, a repeated table or key) it gives up and
//! [`super::tables::from_document`] reads the text instead, so that every
//! error and every edge of TOML stays `toml_edit`'s. (`toml_parser` reads
//! TOML 1.1; the subset is the same in TOML 1.0, which `toml_edit` and
//! Python's `tomllib` read.)

use std::collections::HashSet;

use foldhash::fast::FixedState;
use toml_parser::decoder::Encoding;
use toml_parser::parser::{parse_document, EventReceiver};
use toml_parser::{ErrorSink, ParseError, Source, Span};

use super::tables::{Field, ItemTable, KindTable, Tables, Value};

/// The tables of `text`, or `None` when it is not in the subset this
/// reader knows.
pub(super) fn tables(text: &str) -> Option<Tables<'_>> {
    if !plain_characters(text) {
        return None;
    }
    let tokens = Source::new(text).lex().into_vec();
    let mut reader = Reader {
        text,
        state: State::Expression,
        header: Header::default(),
        kinds: Vec::new(),
        items: Vec::new(),
        fields: Vec::new(),
        // About one header per 60 bytes in CPython's manifest.
        headers_seen: HashSet::with_capacity_and_hasher(text.len() / 60, FixedState::default()),
        key: None,
        strings: Vec::new(),
        array_at: 0,
        failed: false,
    };
    let mut errors = AnyError(false);
    parse_document(&tokens, &mut reader, &mut errors);
    if reader.failed || errors.0 || !matches!(reader.state, State::Expression) {
        return None;
    }
    Some(Tables {
        kinds: reader.kinds,
        items: reader.items,
        fields: reader.fields,
    })
}

/// No control character TOML forbids anywhere (all but tab, and CR but
/// before LF; `toml_edit` judges a text that has one), and no byte-order
/// mark.
fn plain_characters(text: &str) -> bool {
    let bytes = text.as_bytes();
    let ordinary = |b: u8| (b >= 0x20 && b != 0x7f) || b == b'\t' || b == b'\n';
    // Branch-free over the whole text first (it vectorizes): CR is rare.
    let all_ordinary = bytes.iter().fold(true, |ok, &b| ok & ordinary(b));
    !text.starts_with('\u{feff}')
        && (all_ordinary
            || bytes
                .iter()
                .enumerate()
                .all(|(i, &b)| ordinary(b) || (b == b'\r' && bytes.get(i + 1) == Some(&b'\n'))))
}

/// The bytes of a bare key, `A-Za-z0-9_-`, as a table (the check runs on
/// every key of the file).
static BARE_KEY: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
        b += 1;
    }
    table
};

/// Whether the parser saw any syntax error.
struct AnyError(bool);

impl ErrorSink for AnyError {
    fn report_error(&mut self, _error: ParseError) {
        self.0 = true;
    }
}

/// Where the reader is in the line it reads.
#[derive(Copy, Clone, Debug)]
enum State {
    /// At the start of a line, or after a complete header or `key = value`.
    Expression,
    /// Inside `[...]`.
    Header,
    /// After `key`, before `=`.
    Key,
    /// After `=`.
    Value,
    /// Inside a value's `[...]`.
    Array,
}

/// The keys of the `[...]` being read.
#[derive(Default)]
struct Header {
    at: usize,
    keys: [Span; 2],
    count: usize,
}

/// Receives the parser's events and builds the tables, or marks the text
/// as beyond the subset (`failed`).
struct Reader<'a> {
    text: &'a str,
    state: State,
    header: Header,
    kinds: Vec<KindTable<'a>>,
    items: Vec<ItemTable<'a>>,
    fields: Vec<Field<'a>>,
    /// Every `(kind, name)` of a header so far.
    headers_seen: HashSet<(&'a str, &'a str), FixedState>,
    /// The key of the field being read.
    key: Option<(&'a str, usize)>,
    /// The strings of the array being read.
    strings: Vec<&'a str>,
    array_at: usize,
    failed: bool,
}

impl<'a> Reader<'a> {
    fn fail(&mut self) {
        self.failed = true;
    }

    /// `key` as a bare key of letters, digits, `_` and `-` (the only keys
    /// the subset has).
    fn bare_key(&self, span: Span, encoding: Option<Encoding>) -> Option<&'a str> {
        let key = self.text.get(span.start()..span.end())?;
        let bare =
            encoding.is_none() && !key.is_empty() && key.bytes().all(|b| BARE_KEY[b as usize]);
        bare.then_some(key)
    }

    /// A string without escapes, or `true`, or `false`.
    fn value(&self, span: Span, encoding: Option<Encoding>) -> Option<Value<'a>> {
        let raw = self.text.get(span.start()..span.end())?;
        let quote = match encoding {
            None => {
                return match raw {
                    "true" => Some(Value::Boolean(true)),
                    "false" => Some(Value::Boolean(false)),
                    _ => None,
                }
            }
            Some(Encoding::LiteralString) => '\'',
            Some(Encoding::BasicString) if !raw.contains('\\') => '"',
            Some(_) => return None,
        };
        let inner = raw.strip_prefix(quote)?.strip_suffix(quote)?;
        Some(Value::String(inner))
    }

    fn end_header(&mut self) {
        let [kind_span, name_span] = self.header.keys;
        let (Some(kind), Some(name)) = (
            self.bare_key(kind_span, None),
            self.bare_key(name_span, None),
        ) else {
            return self.fail();
        };
        // A table defined twice is a TOML error: `toml_edit` reports it.
        if self.header.count != 2 || !self.headers_seen.insert((kind, name)) {
            return self.fail();
        }
        // Items of one kind mostly follow each other: try the last first.
        let last = self.items.last().map(|item| item.kind);
        let same_as_last = last.filter(|&index| self.kinds[index].key == kind);
        let known = same_as_last.or_else(|| self.kinds.iter().position(|k| k.key == kind));
        let kind_index = match known {
            Some(index) => index,
            None => {
                self.kinds.push(KindTable {
                    key: kind,
                    at: kind_span.start(),
                    not_a_table: None,
                });
                self.kinds.len() - 1
            }
        };
        let first_field = self.fields.len();
        self.items.push(ItemTable {
            kind: kind_index,
            name,
            at: self.header.at,
            fields: Ok(first_field..first_field),
        });
    }

    fn push_field(&mut self, value: Value<'a>, value_at: usize) {
        let (Some((key, key_at)), Some(item)) = (self.key.take(), self.items.last_mut()) else {
            return self.fail();
        };
        let Ok(fields) = &mut item.fields else {
            return self.fail();
        };
        // A key given twice is a TOML error: `toml_edit` reports it.
        if self.fields[fields.clone()].iter().any(|f| f.key == key) {
            return self.fail();
        }
        fields.end += 1;
        self.fields.push(Field {
            key,
            key_at,
            value,
            value_at,
        });
        self.state = State::Expression;
    }
}

impl EventReceiver for Reader<'_> {
    fn std_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        if !matches!(self.state, State::Expression) {
            return self.fail();
        }
        self.state = State::Header;
        self.header = Header {
            at: span.start(),
            ..Header::default()
        };
    }

    fn std_table_close(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        if !matches!(self.state, State::Header) {
            return self.fail();
        }
        self.state = State::Expression;
        self.end_header();
    }

    fn array_table_open(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.fail();
    }

    fn inline_table_open(&mut self, _span: Span, _error: &mut dyn ErrorSink) -> bool {
        self.fail();
        true
    }

    fn array_open(&mut self, span: Span, _error: &mut dyn ErrorSink) -> bool {
        if !matches!(self.state, State::Value) {
            self.fail();
        }
        self.state = State::Array;
        self.array_at = span.start();
        self.strings.clear();
        true
    }

    fn array_close(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        if !matches!(self.state, State::Array) {
            return self.fail();
        }
        let strings = std::mem::take(&mut self.strings);
        self.push_field(Value::Strings(strings), self.array_at);
    }

    fn simple_key(&mut self, span: Span, encoding: Option<Encoding>, _error: &mut dyn ErrorSink) {
        match self.state {
            State::Header if self.header.count < 2 => {
                self.header.keys[self.header.count] = span;
                self.header.count += 1;
                if encoding.is_some() {
                    self.fail();
                }
            }
            State::Expression => match self.bare_key(span, encoding) {
                Some(key) => {
                    self.key = Some((key, span.start()));
                    self.state = State::Key;
                }
                None => self.fail(),
            },
            // A third key in a header, or a dotted key.
            _ => self.fail(),
        }
    }

    fn key_sep(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        if !matches!(self.state, State::Header) {
            self.fail();
        }
    }

    fn key_val_sep(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        if !matches!(self.state, State::Key) {
            return self.fail();
        }
        self.state = State::Value;
    }

    fn scalar(&mut self, span: Span, encoding: Option<Encoding>, _error: &mut dyn ErrorSink) {
        match (self.state, self.value(span, encoding)) {
            (State::Value, Some(value)) => self.push_field(value, span.start()),
            (State::Array, Some(Value::String(text))) => self.strings.push(text),
            _ => self.fail(),
        }
    }

    fn value_sep(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        if !matches!(self.state, State::Array) {
            self.fail();
        }
    }

    fn error(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.fail();
    }
}
