//! The files generated from the manifest. Each generator is one row of
//! [`GENERATORS`]: its name (which is also its flag), its default path under
//! the CPython tree, its template in `templates/`, and the function that
//! selects what the template shows. What differs between CPython releases
//! is a row of [`editions::EDITIONS`]; the templates get it as context
//! (`script`, `leading_blank_line`, `doc_column`, `ctypes_skips_builds`).

pub mod editions;
mod output;

use std::collections::BTreeSet;

use minijinja::{context, AutoEscape, Environment, Value};

use crate::manifest::{Item, Kind, Manifest, Selection, Windows};
use crate::pyfmt;

pub use editions::{CtypesPreamble, Edition, FeatureGroups};
pub use output::{update_file, Update};

/// Refuses a manifest with no items: what the generated files or the
/// audit's table (`audit --write-table`) would be made from is then an
/// empty or truncated manifest (a bad merge, a save cut short), and writing
/// would empty them. (The drop-in first refuses, as CPython's script does, a
/// manifest that lacks a kind's table: `dropin::require_kind_tables`; a
/// manifest of empty tables only is refused here.)
///
/// Errors: the manifest has no items, at its path.
pub fn require_items(manifest: &Manifest) -> crate::Result<()> {
    if manifest.items.is_empty() {
        return Err(crate::Error::file(
            &manifest.path,
            "the manifest has no items (an empty or truncated file?): nothing is \
             generated from it",
        ));
    }
    Ok(())
}

/// A file generated from the manifest.
pub struct Generator {
    /// The name of the generator, as `stable_abi.py` calls it.
    pub name: &'static str,
    /// Where the file lives, relative to the CPython tree.
    pub default_path: &'static str,
    /// What `--help` says about it.
    pub help: &'static str,
    /// The template file under `templates/`, and its text.
    pub template: (&'static str, &'static str),
    /// What the template shows, for a release's edition.
    pub select: fn(&Manifest, &Edition) -> Value,
}

impl Generator {
    /// The command-line flag without its dashes: `python3dll`, `doc-list`, …
    pub fn flag(&self) -> String {
        self.name.replace('_', "-")
    }

    /// The generated text, as the script of `edition`'s releases writes it.
    pub fn render(
        &self,
        manifest: &Manifest,
        edition: &Edition,
    ) -> Result<String, minijinja::Error> {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        let (name, source) = self.template;
        env.add_template(name, source)?;
        let selected = (self.select)(manifest, edition);
        let context = context! {
            script => edition.script,
            leading_blank_line => edition.leading_blank_line,
            doc_column => edition.doc_column,
            ctypes_skips_builds => edition.ctypes_preamble == CtypesPreamble::SkipsUnsupportedBuilds,
            ..selected
        };
        env.get_template(name)?.render(context)
    }
}

macro_rules! template {
    ($file:literal) => {
        ($file, include_str!(concat!("../../templates/", $file)))
    };
}

pub const GENERATORS: &[Generator] = &[
    Generator {
        name: "python3dll",
        default_path: "PC/python3dll.c",
        help: "Generate/check the source for the Windows stable ABI library",
        template: template!("python3dll.c.jinja"),
        select: python3dll,
    },
    Generator {
        name: "doc_list",
        default_path: "Doc/data/stable_abi.dat",
        help: "Generate/check the stable ABI list for documentation annotations",
        template: template!("stable_abi.dat.jinja"),
        select: doc_list,
    },
    Generator {
        name: "ctypes_test",
        default_path: "Lib/test/test_stable_abi_ctypes.py",
        help: "Generate/check the ctypes-based test for exported symbols",
        template: template!("test_stable_abi_ctypes.py.jinja"),
        select: ctypes_test,
    },
    Generator {
        name: "testcapi_feature_macros",
        default_path: "Modules/_testcapi_feature_macros.inc",
        help: "Generate/check the feature macro list for _testcapi",
        template: template!("_testcapi_feature_macros.inc.jinja"),
        select: testcapi_feature_macros,
    },
];

/// `PC/python3dll.c`: every function and data item the Windows DLL exports
/// (those whose feature macro is, or may be, defined on Windows: a 'maybe'
/// macro's symbols are exported in case the build defines it), sorted by
/// their lower-cased name as the linker directives always have been.
fn python3dll(manifest: &Manifest, _: &Edition) -> Value {
    let on_windows: BTreeSet<String> = manifest
        .feature_macros()
        .into_iter()
        .filter(|m| m.windows != Windows::No)
        .map(|m| m.name.clone())
        .collect();
    let exports = |kind: Kind| {
        let mut names: Vec<&str> = manifest
            .select(Selection::of(&[kind]).where_defined(&on_windows))
            .into_iter()
            .map(|item| item.name.as_str())
            .collect();
        // A stable sort on the lower-cased name: names that differ only in
        // case keep their (case-sensitive) order, as in Python.
        names.sort_by_cached_key(|name| name.to_lowercase());
        names
    };
    context! { functions => exports(Kind::Function), data => exports(Kind::Data) }
}

