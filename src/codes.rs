//! Every finding code of every command, in one registry.
//!
//! A code is the `[name]` at the end of a finding's line, the `check` of
//! its JSON, the rule of its SARIF result and the first word of a baseline
//! line. Each is declared as a [`Code`] constant (the type is in the leaf
//! module [`crate::code`]) in the file that implements it, with a one-line
//! summary and its documentation (what it finds, why it matters, an
//! example); [`all`] lists them in report order. `stable-abi explain CODE`
//! prints one, `stable-abi explain` lists them, `headers --help`, SARIF's
//! rules and the README's table are made from them.
//!
//! This registry sits above the code that implements the codes (it imports
//! them; they import only [`Code`]), beside the command line: only the
//! command layer reads it.
//!
//! Adding a code: declare its constant beside the code that reports it and
//! add it to [`all`] (a header check goes into `checks::CHECKS`, which
//! [`all`] reads).

use std::sync::LazyLock;

use crate::binary::{claims, library, not_on_platform, problems, unusable};
use crate::checks;
use crate::compat;
use crate::port;

use crate::code::Code;

/// Every code, in the order findings are reported: the header checks, the
/// baseline's, the library's, the audit's, `compat`'s, `port`'s.
pub fn all() -> &'static [&'static Code] {
    static ALL: LazyLock<Vec<&'static Code>> = LazyLock::new(collect);
    &ALL
}

fn collect() -> Vec<&'static Code> {
    let mut codes: Vec<&'static Code> = checks::CHECKS.iter().map(|check| check.code).collect();
    codes.extend([
        &checks::STALE_BASELINE_CODE,
        &library::MISSING_EXPORT,
        &problems::NOT_STABLE_ABI,
        &problems::UNKNOWN_TO_TABLE,
        &problems::VERSION_MISMATCH,
        &problems::VERSION_SPECIFIC_LIBPYTHON,
        &claims::TAG_MISMATCH,
        &problems::DUPLICATE_MEMBER,
        &claims::ABI3T_TOO_EARLY,
        &claims::WRONG_FILE_NAME,
        &claims::ABI3T_NEEDS_MODEXPORT,
        &claims::WRONG_PYTHON_DLL,
        &unusable::ABI3T_UNUSABLE,
        &not_on_platform::NOT_ON_PLATFORM,
        &claims::OWN_PYTHON_SYMBOL,
    ]);
    codes.extend(compat::CODES.iter().copied());
    codes.push(&compat::headers::STRUCT_LAYOUT_CHANGED);
    codes.extend(port::codes::CODES.iter().copied());
    codes
}

/// The code named `name`.
pub fn find(name: &str) -> Option<&'static Code> {
    all().iter().copied().find(|code| code.name == name)
}

/// The codes one command reports, as `--help` lists them: `  name  summary`
/// with the names aligned.
pub fn help_table(command: &str) -> String {
    let codes: Vec<&Code> = all()
        .iter()
        .copied()
        .filter(|code| code.command == command)
        .collect();
    let width = codes.iter().map(|code| code.name.len()).max().unwrap_or(0);
    codes
        .iter()
        .map(|code| format!("  {:<width$}  {}\n", code.name, code.summary))
        .collect()
}

/// `stable-abi explain`: every code, one per line.
pub fn list() -> String {
    let codes = all();
    let width = codes.iter().map(|code| code.name.len()).max().unwrap_or(0);
    let mut text = String::new();
    for code in codes {
        text.push_str(&format!(
            "{:<width$}  {:<8} {}\n",
            code.name, code.command, code.summary
        ));
    }
    text
}

/// `stable-abi explain CODE`: the code's name, command, summary and doc.
pub fn explain(code: &Code) -> String {
    format!(
        "{name} ({command}): {summary}\n\n{doc}\n",
        name = code.name,
        command = code.command,
        summary = code.summary,
        doc = code.doc
    )
}

/// The README's table of codes: `| code | command | finds |`.
pub fn markdown_table() -> String {
    let mut text = String::from("| code | command | finds |\n|---|---|---|\n");
    for code in all() {
        text.push_str(&format!(
            "| `{}` | `{}` | {} |\n",
            code.name, code.command, code.summary
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique_and_documented() {
        let codes = all();
        let names: BTreeSet<&str> = codes.iter().map(|code| code.name).collect();
        assert_eq!(names.len(), codes.len());
        for code in codes {
            assert!(!code.summary.is_empty() && !code.summary.ends_with('.'));
            assert!(code.doc.contains("Why it matters"), "{}", code.name);
            assert!(code.doc.contains("Example"), "{}", code.name);
        }
    }

    #[test]
    fn the_readme_table_is_the_registry() {
        let readme = include_str!("../README.md");
        let table = markdown_table();
        assert!(
            readme.contains(&table),
            "README.md's table of codes is out of date; it should read:\n{table}"
        );
    }

    #[test]
    fn explain_names_the_code_and_prints_its_doc() {
        let code = find("too-early").unwrap();
        let text = explain(code);
        assert!(text.starts_with("too-early (headers): "));
        assert!(text.contains(code.doc));
        assert!(find("no-such-code").is_none());
        assert!(list().lines().count() == all().len());
    }
}
