//! What a wheel or an extension claims (abi3, abi3t, or both) and the
//! rules each claim is judged by, besides the symbol table: the tag's
//! version, the file names the interpreter searches, the module's export
//! hook and the DLL a Windows extension links.
//!
//! Sources: PEP 803 (abi3t: from 3.15, `PyObject` opaque, the wheel tag
//! `abi3t` and the compressed set `abi3.abi3t`); CPython gh-146636
//! (GH-146637: free-threaded builds search `.abi3t.so` and no longer
//! `.abi3.so`); PEP 793 (`PyModExport_<name>`, the export hook abi3t
//! modules need, since `PyModuleDef` is opaque there); PEP 425 (a
//! compressed tag set `a.b` is every combination).

use serde::Serialize;

use crate::abi::Abi;
use crate::binary::names::version_specific_libpython;
use crate::binary::symbols::Binary;
use crate::binary::wheel::WheelTag;
use crate::code::Code;
use crate::version::Version;

pub const TAG_MISMATCH: Code = Code {
    name: "tag-mismatch",
    command: "audit",
    summary: "a wheel's file name and its WHEEL file give different tags",
    doc: r#"The tags of a wheel's file name and of its `WHEEL` metadata file
differ.

Why it matters: installers go by the file name, other tools by either;
a wheel that says two things is installed where it may not load.

Example:

    error: the file name says cp38-abi3-linux_x86_64 but the WHEEL file says cp311-abi3-linux_x86_64 [tag-mismatch]"#,
};

pub const ABI3T_TOO_EARLY: Code = Code {
    name: "abi3t-too-early",
    command: "audit",
    summary: "a wheel claims abi3t for a Python before 3.15",
    doc: r#"A wheel's tag claims the free-threaded Stable ABI (abi3t) for a
Python older than 3.15, where abi3t begins (PEP 803).

Why it matters: no such interpreter has abi3t; the tag promises what no
Python can keep.

Example:

    error: abi3t is claimed for Python 3.13, but abi3t begins with 3.15 (PEP 803) [abi3t-too-early]"#,
};

pub const WRONG_FILE_NAME: Code = Code {
    name: "wrong-file-name",
    command: "audit",
    summary: "an extension's file name is not one interpreters of its ABI import",
    doc: r#"An extension claiming abi3 or abi3t has a file name the interpreters of
that ABI do not search: `NAME.abi3.so` for abi3, `NAME.abi3t.so` for abi3t
(free-threaded builds never load `.abi3.so`), `NAME.pyd` on Windows.

Why it matters: `import NAME` does not find the file, so the module is
missing although it is installed.

Example: an abi3t wheel shipping `spam.abi3.so`:

    error: abi3t: abi3t interpreters do not import this file name: name it `NAME.abi3t.so` (or `NAME.pyd`); free-threaded builds never load `.abi3.so` [wrong-file-name]"#,
};

pub const ABI3T_NEEDS_MODEXPORT: Code = Code {
    name: "abi3t-needs-modexport",
    command: "audit",
    summary: "an abi3t extension exports no PyModExport_<name> hook",
    doc: r#"An extension claiming abi3t exports no `PyModExport_<name>` hook.

Why it matters: under abi3t `PyModuleDef` is opaque, so the classic
`PyInit_<name>` returning a `PyModuleDef` cannot be written; the module
must be exported with `PyModExport_` (PEP 793, PEP 803), or it cannot be
imported.

Example:

    error: abi3t: exports no `PyModExport_<name>` hook: abi3t modules cannot use `PyInit_` with a `PyModuleDef`, which is opaque there (PEP 793, PEP 803) [abi3t-needs-modexport]"#,
};

pub const WRONG_PYTHON_DLL: Code = Code {
    name: "wrong-python-dll",
    command: "audit",
    summary: "a Windows extension links the other Stable ABI's python3 DLL",
    doc: r#"A Windows extension links a version-free Python DLL that is not its
ABI's: abi3 extensions link `python3.dll`, abi3t extensions
`python3t.dll`.

Why it matters: the other DLL exports the other ABI; the extension fails
to load or calls functions with the wrong layout assumptions.

Example:

    error: abi3t: links python3.dll: a abi3t extension links python3t.dll [wrong-python-dll]"#,
};

pub const OWN_PYTHON_SYMBOL: Code = Code {
    name: "own-python-symbol",
    command: "audit",
    summary: "an extension exports Py* names of its own (a warning)",
    doc: r#"An extension module defines and exports `Py*` / `_Py*` names of its
own, other than its export hooks (`PyInit_`, `PyModExport_`). Reported as
a warning: it does not fail the audit.

Why it matters: such names can clash with the interpreter's own symbols,
today or in a later release, and the dynamic linker picks one of them.

Example:

    warning: exports Python-like symbols of its own (PyMy_Helper): they can clash with the interpreter's [own-python-symbol]"#,
};

