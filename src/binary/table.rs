//! The Stable ABI the audit checks against: a manifest given with
//! `--manifest`, or the one compiled into the binary
//! ([`AbiTable::builtin`]), so that extension maintainers need no CPython
//! checkout.
//!
//! The built-in one is `stable_abi_table.toml` beside this file, in the
//! layout `stable-abi --dump` writes, read with the same parser and rules
//! as any manifest. It is the newest manifest at hand merged with
//! `stable_abi_additions.toml`: what released CPython ships that the
//! manifest lacks (and corrections to it), each item with its `added` and
//! the public source it rests on. Its header says through which version it
//! is complete (`# knows: 3.15`): a target newer than that gets
//! `unknown-to-table` warnings for symbols the table does not know, not
//! `not-stable-abi`. Refresh it with
//!
//! ```text
//! stable-abi audit --manifest PATH/TO/Misc/stable_abi.toml \
//!     --additions src/binary/stable_abi_additions.toml \
//!     --write-table src/binary/stable_abi_table.toml
//! ```
//!
//! Tests check that the committed table is what that command writes for
//! the manifest of the shared 3.15.2 tree, and that it agrees with the
//! 3.15.2 release's own ctypes test and with `abi3info`
//! (`tests/table_knowledge.rs`).

use std::path::Path;

use crate::binary::unusable;
use crate::diagnostic::{LocatedError, Location};
use crate::error::{Error, Result};
use crate::manifest::{self, Item, Manifest};
use crate::version::Version;

/// The committed table compiled into the binary.
pub const BUILTIN_TABLE: &str = include_str!("stable_abi_table.toml");

/// The manifest an audit classifies symbols with.
#[derive(Clone, Debug)]
pub struct AbiTable {
    /// Where the facts came from, for messages: a manifest path, or
    /// `built-in table (…)`.
    pub source: String,
    /// The newest version the table knows completely: the built-in table's
    /// `# knows:` line, a manifest's newest `added`. A symbol it does not
    /// list is outside the Stable ABI of that version and every older one;
    /// for a newer target it may be one the table has not heard of.
    pub knows: Option<Version>,
    manifest: Manifest,
    /// Whether the manifest's locations are in a file the user has (not in
    /// the table compiled into the binary).
    located: bool,
    /// Functions an abi3t extension cannot use ([`unusable`]): the
    /// derivation on the manifest's tree, else the built-in one.
    pub abi3t_unusable: unusable::Unusable,
}

impl AbiTable {
    /// A manifest the user gave: findings can point into it.
    pub fn from_manifest(manifest: Manifest) -> AbiTable {
        let abi3t_unusable = unusable::for_manifest(Some(&manifest));
        AbiTable {
            source: crate::output::escape::path(&manifest.path).into_owned(),
            knows: manifest.newest_version(),
            manifest,
            located: true,
            abi3t_unusable,
        }
    }

    /// The table compiled into the binary.
    pub fn builtin() -> AbiTable {
        let header = Header::of(BUILTIN_TABLE);
        // The committed table is checked by the tests, so it parses; were it
        // broken, the audit would say so through the source and flag every
        // Python symbol rather than panic.
        match Manifest::parse(BUILTIN_TABLE, Path::new("built-in table")) {
            Ok(manifest) => {
                let mut table =
                    AbiTable::unlocated(manifest, format!("built-in table ({})", header.title));
                table.knows = header.knows.or(table.knows);
                table
            }
            Err(err) => AbiTable::unlocated(
                Manifest::empty("built-in table".into()),
                format!("broken built-in table: {err}"),
            ),
        }
    }

    /// A table from manifest text whose locations mean nothing to the user.
    pub fn parse(text: &str, source: &str) -> crate::Result<AbiTable> {
        let manifest = Manifest::parse(text, Path::new(source))?;
        let mut table = AbiTable::unlocated(manifest, source.to_string());
        table.knows = Header::of(text).knows.or(table.knows);
        Ok(table)
    }

