//! The `struct` header check. What it finds, why it matters and an
//! example are in [`CODE`] (`stable-abi explain struct`).

use crate::abi::Abi;
use crate::checks::versions::describe;
use crate::checks::Context;
use crate::code::Code;
use crate::diagnostic::{Finding, Location};
use crate::manifest::{Item, Kind, StructAbiKind};
use crate::version::Version;
use crate::view::StructDef;

/// The check's code and documentation.
pub const CODE: Code = Code {
    name: "struct",
    command: "headers",
    summary:
        "a struct's definition does not match its `struct_abi_kind` and `members` (abi3 and abi3t)",
    doc: r#"A struct's definition in the limited view must match its
`struct_abi_kind`: an 'opaque' struct has no complete definition;
'full-abi' and 'members' structs have one, and every member a 'members'
struct lists exists, in the listed order. In the free-threaded Stable
ABI (abi3t, from 3.15) 'abi3t-opaque' and 'members' structs are opaque
and must have no complete definition; in abi3 'abi3t-opaque' is
'full-abi'.

Why it matters: the layout of a 'full-abi' struct, and the offsets of
the listed members of a 'members' struct, are frozen by the Stable ABI;
extensions compile them into their code. An 'opaque' struct that the
limited headers define completely invites extensions to depend on a
layout CPython is free to change; a listed member that is gone or moved
breaks extensions that were promised it.

Example: `PyThreadState` is 'opaque', so if the limited view defined it:

    Include/pystate.h:20:1: error: PyThreadState is 'opaque' in the manifest but is defined completely for Py_LIMITED_API 3.2–3.13 [struct]

A struct the view does not have at all is `missing`, not this check's
business."#,
};

pub const NAME: &str = CODE.name;

/// What is wrong with one struct at one version of `abi`, without the
/// version.
fn problem(abi: Abi, item: &Item, def: &StructDef) -> Option<String> {
    let declared = item.struct_abi_kind?;
    let kind = abi.struct_kind(declared);
    match (kind, &def.members) {
        (StructAbiKind::Opaque, Some(_)) if declared == StructAbiKind::Opaque => {
            Some("is 'opaque' in the manifest but is defined completely".into())
        }
        (StructAbiKind::Opaque, Some(_)) => Some(format!(
            "is '{}' in the manifest, so opaque in {abi}, but is defined completely",
            declared.as_str()
        )),
        (StructAbiKind::Opaque, None) => None,
        (_, None) => Some(format!(
            "is '{}' in the manifest but is not defined completely",
            declared.as_str()
        )),
        (_, Some(members)) => {
            let listed = item.members.as_deref().unwrap_or_default();
            let absent: Vec<&str> = listed
                .iter()
                .filter(|m| !members.contains(m))
                .map(String::as_str)
                .collect();
            if !absent.is_empty() {
                return Some(format!(
                    "has no member{} {} listed in the manifest",
                    if absent.len() == 1 { "" } else { "s" },
                    absent.join(", ")
                ));
            }
            let positions: Vec<usize> = listed
                .iter()
                .filter_map(|m| members.iter().position(|x| x == m))
                .collect();
            if positions.windows(2).any(|pair| pair[0] > pair[1]) {
                let actual: Vec<&str> = members
                    .iter()
                    .filter(|m| listed.contains(m))
                    .map(String::as_str)
                    .collect();
                return Some(format!(
                    "has its members in the order {}, not {} as the manifest lists them",
                    actual.join(", "),
                    listed.join(", ")
                ));
            }
            None
        }
    }
}

pub fn check(context: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for abi in Abi::ALL {
        for item in context.expected(&[Kind::Struct]) {
            findings.extend(check_item(context, abi, item));
        }
    }
    findings
}

/// Where the versions of `abi` are named in messages.
fn for_versions(abi: Abi, versions: &[Version]) -> String {
    match abi {
        Abi::Abi3 => format!("for Py_LIMITED_API {}", describe(versions)),
        Abi::Abi3t => format!("for abi3t (Py_TARGET_ABI3T) {}", describe(versions)),
    }
}

