//! What a wheel or an extension claims (abi3, abi3t, or both) and the
//! rules each claim is judged by, besides the symbol table: the tag's
//! version, the file names the interpreters of the claim's range search,
//! how the module is defined and the DLL a Windows extension links.
//!
//! A claim covers a kind of interpreter from its target version on: abi3
//! the GIL-enabled builds, abi3t the free-threaded builds (and, by PEP 803,
//! the GIL-enabled ones of 3.15+). A file name or DLL must suit every
//! interpreter in that range. Sources, as CPython 3.15 shipped them:
//!
//! - PEP 803 as accepted (abi3t from 3.15; the wheel tag `abi3t` and the
//!   compressed set `abi3.abi3t`; `PyModuleDef` opaque under abi3t, so
//!   `PyModuleDef_Init`, `PyModule_Create2`, `PyModule_FromDefAndSpec2` are
//!   "practically unusable" there); PEP 425 (a compressed tag set `a.b` is
//!   every combination).
//! - File names: CPython gh-146636 (GH-146637: `.abi3t.so` added to
//!   `EXTENSION_SUFFIXES`, `.abi3.so` removed from free-threaded builds);
//!   gh-122931 (PR gh-152461: `.abi3-<multiarch>.so` and
//!   `.abi3t-<multiarch>.so`, new in 3.15); the abi3t migration howto
//!   (`Doc/howto/abi3t-migration.rst`: "both free-threaded and
//!   non-free-threaded builds will load `.abi3t.so` extensions"); and the
//!   released interpreters: a GIL-enabled 3.15.2 lists `.abi3-<multiarch>.so`,
//!   `.abi3.so`, `.abi3t-<multiarch>.so`, `.abi3t.so` and `.so`, a 3.11.2
//!   only `.abi3.so` and `.so` besides its own.
//! - Windows DLLs: gh-148690 (PR gh-149218: GIL-enabled 3.15+ installs ship
//!   `python3t.dll` and load extensions linked to it; free-threaded installs
//!   ship `python3t.dll` only).
//! - Module hooks: PEP 489 and PEP 793 (the import system looks up
//!   `PyModExport_<name>` first, then `PyInit_<name>`; `PyInitU_`/
//!   `PyModExportU_` for non-ASCII names); `PyInit_` remains supported in
//!   3.15 (PEP 793 soft-deprecates it), and a 3.15.2 imports cffi's abi3t
//!   modules, which export only `PyInit_` and use no `PyModuleDef` API.

use serde::Serialize;

use crate::abi::Abi;
use crate::binary::names::version_specific_libpython;
use crate::binary::symbols::Binary;
use crate::binary::wheel::WheelTag;
use crate::code::Code;
use crate::version::Version;

mod file_names;

pub use file_names::{abis_of_file_name, one_version_note, Place, WRONG_FILE_NAME};

pub const TAG_MISMATCH: Code = Code {
    name: "tag-mismatch",
    command: "audit",
    summary: "a wheel's file name and its WHEEL file give different tags",
    doc: r#"The tags of a wheel's file name and of its `WHEEL` metadata file
differ.

Why it matters: installers go by the file name, other tools by either;
a wheel that says two things is installed where it may not load.

Example: `spam-1.0-cp38-abi3-macosx_11_0_x86_64.whl` whose `WHEEL` file says
`Tag: cp311-abi3-macosx_11_0_x86_64`:

    spam-1.0-cp38-abi3-macosx_11_0_x86_64.whl: wheel tagged cp38-abi3-macosx_11_0_x86_64; target Python 3.8 (from the wheel tag)
      error: the file name says cp38-abi3-macosx_11_0_x86_64 but the WHEEL file says cp311-abi3-macosx_11_0_x86_64 [tag-mismatch]"#,
};

pub const ABI3T_TOO_EARLY: Code = Code {
    name: "abi3t-too-early",
    command: "audit",
    summary: "a wheel claims abi3t for a Python before 3.15",
    doc: r#"A wheel's tag claims the free-threaded Stable ABI (abi3t) for a
Python older than 3.15, where abi3t begins (PEP 803).

Why it matters: no such interpreter has abi3t; the tag promises what no
Python can keep.

Example: a `cp313-abi3t` wheel:

    spam-1.0-cp313-abi3t-macosx_11_0_x86_64.whl: wheel tagged cp313-abi3t-macosx_11_0_x86_64; target Python 3.13 (from the wheel tag)
      error: abi3t is claimed for Python 3.13, but abi3t begins with 3.15 (PEP 803) [abi3t-too-early]"#,
};

