//! `--dump`: the manifest re-emitted from the model (without comments or
//! blank lines), in the reference tool's layout, and a check that reading
//! the dump back gives the same items.

use std::path::Path;

use super::{Item, Kind, Manifest, StructAbiKind, Windows};
use crate::pyfmt::repr_str;

/// The manifest's items as TOML lines: kinds in registration order, items in
/// file order within a kind, fields that differ from their default only.
pub fn dump(manifest: &Manifest) -> Vec<String> {
    let mut lines = Vec::new();
    for kind in Kind::DUMP_ORDER {
        for item in manifest.items.iter().filter(|item| item.kind == kind) {
            dump_item(item, &mut lines);
        }
    }
    lines
}

fn dump_item(item: &Item, lines: &mut Vec<String>) {
    lines.push(format!("[{}.{}]", item.kind, item.name));
    let mut field = |name: &str, value: String| lines.push(format!("    {name} = {value}"));
    if let Some(added) = item.added {
        field("added", repr_str(&added.to_string()));
    }
    // Feature macros are ABI-only unless they say otherwise.
    let default_abi_only = item.kind == Kind::FeatureMacro;
    if item.abi_only != default_abi_only {
        field("abi_only", item.abi_only.to_string());
    }
    if let Some(ifdef) = &item.ifdef {
        field("ifdef", repr_str(ifdef));
    }
    if item.is_static_inline_function {
        field("is_static_inline_function", "true".to_string());
    }
    if let Some(doc) = &item.doc {
        field("doc", repr_str(doc));
    }
    match item.windows {
        Windows::No => {}
        Windows::Yes => field("windows", "true".to_string()),
        Windows::Maybe => field("windows", repr_str("maybe")),
    }
    if let Some(text) = &item.unknown_struct_abi_kind {
        field("struct_abi_kind", repr_str(text));
    } else if let Some(abi_kind) = item.struct_abi_kind {
        field("struct_abi_kind", repr_str(abi_kind.as_str()));
    }
    if let Some(members) = item.members.as_ref().filter(|m| !m.is_empty()) {
        let reprs: Vec<String> = members.iter().map(|m| repr_str(m)).collect();
        field("members", format!("[{}]", reprs.join(", ")));
    }
    debug_assert!(item.struct_abi_kind != Some(StructAbiKind::Members) || item.members.is_some());
}

/// Reads the dump back and compares it with the manifest, item by item.
/// Returns the names of items that did not survive the round trip.
pub fn check_round_trip(manifest: &Manifest) -> Result<(), String> {
    let text = dump(manifest).join("\n");
    let reread = Manifest::parse(&text, Path::new("<dump>"))
        .map_err(|err| format!("the dump is not a valid manifest:\n{err}"))?;
    let differing: Vec<&str> = manifest
        .items
        .iter()
        .filter(|item| reread.get(&item.name).is_none_or(|other| other != *item))
        .map(|item| item.name.as_str())
        .collect();
    if differing.is_empty() && reread.items.len() == manifest.items.len() {
        Ok(())
    } else {
        Err(format!(
            "the dump differs from the manifest for: {}",
            differing.join(", ")
        ))
    }
}
