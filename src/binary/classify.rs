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
/// macro or a type cannot be linked to, so importing it is not stable.
pub fn classify(table: &AbiTable, name: &str, target: Version) -> Option<Verdict> {
    if !is_python_symbol(name) {
        return None;
    }
    let verdict = match table.get(name) {
        Some(item) if item.kind.is_symbol() => match item.added {
            Some(added) if added > target => Verdict::NeedsNewer(added),
            _ => Verdict::Fine,
        },
        _ => Verdict::NotStable,
    };
    Some(verdict)
}

/// A linked library that ties the extension to one Python version:
/// `libpython3.N.so…`, `libpython3.N.dylib`, `python3N.dll`, or a macOS
/// framework's `Python.framework/Versions/3.N/Python`. Returns the version
/// text (`3.11`). `python3.dll` and `libpython3.so` are the version-free
/// Stable ABI libraries and are fine.
pub fn version_specific_libpython(library: &str) -> Option<String> {
    let base = library.rsplit(['/', '\\']).next().unwrap_or(library);
    let lower = base.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("libpython3.") {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        return (!digits.is_empty()).then(|| format!("3.{digits}"));
    }
    if let Some(rest) = lower.strip_prefix("python3") {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = &rest[digits.len()..];
        let is_dll = after
            .strip_prefix(['_', 'd', 't'])
            .unwrap_or(after)
            .starts_with(".dll")
            || after.starts_with(".dll");
        return (!digits.is_empty() && is_dll).then(|| format!("3.{digits}"));
    }
    if base == "Python" {
        let parts: Vec<&str> = library.split('/').collect();
        if let Some(index) = parts.iter().position(|part| *part == "Versions") {
            if let Some(version) = parts.get(index + 1) {
                if version.starts_with("3.") {
                    return Some(version.to_string());
                }
            }
        }
    }
    None
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
    }

    #[test]
    fn recognises_version_specific_libraries() {
        let cases = [
            ("libpython3.11.so.1.0", Some("3.11")),
            ("libpython3.9d.so", Some("3.9")),
            ("/usr/lib/libpython3.13.dylib", Some("3.13")),
            ("python311.dll", Some("3.11")),
            ("PYTHON38.DLL", Some("3.8")),
            ("python313t.dll", Some("3.13")),
            ("python3.dll", None),
            ("libpython3.so", None),
            ("libc.so.6", None),
            (
                "/Library/Frameworks/Python.framework/Versions/3.12/Python",
                Some("3.12"),
            ),
        ];
        for (library, expected) in cases {
            assert_eq!(
                version_specific_libpython(library).as_deref(),
                expected,
                "{library}"
            );
        }
    }
}