/// One problem with a claim, with a stable check name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub check: &'static str,
    /// The ABI the problem is about, when it is about one.
    pub abi: Option<Abi>,
    pub message: String,
}

impl Problem {
    fn new(check: &'static str, abi: Option<Abi>, message: String) -> Problem {
        Problem {
            check,
            abi,
            message,
        }
    }
}

/// The Stable ABIs a tag claims, each once, in the order abi3, abi3t: the
/// compressed set `abi3.abi3t` is two claims, judged on their own.
pub fn claimed_abis(tag: &WheelTag) -> Vec<Abi> {
    Abi::ALL
        .into_iter()
        .filter(|abi| tag.abi.iter().any(|t| t == abi.as_str()))
        .collect()
}

/// `tag-mismatch`: the file name and the `WHEEL` file disagree (installers
/// go by the name, tools by either). `abi3t-too-early`: abi3t claimed for
/// a Python before 3.15, which has no abi3t.
pub fn tag_problems(
    from_name: Option<&WheelTag>,
    from_metadata: Option<&WheelTag>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let (Some(name), Some(metadata)) = (from_name, from_metadata) {
        let expand = |tag: &WheelTag| {
            let mut all: Vec<String> = tag
                .python
                .iter()
                .flat_map(|p| {
                    tag.abi.iter().flat_map(move |a| {
                        tag.platform.iter().map(move |pl| format!("{p}-{a}-{pl}"))
                    })
                })
                .collect();
            all.sort();
            all
        };
        if expand(name) != expand(metadata) {
            problems.push(Problem::new(
                TAG_MISMATCH.name,
                None,
                format!("the file name says {name} but the WHEEL file says {metadata}"),
            ));
        }
    }
    if let Some(tag) = from_name.or(from_metadata) {
        let oldest = tag.minimum_python();
        if claimed_abis(tag).contains(&Abi::Abi3t) {
            if let Some(oldest) = oldest.filter(|v| *v < Abi::Abi3t.first_version()) {
                problems.push(Problem::new(
                    ABI3T_TOO_EARLY.name,
                    Some(Abi::Abi3t),
                    format!(
                        "abi3t is claimed for Python {oldest}, but abi3t begins with {} (PEP 803)",
                        Abi::Abi3t.first_version()
                    ),
                ));
            }
        }
    }
    problems
}

/// The module's own export hooks, which the interpreter looks up by name:
/// `PyInit_<name>` (PEP 489) and `PyModExport_<name>` (PEP 793). They are
/// never imports or exports to judge against the Stable ABI.
pub fn is_export_hook(symbol: &str) -> bool {
    ["PyInit_", "PyModExport_"].iter().any(|prefix| {
        symbol
            .strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty())
    })
}

/// The ABI an extension's file name is for, outside a wheel: `.abi3t.so`
/// (or `.abi3t-<triple>.so`) is abi3t; anything else is judged as abi3.
pub fn abis_of_file_name(name: &str) -> Vec<Abi> {
    if file_name_abi(name) == Some(Abi::Abi3t) {
        vec![Abi::Abi3t]
    } else {
        vec![Abi::Abi3]
    }
}

/// `abi3` / `abi3t` from a `.abi3[t][-<triple>].so` name, if it has one.
fn file_name_abi(name: &str) -> Option<Abi> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = base.strip_suffix(".so")?;
    let infix = stem.rsplit('.').next()?;
    let abi = infix.split('-').next()?;
    Abi::ALL.into_iter().find(|a| a.as_str() == abi)
}

/// Whether an interpreter of `abi`'s kind searches for this file name:
/// `.pyd` (Windows, both), a plain `NAME.so` (both), `.abi3t.so` /
/// `.abi3t-<triple>.so` (free-threaded only), `.abi3.so` (GIL only).
fn searched(name: &str, abi: Abi) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    if lower.ends_with(".pyd") {
        return true;
    }
    match file_name_abi(base) {
        Some(named) => named == abi,
        // `NAME.so`: both search it; `NAME.cpython-3N...so` is another
        // check's business (version-specific names).
        None => lower.ends_with(".so") && lower.matches('.').count() == 1,
    }
}

