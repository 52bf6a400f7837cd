//! A finding code: the `[name]` at the end of a finding's line, with what it
//! finds, why it matters and an example.
//!
//! This module is a leaf: each code is declared as a [`Code`] constant in
//! the file that reports it (a header check, the audit, `compat`, `port`),
//! and the registry that lists them all, [`crate::codes`], sits above those
//! files. The writers below them (SARIF's rules) are handed the codes they
//! describe, never the registry.

/// One finding code.
#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    /// The stable name, e.g. `too-early`.
    pub name: &'static str,
    /// The subcommand whose findings carry it (`headers`, `library`, …).
    pub command: &'static str,
    /// What it finds, in one line (for `--help`, `explain` and the README).
    pub summary: &'static str,
    /// What it finds, why it matters, an example: plain text as `explain`
    /// prints it.
    pub doc: &'static str,
}
