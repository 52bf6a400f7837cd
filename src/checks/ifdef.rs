//! The `ifdef` header check. What it finds, why it matters and an
//! example are in [`CODE`] (`stable-abi explain ifdef`).

use std::collections::BTreeMap;

use crate::checks::{declared, seen, seen_verb, Context};
use crate::code::Code;
use crate::diagnostic::{Finding, Location};
use crate::manifest::Kind;
use crate::view::View;

/// The check's code and documentation.
pub const CODE: Code = Code {
    name: "ifdef",
    command: "headers",
    summary: "an item's `ifdef` does not match the feature macro that guards it",
    doc: r#"An item with `ifdef = 'X'` must be declared exactly when the
feature macro `X` is defined; a function or data declared only when some
feature macro is defined must say so in the manifest.

Why it matters: `ifdef` decides where the item is expected — which
symbols `python3.dll` re-exports on Windows, which symbols the tests
look up, what the documentation says is platform-specific. If the header
guard and the manifest disagree, one platform either misses a symbol it
should have, or offers one the Stable ABI does not promise there.

Example: `PyOS_AfterFork` has `ifdef = 'HAVE_FORK'`, but CPython 3.13
declares it outside `#ifdef HAVE_FORK`:

    Include/intrcheck.h:18:37: error: PyOS_AfterFork has `ifdef = 'HAVE_FORK'` but is declared for Py_LIMITED_API 3.13 even when HAVE_FORK is not defined [ifdef]

Checked at the tree's version, by evaluating the headers once more per
feature macro with that macro toggled (`-D X` or `-U X`). When the
headers undo the toggle themselves (`pythread.h` defines
`PY_HAVE_THREAD_NATIVE_ID` on every platform that has it), the items
under that macro cannot be checked: that is a note at the headers'
`#define`, not a finding (and nothing when no item names the macro)."#,
};

pub const NAME: &str = CODE.name;