pub const ABI3T_NEEDS_MODEXPORT: Code = Code {
    name: "abi3t-needs-modexport",
    command: "audit",
    summary: "an abi3t extension defines its module with a PyModuleDef behind PyInit_",
    doc: r#"An extension claiming abi3t exports only the `PyInit_<name>` hook and
defines its module with a `PyModuleDef`: it imports `PyModuleDef_Init`,
`PyModule_Create2` or `PyModule_FromDefAndSpec2`, the functions PEP 803
calls "practically unusable" under abi3t, since `PyModuleDef` is opaque
there and an extension cannot define one. Such a module was compiled
against abi3's layout.

A `PyInit_` hook alone is fine: CPython 3.15 still imports it (PEP 793
only soft-deprecates it), and cffi's abi3t modules, which export only
`PyInit_` and create their module without a `PyModuleDef`, import on
3.15.2.

Why it matters: the module definition is not abi3t's; export
`PyModExport_<name>` (PEP 793) with the module's slots instead, as the
abi3t migration howto shows.

Example: a `cp315-abi3t` wheel whose `spam.abi3t.so` exports `PyInit_spam`
and imports `PyModuleDef_Init`:

    spam-1.0-cp315-abi3t-macosx_11_0_x86_64.whl: wheel tagged cp315-abi3t-macosx_11_0_x86_64; target Python 3.15 (from the wheel tag)
      spam.abi3t.so: judged as abi3t; 1 Python symbol, 1 problem
        error: abi3t: PyInit_spam defines its module with a PyModuleDef (imports PyModuleDef_Init), which abi3t makes opaque: export PyModExport_spam (PEP 793) [abi3t-needs-modexport]"#,
};

pub const WRONG_PYTHON_DLL: Code = Code {
    name: "wrong-python-dll",
    command: "audit",
    summary: "a Windows extension links a python3 DLL some interpreter of its claim lacks",
    doc: r#"A Windows extension links a version-free Python DLL that some
interpreter of its claim's range does not ship: free-threaded installs
ship `python3t.dll` only, so abi3t extensions link `python3t.dll`;
GIL-enabled installs ship `python3.dll`, and from 3.15 also
`python3t.dll` (CPython gh-148690, PR gh-149218), so an abi3 claim from
3.15 may link either, one reaching below 3.15 needs `python3.dll`.
`python3_d.dll` (a debug build's) suits neither.

Why it matters: where the DLL is missing, the extension fails to load
("DLL load failed").

Example: a `cp39-abi3` wheel linking python3t.dll:

    spam-1.0-cp39-abi3-win_amd64.whl: wheel tagged cp39-abi3-win_amd64; target Python 3.9 (from the wheel tag)
      spam/_spam.pyd: judged as abi3; 1 Python symbol, 1 problem
        error: abi3: links python3t.dll, which Python 3.9 to 3.14 do not ship: link python3.dll [wrong-python-dll]"#,
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

Example: an extension that exports `PyMy_Helper`:

    spam-1.0-cp38-abi3-macosx_11_0_x86_64.whl: wheel tagged cp38-abi3-macosx_11_0_x86_64; target Python 3.8 (from the wheel tag)
      spam/_spam.abi3.so: judged as abi3; 1 Python symbol, ok
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

/// The hook prefixes the import system looks up, in its order: PEP 793's
/// `PyModExport_` first, then PEP 489's `PyInit_`; the `U` forms are for
/// non-ASCII module names (punycode, PEP 489).
const HOOK_PREFIXES: [&str; 4] = ["PyModExport_", "PyModExportU_", "PyInit_", "PyInitU_"];

/// The module's own export hooks, which the interpreter looks up by name:
/// `PyModExport_<name>` (PEP 793) and `PyInit_<name>` (PEP 489), with their
/// `U` forms. They are never imports or exports to judge against the
/// Stable ABI, and a file exporting one is an extension module.
pub fn is_export_hook(symbol: &str) -> bool {
    HOOK_PREFIXES.iter().any(|prefix| {
        symbol
            .strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty())
    })
}

/// The module-definition functions of PEP 803's "practically unusable in
/// abi3t" list: a `PyInit_` hook that imports one defines its module with
/// a static `PyModuleDef`.
pub const MODULE_DEFINITION: [&str; 3] = [
    "PyModuleDef_Init",
    "PyModule_Create2",
    "PyModule_FromDefAndSpec2",
];

/// The module-definition functions an abi3t claim's module imports behind
/// a `PyInit_` hook with no `PyModExport_` hook ([`ABI3T_NEEDS_MODEXPORT`]);
/// empty when it is not defined that way.
pub fn module_def_behind_pyinit(binary: &Binary) -> Vec<&'static str> {
    let has = |prefix: &str| binary.exports.iter().any(|s| s.starts_with(prefix));
    if has("PyModExport") || !has("PyInit") {
        return Vec::new();
    }
    MODULE_DEFINITION
        .into_iter()
        .filter(|name| binary.imports.iter().any(|s| s == name))
        .collect()
}

