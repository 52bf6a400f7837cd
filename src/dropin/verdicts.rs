//! The verdicts of `Tools/build/stable_abi.py --unixy-check` on the
//! headers, reached the same way: at the tree's own version only,
//!
//! - every manifest macro (static inline functions documented as macros
//!   count) must be defined — else `missing`;
//! - every Limited API function and data whose `ifdef` is defined must be
//!   declared — else `missing`;
//! - every declared function and data must be one of those, or an
//!   underscore-prefixed Stable ABI symbol — else `unlisted`.
//!
//! These decide the exit status of `--unixy-check` / `--all`, so the drop-in
//! passes and fails exactly where the reference tool does.

use crate::checks::{self, declared, seen, Context};
use crate::diagnostic::Finding;
use crate::manifest::{Item, Kind, Selection};
use crate::version::Version;

/// The verdicts at the current version: `missing` findings by name, then
/// `unlisted` ones (see the module's documentation).
pub fn verdicts(context: &Context) -> Vec<Finding> {
    let Some(view) = context.current_view() else {
        return Vec::new();
    };
    let current = context.current_version();
    // All macros, even `abi_only` or `ifdef` ones, as the reference does.
    // Not those implemented as static inline functions (3.14+ manifests
    // say so; the reference then leaves them out).
    let macros = context.manifest.select(Selection::of(&[Kind::Macro]));
    let absent_macros = macros
        .into_iter()
        .filter(|item| !item.is_static_inline_function)
        .filter(|item| seen(view, Kind::Macro, &item.name).is_none())
        .map(|item| missing(context, item, current, "defined from"));
    let symbols = context.expected(&Kind::SYMBOLS);
    let absent_symbols = symbols
        .into_iter()
        .filter(|item| declared(view, &item.name).is_none())
        .map(|item| missing(context, item, current, "declared in"));
    let mut findings: Vec<Finding> = absent_macros.chain(absent_symbols).collect();
    findings.sort_by(|a, b| a.name.cmp(&b.name));
    findings.extend(checks::unlisted_at(context, current, view));
    findings
}

/// `NAME is not <how> "Include/Python.h" with Py_LIMITED_API 3.N`, at the
/// manifest entry.
fn missing(context: &Context, item: &Item, current: Version, how: &str) -> Finding {
    Finding::error(
        checks::MISSING,
        &item.name,
        format!(
            "{} is not {how} \"Include/Python.h\" with Py_LIMITED_API {current}",
            item.name
        ),
    )
    .at(Some(context.manifest.location(item)))
    .versions(vec![current])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixture::{context, manifest, v, views, ViewBuilder};

    const MANIFEST: &str = "\
[feature_macro.HAVE_FORK]
    doc = 'on platforms with fork()'
[macro.Py_BEGIN_ALLOW_THREADS]
    added = '3.2'
[macro.Py_INCREF]
    added = '3.2'
[macro.Py_ABI_MACRO]
    added = '3.2'
    abi_only = true
[function.PyOS_AfterFork]
    added = '3.2'
    ifdef = 'HAVE_FORK'
[function.PyNew]
    added = '3.13'
[function._Py_Dealloc]
    added = '3.2'
    abi_only = true
[data.PyOld_Type]
    added = '3.2'
";

    #[test]
    fn same_verdicts_as_the_reference_at_the_current_version() {
        let manifest = manifest(MANIFEST);
        // At 3.12 everything is in order; only the current version counts.
        let views = views(13, |version| {
            let view = ViewBuilder::new(version)
                .macro_("HAVE_FORK", "pyconfig.h", 1)
                .function("_Py_Dealloc", "Include/object.h", 3)
                .data("PyOld_Type", "Include/object.h", 4);
            if version == v(13) {
                view.function("PyOS_AfterFork", "Include/intrcheck.h", 11)
                    .function("PyExtra", "Include/extra.h", 5)
                    .build()
            } else {
                view.macro_("Py_BEGIN_ALLOW_THREADS", "Include/ceval.h", 1)
                    .macro_("Py_ABI_MACRO", "Include/x.h", 1)
                    .function("PyNew", "Include/new.h", 1)
                    .build()
            }
        });
        let context = context(&manifest, views);
        let lines: Vec<String> = verdicts(&context)
            .iter()
            .map(|f| format!("{} {}", f.check, f.name))
            .collect();
        assert_eq!(
            lines,
            [
                "missing PyNew",
                "missing Py_ABI_MACRO",
                "missing Py_BEGIN_ALLOW_THREADS",
                "unlisted PyExtra"
            ]
        );
    }
}
