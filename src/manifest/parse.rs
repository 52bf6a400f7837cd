//! Reading `Misc/stable_abi.toml` into a [`Manifest`], with every rule the
//! format has, each broken rule reported at its `file:line:col`.

use std::path::Path;

use toml_edit::ImDocument;

use super::plain::{self, GaveWay};
use super::tables::{self, Field, ItemTable, KindTable, Tables, Value};
use super::{Item, Kind, Manifest, Rules, StructAbiKind, Windows};
use crate::diagnostic::{LineIndex, LocatedError, Location};
use crate::error::{Error, Result};
use crate::version::Version;

pub(super) fn load(path: &Path, rules: Rules) -> Result<Parsed> {
    let bytes = crate::input::read(path).map_err(|err| {
        let mut message = format!("cannot read the manifest: {err}");
        if err.kind() == std::io::ErrorKind::NotFound
            && path.extension().is_some_and(|ext| ext == "txt")
        {
            message = format!(
                "manifest not found; did you mean {}?",
                path.with_extension("toml").display()
            );
        }
        Error::file(path, message)
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|err| {
        let valid = std::str::from_utf8(&bytes[..err.valid_up_to()]).unwrap_or_default();
        LocatedError::new(
            Location::of_offset(path, valid, valid.len()),
            "the manifest is not valid UTF-8",
        )
    })?;
    parse(text, path, rules)
}

/// A manifest that was read, and the warnings about what it has that the
/// rules pass through (see [`Rules::newer`]).
pub struct Parsed {
    pub manifest: Manifest,
    pub warnings: Vec<LocatedError>,
}

pub(super) fn parse(text: &str, path: &Path, rules: Rules) -> Result<Parsed> {
    parse_in_chunks(text, path, rules, plain::CHUNK)
}

/// [`parse`], the plain reader reading chunks of about `chunk` bytes.
pub(super) fn parse_in_chunks(
    text: &str,
    path: &Path,
    rules: Rules,
    chunk: usize,
) -> Result<Parsed> {
    // Most manifests are in the subset the plain reader knows, which reads
    // them chunk by chunk; any other TOML, and every TOML error, goes
    // through `toml_edit`'s document.
    let mut reader = Reader::new(text, path, rules);
    let gave_way = match plain::read_in_chunks(text, chunk, |tables| reader.add(&tables)) {
        Ok(()) => return reader.finish(),
        Err(gave_way) => gave_way,
    };
    drop(reader);
    // An error found without a document of the whole text: `toml_edit`'s
    // message, at the cost of the failing item alone, not of a document
    // of what came before it.
    match gave_way {
        GaveWay::Syntax { item } => {
            document_error(&text[item..], |offset| item + offset, text, path)?;
        }
        GaveWay::Repeated { kind, name, line } => {
            let first = format!("[{kind}.{name}]\n");
            let both = format!("{first}{}", &text[line..]);
            let in_text = |offset: usize| line + offset.saturating_sub(first.len());
            document_error(&both, in_text, text, path)?;
        }
        GaveWay::Beyond => {}
    }
    parse_by_document(text, path, rules)
}

/// Lines and columns of offsets of a text: counted forward from the last
/// offset asked for (the items come in order), and from an index of the
/// lines, built when first needed, for an offset before it (an error, or an
/// item of a `toml_edit` document, which comes by kind). An index of a
/// manifest of short items is half as big as the text.
struct Lines<'a> {
    text: &'a str,
    /// The last offset asked for, its line and where that line starts.
    at: usize,
    line: usize,
    line_start: usize,
    index: std::cell::OnceCell<LineIndex>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines {
            text,
            at: 0,
            line: 1,
            line_start: 0,
            index: std::cell::OnceCell::new(),
        }
    }

    /// The line and column of byte `offset`, as [`LineIndex::line_column`].
    fn line_column(&mut self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        if offset < self.at {
            return self.indexed(offset);
        }
        let bytes = &self.text.as_bytes()[self.at..offset];
        self.line += memchr::memchr_iter(b'\n', bytes).count();
        if let Some(last) = memchr::memrchr(b'\n', bytes) {
            self.line_start = self.at + last + 1;
        }
        self.at = offset;
        let start = self.line_start;
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (self.line, column)
    }

    /// [`Lines::line_column`] from the index of the lines.
    fn indexed(&self, offset: usize) -> (usize, usize) {
        let index = self.index.get_or_init(|| LineIndex::new(self.text));
        index.line_column(self.text, offset)
    }
}

