//! Appending one item to the manifest, as a person would: at the end (the
//! manifest asks for that: "Please append new items at the end."), in the
//! file's own style, every other byte unchanged.
//!
//! The entry is built with `toml_edit` in the style of the manifest's last
//! entry: the indentation of its keys, its quote character, and whether
//! entries are separated by a blank line.

use std::path::Path;

use toml_edit::{DocumentMut, Item as TomlItem, Key, Table, Value};

use super::{is_c_identifier, Kind, Manifest, StructAbiKind};
use crate::diagnostic::{LocatedError, Location};
use crate::error::Error;
use crate::version::Version;

/// What to add: `stable-abi add KIND NAME ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewItem {
    pub kind: Kind,
    pub name: String,
    pub added: Version,
    pub abi_only: bool,
    pub ifdef: Option<String>,
    pub struct_abi_kind: Option<StructAbiKind>,
    pub members: Option<Vec<String>>,
}

/// The style of the manifest's entries, taken from its last one.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Style {
    indent: String,
    quote: char,
    blank_line_between: bool,
}

impl Style {
    /// CPython's: four spaces, single quotes, no blank line.
    fn cpython() -> Style {
        Style {
            indent: "    ".to_string(),
            quote: '\'',
            blank_line_between: false,
        }
    }

    fn of(text: &str) -> Style {
        let lines: Vec<&str> = text.lines().collect();
        let Some(last_header) = lines.iter().rposition(|l| l.trim_start().starts_with('[')) else {
            return Style::cpython();
        };
        let mut style = Style::cpython();
        style.blank_line_between = last_header > 0 && lines[last_header - 1].trim().is_empty();
        if let Some(key_line) = lines[last_header + 1..]
            .iter()
            .find(|l| l.contains('=') && !l.trim_start().starts_with('#'))
        {
            let trimmed = key_line.trim_start();
            style.indent = key_line[..key_line.len() - trimmed.len()].to_string();
            if let Some((_, value)) = key_line.split_once('=') {
                if value.trim_start().starts_with('"') {
                    style.quote = '"';
                }
            }
        }
        style
    }

    /// A value as TOML text in this style: parsed back so that `toml_edit`
    /// keeps its spelling. Errors: the text cannot be written in this
    /// quote style (a quote or a line break in it).
    fn value(&self, text: &str) -> Result<Value, String> {
        let q = self.quote;
        let repr = format!("{q}{text}{q}");
        match repr.parse::<Value>() {
            Ok(value) if value.as_str() == Some(text) => Ok(value),
            _ => Err(format!("{text:?} cannot be written as a manifest value")),
        }
    }

    fn list(&self, items: &[String]) -> Result<Value, String> {
        let mut array = toml_edit::Array::new();
        for item in items {
            array.push_formatted(self.value(item)?);
        }
        array.fmt();
        Ok(Value::Array(array))
    }
}

/// Checks `item` against `manifest`: not a duplicate (of any kind), a C
/// identifier (its members too), an `ifdef` that names one of its feature
/// macros, an underscore name only with `abi_only`, the struct fields only
/// on a struct (with `members` exactly for `'members'`).
///
/// Errors: a duplicate is located at the entry already in the manifest;
/// every other refusal is about the command line, a usage error.
pub fn validate(manifest: &Manifest, item: &NewItem) -> Result<(), Error> {
    let fail = |message: String| Err(Error::usage(message));
    if let Some(existing) = manifest.get(&item.name) {
        return Err(LocatedError::new(
            manifest.location(existing),
            format!(
                "{} is already in the manifest, as a {}",
                item.name, existing.kind
            ),
        )
        .into());
    }
    if !is_c_identifier(&item.name) {
        return fail(format!("NAME {:?} is not a C identifier", item.name));
    }
    if let Some(member) = item.members.iter().flatten().find(|m| !is_c_identifier(m)) {
        return fail(format!(
            "--members: {member:?} is not a C identifier (a member's name)"
        ));
    }
    if item.kind == Kind::FeatureMacro {
        return fail(
            "a feature macro needs `doc` and `windows`: add it to the manifest by hand".into(),
        );
    }
    if item.name.starts_with('_') && !item.abi_only {
        return fail(format!(
            "{} is private (a leading underscore): pass --abi-only, since only the Stable ABI \
             may hold it, not the Limited API",
            item.name
        ));
    }
    if let Some(feature) = &item.ifdef {
        let known = manifest.feature_macros();
        if !known.iter().any(|f| &f.name == feature) {
            let names: Vec<&str> = known.iter().map(|f| f.name.as_str()).collect();
            return fail(format!(
                "--ifdef {feature} is not a feature macro of the manifest (it has: {})",
                names.join(", ")
            ));
        }
    }
    match (item.kind, item.struct_abi_kind, &item.members) {
        (Kind::Struct, None, _) => {
            fail("a struct needs --struct-abi-kind (full-abi, opaque, members, ...)".into())
        }
        (Kind::Struct, Some(StructAbiKind::Members), None) => {
            fail("--struct-abi-kind members needs --members a,b".into())
        }
        (Kind::Struct, Some(kind), Some(_)) if kind != StructAbiKind::Members => fail(format!(
            "--members is only for --struct-abi-kind members, not {}",
            kind.as_str()
        )),
        (Kind::Struct, _, _) => Ok(()),
        (_, Some(_), _) | (_, _, Some(_)) => {
            fail("--struct-abi-kind and --members are only for a struct".into())
        }
        _ => Ok(()),
    }
}

