//! The two Stable ABIs: `abi3` (PEP 384, for GIL builds) and `abi3t`
//! (PEP 803, for free-threaded builds, from 3.15).
//!
//! An extension selects abi3t with `Py_TARGET_ABI3T` (or `Py_LIMITED_API`
//! together with `Py_GIL_DISABLED`); CPython's `Include/pyabi.h` then
//! defines `Py_LIMITED_API` and `_Py_OPAQUE_PYOBJECT`, which hides
//! `PyObject`, `PyVarObject`, `PyModuleDef` and `PyModuleDef_Base`, and
//! `PyObject_HEAD` with them. What abi3t hides is read from the headers and
//! the manifest, never listed here.

use std::fmt;

use serde::Serialize;

use crate::manifest::StructAbiKind;
use crate::version::Version;

/// Which Stable ABI a view, a check or a claim is about.
///
/// `--abi abi3|abi3t` is mapped onto it in `cli.rs`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Abi {
    /// The Stable ABI of GIL builds (PEP 384), `Py_LIMITED_API`.
    #[default]
    Abi3,
    /// The Stable ABI of free-threaded builds (PEP 803), `Py_TARGET_ABI3T`.
    Abi3t,
}

impl Abi {
    pub const ALL: [Abi; 2] = [Abi::Abi3, Abi::Abi3t];

    /// The first version the ABI exists in: 3.2 (PEP 384), 3.15 (PEP 803).
    pub const fn first_version(self) -> Version {
        match self {
            Abi::Abi3 => Version::FIRST,
            Abi::Abi3t => Version::new(3, 15),
        }
    }

    /// The name as wheel tags and file names spell it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Abi::Abi3 => "abi3",
            Abi::Abi3t => "abi3t",
        }
    }

    /// The versions of the ABI from its first up to `last` (none when
    /// `last` predates it).
    pub fn versions(self, last: Version) -> Vec<Version> {
        if last < self.first_version() {
            return Vec::new();
        }
        self.first_version().up_to(last)
    }

    /// The `-D` that selects the ABI at `version`, besides
    /// `Py_LIMITED_API`: `Py_TARGET_ABI3T=0x030N0000` for abi3t
    /// (`Include/pyabi.h`), nothing for abi3.
    pub fn defines(self, version: Version) -> Vec<(String, String)> {
        match self {
            Abi::Abi3 => Vec::new(),
            Abi::Abi3t => vec![(
                "Py_TARGET_ABI3T".to_string(),
                format!("{:#010x}", version.hex()),
            )],
        }
    }

    /// What a manifest `struct_abi_kind` means in this ABI. In abi3t,
    /// `'abi3t-opaque'` and `'members'` structs are opaque: CPython main's
    /// manifest documents `'members'` as "only these members in abi3,
    /// opaque in abi3t" (CPython gh-146636), and the 3.15 headers hide
    /// `PyObject` and `PyVarObject` (the `'members'` structs) under
    /// `_Py_OPAQUE_PYOBJECT`.
    pub fn struct_kind(self, kind: StructAbiKind) -> StructAbiKind {
        match (self, kind) {
            (Abi::Abi3, kind) => kind.in_abi3(),
            (Abi::Abi3t, StructAbiKind::Members) => StructAbiKind::Opaque,
            (Abi::Abi3t, kind) => kind.in_abi3t(),
        }
    }
}

impl fmt::Display for Abi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abi3t_begins_with_3_15() {
        assert_eq!(Abi::Abi3t.versions(Version::new(3, 14)), []);
        assert_eq!(
            Abi::Abi3t.versions(Version::new(3, 16)),
            [Version::new(3, 15), Version::new(3, 16)]
        );
        assert_eq!(Abi::Abi3.versions(Version::new(3, 3)).len(), 2);
        assert_eq!(
            Abi::Abi3t.defines(Version::new(3, 15)),
            [("Py_TARGET_ABI3T".to_string(), "0x030f0000".to_string())]
        );
    }

    #[test]
    fn struct_kinds_per_abi() {
        use StructAbiKind::*;
        assert_eq!(Abi::Abi3.struct_kind(Abi3tOpaque), FullAbi);
        assert_eq!(Abi::Abi3.struct_kind(Members), Members);
        assert_eq!(Abi::Abi3t.struct_kind(Abi3tOpaque), Opaque);
        assert_eq!(Abi::Abi3t.struct_kind(Members), Opaque);
        assert_eq!(Abi::Abi3t.struct_kind(FullAbi), FullAbi);
    }
}
