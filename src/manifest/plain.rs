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

use std::cell::Cell;
use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use hashbrown::HashTable;
use toml_parser::decoder::Encoding;
use toml_parser::parser::{parse_document, EventReceiver};
use toml_parser::{ErrorSink, ParseError, Raw, Source, Span};

use super::tables::{Field, ItemTable, KindTable, Tables, Value};

/// How much text is lexed and parsed at a time: the tokens of a whole
/// manifest took eight times its size in memory. Each chunk ends before a
/// line that begins with `[` (a header, in the subset), so a chunk never
/// ends inside a value of the subset.
pub(super) const CHUNK: usize = 1 << 20;

/// Why the plain reader gave way to `toml_edit`: what the caller asks it,
/// at what cost.
#[derive(Debug, PartialEq)]
pub(super) enum GaveWay<'a> {
    /// A TOML syntax error in the item whose header's line starts at
    /// `item` (0: before any header), before any later header. Everything
    /// before `item` is valid TOML of the subset with no table defined
    /// twice, so the document's first error is the first error of the text
    /// from `item` on, where `toml_edit` stops.
    Syntax { item: usize },
    /// `[kind.name]` again, in the line that starts at `line` (TOML: a
    /// table defined twice). What `toml_edit` says of it needs only the
    /// first header and this line.
    Repeated {
        kind: &'a str,
        name: &'a str,
        line: usize,
    },
    /// TOML beyond the subset (valid or not): `toml_edit` reads the whole
    /// text.
    Beyond,
}

/// The tables of `text`, chunk by chunk, to `each` (the items and fields
/// of the chunk; the kinds that first appear in it, numbered across
/// chunks); or why the text is not in the subset this reader knows.
pub(super) fn read<'a>(text: &'a str, each: impl FnMut(Tables<'a>)) -> Result<(), GaveWay<'a>> {
    read_in_chunks(text, CHUNK, each)
}

/// [`read`] in chunks of about `chunk` bytes.
pub(super) fn read_in_chunks<'a>(
    text: &'a str,
    chunk: usize,
    mut each: impl FnMut(Tables<'a>),
) -> Result<(), GaveWay<'a>> {
    if !plain_characters(text) {
        return Err(GaveWay::Beyond);
    }
    let progress = Progress::default();
    let mut reader = Reader {
        text,
        base: 0,
        state: State::Expression,
        header: Header::default(),
        kinds: Vec::new(),
        new_kinds: Vec::new(),
        items: Vec::new(),
        fields: Vec::new(),
        // About one header per 60 bytes in CPython's manifest.
        headers_seen: HashTable::with_capacity(text.len() / 60),
        key: None,
        strings: Vec::new(),
        array_at: 0,
        failure: None,
        header_after_failure: false,
        progress: &progress,
    };
    let mut start = 0;
    while start < text.len() {
        let end = chunk_end(text, start, chunk);
        let tokens = Source::new(&text[start..end]).lex().into_vec();
        reader.base = start;
        parse_document(
            &tokens,
            &mut reader,
            &mut AnyError {
                progress: &progress,
            },
        );
        if reader.failure.is_some() || progress.error_in.get().is_some() {
            return Err(reader.gave_way());
        }
        if !matches!(reader.state, State::Expression) {
            return Err(GaveWay::Beyond);
        }
        each(Tables {
            kinds: std::mem::take(&mut reader.new_kinds),
            items: std::mem::take(&mut reader.items),
            fields: std::mem::take(&mut reader.fields),
        });
        start = end;
    }
    Ok(())
}

/// Where the chunk that starts at `start` ends: at the first line from
/// `chunk` bytes on that begins with `[`, or at the end of the text.
fn chunk_end(text: &str, start: usize, chunk: usize) -> usize {
    let from = start.saturating_add(chunk.max(1));
    if from >= text.len() {
        return text.len();
    }
    // Not in the middle of a character (a line break is never one).
    let from = (from..text.len())
        .find(|&at| text.is_char_boundary(at))
        .unwrap_or(text.len());
    memchr::memmem::find(&text.as_bytes()[from..], b"\n[").map_or(text.len(), |at| from + at + 1)
}

