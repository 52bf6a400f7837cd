//! The `guard-constant` header check. What it finds, why it matters and an
//! example are in [`CODE`] (`stable-abi explain guard-constant`).

use std::collections::BTreeMap;

use crate::checks::Context;
use crate::code::Code;
use crate::diagnostic::Finding;
use crate::version::Version;
use crate::view::{hex_ranges, ConstantUse, GuardConstant};

/// The check's code and documentation.
pub const CODE: Code = Code {
    name: "guard-constant",
    command: "headers",
    summary: "a guard compares Py_LIMITED_API with a constant whose low 16 bits are not zero",
    doc: r#"An `#if` compares `Py_LIMITED_API` with a version
constant whose low 16 bits are not zero (`0x030900F0`, `0x03050400`).

Why it matters: CPython's devguide prescribes guards of the form
`Py_LIMITED_API+0 >= 0x03yy0000`. A Limited API version 3.N is every
value `0x03NN0000…0x03NNFFFF`, and extensions do set `Py_LIMITED_API` to
a release's `PY_VERSION_HEX` (`0x030900F0` for 3.9.0 final). A guard
between two values of one version splits that version: for some values
the declaration is there, for others not, so an extension built for
"3.9" may call a function 3.9.0 lacks and fail to load there (the
`too-early` check reports that when the manifest disagrees), and the
manifest, which speaks of whole versions, cannot say what was meant.

Example (CPython 3.13's `Include/sliceobject.h`):

    Include/sliceobject.h:53:1: error: Py_LIMITED_API is compared with 0x03050400, which is inside 3.5 (0x03050000…0x0305FFFF); guards compare with 0x03yy0000 [guard-constant]

Only constants that select a version (`0x03yy....`, not PEP 384's `3`)
are checked, wherever an evaluated `#if` meets them, in any view. One
finding per constant, at its first guard; the others are notes."#,
};

pub const NAME: &str = CODE.name;

/// The version a constant falls inside of, when it is a version constant
/// with release bits (low 16 bits) set.
fn inside_of(value: u64) -> Option<Version> {
    let value = u32::try_from(value).ok()?;
    if value & 0xFFFF == 0 || value >> 24 != 3 {
        return None;
    }
    Version::of_limited_api_value(value)
}

pub fn check(context: &Context) -> Vec<Finding> {
    let mut by_constant: BTreeMap<u64, Vec<&GuardConstant>> = BTreeMap::new();
    for guard in context.guard_constants() {
        let compared = matches!(
            guard.constant.usage,
            ConstantUse::Equal | ConstantUse::From | ConstantUse::After
        );
        if compared && inside_of(guard.constant.value).is_some() {
            by_constant
                .entry(guard.constant.value)
                .or_default()
                .push(guard);
        }
    }
    let mut findings = Vec::new();
    for (value, mut guards) in by_constant {
        let Some(version) = inside_of(value) else {
            continue;
        };
        // Once per place (every view that sees a guard lists it).
        guards.sort_by(|a, b| a.location.cmp(&b.location));
        guards.dedup_by(|a, b| a.location == b.location);
        let range = hex_ranges(&[(version.hex(), version.hex() | 0xFFFF)]);
        let constant = hex_ranges(&[(value as u32, value as u32)]);
        let mut finding = Finding::error(
            NAME,
            constant.clone(),
            format!(
                "Py_LIMITED_API is compared with {constant}, which is inside {version} \
                 ({range}); guards compare with 0x03yy0000",
            ),
        )
        .at(Some(guards[0].location.clone()))
        .versions(vec![version]);
        for guard in &guards[1..] {
            finding = finding.note(
                Some(guard.location.clone()),
                format!("{constant} is also compared with here"),
            );
        }
        findings.push(finding);
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixture::{context, manifest, summary, views, ViewBuilder};
    use crate::diagnostic::Location;
    use crate::view::Constant;

    fn guard(value: u64, usage: ConstantUse, line: usize) -> GuardConstant {
        GuardConstant {
            location: Location::new("Include/x.h", line, 2),
            constant: Constant { value, usage },
        }
    }

    #[test]
    fn flags_version_constants_with_release_bits_once_each() {
        let manifest = manifest("");
        let views = views(13, |version| {
            let mut view = ViewBuilder::new(version).build();
            view.guard_constants = vec![
                guard(0x0309_00F0, ConstantUse::From, 3),
                guard(0x0309_00F0, ConstantUse::From, 9),
                guard(0x030A_0000, ConstantUse::From, 4),
                guard(3, ConstantUse::From, 5),
                guard(0x0000_FFFF, ConstantUse::Mask, 6),
                guard(0x0305_0400, ConstantUse::Mask, 7),
            ];
            view
        });
        let context = context(&manifest, views);
        let findings = check(&context);
        assert_eq!(summary(&findings), ["0x030900F0 3.9"]);
        assert_eq!(
            findings[0].to_string(),
            "Include/x.h:3:2: error: Py_LIMITED_API is compared with 0x030900F0, which is \
             inside 3.9 (0x03090000…0x0309FFFF); guards compare with 0x03yy0000 [guard-constant]\n    \
             Include/x.h:9:2: note: 0x030900F0 is also compared with here"
        );
    }
}
