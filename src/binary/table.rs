//! The Stable ABI the audit checks against: a manifest given with
//! `--manifest`, or the one compiled into the binary
//! ([`AbiTable::builtin`]), so that extension maintainers need no CPython
//! checkout.
//!
//! The built-in one is `stable_abi_table.toml` beside this file: the newest
//! released `Misc/stable_abi.toml` as `stable-abi --dump` writes it (every
//! item and field, no comments), read with the same parser and rules as any
//! manifest. Refresh it with
//!
//! ```text
//! stable-abi audit --manifest PATH/TO/Misc/stable_abi.toml \
//!     --write-table src/binary/stable_abi_table.toml
//! ```
//!
//! A test checks that the committed table is what that command writes for
//! the manifest of the shared CPython tree.

use std::path::Path;

use crate::binary::unusable;
use crate::diagnostic::Location;
use crate::manifest::{self, Item, Manifest};

/// The committed table compiled into the binary.
pub const BUILTIN_TABLE: &str = include_str!("stable_abi_table.toml");

/// The manifest an audit classifies symbols with.
#[derive(Clone, Debug)]
pub struct AbiTable {
    /// Where the facts came from, for messages: a manifest path, or
    /// `built-in table (…)`.
    pub source: String,
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
            manifest,
            located: true,
            abi3t_unusable,
        }
    }

    /// The table compiled into the binary.
    pub fn builtin() -> AbiTable {
        let header = BUILTIN_TABLE
            .lines()
            .next()
            .and_then(|line| line.strip_prefix('#'))
            .unwrap_or_default()
            .trim();
        // The committed table is checked by the tests, so it parses; were it
        // broken, the audit would say so through the source and flag every
        // Python symbol rather than panic.
        match Manifest::parse(BUILTIN_TABLE, Path::new("built-in table")) {
            Ok(manifest) => AbiTable::unlocated(manifest, format!("built-in table ({header})")),
            Err(err) => AbiTable::unlocated(
                Manifest::empty("built-in table".into()),
                format!("broken built-in table: {err}"),
            ),
        }
    }

    /// A table from manifest text whose locations mean nothing to the user.
    pub fn parse(text: &str, source: &str) -> crate::Result<AbiTable> {
        let manifest = Manifest::parse(text, Path::new(source))?;
        Ok(AbiTable::unlocated(manifest, source.to_string()))
    }

    fn unlocated(manifest: Manifest, source: String) -> AbiTable {
        AbiTable {
            source,
            manifest,
            located: false,
            abi3t_unusable: unusable::for_manifest(None),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Item> {
        self.manifest.get(name)
    }

    /// Where the user's manifest lists `item`; `None` for the built-in table.
    pub fn location(&self, item: &Item) -> Option<Location> {
        self.located.then(|| self.manifest.location(item))
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }
}

/// The table's text for a manifest: a header saying where it came from and
/// how to refresh it, then the manifest's dump.
pub fn render(manifest: &Manifest) -> String {
    let newest = manifest
        .newest_version()
        .map_or_else(|| "-".to_string(), |v| v.to_string());
    let mut out = format!(
        "# Misc/stable_abi.toml as `stable-abi --dump` writes it (newest version {newest}, {} items)\n\
         # Generated; refresh with: stable-abi audit --manifest Misc/stable_abi.toml --write-table FILE\n",
        manifest.items.len()
    );
    for line in manifest::dump(manifest) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Writes the table for `manifest` to `path` and, when the manifest's tree
/// has 3.15+ headers, the abi3t-unusable list beside it
/// (`abi3t_unusable.txt`, written atomically and only when it changes).
pub fn write(manifest: &Manifest, path: &Path) -> crate::Result<()> {
    std::fs::write(path, render(manifest))
        .map_err(|err| crate::Error::io(path, "cannot write the table", err))?;
    if let Some(list) = unusable::derive(manifest, &manifest.root()) {
        let newest = manifest
            .newest_version()
            .map_or_else(|| "-".to_string(), |v| v.to_string());
        let source = format!("a manifest of newest version {newest} and its tree's headers");
        let beside = path.with_file_name("abi3t_unusable.txt");
        crate::generate::update_file(&beside, &unusable::render(&list, &source), true)?;
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
                .starts_with("built-in table (Misc/stable_abi.toml"),
            "{}",
            table.source
        );
        let item = table.get("PyType_GetName").unwrap();
        assert_eq!(item.kind, Kind::Function);
        assert_eq!(item.added, Some(Version::new(3, 11)));
        assert!(table.get("_Py_Dealloc").unwrap().abi_only);
        assert!(table.get("PyUnicode_New").is_none());
        assert!(table.manifest().newest_version().unwrap() >= Version::new(3, 13));
        // Its locations are in no file the user has.
        assert_eq!(table.location(item), None);
    }

    #[test]
    fn render_then_parse_gives_the_same_items() {
        let text = "[function.PyFoo]\n    added = '3.2'\n\
                    [function._PyBar]\n    added = '3.9'\n    abi_only = true\n    ifdef = 'HAVE_FORK'\n\
                    [feature_macro.HAVE_FORK]\n    doc = 'x'\n    windows = 'maybe'\n";
        let manifest = Manifest::parse(text, Path::new("m.toml")).unwrap();
        let table = AbiTable::parse(&render(&manifest), "t").unwrap();
        for item in &manifest.items {
            assert_eq!(table.get(&item.name).unwrap(), item);
        }
        let located = AbiTable::from_manifest(manifest);
        let item = located.get("PyFoo").unwrap();
        assert_eq!(located.location(item).unwrap().line, 1);
    }
}
