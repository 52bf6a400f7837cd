//! The `unlisted` header check. What it finds, why it matters and an
//! example are in [`CODE`] (`stable-abi explain unlisted`).

use std::collections::{BTreeMap, HashSet};

use crate::checks::versions::describe;
use crate::checks::Context;
use crate::code::Code;
use crate::diagnostic::{Finding, Location};
use crate::manifest::{Kind, Selection};
use crate::version::Version;
use crate::view::View;

/// The check's code and documentation.
pub const CODE: Code = Code {
    name: "unlisted",
    command: "headers",
    summary: "a function or data is declared in the limited API but not in the manifest",
    doc: r#"A function or data is declared in the limited view but the
manifest does not list it in the Limited API.

Why it matters: whatever `Python.h` declares under `Py_LIMITED_API` is,
to an extension author, part of the Limited API. If the manifest does not
list it, nothing promises it stays exported: an extension that uses it
can break on the next release, and the generated files (the Windows
`python3.dll` exports, the docs) leave it out.

Example: a new `PyAPI_FUNC(int) PyFoo_Bar(void);` outside any
`#ifndef Py_LIMITED_API` block:

    Include/object.h:12:1: error: PyFoo_Bar is declared for Py_LIMITED_API 3.2–3.13 but is not in the manifest [unlisted]

Same rule as `Tools/build/stable_abi.py --unixy-check`, at every
version: a declared name is fine when the manifest lists it as a Limited
API function or data whose `ifdef` is defined here, or when it is an
underscore-prefixed Stable ABI symbol (some Limited API macros expand to
private symbols). One listed under a feature macro the platform does not
define (`HAVE_FORK` on Windows) but declared anyway is the `ifdef`
check's finding, not this one's (the drop-in's verdict, as
`stable_abi.py`'s, is `unlisted`)."#,
};

pub const NAME: &str = CODE.name;

/// The names a view may declare without a finding (hashed: every
/// declaration of every view is looked up).
type Allowed<'m> = HashSet<&'m str, foldhash::fast::RandomState>;

/// The names a view may declare without a finding.
fn allowed<'m>(context: &Context<'m>) -> Allowed<'m> {
    let kinds = [Kind::Function, Kind::Data];
    let mut allowed: Allowed<'m> = context
        .expected(&kinds)
        .into_iter()
        .map(|item| item.name.as_str())
        .collect();
    let private_symbols = context
        .manifest
        .select(Selection::of(&kinds).where_defined(&context.feature_macros))
        .into_iter()
        .filter(|item| item.name.starts_with('_'))
        .map(|item| item.name.as_str());
    allowed.extend(private_symbols);
    allowed
}

/// The functions and data the manifest lists under a feature macro not
/// defined here whose declaration the `ifdef` check judges (it toggles the
/// macro at the tree's version): declared anyway, they are that check's
/// finding (`PyOS_AfterFork`, `ifdef = 'HAVE_FORK'`, is declared outside
/// `#ifdef HAVE_FORK`, so Windows' view has it), not an unlisted name.
fn judged_by_ifdef<'m>(context: &Context<'m>) -> Vec<&'m str> {
    let current = context.current_version();
    context
        .manifest
        .items
        .iter()
        .filter(|item| {
            matches!(item.kind, Kind::Function | Kind::Data)
                && !item.abi_only
                && item.added.is_some_and(|added| added <= current)
                && item.ifdef.as_ref().is_some_and(|feature| {
                    !context.feature_macros.contains(feature)
                        && matches!(context.toggled.get(feature), Some(Ok(_)))
                })
        })
        .map(|item| item.name.as_str())
        .collect()
}

/// The declarations of `view` not in `allowed`, with where they are.
fn unlisted_in<'v>(
    view: &'v View,
    allowed: &'v Allowed<'_>,
) -> impl Iterator<Item = (&'v str, &'v Location)> + 'v {
    view.functions
        .iter()
        .chain(&view.data)
        .filter(move |(name, _)| !allowed.contains(&***name))
        .map(|(name, decl)| (&**name, &decl.location))
}

/// One finding for `name`, declared at `versions` (the first at `location`).
fn finding(context: &Context, name: &str, versions: Vec<Version>, location: Location) -> Finding {
    let why = match context.manifest.get(name) {
        None => "is not in the manifest".to_string(),
        Some(item) if item.abi_only => "is `abi_only` in the manifest".to_string(),
        Some(item) if !matches!(item.kind, Kind::Function | Kind::Data) => {
            format!("is a {} in the manifest, not a function or data", item.kind)
        }
        Some(item) => format!(
            "has `ifdef = '{}'` in the manifest, which is not defined here",
            item.ifdef.as_deref().unwrap_or_default()
        ),
    };
    let mut finding = Finding::error(
        NAME,
        name,
        format!(
            "{name} is declared for Py_LIMITED_API {} but {why}",
            describe(&versions)
        ),
    )
    .at(Some(location))
    .versions(versions);
    if let Some(item) = context.manifest.get(name) {
        finding = finding.note(Some(context.manifest.location(item)), "listed here");
    }
    finding
}

