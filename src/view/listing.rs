//! The view as a listing: what one Limited API version exposes, by kind,
//! with locations, and whether the manifest lists each name — the question
//! extension authors ask ("is X in the limited API for 3.9?"), answered by
//! `stable-abi view 3.N`.

use std::io::Write;

use serde::Serialize;

use crate::abi::Abi;
use crate::diagnostic::{Format, Location};
use crate::manifest::Manifest;
use crate::output;
use crate::version::Version;

use super::{hex_ranges, Decl, View};

/// The kinds `--kind` accepts, in output order.
pub const KINDS: [&str; 5] = ["function", "data", "macro", "typedef", "struct"];

/// One name the view exposes.
#[derive(Serialize, Debug)]
pub struct Entry {
    pub kind: &'static str,
    pub name: String,
    pub path: String,
    pub line: usize,
    pub column: usize,
    /// The manifest's `added` version, when the manifest lists the name.
    pub added: Option<Version>,
    pub in_manifest: bool,
    /// Structs: the members, or `null` when the struct is opaque here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Option<Vec<String>>>,
}

/// Everything in the view (or of one kind), by kind then name.
pub fn entries(view: &View, manifest: &Manifest, kind: Option<&str>) -> Vec<Entry> {
    let mut entries = Vec::new();
    let wanted = |k: &str| kind.is_none_or(|kind| kind == k);
    let mut add = |kind: &'static str, table: &super::ByName<Decl>| {
        if wanted(kind) {
            for (name, decl) in table {
                entries.push(entry(kind, name, &decl.location, manifest, None));
            }
        }
    };
    add("function", &view.functions);
    add("data", &view.data);
    add("macro", &view.macros);
    add("typedef", &view.typedefs);
    if wanted("struct") {
        for (name, def) in &view.structs {
            let members = Some(def.members.clone());
            entries.push(entry("struct", name, &def.location, manifest, members));
        }
    }
    entries
}

fn entry(
    kind: &'static str,
    name: &str,
    location: &Location,
    manifest: &Manifest,
    members: Option<Option<Vec<String>>>,
) -> Entry {
    let item = manifest.get(name);
    Entry {
        kind,
        name: name.to_string(),
        path: location.path.display().to_string(),
        line: location.line,
        column: location.column,
        added: item.and_then(|item| item.added),
        in_manifest: item.is_some(),
        members,
    }
}

/// Text: `path:line:col: kind name (stable ABI since 3.N | not in the
/// manifest)`, plus the members of structs. JSON: the envelope of
/// [`crate::output`] (no findings) with `"version": "3.N"`,
/// `"limited_api": "0x03NN0000"` (the exact value viewed), `"abi":
/// "abi3"|"abi3t"` and `"entries": [{"kind", "name", "path", "line",
/// "column", "added", "in_manifest", "members"?}]`. SARIF: a log without
/// results (a listing finds nothing).
pub fn write_entries(
    out: &mut dyn Write,
    entries: &[Entry],
    (version, value): (Version, u32),
    abi: Abi,
    format: Format,
) -> std::io::Result<()> {
    match format {
        Format::Json => {
            let report = output::Report::new("view", &[])
                .with("version", version)
                .with("limited_api", hex_ranges(&[(value, value)]))
                .with("abi", abi)
                .with("entries", entries);
            output::write_json(out, &report)
        }
        Format::Sarif(rules) => output::sarif::write(out, &[], rules),
        Format::Text => {
            for entry in entries {
                let status = match (entry.in_manifest, entry.added) {
                    (true, Some(added)) => format!("in the manifest since {added}"),
                    (true, None) => "in the manifest".to_string(),
                    (false, _) => "not in the manifest".to_string(),
                };
                write!(
                    out,
                    "{}:{}:{}: {} {} ({status})",
                    entry.path, entry.line, entry.column, entry.kind, entry.name
                )?;
                match &entry.members {
                    Some(Some(members)) => writeln!(out, " {{ {} }}", members.join(", "))?,
                    Some(None) => writeln!(out, " opaque")?,
                    None => writeln!(out)?,
                }
            }
            Ok(())
        }
    }
}
