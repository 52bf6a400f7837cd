//! Questions about the headers beyond one view: the text of an API
//! declaration, and which structs extensions define under abi3 that abi3t
//! hides (what `port` and `audit`'s `abi3t-unusable` derive their rules
//! from).

use crate::abi::Abi;
use crate::diagnostic::Location;
use crate::manifest::{Kind, Manifest, StructAbiKind};

use super::{Headers, View};

impl Headers {
    /// The text of the `PyAPI_FUNC(...) name(...);` declaration whose name
    /// is at `location` (a view's [`Decl`]): from its `PyAPI_FUNC` to its
    /// `;`. `None` when `location` is in no loaded header or no such
    /// declaration surrounds it.
    pub fn api_declaration(&self, location: &Location) -> Option<&str> {
        let file = self
            .parse
            .loaded
            .files
            .iter()
            .find(|file| file.path == location.path)?;
        let text = &file.text;
        let line_start: usize = text
            .split_inclusive('\n')
            .take(location.line.saturating_sub(1))
            .map(str::len)
            .sum();
        let at = text
            .get(line_start..)?
            .char_indices()
            .nth(location.column.saturating_sub(1))
            .map_or(text.len(), |(i, _)| line_start + i);
        let start = text.get(..at)?.rfind("PyAPI_FUNC")?;
        let end = at + text.get(at..)?.find(';')?;
        text.get(start..end)
    }
}

impl View {
    /// Whether the struct `name` (a tag or a typedef name) is complete here.
    pub fn is_complete(&self, name: &str) -> bool {
        self.structs
            .get(name)
            .is_some_and(|def| def.members.is_some())
    }
}

/// The structs extensions define under abi3 that abi3t hides: the
/// manifest's `'full-abi'` structs (as abi3 reads the kind) that are
/// complete in `abi3` and not in `abi3t`, views of one version
/// (`PyModuleDef`, `PyModuleDef_Base` in 3.15). Under abi3t an extension
/// cannot make one, so the functions that take them are of no use to it.
/// (`PyObject`, which abi3t hides too, is `'members'`: extensions use it
/// through pointers.)
pub fn abi3t_hidden_definitions<'m>(
    manifest: &'m Manifest,
    abi3: &View,
    abi3t: &View,
) -> Vec<&'m str> {
    manifest
        .items
        .iter()
        .filter(|item| item.kind == Kind::Struct)
        .filter(|item| {
            item.struct_abi_kind
                .is_some_and(|kind| Abi::Abi3.struct_kind(kind) == StructAbiKind::FullAbi)
        })
        .map(|item| item.name.as_str())
        .filter(|name| abi3.is_complete(name) && !abi3t.is_complete(name))
        .collect()
}
