//! `--dump`: the manifest re-emitted from the model (without comments or
//! blank lines), in the reference tool's layout, and a check that reading
//! the dump back gives the same items.

use std::collections::BTreeSet;
use std::path::Path;

use toml_edit::{Item as TomlItem, Value};

use super::{Item, Kind, Manifest, Rules, StructAbiKind, Windows};
use crate::pyfmt::repr_str;

/// The manifest's items as TOML lines: kinds in [`Kind::DUMP_ORDER`], items
/// in file order within a kind, fields that differ from their default only.
pub fn dump(manifest: &Manifest) -> Vec<String> {
    dump_text(manifest, &Kind::DUMP_ORDER)
        .lines()
        .map(String::from)
        .collect()
}

/// [`dump`] as one text (each line ends with `\n`), with the kinds in
/// `order`, which differs between releases' scripts
/// ([`Kind::DUMP_ORDER_3_14`]).
pub fn dump_text(manifest: &Manifest, order: &[Kind]) -> String {
    use std::fmt::Write;
    let mut text = String::new();
    for &kind in order {
        for item in manifest.items.iter().filter(|item| item.kind == kind) {
            dump_item(item, &mut |line: std::fmt::Arguments| {
                let _ = text.write_fmt(line);
                text.push('\n');
            });
        }
    }
    text
}

fn dump_item(item: &Item, line: &mut dyn FnMut(std::fmt::Arguments)) {
    line(format_args!("[{}.{}]", item.kind, item.name));
    let mut field = |name: &str, value: &dyn std::fmt::Display| {
        line(format_args!("    {name} = {value}"));
    };
    if let Some(added) = item.added {
        field("added", &repr_str(&added.to_string()));
    }
    // Feature macros are ABI-only unless they say otherwise.
    let default_abi_only = item.kind == Kind::FeatureMacro;
    if item.abi_only != default_abi_only {
        field("abi_only", &item.abi_only);
    }
    if let Some(ifdef) = &item.ifdef {
        field("ifdef", &repr_str(ifdef));
    }
    if item.is_static_inline_function {
        field("is_static_inline_function", &"true");
    }
    if let Some(doc) = &item.doc {
        field("doc", &repr_str(doc));
    }
    match item.windows {
        Windows::No => {}
        Windows::Yes => field("windows", &"true"),
        Windows::Maybe => field("windows", &repr_str("maybe")),
    }
    if let Some(text) = &item.unknown_struct_abi_kind {
        field("struct_abi_kind", &repr_str(text));
    } else if let Some(abi_kind) = item.struct_abi_kind {
        field("struct_abi_kind", &repr_str(abi_kind.as_str()));
    }
    if let Some(members) = item.members.as_ref().filter(|m| !m.is_empty()) {
        let reprs: Vec<String> = members.iter().map(|m| repr_str(m)).collect();
        field("members", &format_args!("[{}]", reprs.join(", ")));
    }
    // Passed through from a release newer than the tool knows: after the
    // fields the tool knows, as that release's script writes them.
    for (name, literal) in &item.unknown_fields {
        field(name, literal);
    }
    debug_assert!(item.struct_abi_kind != Some(StructAbiKind::Members) || item.members.is_some());
}

/// A TOML value as `stable_abi.py --dump` writes a field's value: `true`
/// for true, else Python's `repr()`; `None` for a false value (`false`,
/// `0`, an empty string, array or table), which the script leaves out.
pub(super) fn python_literal(value: &TomlItem) -> Option<String> {
    let value = value.as_value()?;
    match value {
        Value::Boolean(flag) => flag.value().then(|| "true".to_string()),
        other => python_repr(other),
    }
}

/// Python's `repr()` of a TOML value once read by `tomllib`; `None` when the
/// value is false.
fn python_repr(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(text) => repr_str(text.value()),
        Value::Integer(number) => number.value().to_string(),
        Value::Float(number) => format!("{:?}", number.value()),
        Value::Boolean(flag) => (if *flag.value() { "True" } else { "False" }).to_string(),
        Value::Array(array) => {
            let items: Vec<String> = array
                .iter()
                .map(|item| python_repr(item).unwrap_or_else(|| falsy_repr(item)))
                .collect();
            format!("[{}]", items.join(", "))
        }
        Value::InlineTable(table) => {
            let entries: Vec<String> = table
                .iter()
                .map(|(key, item)| {
                    let value = python_repr(item).unwrap_or_else(|| falsy_repr(item));
                    format!("{}: {value}", repr_str(key))
                })
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        Value::Datetime(datetime) => datetime.value().to_string(),
    };
    let falsy = matches!(value, Value::String(t) if t.value().is_empty())
        || matches!(value, Value::Integer(n) if *n.value() == 0)
        || matches!(value, Value::Float(n) if *n.value() == 0.0)
        || matches!(value, Value::Boolean(b) if !b.value())
        || matches!(value, Value::Array(a) if a.is_empty())
        || matches!(value, Value::InlineTable(t) if t.is_empty());
    (!falsy).then_some(text)
}

