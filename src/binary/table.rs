//! The Stable ABI's facts as the audit needs them: for every manifest item
//! its name, kind, `added`, `abi_only` and `ifdef` (and a feature macro's
//! `windows`).
//!
//! The audit reads them from `--manifest`, or from the table compiled into
//! the binary ([`AbiTable::builtin`]), so that extension maintainers need no
//! CPython checkout. The built-in table is `stable_abi_table.txt` beside this
//! file, generated from the newest released manifest; refresh it with
//!
//! ```text
//! stable-abi audit --manifest PATH/TO/Misc/stable_abi.toml \
//!     --write-table src/binary/stable_abi_table.txt
//! ```
//!
//! A test checks that the committed table is what that command writes for
//! the manifest of the shared CPython tree.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::Location;
use crate::manifest::{Kind, Manifest, Windows};
use crate::version::Version;

/// The committed table compiled into the binary.
pub const BUILTIN_TABLE: &str = include_str!("stable_abi_table.txt");

/// One manifest item's facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub kind: Kind,
    pub added: Option<Version>,
    pub abi_only: bool,
    pub ifdef: Option<String>,
    pub windows: Windows,
    /// Where the item is defined, when read from a manifest.
    pub location: Option<Location>,
}

/// The facts of every item, looked up by name.
#[derive(Clone, Debug)]
pub struct AbiTable {
    /// Where the facts came from, for messages: a manifest path, or
    /// `built-in table (…)`.
    pub source: String,
    /// The newest `added` version.
    pub newest: Option<Version>,
    entries: Vec<Entry>,
    by_name: HashMap<String, usize>,
}

impl AbiTable {
    fn new(source: String, entries: Vec<Entry>) -> AbiTable {
        let newest = entries.iter().filter_map(|e| e.added).max();
        let by_name = entries
            .iter()
            .enumerate()
            .map(|(index, entry)| (entry.name.clone(), index))
            .collect();
        AbiTable {
            source,
            newest,
            entries,
            by_name,
        }
    }

    /// The facts of a loaded manifest, with the items' locations.
    pub fn from_manifest(manifest: &Manifest) -> AbiTable {
        let entries = manifest
            .items
            .iter()
            .map(|item| Entry {
                name: item.name.clone(),
                kind: item.kind,
                added: item.added,
                abi_only: item.abi_only,
                ifdef: item.ifdef.clone(),
                windows: item.windows,
                location: Some(manifest.location(item)),
            })
            .collect();
        AbiTable::new(manifest.path.display().to_string(), entries)
    }