/// Reads `text` as [`parse`] does, but hands each item to `each` as it is
/// read instead of building a manifest, and leaves out the checks between
/// items (names defined twice, `ifdef`): for a text written from a
/// manifest that passed them (`--dump`'s). `Ok(false)` when the text is
/// beyond the plain reader's subset: what `each` was given is then
/// incomplete, and the text is to be parsed whole.
pub(super) fn each_item(
    text: &str,
    path: &Path,
    rules: Rules,
    each: &mut dyn FnMut(&Item),
) -> Result<bool> {
    let mut reader = Reader::new(text, path, rules);
    reader.items = Vec::new();
    let read = plain::read(text, |tables| {
        reader.add(&tables);
        reader.items.drain(..).for_each(|item| each(&item));
    });
    if read.is_err() {
        return Ok(false);
    }
    if reader.errors.is_empty() {
        Ok(true)
    } else {
        reader.errors.sort_by(|a, b| a.location.cmp(&b.location));
        Err(Error::Located(reader.errors))
    }
}

/// [`parse`] through `toml_edit`'s document even where the plain reader
/// reads the text: what the plain reader must agree with.
pub(super) fn parse_by_document(text: &str, path: &Path, rules: Rules) -> Result<Parsed> {
    let document = parse_document(text, path)?;
    let mut reader = Reader::new(text, path, rules);
    reader.add(&tables::from_document(&document));
    reader.finish()
}

/// `text` as a `toml_edit` document, or its TOML error at its location.
fn parse_document<'a>(text: &'a str, path: &Path) -> Result<ImDocument<&'a str>> {
    ImDocument::parse(text).map_err(|err| located(&err, |offset| offset, text, path))
}

/// `toml_edit`'s error in `fragment`, a part of `text` (or made of parts of
/// it) whose offsets `in_text` maps to `text`'s; `Ok` when there is none.
fn document_error(
    fragment: &str,
    in_text: impl Fn(usize) -> usize,
    text: &str,
    path: &Path,
) -> Result<()> {
    match ImDocument::parse(fragment) {
        Ok(_) => Ok(()),
        Err(err) => Err(located(&err, in_text, text, path)),
    }
}

/// A TOML error at its place in `text`.
fn located(
    err: &toml_edit::TomlError,
    in_text: impl Fn(usize) -> usize,
    text: &str,
    path: &Path,
) -> crate::Error {
    let offset = in_text(err.span().map_or(0, |span| span.start));
    LocatedError::new(
        Location::of_offset(path, text, offset.min(text.len())),
        format!(
            "invalid TOML: {}",
            err.message().trim_end().replace('\n', ": ")
        ),
    )
    .into()
}

/// The fields each kind may have under `rules`.
fn allowed_fields(kind: Kind, rules: Rules) -> &'static [&'static str] {
    match kind {
        Kind::FeatureMacro => &["added", "abi_only", "ifdef", "doc", "windows"],
        Kind::Struct => &["added", "abi_only", "ifdef", "struct_abi_kind", "members"],
        Kind::Macro if rules.static_inline_macros => {
            &["added", "abi_only", "ifdef", "is_static_inline_function"]
        }
        _ => &["added", "abi_only", "ifdef"],
    }
}