/// Whether the plain reader reads all of `text`.
pub(super) fn reads(text: &str) -> bool {
    read(text, |_| {}).is_ok()
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

/// Where the parse is, as far as both the reader and [`AnyError`] see it.
#[derive(Default)]
struct Progress {
    /// Where the line of the last header begun starts (0 before any).
    item_line: Cell<usize>,
    /// The `item_line` of the first syntax error.
    error_in: Cell<Option<usize>>,
}

/// Notes the parser's first syntax error.
struct AnyError<'c> {
    progress: &'c Progress,
}

impl ErrorSink for AnyError<'_> {
    fn report_error(&mut self, _error: ParseError) {
        let progress = self.progress;
        if progress.error_in.get().is_none() {
            progress.error_in.set(Some(progress.item_line.get()));
        }
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

/// A header seen: the index of its kind, and its name's place in the text.
type Seen = (u32, u32, u32);

/// The first thing beyond the subset.
#[derive(Debug)]
enum Failure<'a> {
    Repeated { kind: &'a str, name: &'a str },
    Other,
}

/// Receives the parser's events and builds the tables, or notes the first
/// thing beyond the subset (`failure`).
struct Reader<'a, 'c> {
    text: &'a str,
    /// Where the chunk being parsed starts in `text` (its spans are the
    /// chunk's).
    base: usize,
    state: State,
    header: Header,
    /// The key of every kind so far.
    kinds: Vec<&'a str>,
    /// The kinds first seen in this chunk.
    new_kinds: Vec<KindTable<'a>>,
    items: Vec<ItemTable<'a>>,
    fields: Vec<Field<'a>>,
    /// Every header so far (4 bytes of key a header, where a set of the
    /// names took 32).
    headers_seen: HashTable<Seen>,
    /// The key of the field being read.
    key: Option<(&'a str, usize)>,
    /// The strings of the array being read.
    strings: Vec<&'a str>,
    array_at: usize,
    /// The first thing beyond the subset, and the `item_line` it is in.
    failure: Option<(Failure<'a>, usize)>,
    /// Whether a header was begun after the failure and before any syntax
    /// error.
    header_after_failure: bool,
    progress: &'c Progress,
}

impl<'a> Reader<'a, '_> {
    fn fail(&mut self) {
        if self.failure.is_none() {
            self.failure = Some((Failure::Other, self.progress.item_line.get()));
        }
    }

    /// What the caller is to do after a failure or a syntax error: a
    /// syntax error is left to `toml_edit` from its item on only when it
    /// is in the item of the first failure (a header after that was not
    /// checked for being defined twice).
    fn gave_way(&self) -> GaveWay<'a> {
        let error_in = self.progress.error_in.get();
        match (&self.failure, error_in) {
            (Some((Failure::Repeated { kind, name }, line)), _) => GaveWay::Repeated {
                kind,
                name,
                line: *line,
            },
            (Some((Failure::Other, item)), Some(error_item))
                if *item == error_item && !self.header_after_failure =>
            {
                GaveWay::Syntax { item: *item }
            }
            (None, Some(item)) => GaveWay::Syntax { item },
            _ => GaveWay::Beyond,
        }
    }

    /// A span of the chunk as a range of the text.
    fn range(&self, span: Span) -> std::ops::Range<usize> {
        self.base + span.start()..self.base + span.end()
    }

