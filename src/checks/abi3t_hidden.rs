//! The `abi3t-hidden` header check. What it finds, why it matters and an
//! example are in [`CODE`] (`stable-abi explain abi3t-hidden`).

use std::collections::{BTreeMap, BTreeSet};

use crate::abi::Abi;
use crate::checks::versions::describe;
use crate::checks::Context;
use crate::code::Code;
use crate::diagnostic::{Finding, Location};
use crate::version::Version;
use crate::view::View;

/// The check's code and documentation.
pub const CODE: Code = Code {
    name: "abi3t-hidden",
    command: "headers",
    summary: "an abi3t macro needs a struct abi3t hides (member access, complete type)",
    doc: r#"A macro of the free-threaded Stable ABI (abi3t, PEP 803)
that only works with a struct abi3t hides.

What abi3t hides is derived, per version, by comparing the two views of
the same headers: a struct (or typedef of one) that is complete in the
abi3 view and incomplete or absent in the abi3t view is hidden (in 3.15:
`PyObject`, `PyVarObject`, `PyModuleDef`, `PyModuleDef_Base`); its
members' names, except those some struct abi3t keeps complete also has,
are hidden members; a macro that abi3 defines and abi3t does not
(`PyObject_HEAD`, `PyModuleDef_HEAD_INIT`, …) is a hidden macro. A
macro abi3t still defines is a finding when its replacement

- reaches into a hidden struct: `->ob_type`, `.ob_refcnt`;
- needs the hidden type complete: `sizeof(PyObject)`,
  `offsetof(PyObject, ob_type)`, `(PyObject){...}` — the type's name
  not followed by `*`;
- uses a hidden macro.

Why it matters: such a macro compiles in the header but fails (or, with
casts, reads the wrong layout) in every extension that uses it under
`Py_TARGET_ABI3T`; abi3t's promise is that the layout of these structs
is unknown to extensions.

Example, had `Include/object.h` left `Py_REFCNT` visible to abi3t:

    Include/object.h:90:9: error: Py_REFCNT reaches into PyObject (->ob_refcnt), which abi3t hides, for abi3t (Py_TARGET_ABI3T) 3.15 [abi3t-hidden]

Limits: declarations are not read for their types, so a function taking
or returning a hidden struct by value, or a struct with a hidden struct
as a member by value, is not found here (the 3.15 headers have none)."#,
};

pub const NAME: &str = CODE.name;

/// What abi3t hides at one version, derived from the two views.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Hidden {
    /// Hidden struct and typedef names.
    pub types: BTreeSet<String>,
    /// Member name → the hidden struct it belongs to.
    pub members: BTreeMap<String, String>,
    /// Macros abi3 defines and abi3t does not.
    pub macros: BTreeSet<String>,
}

impl Hidden {
    /// Compares the abi3 and abi3t views of one version.
    pub fn derive(abi3: &View, abi3t: &View) -> Hidden {
        let mut hidden = Hidden::default();
        let complete_in_abi3t = |name: &str| {
            abi3t
                .structs
                .get(name)
                .is_some_and(|def| def.members.is_some())
        };
        for (name, def) in &abi3.structs {
            if def.members.is_some() && !complete_in_abi3t(name) {
                hidden.types.insert(name.to_string());
            }
        }
        let kept_members: BTreeSet<&String> = abi3t
            .structs
            .values()
            .filter_map(|def| def.members.as_ref())
            .flatten()
            .collect();
        for name in &hidden.types {
            for member in abi3.structs[name.as_str()].members.iter().flatten() {
                if !kept_members.contains(member) {
                    hidden
                        .members
                        .entry(member.clone())
                        .or_insert_with(|| name.clone());
                }
            }
        }
        hidden.macros = abi3
            .macros
            .keys()
            .filter(|name| !abi3t.macros.contains_key(*name))
            .map(|name| name.to_string())
            .collect();
        hidden
    }

    /// Why a macro with this replacement needs what abi3t hides, if it does.
    pub fn needed_by(&self, body: &[String]) -> Option<String> {
        for (i, token) in body.iter().enumerate() {
            let next = body.get(i + 1).map(String::as_str);
            if matches!(token.as_str(), "->" | ".") {
                if let Some(owner) = next.and_then(|m| self.members.get(m)) {
                    return Some(format!(
                        "reaches into {owner} ({token}{}), which abi3t hides",
                        next.unwrap_or_default()
                    ));
                }
            }
            if self.types.contains(token) {
                let after = body[i + 1..]
                    .iter()
                    .find(|t| !matches!(t.as_str(), "const" | "volatile"));
                if after.map(String::as_str) != Some("*") {
                    return Some(format!(
                        "uses {token} as a complete type, which abi3t hides"
                    ));
                }
            }
            if self.macros.contains(token) {
                return Some(format!("uses {token}, which abi3t does not define"));
            }
        }
        None
    }
}

