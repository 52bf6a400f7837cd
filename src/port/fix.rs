//! What to do about a blocker: one answer, which the finding's notes and
//! the summary both read.

use crate::abi::Abi;
use crate::version::Version;

use super::api::Api;
use super::guard::{Guard, GuardKind};
use super::replacements::{needs_of, Replacement, Replacements};
use super::scan::{Blocker, Kind};

/// The fix of one blocking use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix<'r> {
    /// A replacement of `replacements.toml`.
    Replace(&'r Replacement),
    /// A name newer than the target, used under an `#if` on the headers'
    /// version that asks for it: the `#if` is to test `Py_LIMITED_API`,
    /// which leaves the use out at the target. Needs no version.
    Guard(Guard),
    /// A name of the C library that `Python.h` no longer brings: include
    /// one of these headers. Needs no version.
    Include(&'r [String]),
    /// A name newer than the target (or declared before the Stable ABI
    /// added it): raise the target to this version, or keep the use under
    /// `#if Py_LIMITED_API+0 >= ...`.
    Raise(Version),
    /// No direct replacement.
    None,
}

impl<'r> Fix<'r> {
    /// The fix of `blocker` for `abi`: its name's replacement when the data
    /// has one (unless the use is under a [`Guard`]: then the `#if` is what
    /// to change), else what its kind says. For a name newer than the
    /// target, the replacement only when it needs an older version than
    /// the name (`PyType_GetModuleByDef`, 3.13, is not replaced by 3.15's
    /// `PyType_GetModuleByToken`: raising the target to 3.13 does less).
    pub fn of(
        blocker: &'r Blocker,
        replacements: &'r Replacements,
        api: &Api,
        abi: Abi,
    ) -> Fix<'r> {
        match (&blocker.kind, blocker.guard) {
            (Kind::MissingInclude(headers), _) => Fix::Include(headers),
            (Kind::Newer(_) | Kind::Early(_), Some(guard)) => Fix::Guard(guard),
            (kind, _) => match (replacements.get(&blocker.name), kind) {
                (Some(replacement), Kind::Newer(since) | Kind::Early(since))
                    if replacement.needs(api, abi).0 >= *since =>
                {
                    Fix::Raise(*since)
                }
                (Some(replacement), _) => Fix::Replace(replacement),
                (None, Kind::Newer(since) | Kind::Early(since)) => Fix::Raise(*since),
                (None, _) => Fix::None,
            },
        }
    }

    /// Whether there is a fix to make (the summary's "direct replacement";
    /// raising the target counts).
    pub fn exists(&self) -> bool {
        !matches!(self, Fix::None)
    }

    /// The version of `abi` the code needs for this fix, with the name that
    /// sets it (none: the name of the blocker itself): a replacement's
    /// newest Limited API name ([`Replacement::needs`]), the version to
    /// raise to; `None` for a fix that needs no version.
    pub fn version(&self, api: &Api, abi: Abi) -> Option<(Version, Option<String>)> {
        match self {
            Fix::Replace(replacement) => {
                let (version, because) = replacement.needs(api, abi);
                Some((version, because.map(str::to_string)))
            }
            Fix::Raise(version) => Some((*version, None)),
            Fix::Guard(_) | Fix::Include(_) | Fix::None => None,
        }
    }

    /// What to write instead, in a few words (none for raising the target,
    /// which [`Fix::version`] says, and for no fix).
    pub fn text(&self) -> Option<String> {
        match self {
            Fix::Replace(replacement) => Some(replacement.text.clone()),
            Fix::Guard(guard) if guard.kind == GuardKind::Fallback => Some(format!(
                "test Py_LIMITED_API+0 < {:#010x}, not PY_VERSION_HEX, in the #if of the \
                 fallback",
                guard.version.hex()
            )),
            Fix::Guard(guard) if guard.kind == GuardKind::Feature => Some(format!(
                "test Py_LIMITED_API+0 >= {:#010x} too, in the #ifdef",
                guard.version.hex()
            )),
            Fix::Guard(guard) => Some(format!(
                "test Py_LIMITED_API+0 >= {:#010x}, not PY_VERSION_HEX, in the #if",
                guard.version.hex()
            )),
            Fix::Include(headers) => Some(include_text(headers)),
            Fix::Raise(_) | Fix::None => None,
        }
    }

    /// Where the advice comes from, when it is the data's.
    pub fn source(&self) -> Option<&'r str> {
        match self {
            Fix::Replace(replacement) => Some(&replacement.source),
            _ => None,
        }
    }

    /// The notes of a finding with this fix, without a place, for `abi`
    /// (`limited`: how its messages name the ABI's API).
    pub fn notes(&self, api: &Api, abi: Abi, limited: &str) -> Vec<String> {
        match self {
            Fix::Replace(replacement) => {
                let mut notes = vec![format!(
                    "instead: {} ({abi} {}; {})",
                    replacement.text,
                    replacement.needs(api, abi).0,
                    replacement.source
                )];
                for alternative in &replacement.alternatives {
                    let (version, _) = needs_of(alternative, api, abi);
                    notes.push(format!("or: {alternative} ({abi} {version})"));
                }
                notes
            }
            Fix::Guard(guard) if guard.kind == GuardKind::Fallback => vec![format!(
                "instead: test Py_LIMITED_API in that #if (`#if defined(Py_LIMITED_API) ? \
                 Py_LIMITED_API+0 < {hex} : PY_VERSION_HEX < {hex}`), which keeps the \
                 fallback below {}",
                guard.version,
                hex = format_args!("{:#010x}", guard.version.hex()),
            )],
            Fix::Guard(guard) if guard.kind == GuardKind::Feature => vec![format!(
                "instead: test Py_LIMITED_API there too (`#if defined(...) && \
                 (!defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= {:#010x})`), which leaves \
                 the use out below {}",
                guard.version.hex(),
                guard.version
            )],
            Fix::Guard(guard) => vec![format!(
                "instead: test Py_LIMITED_API in that #if (`#if !defined(Py_LIMITED_API) || \
                 Py_LIMITED_API+0 >= {:#010x}`), which leaves the use out below {}",
                guard.version.hex(),
                guard.version
            )],
            Fix::Include(headers) => {
                vec![format!("instead: {} in the source", include_text(headers))]
            }
            Fix::Raise(since) => vec![format!(
                "raise the target to {since}, or keep the use under \
                 #if Py_LIMITED_API+0 >= {:#010x}",
                since.hex()
            )],
            Fix::None => vec![format!("no direct replacement in {limited}")],
        }
    }
}

/// `#include <a.h>` (or `<b.h>, <c.h>`).
fn include_text(headers: &[String]) -> String {
    let angled: Vec<String> = headers.iter().map(|h| format!("<{h}>")).collect();
    match angled.split_first() {
        Some((first, [])) => format!("#include {first}"),
        Some((first, rest)) => format!("#include {first} (or {})", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_are_written_as_a_compiler_reads_them() {
        assert_eq!(include_text(&["stdio.h".into()]), "#include <stdio.h>");
        assert_eq!(
            include_text(&["stdio.h".into(), "unistd.h".into(), "x.h".into()]),
            "#include <stdio.h> (or <unistd.h>, <x.h>)"
        );
    }
}
