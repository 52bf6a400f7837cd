//! What the audit finds wrong with an extension module: its codes (with
//! their documentation, for `stable-abi explain`) and the findings.
//!
//! A finding is about the extension as a whole: its file is the extension
//! (`dist/spam-1.0-cp38-abi3-any.whl/spam/_spam.abi3.so` for one inside a
//! wheel), with no line.

use crate::binary::symbols::Binary;
use crate::code::Code;
use crate::diagnostic::{Finding, Location};
use crate::version::Version;

pub const NOT_STABLE_ABI: Code = Code {
    name: "not-stable-abi",
    command: "audit",
    summary: "an extension imports a Python symbol that is not in the Stable ABI",
    doc: r#"An extension module that claims the Stable ABI (an `abi3` wheel, or
an extension audited on its own) imports a `Py*` or `_Py*` symbol the
Stable ABI does not have: not in the manifest, `abi_only` macros aside,
or listed only as a macro.

Why it matters: only the Stable ABI's symbols are promised to exist, with
the same meaning, in every later CPython 3.x. An abi3 extension that
calls another one loads on the Python it was built with and fails to load
(undefined symbol) or misbehaves on others.

Example: a `cp38-abi3` wheel whose extension calls `PyUnicode_New`, which
is not in the Limited API:

    spam-1.0-cp38-abi3-macosx_11_0_x86_64.whl: wheel tagged cp38-abi3-macosx_11_0_x86_64; target Python 3.8 (from the wheel tag)
      spam/_spam.abi3.so: judged as abi3; 2 Python symbols, 1 problem
        error: PyUnicode_New is not in the Stable ABI [not-stable-abi]"#,
};

pub const VERSION_MISMATCH: Code = Code {
    name: "version-mismatch",
    command: "audit",
    summary: "an extension imports a Stable ABI symbol added after its target version",
    doc: r#"An extension module imports a Stable ABI symbol that was added in a
later version than its target: the wheel tag's (`cp38-abi3` → 3.8), else
`--target`, else 3.2.

Why it matters: the wheel says it loads on every CPython from its target
on; on the versions before the symbol was added, the import fails
(undefined symbol). Either the tag is too low or the extension was built
with too high a `Py_LIMITED_API`.

Example: a `cp38-abi3` wheel calling `PyType_GetName` (added in 3.11):

    spam-1.0-cp38-abi3-macosx_11_0_x86_64.whl: wheel tagged cp38-abi3-macosx_11_0_x86_64; target Python 3.8 (from the wheel tag)
      spam/_spam.abi3.so: judged as abi3; 1 Python symbol, 1 problem
        error: PyType_GetName needs Python 3.11 (the target is 3.8) [version-mismatch]"#,
};

pub const VERSION_SPECIFIC_LIBPYTHON: Code = Code {
    name: "version-specific-libpython",
    command: "audit",
    summary: "an extension links a libpython of one CPython version",
    doc: r#"An extension module links a library that exists for one CPython
version only: `libpython3.N.so`, `libpython3.N.dylib`, `python3N.dll` or a
macOS framework's `Versions/3.N/Python`, rather than nothing (POSIX) or
the version-free `python3.dll` (Windows).

Why it matters: on any other CPython the library is not there, so the
extension fails to load although its tag says abi3.

Example: `_spam.pyd` linking `python313.dll`:

    _spam.pyd: target Python 3.2 (the default)
      _spam.pyd: judged as abi3; 1 Python symbol, 1 problem
        error: linked to python313.dll, which only Python 3.13 has [version-specific-libpython]"#,
};

