//! What a walk notes for `port` in an extension's files: the groups whose
//! conditions decide on the headers' version (`PY_VERSION_HEX`) or on a
//! macro of the headers' API rather than on the target, and the places of
//! `#include`s.

use super::super::expand::Expander;
use super::super::expr::{self, Constant};
use super::super::ir::{FileId, Item};
use super::super::lex::{Sym, Token};
use super::{IncludeOracle, Walk};

/// A place in a translation unit: the `#include` directives (file and
/// offset) that lead to it, outermost first, then the file and offset
/// itself. Compared as vectors, places are in the order a compiler reads
/// them.
pub type Place = Vec<(FileId, u32)>;

/// A conditional group decided by the headers' version (`#if PY_VERSION_HEX
/// >= 0x030D0000 ... #else ... #endif`): the branch taken, and those not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionGuard {
    pub file: FileId,
    /// The byte range of the branch taken, from its directive up to the
    /// group's next (none: no branch is).
    pub range: Option<(u32, u32)>,
    /// The byte ranges of the branches not taken.
    pub skipped: Vec<(u32, u32)>,
    /// The directive whose condition compared the version (the group's
    /// first that did).
    pub directive: u32,
    /// The constants the group's evaluated conditions compare the version
    /// with.
    pub constants: Vec<Constant>,
    /// Or, for `#ifdef Py_mod_gil` (no constants): the group tests whether
    /// the headers define a name of the API, which they may do at every
    /// `Py_LIMITED_API` (3.15's slot IDs), not only at the versions that
    /// have what the branch uses.
    pub feature: bool,
}

impl Walk<'_> {
    /// Adds to `versions` the constants the condition `tokens` (of the
    /// directive at `offset`) compares [`Walk::version_macro`] with (and
    /// `offset` as the group's directive, when it is the first to).
    pub(super) fn version_constants(
        &self,
        offset: u32,
        tokens: &[Token],
        (directive, constants): &mut (u32, Vec<Constant>),
    ) {
        let Some(version) = self.version_macro else {
            return;
        };
        let oracle = IncludeOracle { walk: &self.source };
        // Expanded again, tracking the headers' version this time.
        let mut expander =
            Expander::new(&self.macros, self.source.interner, &oracle).tracking(Some(version));
        let mut found = Vec::new();
        // Expanded and evaluated by the caller: no error now.
        if let Ok(expanded) = expander.expand_condition(tokens) {
            let _ = expr::evaluate_tracking(&expanded, &mut found);
        }
        if !found.is_empty() && constants.is_empty() {
            *directive = offset;
        }
        constants.extend(found);
    }

    /// Records the group of `file` whose `#if` is `items[first]`, where the
    /// branch at `items[branch]` was taken (the group's `#endif`: none) and
    /// its conditions compared the headers' version with `constants` (the
    /// first such condition at `directive`).
    pub(super) fn version_guard(
        &mut self,
        file: FileId,
        (first, branch): (usize, usize),
        directive: u32,
        constants: Vec<Constant>,
        feature: bool,
    ) {
        let items = &self.source.file(file).items;
        let end = |index: usize| {
            items
                .get(index)
                .and_then(Item::offset)
                .unwrap_or(self.source.file(file).text.len() as u32)
        };
        let next = |index: usize| match items.get(index) {
            Some(Item::If { next, .. } | Item::Elif { next, .. } | Item::Else { next, .. }) => {
                Some(*next)
            }
            _ => None,
        };
        let (mut range, mut skipped) = (None, Vec::new());
        let mut at = first;
        // Each branch's directive, to the next (bounded by the group's
        // length: `next` only moves forward).
        while let Some(following) = next(at).filter(|&n| n > at) {
            let span = (end(at), end(following));
            if at == branch {
                range = Some(span);
            } else {
                skipped.push(span);
            }
            at = following;
        }
        self.version_guards.push(VersionGuard {
            file,
            range,
            skipped,
            directive,
            constants,
            feature,
        });
    }

    /// Whether `sym` is a macro of the headers' API (`Py_mod_gil`): named
    /// `Py...`, defined by a header (not the recorded files, nor
    /// `pyconfig.h`, nor the compiler or the command line).
    pub(super) fn is_api_macro(&self, sym: Sym) -> bool {
        let Some(definition) = self.macros.get(&sym) else {
            return false;
        };
        let header = self
            .record_from
            .is_some_and(|first| definition.file < first)
            && Some(definition.file) != self.config_file
            && self
                .source
                .file(definition.file)
                .path
                .as_os_str()
                .as_encoded_bytes()
                .first()
                != Some(&b'<');
        header && self.source.interner.name(sym).starts_with("Py")
    }
}