/// The problems of one extension for one claimed ABI (besides symbols).
pub fn extension_problems(name: &str, binary: &Binary, abi: Abi) -> Vec<Problem> {
    let mut problems = Vec::new();
    let lower = name.to_ascii_lowercase();
    // A name for one CPython version (`.cpython-311-...so`) is noted by the
    // audit itself.
    let versioned = crate::binary::names::version_specific_filename(name).is_some();
    if (lower.ends_with(".so") || lower.ends_with(".pyd")) && !versioned && !searched(name, abi) {
        let wanted = match abi {
            Abi::Abi3 => "`NAME.abi3.so` (or `NAME.pyd`)",
            Abi::Abi3t => {
                "`NAME.abi3t.so` (or `NAME.pyd`); free-threaded builds never load `.abi3.so`"
            }
        };
        problems.push(Problem::new(
            WRONG_FILE_NAME.name,
            Some(abi),
            format!("{abi} interpreters do not import this file name: name it {wanted}"),
        ));
    }
    if abi == Abi::Abi3t && !binary.exports.iter().any(|s| s.starts_with("PyModExport_")) {
        problems.push(Problem::new(
            ABI3T_NEEDS_MODEXPORT.name,
            Some(abi),
            "exports no `PyModExport_<name>` hook: abi3t modules cannot use `PyInit_` \
             with a `PyModuleDef`, which is opaque there (PEP 793, PEP 803)"
                .to_string(),
        ));
    }
    if binary.format.is_windows() {
        let wanted = match abi {
            Abi::Abi3 => "python3.dll",
            Abi::Abi3t => "python3t.dll",
        };
        for dll in &binary.needed {
            let lower = dll.to_ascii_lowercase();
            let is_python = lower.starts_with("python3") && lower.ends_with(".dll");
            // A versioned DLL (`python315.dll`) is `version-specific-libpython`.
            if !is_python || lower == wanted || version_specific_libpython(dll).is_some() {
                continue;
            }
            problems.push(Problem::new(
                WRONG_PYTHON_DLL.name,
                Some(abi),
                format!("links {dll}: a {abi} extension links {wanted}"),
            ));
        }
    }
    problems
}

/// `own-python-symbol` (a warning): the module defines and exports `Py*` /
/// `_Py*` names of its own, other than its hooks; they can clash with the
/// interpreter's.
pub fn own_python_exports(binary: &Binary) -> Vec<String> {
    binary
        .exports
        .iter()
        .filter(|s| crate::binary::classify::is_python_symbol(s) && !is_export_hook(s))
        .cloned()
        .collect()
}

/// The version an abi3t claim is audited at: its tag's, never before 3.15.
pub fn target_for(abi: Abi, target: Version) -> Version {
    target.max(abi.first_version())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_abi_sets_are_claims() {
        let tag = WheelTag::parse("cp315-abi3.abi3t-manylinux_2_28_x86_64").unwrap();
        assert_eq!(claimed_abis(&tag), [Abi::Abi3, Abi::Abi3t]);
        let tag = WheelTag::parse("cp315-abi3t-any").unwrap();
        assert_eq!(claimed_abis(&tag), [Abi::Abi3t]);
        let tag = WheelTag::parse("cp315-cp315t-any").unwrap();
        assert_eq!(claimed_abis(&tag), []);
    }

    #[test]
    fn tag_rules() {
        let early = WheelTag::parse("cp313-abi3t-any").unwrap();
        let problems = tag_problems(Some(&early), None);
        assert_eq!(problems[0].check, "abi3t-too-early");
        let name = WheelTag::parse("cp315-abi3.abi3t-any").unwrap();
        let same = WheelTag::parse("cp315-abi3t.abi3-any").unwrap();
        assert_eq!(tag_problems(Some(&name), Some(&same)), []);
        let other = WheelTag::parse("cp315-abi3-any").unwrap();
        assert_eq!(
            tag_problems(Some(&name), Some(&other))[0].check,
            "tag-mismatch"
        );
    }

    #[test]
    fn file_names_per_abi() {
        for (name, abi3, abi3t) in [
            ("pkg/_spam.abi3.so", true, false),
            ("pkg/_spam.abi3t.so", false, true),
            ("pkg/_spam.abi3t-x86_64-linux-gnu.so", false, true),
            ("pkg/_spam.pyd", true, true),
            ("pkg/_spam.so", true, true),
        ] {
            assert_eq!(searched(name, Abi::Abi3), abi3, "{name}");
            assert_eq!(searched(name, Abi::Abi3t), abi3t, "{name}");
        }
        assert_eq!(abis_of_file_name("x.abi3t.so"), [Abi::Abi3t]);
        assert_eq!(abis_of_file_name("x.abi3.so"), [Abi::Abi3]);
    }

    #[test]
    fn hooks() {
        assert!(is_export_hook("PyInit__spam"));
        assert!(is_export_hook("PyModExport_spam"));
        assert!(!is_export_hook("PyInit_"));
        assert!(!is_export_hook("PyModule_Create2"));
    }
}