pub const DUPLICATE_MEMBER: Code = Code {
    name: "duplicate-member",
    command: "audit",
    summary: "a wheel stores two or more members under one name",
    doc: r#"A wheel's zip holds two or more entries of the same name. Every copy
of an extension module is audited; the wheel is an error whatever the
copies hold.

Why it matters: which copy is installed depends on the tool. pip extracts
every entry in order, so the last copy overwrites the others; Python's
`zipfile` resolves a name to its last entry (CPython gh-117779); uv's
extraction of such wheels is discussed as a parser differential
(astral-sh/uv#19528). The binary distribution format (PEP 427) lists a
wheel's files in `RECORD`, one line per installed file (PEP 376), and
says nothing of a name stored twice: an audit of one copy says nothing
of what is installed.

Example: `spam/_spam.abi3.so` stored twice:

    spam-1.0-cp38-abi3-macosx_11_0_x86_64.whl: wheel tagged cp38-abi3-macosx_11_0_x86_64; target Python 3.8 (from the wheel tag)
      error: spam/_spam.abi3.so is stored 2 times in the wheel; installers differ in which copy they keep [duplicate-member]"#,
};

pub const UNKNOWN_TO_TABLE: Code = Code {
    name: "unknown-to-table",
    command: "audit",
    summary: "an extension imports a Python symbol the table does not know, for a newer target (a warning)",
    doc: r#"An extension whose target is newer than the Stable ABI the audit knows
(the built-in table knows CPython 3.15 as 3.15.2 shipped it; a
`--manifest` knows up to its newest `added` version) imports a `Py*` or
`_Py*` symbol the table does not list. Reported as a warning: the
target's Stable ABI may have added it, or it may be outside the Stable
ABI; the table cannot tell.

Why it matters: the audit cannot vouch for the symbol. Audit against the
newer release's `Misc/stable_abi.toml` with `--manifest` to get a verdict.

Example: a `cp316-abi3` wheel calling `PyFoo_New`, which 3.15 does not have:

    spam-1.0-cp316-abi3-macosx_11_0_x86_64.whl: wheel tagged cp316-abi3-macosx_11_0_x86_64; target Python 3.16 (from the wheel tag)
      note: target Python 3.16 is newer than the Stable ABI this table knows (3.15): symbols it does not list are warnings (unknown-to-table); pass --manifest with Python 3.16's Misc/stable_abi.toml for a verdict
      spam/_spam.abi3.so: judged as abi3; 1 Python symbol, ok
        warning: PyFoo_New is unknown to this table (3.15); pass --manifest with a newer Misc/stable_abi.toml [unknown-to-table]"#,
};

/// `SYMBOL is unknown to this table (3.N)` (a warning): the target is newer
/// than the table knows.
pub fn unknown_to_table(symbol: &str, knows: Option<Version>) -> Finding {
    let knows = knows.map_or_else(|| "-".to_string(), |v| v.to_string());
    Finding::error(
        UNKNOWN_TO_TABLE.name,
        symbol,
        format!(
            "{symbol} is unknown to this table ({knows}); pass --manifest with a newer \
             Misc/stable_abi.toml"
        ),
    )
    .as_warning()
}

/// `NAME is stored N times in the wheel` ([`DUPLICATE_MEMBER`]), a
/// finding about the wheel.
pub fn duplicate_member(name: &str, count: usize) -> Finding {
    Finding::error(
        DUPLICATE_MEMBER.name,
        name,
        format!(
            "{name} is stored {count} times in the wheel; installers differ in which copy \
             they keep"
        ),
    )
}

/// `SYMBOL is not in the Stable ABI`.
pub fn not_stable(symbol: &str) -> Finding {
    Finding::error(
        NOT_STABLE_ABI.name,
        symbol,
        format!("{symbol} is not in the Stable ABI"),
    )
}

/// `SYMBOL needs Python N (the target is T)`, noting the manifest entry
/// when the Stable ABI comes from a manifest file.
pub fn too_new(
    symbol: &str,
    needs: Version,
    target: Version,
    manifest_entry: Option<Location>,
) -> Finding {
    let finding = Finding::error(
        VERSION_MISMATCH.name,
        symbol,
        format!("{symbol} needs Python {needs} (the target is {target})"),
    )
    .versions(vec![needs]);
    match manifest_entry {
        Some(location) => finding.note(Some(location), format!("added in {needs}")),
        None => finding,
    }
}

/// `own-python-symbol` (a warning): the module exports `Py*` names of its
/// own ([`claims::OWN_PYTHON_SYMBOL`](crate::binary::claims::OWN_PYTHON_SYMBOL)).
pub fn own_python_symbols(extension: &str, own: &[String]) -> Finding {
    Finding::error(
        crate::binary::claims::OWN_PYTHON_SYMBOL.name,
        extension,
        format!(
            "exports Python-like symbols of its own ({}): they can clash with the interpreter's",
            own.join(", ")
        ),
    )
    .as_warning()
}

/// A problem with a claim ([`crate::binary::claims`]) as a finding about
/// `name` (the wheel or the extension).
pub fn claim(problem: crate::binary::claims::Problem, name: &str) -> Finding {
    let finding = Finding::error(problem.check, name, problem.message);
    match problem.abi {
        Some(abi) => finding.abi(abi),
        None => finding,
    }
}

/// `linked to LIBRARY, which only Python VERSION has`.
pub fn version_specific_link(library: &str, version: &str) -> Finding {
    Finding::error(
        VERSION_SPECIFIC_LIBPYTHON.name,
        library,
        format!("linked to {library}, which only Python {version} has"),
    )
}

/// In a universal (fat) Mach-O, notes on a finding about an imported
/// symbol which slices (`x86_64`, `arm64`) import it; any other finding,
/// or any other binary, is returned as it is.
pub fn in_slices(finding: Finding, binary: &Binary) -> Finding {
    if binary.slices.is_empty() || !binary.imports.contains(&finding.name) {
        return finding;
    }
    let slices: Vec<&str> = binary
        .slices
        .iter()
        .filter(|(_, slice)| slice.imports.contains(&finding.name))
        .map(|(arch, _)| arch.as_str())
        .collect();
    let noun = if slices.len() == 1 { "slice" } else { "slices" };
    let note = format!("in the {} {noun}", slices.join(", "));
    finding.note(None, note)
}
