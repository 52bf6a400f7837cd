//! Whether an extension's imported symbol is allowed under the Stable ABI
//! of a target version, and whether a linked library pins one Python.

use crate::binary::table::AbiTable;
use crate::version::Version;

/// What the Stable ABI says about one imported symbol, for one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// In the Stable ABI since the target or earlier.
    Fine,
    /// In the Stable ABI, but only from this (newer) version on: the
    /// extension fails to load on older Pythons its tag claims.
    NeedsNewer(Version),
    /// Not in the Stable ABI at all: the extension may break on any other
    /// Python version.
    NotStable,
    /// Not in the table, whose knowledge ends before the target
    /// ([`AbiTable::knows`]): the target's Stable ABI may have it.
    Unknown,
}

/// Python's own symbols: `Py*` and `_Py*`, where `Py` starts a C API name
/// (`Py_…`, `PyLong_…`, `_PyObject_…`), not a word like `Python_helper`.
/// Everything else an extension imports (libc, other libraries) is none of
/// the Stable ABI's business.
pub fn is_python_symbol(name: &str) -> bool {
    let rest = name.strip_prefix('_').unwrap_or(name);
    rest.strip_prefix("Py")
        .and_then(|after| after.chars().next())
        .is_some_and(|next| next == '_' || next.is_ascii_uppercase())
}

/// The verdict on `name` for `target`, or `None` when it is not Python's.
/// Only functions and data are symbols: a name the manifest lists as a
/// macro or a type cannot be linked to, so importing it is not stable. A
/// name the table does not list is not stable when the table knows the
/// target's Stable ABI, and unknown when the target is newer.
pub fn classify(table: &AbiTable, name: &str, target: Version) -> Option<Verdict> {
    if !is_python_symbol(name) {
        return None;
    }
    let verdict = match table.get(name) {
        Some(item) if item.kind.is_symbol() => match item.added {
            Some(added) if added > target => Verdict::NeedsNewer(added),
            _ => Verdict::Fine,
        },
        None if table.is_beyond(target) => Verdict::Unknown,
        _ => Verdict::NotStable,
    };
    Some(verdict)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> AbiTable {
        AbiTable::parse(
            "[function.PyLong_FromLong]\n    added = '3.2'\n\
             [function.PyType_GetName]\n    added = '3.11'\n\
             [data._Py_NoneStruct]\n    added = '3.2'\n    abi_only = true\n\
             [macro.Py_INCREF]\n    added = '3.2'\n",
            "t",
        )
        .unwrap()
    }

    #[test]
    fn classifies_against_the_target() {
        let t = table();
        let v38 = Version::new(3, 8);
        assert_eq!(classify(&t, "PyLong_FromLong", v38), Some(Verdict::Fine));
        assert_eq!(classify(&t, "_Py_NoneStruct", v38), Some(Verdict::Fine));
        assert_eq!(
            classify(&t, "PyType_GetName", v38),
            Some(Verdict::NeedsNewer(Version::new(3, 11)))
        );
        assert_eq!(
            classify(&t, "PyType_GetName", Version::new(3, 11)),
            Some(Verdict::Fine)
        );
        assert_eq!(classify(&t, "PyUnicode_New", v38), Some(Verdict::NotStable));
        assert_eq!(
            classify(&t, "_PyObject_GC_New", v38),
            Some(Verdict::NotStable)
        );
        // A macro is not a symbol one can link to.
        assert_eq!(classify(&t, "Py_INCREF", v38), Some(Verdict::NotStable));
        assert_eq!(classify(&t, "malloc", v38), None);
        assert_eq!(classify(&t, "Python_helper_of_mine", v38), None);
        // Beyond what the table knows (3.11 here), an unlisted symbol may be
        // one the target added; a listed macro is still not a symbol.
        let v316 = Version::new(3, 16);
        assert_eq!(classify(&t, "PyUnicode_New", v316), Some(Verdict::Unknown));
        assert_eq!(classify(&t, "Py_INCREF", v316), Some(Verdict::NotStable));
    }
}
