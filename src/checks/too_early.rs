//! The `too-early` header check. What it finds, why it matters and an
//! example are in [`CODE`] (`stable-abi explain too-early`).

use crate::checks::versions::{describe, describe_values};
use crate::checks::{declared, Context};
use crate::code::Code;
use crate::diagnostic::Finding;
use crate::manifest::Kind;

/// The check's code and documentation.
pub const CODE: Code = Code {
    name: "too-early",
    command: "headers",
    summary: "a function or data is declared at a version before its `added`",
    doc: r#"A function or data is declared at a `Py_LIMITED_API`
version before the one the manifest says it was added in.

Why it matters: an extension built with `Py_LIMITED_API=3.N` is promised
to load on every Python from 3.N on. If the headers let it call a function
added later, it compiles and links fine, then fails to import on the older
Pythons it claims to support (undefined symbol).

Example: `PyEval_GetFrameBuiltins` (added in 3.13) is declared in
`Include/ceval.h` with no version guard:

    Include/ceval.h:25:24: error: PyEval_GetFrameBuiltins is declared for Py_LIMITED_API 3.2–3.12 but was added in 3.13 [too-early]
        Misc/stable_abi.toml:2517:1: note: added in 3.13 according to the manifest

A version is every value of its range (`0x03NN0000…0x03NNFFFF`): a
declaration visible for any of them is a finding at that version, and
the message names the values when they are not the whole range.

A same-named macro defined at that version shadows the declaration (code
using the name gets the macro, not the symbol), so it is not a finding."#,
};

pub const NAME: &str = CODE.name;

pub fn check(context: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for item in context.expected(&[Kind::Function, Kind::Data]) {
        let Some(added) = item.added else { continue };
        let early = context.holds_for(
            |version| version < added,
            |view| {
                !view.macros.contains_key(item.name.as_str())
                    && declared(view, &item.name).is_some()
            },
        );
        let Some((_, view)) = early.first_view else {
            continue;
        };
        let first_location = declared(view, &item.name).cloned();
        findings.push(
            Finding::error(
                NAME,
                &item.name,
                format!(
                    "{} is declared for Py_LIMITED_API {} but was added in {added}{}",
                    item.name,
                    describe(&early.versions),
                    describe_values(&early.partial)
                ),
            )
            .at(first_location)
            .versions(early.versions)
            .note(
                Some(context.manifest.location(item)),
                format!("added in {added} according to the manifest"),
            ),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixture::{context, manifest, summary, v, views, ViewBuilder};

    const MANIFEST: &str = "\
[function.PyEval_GetFrameBuiltins]
    added = '3.13'
[data.PyExc_EncodingWarning]
    added = '3.10'
[function.PyShadowed]
    added = '3.9'
[function.PyGuarded]
    added = '3.5'
";

    #[test]
    fn reports_declarations_before_added_unless_shadowed() {
        let manifest = manifest(MANIFEST);
        let views = views(13, |version| {
            let mut view = ViewBuilder::new(version)
                .function("PyEval_GetFrameBuiltins", "Include/ceval.h", 26)
                .data("PyExc_EncodingWarning", "Include/pyerrors.h", 9)
                .function("PyShadowed", "Include/s.h", 1);
            if version < v(9) {
                view = view.macro_("PyShadowed", "Include/s.h", 2);
            }
            if version >= v(5) {
                view = view.function("PyGuarded", "Include/g.h", 4);
            }
            view.build()
        });
        let context = context(&manifest, views);
        let findings = check(&context);
        assert_eq!(
            summary(&findings),
            [
                "PyEval_GetFrameBuiltins 3.2-3.12",
                "PyExc_EncodingWarning 3.2-3.9"
            ]
        );
        assert_eq!(
            findings[0].to_string(),
            "Include/ceval.h:26:1: error: PyEval_GetFrameBuiltins is declared for \
             Py_LIMITED_API 3.2–3.12 but was added in 3.13 [too-early]\n    \
             Misc/stable_abi.toml:1:1: note: added in 3.13 according to the manifest"
        );
    }
}