/// `text` (the manifest at `path`) with `item` appended in the file's
/// style and its own line endings (CRLF when every line ends so, as in a
/// Windows checkout), its byte order mark kept. Every byte of `text` is
/// kept, in front (a missing final newline is added).
///
/// Errors: a value of `item` that cannot be written (a usage error);
/// `text` is not TOML, mixes line endings, or the result would not read
/// back as a manifest with the item (located in the manifest).
pub fn append(text: &str, path: &Path, item: &NewItem) -> Result<String, Error> {
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    if !body.contains("\r\n") {
        return Ok(format!("{bom}{}", append_lf(body, path, item)?));
    }
    let lf = body.replace("\r\n", "\n");
    if lf.replace('\n', "\r\n") != body {
        return Err(LocatedError::new(
            Location::new(path, 1, 1),
            "the file mixes CRLF and LF line endings: cannot tell which to append",
        )
        .into());
    }
    let appended = append_lf(&lf, path, item)?;
    Ok(format!("{bom}{}", appended.replace('\n', "\r\n")))
}

/// [`append`] on a text whose lines end in LF alone.
fn append_lf(text: &str, path: &Path, item: &NewItem) -> Result<String, Error> {
    let located =
        |message: String| -> Error { LocatedError::new(Location::new(path, 1, 1), message).into() };
    let mut base = text.to_string();
    if !base.is_empty() && !base.ends_with('\n') {
        base.push('\n');
    }
    let style = Style::of(&base);
    let mut document: DocumentMut = base
        .parse()
        .map_err(|err| located(format!("invalid TOML: {err}")))?;
    let next_position = document
        .as_table()
        .iter()
        .filter_map(|(_, kind)| kind.as_table())
        .flat_map(|kind| kind.iter().filter_map(|(_, t)| t.as_table()?.position()))
        .max()
        .map_or(0, |p| p + 1);

    let mut entry = Table::new();
    entry.set_position(next_position);
    let separator = if style.blank_line_between { "\n" } else { "" };
    entry.decor_mut().set_prefix(separator);
    let mut fields: Vec<(&str, Value)> = vec![(
        "added",
        style.value(&item.added.to_string()).map_err(Error::usage)?,
    )];
    if item.abi_only {
        fields.push(("abi_only", Value::from(true)));
    }
    if let Some(feature) = &item.ifdef {
        fields.push(("ifdef", style.value(feature).map_err(Error::usage)?));
    }
    if let Some(kind) = item.struct_abi_kind {
        fields.push((
            "struct_abi_kind",
            style.value(kind.as_str()).map_err(Error::usage)?,
        ));
    }
    if let Some(members) = &item.members {
        fields.push(("members", style.list(members).map_err(Error::usage)?));
    }
    for (name, value) in fields {
        let mut key = Key::new(name);
        key.leaf_decor_mut().set_prefix(style.indent.as_str());
        key.leaf_decor_mut().set_suffix(" ");
        let value = value.decorated(" ", "");
        entry.insert_formatted(&key, TomlItem::Value(value));
    }

    let kinds = document.as_table_mut();
    if !kinds.contains_key(item.kind.as_str()) {
        let mut implicit = Table::new();
        implicit.set_implicit(true);
        kinds.insert(item.kind.as_str(), TomlItem::Table(implicit));
    }
    let Some(table) = kinds
        .get_mut(item.kind.as_str())
        .and_then(TomlItem::as_table_mut)
    else {
        return Err(located(format!("`{}` is not a table of items", item.kind)));
    };
    table.insert(&item.name, TomlItem::Table(entry));
    let result = document.to_string();

    // Every byte of the file stays, in order: the entries in front, what
    // follows the last one (blank lines, comments) after the new one. The
    // result reads back with the item.
    let trailing = document.trailing().as_str().unwrap_or_default();
    let head = &base[..base.len() - trailing.len().min(base.len())];
    if !(base.ends_with(trailing) && result.starts_with(head) && result.ends_with(trailing)) {
        return Err(located(
            "cannot append without changing the file's existing text".to_string(),
        ));
    }
    let manifest = Manifest::parse(&result, path)?;
    match manifest.get(&item.name) {
        Some(added) if added.kind == item.kind && added.added == Some(item.added) => Ok(result),
        _ => Err(located(format!("{} did not read back as added", item.name))),
    }
}

/// The `#if` line that guards a declaration added in `version`, as the
/// headers write it.
pub fn guard_line(version: Version) -> String {
    format!(
        "#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x{:08X}",
        version.hex()
    )
}

#[cfg(test)]
mod tests;