    /// The table compiled into the binary.
    pub fn builtin() -> AbiTable {
        // The committed table is checked by the tests, so it parses.
        AbiTable::parse(BUILTIN_TABLE, Path::new("built-in table"))
            .unwrap_or_else(|err| AbiTable::new(format!("broken built-in table: {err}"), vec![]))
    }

    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.by_name.get(name).map(|&index| &self.entries[index])
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Parses the text [`render`] writes; errors name `path:line`.
    pub fn parse(text: &str, path: &Path) -> Result<AbiTable, String> {
        let mut entries = Vec::new();
        let mut header = String::new();
        for (index, line) in text.lines().enumerate() {
            let at = || format!("{}:{}", path.display(), index + 1);
            if let Some(comment) = line.strip_prefix('#') {
                if header.is_empty() {
                    header = comment.trim().to_string();
                }
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            let mut fields = line.split(' ');
            let (Some(kind), Some(name), Some(added)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(format!("{}: expected `KIND NAME ADDED [FLAGS]`", at()));
            };
            let kind =
                Kind::from_name(kind).ok_or_else(|| format!("{}: unknown kind {kind:?}", at()))?;
            let added = match added {
                "-" => None,
                text => Some(Version::parse(text).map_err(|err| format!("{}: {err}", at()))?),
            };
            let mut entry = Entry {
                name: name.to_string(),
                kind,
                added,
                // Feature macros are always ABI-only.
                abi_only: kind == Kind::FeatureMacro,
                ifdef: None,
                windows: Windows::No,
                location: None,
            };
            for flag in fields {
                match flag.split_once('=') {
                    None if flag == "abi_only" => entry.abi_only = true,
                    Some(("ifdef", macro_name)) => entry.ifdef = Some(macro_name.to_string()),
                    Some(("windows", "yes")) => entry.windows = Windows::Yes,
                    Some(("windows", "maybe")) => entry.windows = Windows::Maybe,
                    _ => return Err(format!("{}: unknown flag {flag:?}", at())),
                }
            }
            entries.push(entry);
        }
        let source = if header.is_empty() {
            path.display().to_string()
        } else {
            format!("{} ({header})", path.display())
        };
        Ok(AbiTable::new(source, entries))
    }
}

/// The table's text for a manifest: a header saying where it came from and
/// how to refresh it, then one line per item in manifest order:
/// `KIND NAME ADDED [abi_only] [ifdef=MACRO] [windows=yes|maybe]` (`-` for
/// no `added`).
pub fn render(manifest: &Manifest) -> String {
    let newest = manifest
        .newest_version()
        .map_or_else(|| "-".to_string(), |v| v.to_string());
    let mut out = format!(
        "# Stable ABI facts from Misc/stable_abi.toml (newest version {newest}, {} items)\n\
         # Generated; refresh with: stable-abi audit --manifest Misc/stable_abi.toml --write-table FILE\n",
        manifest.items.len()
    );
    for item in &manifest.items {
        let added = item
            .added
            .map_or_else(|| "-".to_string(), |v| v.to_string());
        out.push_str(&format!("{} {} {added}", item.kind, item.name));
        if item.abi_only && item.kind != Kind::FeatureMacro {
            out.push_str(" abi_only");
        }
        if let Some(ifdef) = &item.ifdef {
            out.push_str(&format!(" ifdef={ifdef}"));
        }
        match item.windows {
            Windows::No => {}
            Windows::Yes => out.push_str(" windows=yes"),
            Windows::Maybe => out.push_str(" windows=maybe"),
        }
        out.push('\n');
    }
    out
}

/// Writes the table for `manifest` to `path`.
pub fn write(manifest: &Manifest, path: &PathBuf) -> anyhow::Result<()> {
    std::fs::write(path, render(manifest))
        .map_err(|err| anyhow::anyhow!("{}: cannot write the table: {err}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_parses_and_knows_the_stable_abi() {
        let table = AbiTable::parse(BUILTIN_TABLE, Path::new("t")).unwrap();
        let entry = table.get("PyType_GetName").unwrap();
        assert_eq!(entry.kind, Kind::Function);
        assert_eq!(entry.added, Some(Version::new(3, 11)));
        assert!(table.get("_Py_Dealloc").unwrap().abi_only);
        assert!(table.get("PyUnicode_New").is_none());
        assert!(table.newest.unwrap() >= Version::new(3, 13));
        assert!(table.source.contains("Stable ABI facts"));
    }

    #[test]
    fn render_then_parse_round_trips() {
        let text = "[function.PyFoo]\n    added = '3.2'\n\
                    [function._PyBar]\n    added = '3.9'\n    abi_only = true\n    ifdef = 'HAVE_FORK'\n\
                    [feature_macro.HAVE_FORK]\n    doc = 'x'\n    windows = 'maybe'\n";
        let manifest = Manifest::parse(text, Path::new("m.toml")).unwrap();
        let rendered = render(&manifest);
        assert!(rendered.contains("function _PyBar 3.9 abi_only ifdef=HAVE_FORK\n"));
        assert!(rendered.contains("feature_macro HAVE_FORK - windows=maybe\n"));
        let table = AbiTable::parse(&rendered, Path::new("t")).unwrap();
        let from_manifest = AbiTable::from_manifest(&manifest);
        for entry in from_manifest.entries() {
            let parsed = table.get(&entry.name).unwrap();
            assert_eq!(
                (parsed.kind, parsed.added, parsed.abi_only),
                (entry.kind, entry.added, entry.abi_only)
            );
            assert_eq!(
                (&parsed.ifdef, parsed.windows),
                (&entry.ifdef, entry.windows)
            );
        }
    }

    #[test]
    fn bad_lines_name_their_line() {
        let err = AbiTable::parse("# h\nfunction PyFoo 3.x\n", Path::new("t.txt")).unwrap_err();
        assert!(err.starts_with("t.txt:2: "), "{err}");
        let err = AbiTable::parse("gizmo PyFoo 3.2\n", Path::new("t.txt")).unwrap_err();
        assert!(err.contains("unknown kind"), "{err}");
    }
}