    fn unlocated(manifest: Manifest, source: String) -> AbiTable {
        AbiTable {
            source,
            knows: manifest.newest_version(),
            manifest,
            located: false,
            abi3t_unusable: unusable::for_manifest(None),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Item> {
        self.manifest.get(name)
    }

    /// Whether `target` is newer than what the table knows completely.
    pub fn is_beyond(&self, target: Version) -> bool {
        self.knows.is_some_and(|knows| target > knows)
    }

    /// Where the user's manifest lists `item`; `None` for the built-in table.
    pub fn location(&self, item: &Item) -> Option<Location> {
        self.located.then(|| self.manifest.location(item))
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }
}

/// What a table's (or an additions file's) comment header says: `# knows:
/// 3.N` and `# title: ...` lines among the comments before the first item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Header {
    knows: Option<Version>,
    title: String,
}

impl Header {
    fn of(text: &str) -> Header {
        let mut header = Header::default();
        for line in text.lines().take_while(|line| !line.starts_with('[')) {
            let Some(comment) = line.strip_prefix('#').map(str::trim) else {
                continue;
            };
            if let Some(version) = comment.strip_prefix("knows:") {
                header.knows = Version::parse(version.trim()).ok();
            } else if let Some(title) = comment.strip_prefix("title:") {
                header.title = title.trim().to_string();
            }
        }
        header
    }
}

/// `stable_abi_additions.toml`: manifest items that extend or correct a
/// manifest, each after a `# source:` comment line, and the header's
/// `knows:` (required) and `title:`.
#[derive(Clone, Debug)]
pub struct Additions {
    pub path: std::path::PathBuf,
    /// The version the merged table knows completely.
    pub knows: Version,
    pub title: String,
    pub items: Vec<Item>,
    /// Each item's source, in item order.
    pub sources: Vec<String>,
}

/// Reads an additions file. Errors (exit 2): what any manifest's reader
/// rejects, a header without `# knows: 3.N`, an item without a `# source:`
/// line right before it (at the item's line).
pub fn read_additions(path: &Path) -> Result<Additions> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| Error::io(path, "cannot read the additions", err))?;
    let manifest = Manifest::parse(&text, path)?;
    let header = Header::of(&text);
    let Some(knows) = header.knows else {
        return Err(Error::file(
            path,
            "no `# knows: 3.N` line before the first item: through which version is the table complete?",
        ));
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut sources = Vec::with_capacity(manifest.items.len());
    for item in &manifest.items {
        // The `# source:` line, possibly continued by more comment lines,
        // ends right above the item.
        let above = lines[..item.line.saturating_sub(1)]
            .iter()
            .rev()
            .take_while(|line| line.starts_with('#'))
            .collect::<Vec<_>>();
        let source = above
            .iter()
            .rev()
            .find_map(|line| line.strip_prefix("# source:"))
            .map(|source| source.trim().to_string());
        match source {
            Some(source) if !source.is_empty() => sources.push(source),
            _ => {
                let location = manifest.location(item);
                return Err(LocatedError::new(
                    location,
                    format!(
                        "{} `{}` has no `# source:` line above it: cite the CPython PR, issue or PEP it rests on",
                        item.kind, item.name
                    ),
                )
                .into());
            }
        }
    }
    Ok(Additions {
        path: path.to_path_buf(),
        knows,
        title: header.title,
        items: manifest.items,
        sources,
    })
}

/// `manifest` with `additions` applied: an item of a name the manifest has
/// replaces it in place; the others follow, in the additions' order.
pub fn merge(manifest: &Manifest, additions: &Additions) -> Manifest {
    let mut merged = manifest.clone();
    for addition in &additions.items {
        match merged
            .items
            .iter_mut()
            .find(|item| item.name == addition.name)
        {
            Some(item) => *item = addition.clone(),
            None => merged.items.push(addition.clone()),
        }
    }
    merged
}