/// The findings of one view alone, at `version` (as `stable_abi.py
/// --unixy-check` looks at the tree's own version only): functions, then
/// data, each by name.
pub fn at_version(context: &Context, version: Version, view: &View) -> Vec<Finding> {
    let allowed = allowed(context);
    unlisted_in(view, &allowed)
        .map(|(name, location)| finding(context, name, vec![version], location.clone()))
        .collect()
}

pub fn check(context: &Context) -> Vec<Finding> {
    // Unlike the drop-in's verdict at one version ([`at_version`], which
    // keeps `stable_abi.py`'s), a name the `ifdef` check judges is its.
    let mut allowed = allowed(context);
    allowed.extend(judged_by_ifdef(context));
    let mut found: BTreeMap<&str, (Vec<Version>, &Location)> = BTreeMap::new();
    for (version, view) in &context.views {
        for (name, location) in unlisted_in(view, &allowed) {
            found
                .entry(name)
                .or_insert_with(|| (Vec::new(), location))
                .0
                .push(*version);
        }
    }
    found
        .into_iter()
        .map(|(name, (versions, location))| finding(context, name, versions, location.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixture::{context, manifest, summary, v, views, ViewBuilder};

    const MANIFEST: &str = "\
[function.PyListed]
    added = '3.2'
[function._Py_Dealloc]
    added = '3.2'
    abi_only = true
[function.PyEval_CallFunction]
    added = '3.2'
    abi_only = true
";

    #[test]
    fn reports_declarations_the_manifest_lacks() {
        let manifest = manifest(MANIFEST);
        let views = views(5, |version| {
            let mut view = ViewBuilder::new(version)
                .function("PyListed", "Include/a.h", 1)
                .function("_Py_Dealloc", "Include/object.h", 2);
            if version >= v(4) {
                view = view.function("PyNew_Thing", "Include/new.h", 7);
            }
            if version == v(2) {
                view = view.function("PyEval_CallFunction", "Include/ceval.h", 3);
            }
            view.build()
        });
        let context = context(&manifest, views);
        let findings = check(&context);
        assert_eq!(
            summary(&findings),
            ["PyEval_CallFunction 3.2", "PyNew_Thing 3.4-3.5"]
        );
        assert_eq!(
            findings[1].to_string(),
            "Include/new.h:7:1: error: PyNew_Thing is declared for Py_LIMITED_API 3.4–3.5 \
             but is not in the manifest [unlisted]"
        );
        assert!(findings[0].message.contains("`abi_only`"));
    }

    /// Windows' view of 3.13: `PyOS_AfterFork` (`ifdef = 'HAVE_FORK'`,
    /// which Windows does not define) declared outside `#ifdef HAVE_FORK`.
    /// The `ifdef` check, which toggles `HAVE_FORK`, reports it; this check
    /// does not, but the drop-in's verdict at one version does, as
    /// `stable_abi.py` would.
    #[test]
    fn a_name_the_ifdef_check_judges_is_left_to_it() {
        let manifest = manifest(
            "[feature_macro.HAVE_FORK]\n    doc = 'with fork()'\n\
             [function.PyOS_AfterFork]\n    added = '3.2'\n    ifdef = 'HAVE_FORK'\n",
        );
        let windows = |version| {
            ViewBuilder::new(version)
                .function("PyOS_AfterFork", "Include/intrcheck.h", 18)
                .build()
        };
        let mut context = context(&manifest, views(13, windows));
        assert!(!context.feature_macros.contains("HAVE_FORK"));
        assert_eq!(summary(&check(&context)), ["PyOS_AfterFork 3.2-3.13"]);
        // Once the `ifdef` check can toggle the macro, the name is its.
        let with_fork = ViewBuilder::new(v(13))
            .macro_("HAVE_FORK", "pyconfig.h", 1)
            .function("PyOS_AfterFork", "Include/intrcheck.h", 18)
            .build();
        context.toggled.insert("HAVE_FORK".into(), Ok(with_fork));
        assert!(check(&context).is_empty());
        let at = at_version(&context, v(13), &context.views.last().unwrap().1);
        assert_eq!(summary(&at), ["PyOS_AfterFork 3.13"]);
        assert!(crate::checks::ifdef::check(&context)
            .iter()
            .any(|finding| finding.name == "PyOS_AfterFork"));
    }
}