    /// `key` as a bare key of letters, digits, `_` and `-` (the only keys
    /// the subset has).
    fn bare_key(&self, span: Span, encoding: Option<Encoding>) -> Option<&'a str> {
        let key = self.text.get(self.range(span))?;
        let bare =
            encoding.is_none() && !key.is_empty() && key.bytes().all(|b| BARE_KEY[b as usize]);
        bare.then_some(key)
    }

    /// A string without escapes, or `true`, or `false`.
    fn value(&self, span: Span, encoding: Option<Encoding>) -> Option<Value<'a>> {
        let raw = self.text.get(self.range(span))?;
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
        if self.header.count != 2 {
            return self.fail();
        }
        // Items of one kind mostly follow each other: try the last first.
        let last = self.items.last().map(|item| item.kind);
        let same_as_last = last.filter(|&index| self.kinds[index] == kind);
        let known = same_as_last.or_else(|| self.kinds.iter().position(|&k| k == kind));
        let kind_index = match known {
            Some(index) => index,
            None => {
                self.new_kinds.push(KindTable {
                    key: kind,
                    at: self.range(kind_span).start,
                    not_a_table: None,
                });
                self.kinds.push(kind);
                self.kinds.len() - 1
            }
        };
        // A table defined twice is a TOML error: `toml_edit` reports it.
        if !self.first_header(kind_index, name) {
            if self.failure.is_none() {
                let line = self.progress.item_line.get();
                self.failure = Some((Failure::Repeated { kind, name }, line));
            }
            return;
        }
        let first_field = self.fields.len();
        self.items.push(ItemTable {
            kind: kind_index,
            name,
            at: self.header.at,
            fields: Ok(first_field..first_field),
        });
    }

    /// Notes the header `[kinds[kind].name]`; `false` when it was seen
    /// before.
    fn first_header(&mut self, kind: usize, name: &'a str) -> bool {
        let text = self.text;
        let hash = |kind: u32, name: &str| FixedState::default().hash_one((kind, name));
        let name_of = |&(_, start, len): &Seen| &text[start as usize..(start + len) as usize];
        // The name borrows the text: its offset is where it is.
        let start = name.as_ptr() as usize - text.as_ptr() as usize;
        let (Ok(kind), Ok(start), Ok(len)) = (
            u32::try_from(kind),
            u32::try_from(start),
            u32::try_from(name.len()),
        ) else {
            return true;
        };
        let entry = self.headers_seen.entry(
            hash(kind, name),
            |seen| seen.0 == kind && name_of(seen) == name,
            |seen| hash(seen.0, name_of(seen)),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(_) => false,
            hashbrown::hash_table::Entry::Vacant(slot) => {
                slot.insert((kind, start, len));
                true
            }
        }
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

impl EventReceiver for Reader<'_, '_> {
    fn std_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        let progress = self.progress;
        if self.failure.is_some() && progress.error_in.get().is_none() {
            self.header_after_failure = true;
        }
        if !matches!(self.state, State::Expression) {
            return self.fail();
        }
        let at = self.range(span).start;
        let line = self.text[..at].rfind('\n').map_or(0, |newline| newline + 1);
        progress.item_line.set(line);
        self.state = State::Header;
        self.header = Header {
            at,
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

    // Returning `false` has the parser skip the value without descending
    // into it: nested ever so deep, it costs no stack.
    fn inline_table_open(&mut self, _span: Span, _error: &mut dyn ErrorSink) -> bool {
        self.fail();
        false
    }

    fn array_open(&mut self, span: Span, _error: &mut dyn ErrorSink) -> bool {
        if !matches!(self.state, State::Value) {
            self.fail();
            return false;
        }
        self.state = State::Array;
        self.array_at = self.range(span).start;
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

    fn simple_key(&mut self, span: Span, encoding: Option<Encoding>, error: &mut dyn ErrorSink) {
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
                    self.key = Some((key, self.range(span).start));
                    self.state = State::Key;
                }
                None => {
                    self.fail();
                    let raw = &self.text[self.range(span)];
                    Raw::new_unchecked(raw, encoding, span).decode_key(&mut (), error);
                }
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

    fn scalar(&mut self, span: Span, encoding: Option<Encoding>, error: &mut dyn ErrorSink) {
        match (self.state, self.value(span, encoding)) {
            (State::Value, Some(value)) => self.push_field(value, self.range(span).start),
            (State::Array, Some(Value::String(text))) => self.strings.push(text),
            _ => {
                self.fail();
                // The parser leaves judging a value to its receiver: an
                // empty or malformed one is a syntax error.
                let raw = &self.text[self.range(span)];
                let _ = Raw::new_unchecked(raw, encoding, span).decode_scalar(&mut (), error);
            }
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

#[cfg(test)]
mod tests;