/// The table's text for a manifest and the additions merged into it: a
/// header saying what it knows, where it came from and how to refresh it,
/// then the merged manifest's dump.
pub fn render(manifest: &Manifest, additions: Option<&Additions>) -> String {
    let newest = |manifest: &Manifest| {
        manifest
            .newest_version()
            .map_or_else(|| "-".to_string(), |v| v.to_string())
    };
    let merged;
    let (table, title, knows, from, refresh) = match additions {
        Some(additions) => {
            merged = merge(manifest, additions);
            let name = additions
                .path
                .file_name()
                .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
            (
                &merged,
                additions.title.clone(),
                additions.knows.to_string(),
                format!(
                    "a Misc/stable_abi.toml of newest version {} ({} items) and {name} ({} items)",
                    newest(manifest),
                    manifest.items.len(),
                    additions.items.len()
                ),
                "stable-abi audit --manifest PATH/Misc/stable_abi.toml --additions src/binary/stable_abi_additions.toml --write-table src/binary/stable_abi_table.toml",
            )
        }
        None => (
            manifest,
            "Misc/stable_abi.toml as `stable-abi --dump` writes it".to_string(),
            newest(manifest),
            format!(
                "a Misc/stable_abi.toml of newest version {} ({} items)",
                newest(manifest),
                manifest.items.len()
            ),
            "stable-abi audit --manifest Misc/stable_abi.toml --write-table FILE",
        ),
    };
    let mut out = format!(
        "# The Stable ABI the audit knows ({} items), in the layout `stable-abi --dump` writes.\n\
         # title: {title}\n\
         # knows: {knows}\n\
         # From {from}.\n\
         # Generated; refresh with: {refresh}\n",
        table.items.len()
    );
    for line in manifest::dump(table) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Writes the table for `manifest` (with `additions` merged in) to `path`
/// and, when the manifest's tree has 3.15+ headers, the abi3t-unusable list
/// beside it (`abi3t_unusable.txt`); each through [`crate::write::file`]
/// (atomically, only when it changes).
///
/// Errors: a manifest with no items ([`crate::generate::require_items`]),
/// a write that fails ([`crate::write::file`]).
pub fn write(manifest: &Manifest, additions: Option<&Additions>, path: &Path) -> crate::Result<()> {
    crate::generate::require_items(manifest)?;
    crate::write::file(path, render(manifest, additions).as_bytes())?;
    if let Some(list) = unusable::derive(manifest, &manifest.root()) {
        let newest = manifest
            .newest_version()
            .map_or_else(|| "-".to_string(), |v| v.to_string());
        let source = format!("a manifest of newest version {newest} and its tree's headers");
        let beside = path.with_file_name("abi3t_unusable.txt");
        crate::write::file(&beside, unusable::render(&list, &source).as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Kind;
    use crate::version::Version;

    #[test]
    fn builtin_table_parses_and_knows_the_stable_abi() {
        let table = AbiTable::builtin();
        assert!(
            table
                .source
                .starts_with("built-in table (the Stable ABI of CPython 3.15"),
            "{}",
            table.source
        );
        let item = table.get("PyType_GetName").unwrap();
        assert_eq!(item.kind, Kind::Function);
        assert_eq!(item.added, Some(Version::new(3, 11)));
        assert!(table.get("_Py_Dealloc").unwrap().abi_only);
        assert!(table.get("PyUnicode_New").is_none());
        // Complete through 3.15 as 3.15.2 shipped it, with what 3.16 adds.
        assert_eq!(table.knows, Some(Version::new(3, 15)));
        let added = |name: &str| table.get(name).and_then(|item| item.added);
        assert_eq!(added("PyCriticalSection_Begin"), Some(Version::new(3, 15)));
        assert_eq!(added("Py_HashBuffer"), Some(Version::new(3, 16)));
        assert!(table.is_beyond(Version::new(3, 16)));
        assert!(!table.is_beyond(Version::new(3, 15)));
        // Its locations are in no file the user has.
        assert_eq!(table.location(item), None);
    }

    #[test]
    fn additions_need_a_source_and_a_knows_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("additions.toml");
        std::fs::write(
            &path,
            "# knows: 3.15\n# title: t\n\n# source: gh-1\n[function.PyA]\n    added = '3.15'\n\
             [function.PyB]\n    added = '3.15'\n",
        )
        .unwrap();
        let err = read_additions(&path).unwrap_err().to_string();
        assert!(
            err.contains(":7:1:") && err.contains("no `# source:`"),
            "{err}"
        );
        std::fs::write(
            &path,
            "# source: gh-1\n[function.PyA]\n    added = '3.15'\n",
        )
        .unwrap();
        let err = read_additions(&path).unwrap_err().to_string();
        assert!(err.contains("no `# knows: 3.N`"), "{err}");
    }

    #[test]
    fn additions_replace_or_extend_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("additions.toml");
        std::fs::write(
            &path,
            "# knows: 3.15\n# title: test\n# source: a PR\n#   continued\n[function.PyFoo]\n    added = '3.9'\n\
             # source: gh-2\n[function.PyNew]\n    added = '3.16'\n",
        )
        .unwrap();
        let additions = read_additions(&path).unwrap();
        assert_eq!(additions.sources, ["a PR", "gh-2"]);
        let manifest = Manifest::parse(
            "[function.PyFoo]\n    added = '3.2'\n[function.PyBar]\n    added = '3.13'\n",
            Path::new("m.toml"),
        )
        .unwrap();
        let table = AbiTable::parse(&render(&manifest, Some(&additions)), "t").unwrap();
        assert_eq!(table.knows, Some(Version::new(3, 15)));
        assert_eq!(table.get("PyFoo").unwrap().added, Some(Version::new(3, 9)));
        assert_eq!(table.get("PyBar").unwrap().added, Some(Version::new(3, 13)));
        assert_eq!(table.get("PyNew").unwrap().added, Some(Version::new(3, 16)));
    }

    #[test]
    fn render_then_parse_gives_the_same_items() {
        let text = "[function.PyFoo]\n    added = '3.2'\n\
                    [function._PyBar]\n    added = '3.9'\n    abi_only = true\n    ifdef = 'HAVE_FORK'\n\
                    [feature_macro.HAVE_FORK]\n    doc = 'x'\n    windows = 'maybe'\n";
        let manifest = Manifest::parse(text, Path::new("m.toml")).unwrap();
        let table = AbiTable::parse(&render(&manifest, None), "t").unwrap();
        for item in &manifest.items {
            assert_eq!(table.get(&item.name).unwrap(), item);
        }
        let located = AbiTable::from_manifest(manifest);
        let item = located.get("PyFoo").unwrap();
        assert_eq!(located.location(item).unwrap().line, 1);
    }
}