/// Checks the tables a reader gives it (at once, or chunk by chunk) and
/// builds the items.
struct Reader<'a> {
    path: &'a Path,
    lines: Lines<'a>,
    rules: Rules,
    /// The kind each kind table of the tables so far names, if it is one.
    kinds: Vec<Option<Kind>>,
    items: Vec<Item>,
    errors: Vec<LocatedError>,
    warnings: Vec<LocatedError>,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, path: &'a Path, rules: Rules) -> Reader<'a> {
        Reader {
            path,
            lines: Lines::new(text),
            rules,
            kinds: Vec::new(),
            // Reserved, not grown: doubling its capacity held three times
            // the items (the largest part of a manifest's memory) at once.
            // At most one item a line that begins with `[`; more is only
            // reserved, not touched, so it costs no memory.
            items: Vec::with_capacity(
                memchr::memmem::find_iter(text.as_bytes(), b"\n[").count() + 1,
            ),
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The items of `tables`, whose kinds are numbered after those of the
    /// tables added before.
    fn add(&mut self, tables: &Tables<'_>) {
        for kind_table in &tables.kinds {
            let kind = self.kind(kind_table);
            self.kinds.push(kind);
        }
        for item_table in &tables.items {
            if let Some(kind) = self.kinds[item_table.kind] {
                if let Some(item) = self.item(kind, item_table, &tables.fields) {
                    self.items.push(item);
                }
            }
        }
    }

    /// The manifest of the items added, once checked as a whole.
    fn finish(mut self) -> Result<Parsed> {
        let mut items = std::mem::take(&mut self.items);
        // A manifest may list kinds in any order and split them over the
        // file; keep the order in which the items appear.
        if !items.is_sorted_by_key(|item| (item.line, item.column)) {
            items.sort_by_key(|item| (item.line, item.column));
        }
        let kind_tables = self.kinds.iter().flatten().copied().collect();
        let (manifest, repeated) = Manifest::new(self.path.to_path_buf(), items, kind_tables);
        self.cross_check(&manifest, &repeated);
        if self.errors.is_empty() {
            self.warnings.sort_by(|a, b| a.location.cmp(&b.location));
            Ok(Parsed {
                manifest,
                warnings: self.warnings,
            })
        } else {
            self.errors.sort_by(|a, b| a.location.cmp(&b.location));
            Err(Error::Located(self.errors))
        }
    }

    fn location(&self, at: usize) -> Location {
        let (line, column) = self.lines.indexed(at);
        Location::new(self.path, line, column)
    }

    fn error(&mut self, at: usize, message: impl Into<String>) {
        let error = LocatedError::new(self.location(at), message);
        self.errors.push(error);
    }

    /// Something the tool does not know: a warning when the rules pass it
    /// through (a release newer than the tool knows), else an error.
    fn unknown(&mut self, at: usize, message: impl Into<String>) {
        let mut message = message.into();
        if self.rules.newer {
            let why = self.rules.because.explained();
            message.push_str(&format!("; {why} (--strict: an error)"));
            let warning = LocatedError::new(self.location(at), message);
            self.warnings.push(warning);
        } else {
            self.error(at, message);
        }
    }

    /// The kind a top-level key names, if it is one and a table of items.
    fn kind(&mut self, table: &KindTable<'_>) -> Option<Kind> {
        let key = table.key;
        let Some(kind) = Kind::from_name(key) else {
            let known: Vec<&str> = Kind::DUMP_ORDER.iter().map(|k| k.as_str()).collect();
            // stable_abi.py reads the kinds it knows and no others.
            self.unknown(
                table.at,
                format!(
                    "unknown kind `{key}` (expected one of: {})",
                    known.join(", ")
                ),
            );
            return None;
        };
        if let Some(type_name) = table.not_a_table {
            let message = format!("`{key}` must be a table of items, not {type_name}");
            self.error(table.at, message);
            return None;
        }
        Some(kind)
    }

    fn item(&mut self, kind: Kind, table: &ItemTable<'_>, fields: &[Field<'_>]) -> Option<Item> {
        let (name, at) = (table.name, table.at);
        let fields = match &table.fields {
            Ok(range) => &fields[range.clone()],
            Err(type_name) => {
                self.error(
                    at,
                    format!("{kind} `{name}` must be a table of fields, not {type_name}"),
                );
                return None;
            }
        };
        if !is_c_identifier(name) {
            self.error(at, format!("{kind} name `{name}` is not a C identifier"));
        }
        let (line, column) = self.lines.line_column(at);
        let mut item = Item {
            name: name.to_string(),
            kind,
            added: None,
            abi_only: kind == Kind::FeatureMacro,
            ifdef: None,
            doc: None,
            windows: Windows::No,
            struct_abi_kind: None,
            unknown_struct_abi_kind: None,
            members: None,
            unknown_fields: Vec::new(),
            is_static_inline_function: false,
            line,
            column,
        };
        for field in fields {
            let allowed = allowed_fields(kind, self.rules);
            if !allowed.contains(&field.key) {
                self.unknown(
                    field.key_at,
                    format!(
                        "unknown field `{}` in {kind} `{name}` (allowed: {})",
                        field.key,
                        allowed.join(", ")
                    ),
                );
                if let Some(literal) = field.value.python_literal() {
                    item.unknown_fields.push((field.key.to_string(), literal));
                }
                continue;
            }
            self.field(&mut item, name, field);
        }
        self.required(&item, at);
        Some(item)
    }

    fn field(&mut self, item: &mut Item, name: &str, field: &Field<'_>) {
        let (key, value, at) = (field.key, &field.value, field.value_at);
        let kind = item.kind;
        let wrong_type = |expected: &str| {
            format!(
                "`{key}` of {kind} `{name}` must be {expected}, not {}",
                value.type_name()
            )
        };
        match key {
            "added" => match value.as_str() {
                Some(text) => match Version::parse(text) {
                    Ok(version) => item.added = Some(version),
                    Err(message) => {
                        self.error(at, format!("`added` of {kind} `{name}`: {message}"))
                    }
                },
                None => self.error(at, wrong_type("a string like '3.2'")),
            },
            "abi_only" => match value.as_bool() {
                Some(flag) => item.abi_only = flag,
                None => self.error(at, wrong_type("true or false")),
            },
            "is_static_inline_function" => match value.as_bool() {
                Some(flag) => item.is_static_inline_function = flag,
                None => self.error(at, wrong_type("true or false")),
            },
            "ifdef" => match value.as_str() {
                Some(text) => item.ifdef = Some(text.to_string()),
                None => self.error(at, wrong_type("the name of a feature macro")),
            },
            "doc" => match value.as_str() {
                Some(text) => item.doc = Some(text.to_string()),
                None => self.error(at, wrong_type("a string")),
            },
            "windows" => match (value.as_bool(), value.as_str()) {
                (Some(true), _) => item.windows = Windows::Yes,
                (Some(false), _) => item.windows = Windows::No,
                (_, Some("maybe")) => item.windows = Windows::Maybe,
                _ => self.error(at, wrong_type("true, false or 'maybe'")),
            },
            "struct_abi_kind" => match value.as_str() {
                Some(text) => self.struct_abi_kind(item, name, text, at),
                None => self.error(at, wrong_type("a string")),
            },
            "members" => match value {
                Value::Strings(members) => {
                    if let Some(bad) = members.iter().find(|m| !is_c_identifier(m)) {
                        self.error(
                            at,
                            format!("member `{bad}` of struct `{name}` is not a C identifier"),
                        );
                    }
                    item.members = Some(members.iter().map(|m| m.to_string()).collect());
                }
                _ => self.error(at, wrong_type("a list of member names")),
            },
            _ => unreachable!("allowed_fields lists only the fields handled here"),
        }
    }

    fn struct_abi_kind(&mut self, item: &mut Item, name: &str, text: &str, at: usize) {
        match StructAbiKind::ALL.iter().find(|k| k.as_str() == text) {
            Some(&abi_kind) if self.rules.accepts(abi_kind) => {
                item.struct_abi_kind = Some(abi_kind)
            }
            known_to_newer => {
                let known: Vec<&str> = StructAbiKind::ALL
                    .iter()
                    .filter(|k| self.rules.accepts(**k))
                    .map(|k| k.as_str())
                    .collect();
                let message = format!(
                    "unknown struct_abi_kind '{text}' of struct `{name}` (expected one of: {})",
                    known.join(", ")
                );
                self.unknown(at, message);
                item.struct_abi_kind = known_to_newer.copied();
                item.unknown_struct_abi_kind = Some(text.to_string());
            }
        }
    }

    /// Rules about one item as a whole.
    fn required(&mut self, item: &Item, at: usize) {
        let (kind, name) = (item.kind, &item.name);
        if item.added.is_none() && kind != Kind::FeatureMacro {
            self.unknown(at, format!("{kind} `{name}` has no `added` version"));
        }
        if kind == Kind::FeatureMacro && item.doc.is_none() {
            self.error(
                at,
                format!(
                    "feature_macro `{name}` has no `doc` (the note shown in the documentation)"
                ),
            );
        }
        if kind == Kind::Struct && item.unknown_struct_abi_kind.is_none() {
            match item.struct_abi_kind {
                None => self.error(
                    at,
                    format!("struct `{name}` has no `struct_abi_kind` ('full-abi', 'opaque', 'members' or 'abi3t-opaque')"),
                ),
                Some(StructAbiKind::Members) if item.members.is_none() => self.error(
                    at,
                    format!("struct `{name}` has struct_abi_kind 'members' but lists no `members`"),
                ),
                Some(abi_kind) if abi_kind != StructAbiKind::Members && item.members.is_some() => {
                    self.error(
                        at,
                        format!(
                            "struct `{name}` lists `members` but its struct_abi_kind is '{}'; only 'members' structs list them",
                            abi_kind.as_str()
                        ),
                    )
                }
                _ => {}
            }
        }
        if name.starts_with('_') && !item.abi_only {
            self.error(
                at,
                format!(
                    "`{name}` is private (underscore-prefixed): remove it from the stable ABI or mark it `abi_only = true`"
                ),
            );
        }
    }

    /// Rules between items: unique names, `ifdef` naming a feature macro.
    fn cross_check(&mut self, manifest: &Manifest, repeated: &[(usize, usize)]) {
        let items = &manifest.items;
        for &(first, again) in repeated {
            let (first, item) = (&items[first], &items[again]);
            let error = LocatedError::new(
                Location::new(self.path, item.line, item.column),
                format!(
                    "`{}` is defined twice (as {} and as {})",
                    item.name, first.kind, item.kind
                ),
            )
            .with_note(
                Some(Location::new(self.path, first.line, first.column)),
                "first defined here",
            );
            self.errors.push(error);
        }
        for item in items {
            let Some(ifdef) = &item.ifdef else { continue };
            let target = manifest.get(ifdef);
            if target.is_none_or(|t| t.kind != Kind::FeatureMacro) {
                let what = match target {
                    Some(t) => format!("a {}", t.kind),
                    None => "not in the manifest".to_string(),
                };
                self.errors.push(LocatedError::new(
                    Location::new(self.path, item.line, item.column),
                    format!(
                        "{} `{}` has ifdef = '{ifdef}', which is {what}; ifdef must name a feature_macro",
                        item.kind, item.name
                    ),
                ));
            }
        }
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`: what a name in C (and in the manifest) may be.
pub fn is_c_identifier(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes
        .first()
        .is_some_and(|&b| b == b'_' || b.is_ascii_alphabetic())
        && bytes.iter().all(|&b| IDENTIFIER[b as usize])
}

/// The bytes of a C identifier, `A-Za-z0-9_`, as a table (the check runs on
/// every name of the manifest).
static IDENTIFIER: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    table
};
