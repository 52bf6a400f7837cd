//! What to use instead of a blocker: the data of `replacements.toml`, one
//! entry per finding name with its source (see that file's header).

use std::collections::BTreeMap;

use crate::abi::Abi;
use crate::version::Version;

use super::api::{Api, Status};

/// The data compiled into the binary.
pub const BUILTIN: &str = include_str!("replacements.toml");

/// One replacement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    /// What to write instead (code, or a sentence).
    pub text: String,
    /// Where the advice comes from (a URL).
    pub source: String,
}

impl Replacement {
    /// The names in [`Replacement::text`] that may be Python API names:
    /// identifiers, less those ending in `_` (a prefix such as
    /// `PyModExport_<name>` or `Py_nb_...`).
    pub fn names(&self) -> Vec<&str> {
        self.text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|word| word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
            .filter(|word| !word.ends_with('_'))
            .collect()
    }

    /// The version of `abi` the replacement needs, and the name that sets
    /// it: the newest first version of the Limited API names it uses (the
    /// ABI's first version, and no name, when it uses none).
    pub fn needs(&self, api: &Api, abi: Abi) -> (Version, Option<&str>) {
        let mut needs = (abi.first_version(), None);
        for name in self.names() {
            if let Status::Available { since } = api.name(name, abi, api.version) {
                if since > needs.0 {
                    needs = (since, Some(name));
                }
            }
        }
        needs
    }
}

/// Every replacement, by finding name.
#[derive(Clone, Debug, Default)]
pub struct Replacements {
    by_name: BTreeMap<String, Replacement>,
}

impl Replacements {
    /// The built-in data ([`BUILTIN`]).
    pub fn builtin() -> Replacements {
        // The committed file is checked by the tests, so it parses.
        Replacements::parse(BUILTIN).unwrap_or_default()
    }

    /// Reads the data: a table per name with string fields `use` and
    /// `source`.
    ///
    /// Errors: the text is not TOML, or an entry lacks a field or has one
    /// of another type or name (the message names the entry).
    pub fn parse(text: &str) -> Result<Replacements, String> {
        let document: toml_edit::ImDocument<&str> =
            toml_edit::ImDocument::parse(text).map_err(|err| err.to_string())?;
        let mut by_name = BTreeMap::new();
        for (name, item) in document.iter() {
            let table = item
                .as_table()
                .ok_or_else(|| format!("[{name}] is not a table"))?;
            let field = |key: &str| {
                table
                    .get(key)
                    .and_then(|value| value.as_str())
                    .map(str::to_string)
                    .ok_or_else(|| format!("[{name}] needs a string `{key}`"))
            };
            if let Some((key, _)) = table
                .iter()
                .find(|(key, _)| !["use", "source"].contains(key))
            {
                return Err(format!("[{name}] has an unknown field `{key}`"));
            }
            let replacement = Replacement {
                text: field("use")?,
                source: field("source")?,
            };
            by_name.insert(name.to_string(), replacement);
        }
        Ok(Replacements { by_name })
    }

    pub fn get(&self, name: &str) -> Option<&Replacement> {
        self.by_name.get(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Replacement)> {
        self.by_name.iter().map(|(name, r)| (name.as_str(), r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_data_reads_and_every_entry_has_a_source() {
        let data = Replacements::parse(BUILTIN).unwrap();
        assert!(data.iter().count() > 50);
        for (name, replacement) in data.iter() {
            assert!(
                replacement.source.starts_with("https://docs.python.org/")
                    || replacement
                        .source
                        .starts_with("https://pythoncapi-compat.readthedocs.io/"),
                "{name}: {}",
                replacement.source
            );
        }
        let entry = data.get("PyTypeObject.tp_free").unwrap();
        assert_eq!(entry.names(), ["PyType_GetSlot", "tp", "Py_tp_free"]);
        let prefix = Replacement {
            text: "PyModExport_<name> and Py_nb_...".into(),
            source: String::new(),
        };
        assert_eq!(prefix.names(), ["name", "and"]);
    }

    #[test]
    fn bad_data_is_refused_with_the_entry_named() {
        for (text, expected) in [
            ("[A]\nuse = 'x'\n", "[A] needs a string `source`"),
            ("[A]\nuse = 1\nsource = 's'\n", "[A] needs a string `use`"),
            (
                "[A]\nuse = 'x'\nsource = 's'\nhint = ''\n",
                "unknown field `hint`",
            ),
            ("A = 1\n", "[A] is not a table"),
        ] {
            let error = Replacements::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text:?}: {error}");
        }
        assert!(Replacements::parse("[A").is_err());
    }
}