/// `repr()` of a false value inside a list or table, where it is kept.
fn falsy_repr(value: &Value) -> String {
    match value {
        Value::String(_) => "''".to_string(),
        Value::Integer(_) => "0".to_string(),
        Value::Float(_) => "0.0".to_string(),
        Value::Boolean(_) => "False".to_string(),
        Value::Array(_) => "[]".to_string(),
        _ => "{}".to_string(),
    }
}

/// Reads the dump back under `rules` (what passed through from a newer
/// release reads back the same way) and compares it with the manifest,
/// item by item. Returns the names of items that did not survive the round
/// trip.
pub fn check_round_trip(manifest: &Manifest, rules: Rules) -> Result<(), String> {
    check_dump(manifest, &dump_text(manifest, &Kind::DUMP_ORDER), rules)
}

/// [`check_round_trip`] of `text`, the manifest's dump (in any kind order).
/// The dump is read item by item and nothing of it is kept, so the check
/// holds one manifest, not two (for a dump beyond the plain reader's
/// subset, which a newer release's unknown values can make, it reads the
/// dump whole).
pub fn check_dump(manifest: &Manifest, text: &str, rules: Rules) -> Result<(), String> {
    let path = Path::new("<dump>");
    let invalid = |err: crate::Error| format!("the dump is not a valid manifest:\n{err}");
    let mut seen = vec![false; manifest.items.len()];
    let mut unexpected: Vec<String> = Vec::new();
    let mut compare = |item: &Item| match manifest.index_of(&item.name) {
        Some(index) if !seen[index] && manifest.items[index] == *item => seen[index] = true,
        _ => unexpected.push(item.name.clone()),
    };
    let streamed = super::parse::each_item(text, path, rules, &mut compare).map_err(invalid)?;
    if !streamed {
        let reread = Manifest::parse_with(text, path, rules).map_err(invalid)?;
        reread.manifest.items.iter().for_each(&mut compare);
    }
    let mut differing: Vec<&str> = manifest
        .items
        .iter()
        .zip(&seen)
        .filter(|(_, &seen)| !seen)
        .map(|(item, _)| item.name.as_str())
        .collect();
    differing.extend(unexpected.iter().map(String::as_str));
    // An empty table (`[const]` alone) has no line in the dump, so the
    // script's check (the two TOML documents compared whole) fails on it.
    let with_items: BTreeSet<Kind> = manifest.items.iter().map(|item| item.kind).collect();
    let empty_tables: Vec<String> = manifest
        .kind_tables
        .difference(&with_items)
        .map(|kind| format!("[{kind}] (an empty table)"))
        .collect();
    differing.extend(empty_tables.iter().map(String::as_str));
    if differing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the dump differs from the manifest for: {}",
            differing.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unknown fields of a newer release dump as its script writes them:
    /// `true`, a `repr()`, nothing for a false value.
    #[test]
    fn unknown_fields_dump_as_python_writes_them() {
        let text = "[function.f]\n    added = '3.2'\n    flag = true\n    off = false\n    \
                    zero = 0\n    n = 7\n    words = ['a', \"it's\"]\n    empty = ''\n";
        let rules = Rules {
            newer: true,
            ..Rules::ALL_KNOWN
        };
        let parsed = Manifest::parse_with(text, Path::new("m.toml"), rules).unwrap();
        assert_eq!(parsed.warnings.len(), 6);
        assert_eq!(
            dump(&parsed.manifest),
            [
                "[function.f]",
                "    added = '3.2'",
                "    flag = true",
                "    n = 7",
                "    words = ['a', \"it's\"]",
            ]
        );
        assert_eq!(check_round_trip(&parsed.manifest, rules), Ok(()));
    }

    /// The script's `check_dump` compares whole TOML documents: an empty
    /// table of the manifest is missing from the dump.
    #[test]
    fn an_empty_table_is_not_in_the_dump() {
        let text = "[const]\n[function.f]\n    added = '3.2'\n";
        let manifest = Manifest::parse(text, Path::new("m.toml")).unwrap();
        let dumped = dump_text(&manifest, &Kind::DUMP_ORDER);
        assert_eq!(dumped, "[function.f]\n    added = '3.2'\n");
        assert_eq!(
            check_dump(&manifest, &dumped, Rules::ALL_KNOWN),
            Err("the dump differs from the manifest for: [const] (an empty table)".to_string())
        );
    }
}