/// The problems of one extension for one claimed ABI from `target` on
/// (besides symbols): its file name, its module definition, its DLL.
pub fn extension_problems(
    name: &str,
    binary: &Binary,
    abi: Abi,
    target: Version,
    place: &Place,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let target = target_for(abi, target);
    if let Some(why) = file_names::problem(name, abi, target, place) {
        problems.push(Problem::new(WRONG_FILE_NAME.name, Some(abi), why));
    }
    if abi == Abi::Abi3t {
        let defined_by = module_def_behind_pyinit(binary);
        if !defined_by.is_empty() {
            let hook = binary
                .exports
                .iter()
                .find(|s| s.starts_with("PyInit"))
                .map_or("PyInit_", String::as_str);
            let module = hook.split_once('_').map_or("NAME", |(_, module)| module);
            problems.push(Problem::new(
                ABI3T_NEEDS_MODEXPORT.name,
                Some(abi),
                format!(
                    "{hook} defines its module with a PyModuleDef (imports {}), which abi3t \
                     makes opaque: export PyModExport_{module} (PEP 793)",
                    defined_by.join(", ")
                ),
            ));
        }
    }
    if binary.format.is_windows() {
        for dll in &binary.needed {
            if let Some(why) = wrong_dll(dll, abi, target) {
                problems.push(Problem::new(WRONG_PYTHON_DLL.name, Some(abi), why));
            }
        }
    }
    problems
}

/// Why `dll`, a linked library, is missing from some interpreter of `abi`'s
/// range from `target` on; `None` when it is not a version-free Python DLL
/// (a versioned one, `python315.dll`, is `version-specific-libpython`) or
/// when every one ships it.
fn wrong_dll(dll: &str, abi: Abi, target: Version) -> Option<String> {
    let lower = dll.to_ascii_lowercase();
    if !(lower.starts_with("python3") && lower.ends_with(".dll"))
        || version_specific_libpython(dll).is_some()
    {
        return None;
    }
    let first_both = Abi::Abi3t.first_version();
    let last_before = Version::new(3, first_both.minor - 1);
    match (lower.as_str(), abi) {
        ("python3t.dll", Abi::Abi3t) | ("python3.dll", Abi::Abi3) => None,
        ("python3t.dll", Abi::Abi3) if target >= first_both => None,
        ("python3t.dll", Abi::Abi3) => Some(format!(
            "links {dll}, which Python {target} to {last_before} do not ship: link python3.dll"
        )),
        ("python3.dll", Abi::Abi3t) => Some(format!(
            "links {dll}, which free-threaded installs do not ship (gh-148690): link python3t.dll"
        )),
        _ => Some(format!(
            "links {dll}, which no release install ships for {abi}: link {}",
            match abi {
                Abi::Abi3 => "python3.dll",
                Abi::Abi3t => "python3t.dll",
            }
        )),
    }
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
    fn python_dlls_per_claim_and_range() {
        let v39 = Version::new(3, 9);
        let v315 = Version::new(3, 15);
        for (dll, abi3_39, abi3_315, abi3t) in [
            ("python3.dll", true, true, false),
            ("PYTHON3T.DLL", false, true, true),
            ("python3_d.dll", false, false, false),
            ("python315.dll", true, true, true),
            ("kernel32.dll", true, true, true),
        ] {
            assert_eq!(wrong_dll(dll, Abi::Abi3, v39).is_none(), abi3_39, "{dll}");
            assert_eq!(wrong_dll(dll, Abi::Abi3, v315).is_none(), abi3_315, "{dll}");
            assert_eq!(wrong_dll(dll, Abi::Abi3t, v315).is_none(), abi3t, "{dll}");
        }
    }

    #[test]
    fn hooks() {
        assert!(is_export_hook("PyInit__spam"));
        assert!(is_export_hook("PyModExport_spam"));
        assert!(is_export_hook("PyInitU_spam_ytb"));
        assert!(is_export_hook("PyModExportU_spam_ytb"));
        assert!(!is_export_hook("PyInit_"));
        assert!(!is_export_hook("PyModule_Create2"));
    }
}