/// `Doc/data/stable_abi.dat`: one CSV row per Limited API item of the
/// kinds the edition lists, and one per member of a struct that lists them.
fn doc_list(manifest: &Manifest, edition: &Edition) -> Value {
    let kinds: Vec<Kind> = Kind::DUMP_ORDER
        .into_iter()
        .filter(|&kind| (edition.doc_label)(kind).is_some())
        .collect();
    // Each of the file's thousand-odd rows is built in one string.
    let row = |fields: [&str; 5]| {
        let mut line = String::with_capacity(64);
        for (i, field) in fields.into_iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            pyfmt::push_csv_field(&mut line, field);
        }
        line
    };
    let mut rows: Vec<String> = Vec::new();
    for item in manifest.select(Selection::of(&kinds).limited_api()) {
        let label = (edition.doc_label)(item.kind).unwrap_or_default();
        let added = item.added.map(|v| v.to_string()).unwrap_or_default();
        let ifdef_note = item
            .ifdef
            .as_deref()
            .and_then(|name| manifest.get(name))
            .and_then(|feature| feature.doc.as_deref())
            .unwrap_or_default();
        // As written in the manifest: a value newer than the tool passes
        // through.
        let abi_kind = match (&item.unknown_struct_abi_kind, item.struct_abi_kind) {
            (Some(text), _) => text.as_str(),
            (None, Some(kind)) => kind.as_str(),
            (None, None) => "",
        };
        rows.push(row([label, &item.name, &added, ifdef_note, abi_kind]));
        for member in item.members.iter().flatten() {
            let name = format!("{}.{member}", item.name);
            rows.push(row(["member", &name, &added, "", ""]));
        }
    }
    context! { rows }
}

/// `Lib/test/test_stable_abi_ctypes.py`: every exported symbol (but those
/// the edition skips), those that depend on a feature macro grouped under
/// it, and the feature macros.
fn ctypes_test(manifest: &Manifest, edition: &Edition) -> Value {
    let symbols: Vec<&Item> = manifest
        .select(Selection::of(&Kind::SYMBOLS))
        .into_iter()
        .filter(|item| !edition.ctypes_skipped.contains(&item.name.as_str()))
        .collect();
    let feature_macros = manifest.feature_macros();
    let unconditional: Vec<&str> = symbols
        .iter()
        .filter(|item| item.ifdef.is_none())
        .map(|item| item.name.as_str())
        .collect();
    let group_names: Vec<&str> = match edition.feature_groups {
        FeatureGroups::EveryMacro => feature_macros.iter().map(|m| m.name.as_str()).collect(),
        FeatureGroups::ByFirstSymbol => {
            let mut names: Vec<&str> = Vec::new();
            for ifdef in symbols.iter().filter_map(|item| item.ifdef.as_deref()) {
                if !names.contains(&ifdef) {
                    names.push(ifdef);
                }
            }
            names
        }
    };
    let optional: Vec<Value> = group_names
        .iter()
        .map(|&feature| {
            let symbol_reprs: Vec<String> = symbols
                .iter()
                .filter(|item| item.ifdef.as_deref() == Some(feature))
                .map(|item| pyfmt::repr_str(&item.name))
                .collect();
            context! { name_repr => pyfmt::repr_str(feature), symbol_reprs }
        })
        .collect();
    let names: Vec<&str> = feature_macros.iter().map(|m| m.name.as_str()).collect();
    let windows: Vec<(&str, String)> = feature_macros
        .iter()
        .map(|m| {
            let value = match m.windows {
                Windows::Yes => pyfmt::repr_bool(true).to_string(),
                Windows::No => pyfmt::repr_bool(false).to_string(),
                Windows::Maybe => pyfmt::repr_str("maybe"),
            };
            (m.name.as_str(), value)
        })
        .collect();
    context! {
        symbols => unconditional,
        optional,
        expected_feature_macros => pyfmt::pformat_str_list(&names),
        windows_feature_macros => pyfmt::pformat_dict(&windows),
    }
}

/// `Modules/_testcapi_feature_macros.inc`: a dict entry per feature macro,
/// telling whether the interpreter was built with it.
fn testcapi_feature_macros(manifest: &Manifest, _: &Edition) -> Value {
    let names: Vec<&str> = manifest
        .feature_macros()
        .into_iter()
        .map(|m| m.name.as_str())
        .collect();
    context! { feature_macros => names }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn render(name: &str, manifest: &str) -> String {
        let manifest = Manifest::parse(manifest, Path::new("stable_abi.toml")).unwrap();
        let generator = GENERATORS.iter().find(|g| g.name == name).unwrap();
        generator.render(&manifest, Edition::newest()).unwrap()
    }

    #[test]
    fn doc_list_writes_struct_abi_kind_as_the_manifest_spells_it() {
        let text = render(
            "doc_list",
            "[struct.PyObject]\n    added = '3.2'\n    struct_abi_kind = 'abi3t-opaque'\n",
        );
        assert!(text.contains("PyObject,3.2,,abi3t-opaque\n"), "{text}");
    }
}
