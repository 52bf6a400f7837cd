//! Stable ABI functions an abi3t extension cannot use, derived from the
//! headers and the manifest rather than listed by hand.
//!
//! The rule: abi3t (PEP 803) makes some structs opaque that, under abi3,
//! an extension *defines* — 'full-abi' in the manifest's abi3 reading,
//! complete in the abi3 view and not in the abi3t view of the same headers
//! (in 3.15: `PyModuleDef` and `PyModuleDef_Base`). Under abi3t an
//! extension can neither write such a definition nor look inside one, so a
//! function whose declaration takes or returns one (`PyModule_Create2`,
//! `PyModuleDef_Init`, `PyState_FindModule`, …) is unusable there. Structs
//! the runtime creates ('members': `PyObject`) stay usable by pointer.
//!
//! The built-in list (`abi3t_unusable.txt`) is this derivation on the
//! newest tree; `stable-abi audit --manifest M --write-table FILE` writes it
//! beside `FILE` when `M`'s tree has 3.15+ headers, and a test checks it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::abi::Abi;
use crate::binary::symbols::Binary;
use crate::code::Code;
use crate::diagnostic::Finding;
use crate::manifest::{Kind, Manifest};
use crate::view::{abi3t_hidden_definitions, Defines, Headers};

pub const ABI3T_UNUSABLE: Code = Code {
    name: "abi3t-unusable",
    command: "audit",
    summary: "an abi3t extension imports a function that needs a struct abi3t hides (a warning)",
    doc: r#"An extension claiming abi3t imports a Stable ABI function whose
declaration takes or returns a struct that extensions define under abi3
and that abi3t makes opaque (`PyModuleDef`: `PyModule_Create2`,
`PyModuleDef_Init`, `PyState_FindModule`, ...). The list is derived from
the headers and the manifest, not kept by hand: the structs that are
'full-abi' and complete in the abi3 view but not in the abi3t view, and
the functions whose `PyAPI_FUNC` declaration names one.

A warning, as the evidence does not make it an error: CPython 3.15 still
exports and declares these functions (PEP 803: "they will not be
removed"), and a module that exports `PyModExport_` is imported through
that hook on 3.15+, so a `PyModuleDef_Init` behind its `PyInit_` serves
only older Pythons (PEP 803's compatibility shim does this). A `PyInit_`
module *defined* with a `PyModuleDef` is `abi3t-needs-modexport`, an error.

Why it matters: under abi3t an extension cannot write (or look into) a
`PyModuleDef`, so a call that needs one was compiled against abi3's
layout, or (`PyModule_GetDef`, `PyType_GetModuleByDef`) behaves
differently for modules exported with `PyModExport_`, which have no
definition (the abi3t migration howto).

Example: a `cp315-abi3t` wheel calling `PyModule_GetDef`:

    spam-1.0-cp315-abi3t-macosx_11_0_x86_64.whl: wheel tagged cp315-abi3t-macosx_11_0_x86_64; target Python 3.15 (from the wheel tag)
      spam.abi3t.so: judged as abi3t; 1 Python symbol, ok
        warning: abi3t: imports PyModule_GetDef, which takes or returns a PyModuleDef, opaque under abi3t: modules exported with PyModExport_ have none (abi3t migration howto) [abi3t-unusable]"#,
};

/// The committed derivation: `FUNCTION TYPE` per line.
pub const BUILTIN: &str = include_str!("abi3t_unusable.txt");

/// Function → the hidden struct its declaration uses.
pub type Unusable = BTreeMap<String, String>;

/// Reads `FUNCTION TYPE` lines (`#` comments).
pub fn parse(text: &str) -> Unusable {
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some((words.next()?.to_string(), words.next()?.to_string()))
        })
        .collect()
}

/// The file `parse` reads.
pub fn render(unusable: &Unusable, source: &str) -> String {
    let mut out = format!(
        "# Stable ABI functions whose declaration uses a struct that extensions define under\n\
         # abi3 and that abi3t makes opaque, derived from {source}.\n\
         # One `FUNCTION TYPE` per line.\n\
         # Generated; refresh with: stable-abi audit --manifest Misc/stable_abi.toml --write-table FILE\n"
    );
    for (function, ty) in unusable {
        out.push_str(&format!("{function} {ty}\n"));
    }
    out
}

/// The derivation on the tree at `root` (see the module's documentation);
/// `None` when it has no readable headers or predates abi3t.
pub fn derive(manifest: &Manifest, root: &Path) -> Option<Unusable> {
    let headers = Headers::load(root, &Defines::default()).ok()?;
    let version = headers.python_version();
    if version < Abi::Abi3t.first_version() {
        return None;
    }
    let none = Defines::default();
    let abi3 = headers.view_abi(Abi::Abi3, version, &none).ok()?;
    let abi3t = headers.view_abi(Abi::Abi3t, version, &none).ok()?;
    let defined_by_extensions: BTreeSet<&str> = abi3t_hidden_definitions(manifest, &abi3, &abi3t)
        .into_iter()
        .collect();
    let mut unusable = Unusable::new();
    for (name, decl) in &abi3t.functions {
        let is_function = manifest
            .get(name)
            .is_some_and(|item| item.kind == Kind::Function);
        if !is_function {
            continue;
        }
        let Some(words) = declaration_words(
            &decl.location.path,
            decl.location.line,
            decl.location.column,
        ) else {
            continue;
        };
        if let Some(ty) = words
            .iter()
            .find(|w| defined_by_extensions.contains(w.as_str()))
        {
            unusable.insert(name.to_string(), ty.clone());
        }
    }
    Some(unusable)
}

/// The identifiers of the `PyAPI_FUNC(...) name(...);` declaration whose
/// name is at `line`:`column` of `path`.
fn declaration_words(path: &Path, line: usize, column: usize) -> Option<Vec<String>> {
    let text = crate::input::read_to_string(path).ok()?;
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let at = (line_start + column.saturating_sub(1)).min(text.len());
    let start = text.get(..at)?.rfind("PyAPI_FUNC")?;
    let end = at + text.get(at..)?.find(';')?;
    Some(
        text[start..end]
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect(),
    )
}

/// The list for an audit: derived from the manifest's tree when it can be,
/// else the built-in one.
pub fn for_manifest(manifest: Option<&Manifest>) -> Unusable {
    manifest
        .and_then(|m| derive(m, &m.root()))
        .unwrap_or_else(|| parse(BUILTIN))
}

/// The `abi3t-unusable` findings of an abi3t extension's imports, named by
/// the symbol.
pub fn findings(binary: &Binary, unusable: &Unusable) -> Vec<Finding> {
    binary
        .imports
        .iter()
        .filter_map(|symbol| {
            let ty = unusable.get(symbol)?;
            let message = if crate::binary::claims::MODULE_DEFINITION.contains(&symbol.as_str()) {
                format!(
                    "imports {symbol}, which needs a {ty}, opaque under abi3t (PEP 803: \
                     \"practically unusable\"): fine only behind a PyInit_ hook for Pythons \
                     before 3.15, which import PyModExport_ instead"
                )
            } else {
                format!(
                    "imports {symbol}, which takes or returns a {ty}, opaque under abi3t: \
                     modules exported with PyModExport_ have none (abi3t migration howto)"
                )
            };
            Some(
                Finding::error(ABI3T_UNUSABLE.name, symbol, message)
                    .abi(Abi::Abi3t)
                    .as_warning(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_list_reads_back() {
        let list = parse(BUILTIN);
        assert_eq!(parse(&render(&list, "x")), list);
    }
}