pub fn check(context: &Context) -> Vec<Finding> {
    // Per macro: each distinct reason, the versions, and where.
    let mut found: BTreeMap<&str, (String, Vec<Version>, Location)> = BTreeMap::new();
    for (version, abi3t) in context.views_of(Abi::Abi3t) {
        let Some((_, abi3)) = context.views.iter().find(|(v, _)| v == version) else {
            continue;
        };
        let hidden = Hidden::derive(abi3, abi3t);
        for (name, body) in &abi3t.macro_bodies {
            let Some(reason) = hidden.needed_by(body) else {
                continue;
            };
            let Some(decl) = abi3t.macros.get(name.as_str()) else {
                continue;
            };
            found
                .entry(name)
                .or_insert_with(|| (reason, Vec::new(), decl.location.clone()))
                .1
                .push(*version);
        }
    }
    found
        .into_iter()
        .map(|(name, (reason, versions, location))| {
            Finding::error(
                NAME,
                name,
                format!(
                    "{name} {reason}, for abi3t (Py_TARGET_ABI3T) {}",
                    describe(&versions)
                ),
            )
            .at(Some(location))
            .versions(versions)
            .abi(Abi::Abi3t)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixture::{manifest, v, ViewBuilder};

    fn abi3() -> View {
        ViewBuilder::new(v(15))
            .struct_("PyObject", Some(&["ob_refcnt", "ob_type"]))
            .struct_("PyMethodDef", Some(&["ml_name", "ml_meth"]))
            .macro_("PyObject_HEAD", "Include/object.h", 1)
            .build()
    }

    fn abi3t(macros: &[(&str, &str)]) -> View {
        let mut builder = ViewBuilder::new(v(15))
            .struct_("PyObject", None)
            .struct_("PyMethodDef", Some(&["ml_name", "ml_meth"]));
        for (name, body) in macros {
            builder = builder.macro_body(name, body);
        }
        let mut view = builder.build();
        view.abi = Abi::Abi3t;
        view
    }

    #[test]
    fn derives_what_abi3t_hides() {
        let hidden = Hidden::derive(&abi3(), &abi3t(&[]));
        assert_eq!(hidden.types, BTreeSet::from(["PyObject".to_string()]));
        assert_eq!(hidden.members["ob_type"], "PyObject");
        assert!(!hidden.members.contains_key("ml_name"));
        assert_eq!(hidden.macros, BTreeSet::from(["PyObject_HEAD".to_string()]));
    }

    #[test]
    fn macros_that_need_hidden_structs_are_findings() {
        let manifest = manifest("");
        let abi3t = abi3t(&[
            ("Py_REFCNT", "( ( ob ) -> ob_refcnt )"),
            ("Py_SIZEOF_OBJECT", "sizeof ( PyObject )"),
            ("Py_HEAD_AGAIN", "PyObject_HEAD int x ;"),
            ("Py_CAST_OK", "( ( PyObject * ) ( op ) )"),
            ("Py_CONST_OK", "( ( const PyObject const * ) ( op ) )"),
            ("Py_METHOD_OK", "( ( m ) -> ml_name )"),
        ]);
        let mut context = Context::new(&manifest, vec![(v(15), abi3())]);
        context.abi3t_views = vec![(v(15), abi3t)];
        let findings = check(&context);
        let summary: Vec<(&str, &str)> = findings
            .iter()
            .map(|f| (f.name.as_str(), f.message.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "Py_HEAD_AGAIN",
                    "Py_HEAD_AGAIN uses PyObject_HEAD, which abi3t does not define, \
                     for abi3t (Py_TARGET_ABI3T) 3.15"
                ),
                (
                    "Py_REFCNT",
                    "Py_REFCNT reaches into PyObject (->ob_refcnt), which abi3t hides, \
                     for abi3t (Py_TARGET_ABI3T) 3.15"
                ),
                (
                    "Py_SIZEOF_OBJECT",
                    "Py_SIZEOF_OBJECT uses PyObject as a complete type, which abi3t hides, \
                     for abi3t (Py_TARGET_ABI3T) 3.15"
                ),
            ]
        );
        assert!(findings.iter().all(|f| f.abi == Some(Abi::Abi3t)));
    }
}
