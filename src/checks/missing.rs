//! The `missing` header check. What it finds, why it matters and an
//! example are in [`CODE`] (`stable-abi explain missing`).

use crate::checks::versions::{describe, describe_values};
use crate::checks::{seen, seen_verb, Context};
use crate::code::Code;
use crate::diagnostic::Finding;
use crate::manifest::Kind;

/// The check's code and documentation.
pub const CODE: Code = Code {
    name: "missing",
    command: "headers",
    summary: "an item is not declared/defined at a version at or after its `added`",
    doc: r#"An item is not declared (function, data) or not defined
(macro, const, typedef, struct) at a version at or after its `added`.

Why it matters: the manifest promises that an extension built with
`Py_LIMITED_API=3.N` can use every item added at or before 3.N. If the
headers hide it there, that promise is broken: code written against the
documentation does not compile, or silently falls back to something else.

Example: the manifest says `METH_METHOD` was added in 3.7, but the header
guards it with `Py_LIMITED_API+0 >= 0x03090000`:

    Misc/stable_abi.toml:2123:1: error: METH_METHOD was added in 3.7 but is not defined for Py_LIMITED_API 3.7–3.8 [missing]
        Include/methodobject.h:124:9: note: defined for Py_LIMITED_API 3.9 here

A version is every value of its range (`0x03NN0000…0x03NNFFFF`): an
item hidden for any of them is missing at that version, and the message
names the values when they are not the whole range.

Only the Limited API is expected (not `abi_only` items), and only items
whose `ifdef` feature macro is defined in this configuration."#,
};

pub const NAME: &str = CODE.name;

pub fn check(context: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for item in context.expected(&Kind::IN_HEADERS) {
        let Some(added) = item.added else { continue };
        // A static inline function the manifest lists as a macro (3.14+
        // manifests say so) is no macro to a preprocessor: not expected,
        // as in the verdicts of `stable_abi.py`.
        if item.is_static_inline_function {
            continue;
        }
        let absent = context.holds_for(
            |version| version >= added,
            |view| seen(view, item.kind, &item.name).is_none(),
        );
        if absent.versions.is_empty() {
            continue;
        }
        let present = context.holds_for(
            |version| version >= added,
            |view| seen(view, item.kind, &item.name).is_some(),
        );
        let verb = seen_verb(item.kind);
        let mut finding = Finding::error(
            NAME,
            &item.name,
            format!(
                "{} was added in {added} but is not {verb} for Py_LIMITED_API {}{}",
                item.name,
                describe(&absent.versions),
                describe_values(&absent.partial)
            ),
        )
        .at(Some(context.manifest.location(item)))
        .versions(absent.versions);
        if let Some((version, view)) = present.first_view {
            if let Some(location) =
                seen(view, item.kind, &item.name).and_then(|s| s.location().cloned())
            {
                finding = finding.note(
                    Some(location),
                    format!("{verb} for Py_LIMITED_API {version} here"),
                );
            }
        }
        findings.push(finding);
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixture::{context, manifest, summary, v, views, ViewBuilder};

    const MANIFEST: &str = "\
[function.PyOld]
    added = '3.2'
[data.PyOld_Type]
    added = '3.2'
[macro.METH_LATE]
    added = '3.7'
[const.Py_CONST]
    added = '3.5'
[typedef.Py_td]
    added = '3.2'
[struct.PyOpaque]
    added = '3.2'
    struct_abi_kind = 'opaque'
[macro.Py_INCREF]
    added = '3.2'
[function._Py_Private]
    added = '3.2'
    abi_only = true
[feature_macro.MS_WINDOWS]
    doc = 'on Windows'
    windows = true
[function.PyWin]
    added = '3.7'
    ifdef = 'MS_WINDOWS'
";

    #[test]
    fn reports_each_kind_at_the_versions_it_is_absent() {
        let manifest = manifest(MANIFEST);
        let views = views(10, |version| {
            let mut view = ViewBuilder::new(version)
                .data("PyOld_Type", "Include/object.h", 3)
                .typedef("Py_td", "Include/object.h", 4);
            if version >= v(9) {
                view = view.macro_("METH_LATE", "Include/methodobject.h", 98);
            }
            if version != v(4) {
                view = view.function("PyOld", "Include/old.h", 1);
            }
            if version >= v(6) {
                view = view.macro_("Py_CONST", "Include/c.h", 1);
            }
            view.build()
        });
        let context = context(&manifest, views);
        let findings = check(&context);
        assert_eq!(
            summary(&findings),
            [
                "METH_LATE 3.7-3.8",
                "PyOld 3.4",
                "PyOpaque 3.2-3.10",
                "Py_CONST 3.5"
            ]
        );
        let late = &findings[0];
        assert_eq!(
            late.message,
            "METH_LATE was added in 3.7 but is not defined for Py_LIMITED_API 3.7–3.8"
        );
        assert_eq!(late.location.as_ref().unwrap().line, 5);
        assert_eq!(
            late.notes[0].to_string(),
            "Include/methodobject.h:98:1: note: defined for Py_LIMITED_API 3.9 here"
        );
    }

    #[test]
    fn ignores_abi_only_static_inline_and_undefined_feature_macros() {
        let manifest = manifest(MANIFEST);
        let views = views(3, |version| {
            ViewBuilder::new(version)
                .function("PyOld", "a.h", 1)
                .data("PyOld_Type", "a.h", 2)
                .typedef("Py_td", "a.h", 3)
                .struct_("PyOpaque", None)
                .build()
        });
        // Neither _Py_Private (abi_only), Py_INCREF (static inline) nor
        // PyWin (MS_WINDOWS is undefined) is expected.
        assert!(check(&context(&manifest, views)).is_empty());
    }
}