fn check_item(context: &Context, abi: Abi, item: &Item) -> Option<Finding> {
    let added = item.added?;
    // Each distinct problem, in the order of the first version it
    // shows at, with the versions it shows at and where.
    let mut problems: Vec<(String, Vec<Version>, Location)> = Vec::new();
    for (version, view) in context.views_of(abi) {
        if *version < added {
            continue;
        }
        let Some(def) = view.structs.get(item.name.as_str()) else {
            continue;
        };
        let Some(problem) = problem(abi, item, def) else {
            continue;
        };
        match problems.iter_mut().find(|(known, ..)| *known == problem) {
            Some((_, versions, _)) => versions.push(*version),
            None => problems.push((problem, vec![*version], def.location.clone())),
        }
    }
    let ((first, versions, location), others) = problems.split_first()?;
    let mut finding = Finding::error(
        NAME,
        &item.name,
        format!("{} {first} {}", item.name, for_versions(abi, versions)),
    )
    .at(Some(location.clone()))
    .abi(abi);
    let mut all_versions = versions.clone();
    for (other, versions, location) in others {
        finding = finding.note(
            Some(location.clone()),
            format!("it {other} {}", for_versions(abi, versions)),
        );
        all_versions.extend(versions);
    }
    all_versions.sort();
    Some(
        finding
            .versions(all_versions)
            .note(Some(context.manifest.location(item)), "listed here"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixture::{context, manifest, summary, v, views, ViewBuilder};

    const MANIFEST: &str = "\
[struct.PyThreadState]
    added = '3.2'
    struct_abi_kind = 'opaque'
[struct.PyObject]
    added = '3.2'
    struct_abi_kind = 'members'
    members = ['ob_refcnt', 'ob_type']
[struct.PyType_Spec]
    added = '3.2'
    struct_abi_kind = 'full-abi'
[struct.PyGood]
    added = '3.2'
    struct_abi_kind = 'members'
    members = ['a', 'c']
";

    #[test]
    fn definitions_must_match_the_abi_kind() {
        let manifest = manifest(MANIFEST);
        let views = views(4, |version| {
            let object: &[&str] = if version == v(4) {
                &["ob_type", "ob_refcnt"]
            } else {
                &["ob_refcnt"]
            };
            ViewBuilder::new(version)
                .struct_("PyThreadState", Some(&["interp"]))
                .struct_("PyObject", Some(object))
                .struct_("PyType_Spec", None)
                .struct_("PyGood", Some(&["a", "b", "c"]))
                .build()
        });
        let findings = check(&context(&manifest, views));
        assert_eq!(
            summary(&findings),
            [
                "PyObject 3.2-3.4",
                "PyThreadState 3.2-3.4",
                "PyType_Spec 3.2-3.4"
            ]
        );
        assert_eq!(
            findings[1].message,
            "PyThreadState is 'opaque' in the manifest but is defined completely for \
             Py_LIMITED_API 3.2–3.4"
        );
        assert_eq!(
            findings[0].message,
            "PyObject has no member ob_type listed in the manifest for Py_LIMITED_API 3.2–3.3"
        );
        assert_eq!(
            findings[0].notes[0].message,
            "it has its members in the order ob_type, ob_refcnt, not ob_refcnt, ob_type as the \
             manifest lists them for Py_LIMITED_API 3.4"
        );
        assert!(findings[2].message.contains("is not defined completely"));
    }

    #[test]
    fn abi3t_opaque_is_full_abi_in_abi3() {
        let manifest = manifest(
            "[struct.PyObject]\n    added = '3.2'\n    struct_abi_kind = 'abi3t-opaque'\n\
             [struct.PyModuleDef]\n    added = '3.2'\n    struct_abi_kind = 'abi3t-opaque'\n",
        );
        let views = views(2, |version| {
            ViewBuilder::new(version)
                .struct_("PyObject", Some(&["ob_refcnt", "ob_type"]))
                .struct_("PyModuleDef", None)
                .build()
        });
        let findings = check(&context(&manifest, views));
        assert_eq!(summary(&findings), ["PyModuleDef 3.2"]);
        assert!(findings[0]
            .message
            .contains("is 'abi3t-opaque' in the manifest but is not defined completely"));
    }

    #[test]
    fn abi3t_hides_abi3t_opaque_and_members_structs() {
        let manifest = manifest(
            "[struct.PyObject]\n    added = '3.2'\n    struct_abi_kind = 'members'\n\
             \x20   members = ['ob_refcnt', 'ob_type']\n\
             [struct.PyModuleDef]\n    added = '3.2'\n    struct_abi_kind = 'abi3t-opaque'\n\
             [struct.PyVarObject]\n    added = '3.2'\n    struct_abi_kind = 'members'\n\
             \x20   members = ['ob_base', 'ob_size']\n",
        );
        let abi3 = views(15, |version| {
            ViewBuilder::new(version)
                .struct_("PyObject", Some(&["ob_refcnt", "ob_type"]))
                .struct_("PyModuleDef", Some(&["m_base"]))
                .struct_("PyVarObject", Some(&["ob_base", "ob_size"]))
                .build()
        });
        let mut context = context(&manifest, abi3);
        // abi3t 3.15 and 3.16: PyObject hidden; PyVarObject (wrongly)
        // complete; PyModuleDef complete only at 3.16.
        context.abi3t_views = [15, 16]
            .map(|minor| {
                let module_def: Option<&[&str]> = (minor == 16).then_some(&["m_base"]);
                let view = ViewBuilder::new(v(minor))
                    .struct_("PyObject", None)
                    .struct_("PyModuleDef", module_def)
                    .struct_("PyVarObject", Some(&["ob_base", "ob_size"]))
                    .build();
                (v(minor), view)
            })
            .into();
        let findings = check(&context);
        assert_eq!(
            summary(&findings),
            ["PyModuleDef 3.16", "PyVarObject 3.15-3.16"]
        );
        assert!(findings.iter().all(|f| f.abi == Some(Abi::Abi3t)));
        assert_eq!(
            findings[1].message,
            "PyVarObject is 'members' in the manifest, so opaque in abi3t, but is defined \
             completely for abi3t (Py_TARGET_ABI3T) 3.15–3.16"
        );
    }
}
