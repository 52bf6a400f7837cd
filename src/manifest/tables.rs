//! The manifest's TOML as what the rules look at: tables of kinds, of items
//! and of fields, each with the byte offset an error about it points at.
//!
//! Two readers produce it: [`super::plain`] for a manifest written as
//! CPython writes it (fast, no document model), and [`from_document`] for
//! any other TOML, through `toml_edit`'s document (its errors, its spans).
//! Both give the same tables for a text both read; the tests compare them.

use std::ops::Range;

use toml_edit::{ImDocument, Item as TomlItem, Key, TableLike, Value as TomlValue};

use crate::pyfmt::repr_str;

/// Everything the manifest's TOML says: kinds in the order they first
/// appear; items in file order (the plain reader) or by kind (`toml_edit`).
#[derive(Debug, Default, PartialEq)]
pub(super) struct Tables<'a> {
    pub kinds: Vec<KindTable<'a>>,
    pub items: Vec<ItemTable<'a>>,
    pub fields: Vec<Field<'a>>,
}

/// A top-level key: `function` of `[function.PyFoo]`.
#[derive(Debug, PartialEq)]
pub(super) struct KindTable<'a> {
    pub key: &'a str,
    /// Where the key is (where its first header names it).
    pub at: usize,
    /// What the value is when it is not a table of items.
    pub not_a_table: Option<&'static str>,
}

/// `[kind.name]`: one item.
#[derive(Debug, PartialEq)]
pub(super) struct ItemTable<'a> {
    /// Its kind: an index of [`Tables::kinds`].
    pub kind: usize,
    pub name: &'a str,
    /// The `[` of its header (or its key when it is not a header's table).
    pub at: usize,
    /// Its fields (a range of [`Tables::fields`]), or what the value is
    /// when it is not a table of fields.
    pub fields: Result<Range<usize>, &'static str>,
}

/// `key = value` in an item.
#[derive(Debug, PartialEq)]
pub(super) struct Field<'a> {
    pub key: &'a str,
    pub key_at: usize,
    pub value: Value<'a>,
    pub value_at: usize,
}

/// A field's value, as far as the rules tell values apart.
#[derive(Debug, PartialEq)]
pub(super) enum Value<'a> {
    String(&'a str),
    Boolean(bool),
    /// An array whose elements are all strings (or none).
    Strings(Vec<&'a str>),
    /// Anything else: what messages call it, and how the reference tool's
    /// `--dump` writes it (`None`: a false value, left out).
    Other {
        type_name: &'static str,
        literal: Option<String>,
    },
}

impl Value<'_> {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Boolean(flag) => Some(*flag),
            _ => None,
        }
    }

    /// What messages call the value: "a string", "an array", ...
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Boolean(_) => "a boolean",
            Value::Strings(_) => "an array",
            Value::Other { type_name, .. } => type_name,
        }
    }

    /// The value as `stable_abi.py --dump` writes a field's value (see
    /// [`super::dump::python_literal`]): `None` for a false value.
    pub fn python_literal(&self) -> Option<String> {
        match self {
            Value::String(text) => (!text.is_empty()).then(|| repr_str(text)),
            Value::Boolean(flag) => flag.then(|| "true".to_string()),
            Value::Strings(items) if items.is_empty() => None,
            Value::Strings(items) => {
                let reprs: Vec<String> = items.iter().map(|item| repr_str(item)).collect();
                Some(format!("[{}]", reprs.join(", ")))
            }
            Value::Other { literal, .. } => literal.clone(),
        }
    }
}

/// The tables of a document `toml_edit` has read (any valid TOML).
pub(super) fn from_document<'a>(document: &'a ImDocument<&'a str>) -> Tables<'a> {
    let root = document.as_table();
    let mut tables = Tables::default();
    for (kind_key, kind_item) in root.iter() {
        let at = offset(root.key(kind_key).and_then(Key::span));
        let kind = tables.kinds.len();
        let not_a_table = match kind_item.as_table_like() {
            Some(table) => {
                for (name, item) in table.iter() {
                    let item = item_table(&mut tables.fields, kind, table, name, item);
                    tables.items.push(item);
                }
                None
            }
            None => Some(type_name(kind_item)),
        };
        tables.kinds.push(KindTable {
            key: kind_key,
            at,
            not_a_table,
        });
    }
    tables
}

fn item_table<'a>(
    fields: &mut Vec<Field<'a>>,
    kind: usize,
    kind_table: &'a dyn TableLike,
    name: &'a str,
    item: &'a TomlItem,
) -> ItemTable<'a> {
    // Where an item is: its `[kind.name]` header, or else its key.
    let span = match item {
        TomlItem::Table(table) => table.span(),
        _ => None,
    }
    .or_else(|| key_span(kind_table, name));
    let Some(table) = item.as_table_like() else {
        return ItemTable {
            kind,
            name,
            at: offset(span),
            fields: Err(type_name(item)),
        };
    };
    let first_field = fields.len();
    for (key, value) in table.iter() {
        let key_span = key_span(table, key).or_else(|| span.clone());
        let value_span = value.span().or_else(|| key_span.clone());
        fields.push(Field {
            key,
            key_at: offset(key_span),
            value: value_of(value),
            value_at: offset(value_span),
        });
    }
    ItemTable {
        kind,
        name,
        at: offset(span),
        fields: Ok(first_field..fields.len()),
    }
}

fn value_of(item: &TomlItem) -> Value<'_> {
    match item.as_value() {
        Some(TomlValue::String(text)) => Value::String(text.value()),
        Some(TomlValue::Boolean(flag)) => Value::Boolean(*flag.value()),
        Some(TomlValue::Array(array)) if array.iter().all(TomlValue::is_str) => {
            Value::Strings(array.iter().filter_map(TomlValue::as_str).collect())
        }
        _ => Value::Other {
            type_name: type_name(item),
            literal: super::dump::python_literal(item),
        },
    }
}

fn key_span(table: &dyn TableLike, key: &str) -> Option<Range<usize>> {
    table.get_key_value(key).and_then(|(k, _)| k.span())
}

fn offset(span: Option<Range<usize>>) -> usize {
    span.map_or(0, |span| span.start)
}

fn type_name(item: &TomlItem) -> &'static str {
    match item {
        TomlItem::None => "nothing",
        TomlItem::Table(_) => "a table",
        TomlItem::ArrayOfTables(_) => "an array of tables",
        TomlItem::Value(value) => match value {
            TomlValue::String(_) => "a string",
            TomlValue::Integer(_) => "an integer",
            TomlValue::Float(_) => "a float",
            TomlValue::Boolean(_) => "a boolean",
            TomlValue::Datetime(_) => "a date-time",
            TomlValue::Array(_) => "an array",
            TomlValue::InlineTable(_) => "a table",
        },
    }
}