pub fn check(context: &Context) -> Vec<Finding> {
    let current = context.current_version();
    let Some(current_view) = context.current_view() else {
        return Vec::new();
    };
    // One finding per name: the first reason found.
    let mut findings: BTreeMap<String, Finding> = BTreeMap::new();
    for (feature, toggled) in &context.toggled {
        let toggled = match toggled {
            Ok(view) => view,
            Err(untoggled) => {
                // Only the items that name it would be checked with it.
                let named =
                    |item: &crate::manifest::Item| item.ifdef.as_deref() == Some(feature.as_str());
                if !context.manifest.items.iter().any(named) {
                    continue;
                }
                let finding = Finding::error(
                    NAME,
                    feature,
                    format!(
                        "{feature} cannot be toggled, so the items that depend on it \
                         are not checked: {}",
                        untoggled.reason
                    ),
                )
                .at(untoggled.location.clone());
                // Where the headers undo the toggle, by design (pythread.h),
                // a note; headers that fail to evaluate, a warning.
                let finding = if untoggled.location.is_some() {
                    finding.as_note()
                } else {
                    finding.as_warning()
                };
                findings.entry(feature.clone()).or_insert(finding);
                continue;
            }
        };
        let (on, off): (&View, &View) = if context.feature_macros.contains(feature) {
            (current_view, toggled)
        } else {
            (toggled, current_view)
        };
        // Items that name this feature macro.
        for item in context.manifest.items.iter() {
            if item.ifdef.as_deref() != Some(feature.as_str())
                || item.abi_only
                || !Kind::IN_HEADERS.contains(&item.kind)
                || item.added.is_none_or(|added| added > current)
            {
                continue;
            }
            let verb = seen_verb(item.kind);
            let name = &item.name;
            let on_seen = seen(on, item.kind, name);
            let off_seen = seen(off, item.kind, name);
            let (message, location) = match (on_seen, off_seen) {
                (None, _) => (
                    format!(
                        "{name} has `ifdef = '{feature}'` but is not {verb} for Py_LIMITED_API \
                         {current} even when {feature} is defined"
                    ),
                    context.manifest.location(item),
                ),
                (Some(_), Some(seen_off)) => (
                    format!(
                        "{name} has `ifdef = '{feature}'` but is {verb} for Py_LIMITED_API \
                         {current} even when {feature} is not defined"
                    ),
                    seen_off
                        .location()
                        .cloned()
                        .unwrap_or_else(|| context.manifest.location(item)),
                ),
                (Some(_), None) => continue,
            };
            let finding = Finding::error(NAME, &**name, message)
                .at(Some(location))
                .versions(vec![current]);
            findings.entry(name.to_string()).or_insert(finding);
        }
        // Functions and data declared only when this feature macro is defined.
        for (name, location) in on.functions.iter().chain(&on.data) {
            if declared(off, name).is_some() {
                continue;
            }
            let item = context.manifest.get(name);
            if item.is_some_and(|item| item.ifdef.as_deref() == Some(feature.as_str())) {
                continue;
            }
            let message = match item {
                Some(item) => match &item.ifdef {
                    Some(other) => format!(
                        "{name} is declared only when {feature} is defined, but the manifest \
                         says `ifdef = '{other}'`"
                    ),
                    None => format!(
                        "{name} is declared only when {feature} is defined, but the manifest \
                         has no `ifdef = '{feature}'` for it"
                    ),
                },
                None => format!(
                    "{name} is declared in the limited API when {feature} is defined, \
                     but is not in the manifest"
                ),
            };
            let location: Location = location.location.clone();
            let finding = Finding::error(NAME, &**name, message)
                .at(Some(location))
                .versions(vec![current]);
            findings.entry(name.to_string()).or_insert(finding);
        }
    }
    findings.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixture::{context, manifest, v, ViewBuilder};

    const MANIFEST: &str = "\
[feature_macro.HAVE_FORK]
    doc = 'on platforms with fork()'
[feature_macro.MS_WINDOWS]
    doc = 'on Windows'
    windows = true
[function.PyOS_AfterFork]
    added = '3.2'
    ifdef = 'HAVE_FORK'
[function.PyOS_Forked]
    added = '3.2'
    ifdef = 'HAVE_FORK'
[function.PyErr_SetFromWindowsErr]
    added = '3.7'
    ifdef = 'MS_WINDOWS'
[function.PyUnicode_DecodeMBCS]
    added = '3.7'
    ifdef = 'MS_WINDOWS'
[function.PyWindowsOnly]
    added = '3.7'
";

    fn base() -> ViewBuilder {
        ViewBuilder::new(v(13))
    }

    #[test]
    fn guards_must_match_ifdef() {
        let manifest = manifest(MANIFEST);
        // Linux-like: HAVE_FORK defined; PyOS_Forked is declared regardless
        // of it; PyUnicode_DecodeMBCS is missing even on Windows;
        // PyWindowsOnly is Windows-only but has no ifdef; PyWinNew is
        // Windows-only and unlisted.
        let current = base()
            .macro_("HAVE_FORK", "pyconfig.h", 1)
            .function("PyOS_AfterFork", "Include/intrcheck.h", 11)
            .function("PyOS_Forked", "Include/intrcheck.h", 12)
            .build();
        let without_fork = base()
            .function("PyOS_Forked", "Include/intrcheck.h", 12)
            .build();
        let windows = base()
            .macro_("HAVE_FORK", "pyconfig.h", 1)
            .macro_("MS_WINDOWS", "pyconfig.h", 2)
            .function("PyOS_AfterFork", "Include/intrcheck.h", 11)
            .function("PyOS_Forked", "Include/intrcheck.h", 12)
            .function("PyErr_SetFromWindowsErr", "Include/pyerrors.h", 3)
            .function("PyWindowsOnly", "Include/pyerrors.h", 4)
            .function("PyWinNew", "Include/pyerrors.h", 5)
            .build();
        let mut context = context(&manifest, vec![(v(13), current)]);
        assert!(context.feature_macros.contains("HAVE_FORK"));
        context.toggled.insert("HAVE_FORK".into(), Ok(without_fork));
        context.toggled.insert("MS_WINDOWS".into(), Ok(windows));
        let findings = check(&context);
        let messages: Vec<String> = findings.iter().map(|f| f.to_string()).collect();
        assert_eq!(
            messages,
            [
                "Include/intrcheck.h:12:1: error: PyOS_Forked has `ifdef = 'HAVE_FORK'` but is \
                 declared for Py_LIMITED_API 3.13 even when HAVE_FORK is not defined [ifdef]",
                "Misc/stable_abi.toml:15:1: error: PyUnicode_DecodeMBCS has `ifdef = 'MS_WINDOWS'` \
                 but is not declared for Py_LIMITED_API 3.13 even when MS_WINDOWS is defined [ifdef]",
                "Include/pyerrors.h:5:1: error: PyWinNew is declared in the limited API when \
                 MS_WINDOWS is defined, but is not in the manifest [ifdef]",
                "Include/pyerrors.h:4:1: error: PyWindowsOnly is declared only when MS_WINDOWS is \
                 defined, but the manifest has no `ifdef = 'MS_WINDOWS'` for it [ifdef]",
            ]
        );
    }

    #[test]
    fn a_macro_the_headers_define_themselves_is_a_note_where_they_do() {
        let manifest = manifest(MANIFEST);
        let mut context = context(&manifest, vec![(v(13), base().build())]);
        let at = Location::new("Include/pythread.h", 46, 9);
        for feature in ["HAVE_FORK", "PY_NOT_NAMED_BY_ANY_ITEM"] {
            context.toggled.insert(
                feature.into(),
                Err(crate::checks::Untoggled {
                    reason: format!("-U {feature} has no effect"),
                    location: Some(at.clone()),
                }),
            );
        }
        let findings = check(&context);
        let messages: Vec<String> = findings.iter().map(|f| f.to_string()).collect();
        // A macro no item names checks nothing: no warning.
        assert_eq!(
            messages,
            [
                "Include/pythread.h:46:9: note: HAVE_FORK cannot be toggled, so the items that \
              depend on it are not checked: -U HAVE_FORK has no effect [ifdef]"
            ]
        );
    }

    #[test]
    fn a_configuration_that_cannot_be_evaluated_is_a_warning() {
        let manifest = manifest(MANIFEST);
        let mut context = context(&manifest, vec![(v(13), base().build())]);
        context.toggled.insert(
            "MS_WINDOWS".into(),
            Err(crate::checks::Untoggled {
                reason: "Include/x.h:1:2: #error".into(),
                location: None,
            }),
        );
        let findings = check(&context);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, crate::diagnostic::Severity::Warning);
        assert!(findings[0].message.contains("#error"));
    }
}
