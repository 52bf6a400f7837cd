//! Reading `Misc/stable_abi.toml` into a [`Manifest`], with every rule the
//! format has, each broken rule reported at its `file:line:col`.

use std::path::Path;

use toml_edit::ImDocument;

use super::plain;
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
    // Most manifests are in the subset the plain reader knows; any other
    // TOML, and every TOML error, goes through `toml_edit`'s document.
    let document;
    let tables = match plain::tables(text) {
        Some(tables) => tables,
        None => {
            document = parse_document(text, path)?;
            tables::from_document(&document)
        }
    };
    read(&tables, text, path, rules)
}

/// [`parse`] through `toml_edit`'s document even where the plain reader
/// reads the text: what the plain reader must agree with.
pub(super) fn parse_by_document(text: &str, path: &Path, rules: Rules) -> Result<Parsed> {
    let document = parse_document(text, path)?;
    read(&tables::from_document(&document), text, path, rules)
}

/// `text` as a `toml_edit` document, or its TOML error at its location.
fn parse_document<'a>(text: &'a str, path: &Path) -> Result<ImDocument<&'a str>> {
    ImDocument::parse(text).map_err(|err| {
        let offset = err.span().map_or(0, |span| span.start);
        LocatedError::new(
            Location::of_offset(path, text, offset),
            format!(
                "invalid TOML: {}",
                err.message().trim_end().replace('\n', ": ")
            ),
        )
        .into()
    })
}

/// The manifest the tables describe, under `rules`.
fn read(tables: &Tables<'_>, text: &str, path: &Path, rules: Rules) -> Result<Parsed> {
    let mut reader = Reader {
        path,
        text,
        lines: LineIndex::new(text),
        rules,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let items = reader.items(tables);
    let (manifest, repeated) = Manifest::new(path.to_path_buf(), items);
    reader.cross_check(&manifest, &repeated);
    if reader.errors.is_empty() {
        reader.warnings.sort_by(|a, b| a.location.cmp(&b.location));
        Ok(Parsed {
            manifest,
            warnings: reader.warnings,
        })
    } else {
        reader.errors.sort_by(|a, b| a.location.cmp(&b.location));
        Err(Error::Located(reader.errors))
    }
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

struct Reader<'a> {
    path: &'a Path,
    text: &'a str,
    lines: LineIndex,
    rules: Rules,
    errors: Vec<LocatedError>,
    warnings: Vec<LocatedError>,
}

impl Reader<'_> {
    fn location(&self, at: usize) -> Location {
        self.lines.location(self.path, self.text, at)
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
            message.push_str(
                "; the release is newer than the tool knows, so it passes through as its own stable_abi.py writes it (--strict: an error)",
            );
            let warning = LocatedError::new(self.location(at), message);
            self.warnings.push(warning);
        } else {
            self.error(at, message);
        }
    }

    /// Every `[kind.name]` table, in file order.
    fn items(&mut self, tables: &Tables<'_>) -> Vec<Item> {
        let kinds: Vec<Option<Kind>> = tables.kinds.iter().map(|k| self.kind(k)).collect();
        let mut items = Vec::with_capacity(tables.items.len());
        for item_table in &tables.items {
            if let Some(kind) = kinds[item_table.kind] {
                items.extend(self.item(kind, item_table, &tables.fields));
            }
        }
        // A manifest may list kinds in any order and split them over the
        // file; keep the order in which the items appear.
        if !items.is_sorted_by_key(|item| (item.line, item.column)) {
            items.sort_by_key(|item| (item.line, item.column));
        }
        items
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
        let (line, column) = self.lines.line_column(self.text, at);
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
