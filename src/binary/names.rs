//! File-name rules for Python's libraries and extension modules, in one
//! place: which file is a built libpython, which linked library or
//! extension file name ties a binary to one CPython version, which member
//! of a wheel is an extension module.

/// `libpython3.N[abiflags].{so[.X.Y], dylib, a}`; not the version-free
/// `libpython3.so`, which only forwards.
pub fn is_libpython(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("libpython3.") else {
        return false;
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let rest = rest[digits..].trim_start_matches(['d', 't']);
    let versioned_so = rest
        .strip_prefix(".so.")
        .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
    rest == ".a" || rest == ".dylib" || rest == ".so" || versioned_so
}

/// The Stable ABI a libpython serves, by its name: a free-threaded build's
/// (`libpython3.15t.so`, `python3t.dll`, `python315t.dll`) serves abi3t
/// extensions (PEP 803), any other abi3.
pub fn library_abi(path: &std::path::Path) -> crate::abi::Abi {
    use crate::abi::Abi;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    // The ABI flags after the version digits (`t`, `td`, `d`).
    let free_threaded = |rest: &str| {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        rest[digits..]
            .chars()
            .take_while(|c| c.is_ascii_alphabetic() || *c == '_')
            .any(|c| c == 't')
    };
    let threaded = match (
        name.strip_prefix("libpython3."),
        name.strip_prefix("python3"),
    ) {
        (Some(rest), _) => free_threaded(rest),
        (None, Some(rest)) => name.ends_with(".dll") && free_threaded(rest),
        (None, None) => false,
    };
    if threaded {
        Abi::Abi3t
    } else {
        Abi::Abi3
    }
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

/// The CPython version an extension's file name is restricted to:
/// `NAME.cpython-311-x86_64-linux-gnu.so` or `NAME.cp311-win_amd64.pyd`
/// are only imported by CPython 3.11.
pub fn version_specific_filename(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let mut parts = base.split('.').skip(1);
    parts.find_map(|part| {
        let digits = part
            .strip_prefix("cpython-3")
            .or_else(|| part.strip_prefix("cp3"))?
            .split('-')
            .next()?;
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| format!("3.{digits}"))
    })
}

/// A file that may be an extension module, by its name: `.so` (with or
/// without `.abi3`/`.cpython-…` infixes), `.pyd`, `.dylib`.
pub fn is_extension_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".so") || lower.ends_with(".pyd") || lower.ends_with(".dylib")
}

/// A file name the import system can load as a module: `NAME.pyd`,
/// `NAME.<tag>.so` (`.abi3.so`, `.abi3t-<multiarch>.so`,
/// `.cpython-311-x86_64-linux-gnu.so`, ...) or a plain `NAME.so`, where
/// `NAME` is a module name (a Python identifier), except a plain
/// `lib*.so`, the usual name of a shared library beside the modules. Never
/// a `.dylib` (macOS Pythons load `.so`), a versioned `libfoo.so.1`, nor
/// auditwheel's `libdw-0-d71b572d.195.so`.
pub fn is_module_file_name(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    if lower.ends_with(".pyd") {
        return true;
    }
    let Some(stem) = lower.strip_suffix(".so") else {
        return false;
    };
    let is_identifier = |name: &str| {
        name.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    match stem.split_once('.') {
        Some((module, _tag)) => is_identifier(module),
        None => is_identifier(stem) && !stem.starts_with("lib"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_file_names() {
        for module in [
            "pkg/_spam.abi3.so",
            "pkg/_spam.abi3t-x86_64-linux-gnu.so",
            "pkg/_spam.cpython-311-darwin.so",
            "pkg/_spam.so",
            "pkg\\_spam.cp311-win_amd64.pyd",
            "libmod.abi3.so",
        ] {
            assert!(is_module_file_name(module), "{module}");
        }
        for library in [
            "zmq/.dylibs/libzmq.5.dylib",
            "pkg.libs/libcrypto-1a2b.so.3",
            "pkg/libhelper.so",
            "pkg/.so",
            "pystack.libs/libdw-0-d71b572d.195.so",
        ] {
            assert!(!is_module_file_name(library), "{library}");
        }
    }

    #[test]
    fn libpython_names() {
        for good in [
            "libpython3.13.so",
            "libpython3.13.so.1.0",
            "libpython3.13d.so",
            "libpython3.13t.a",
            "libpython3.9.dylib",
        ] {
            assert!(is_libpython(good), "{good}");
        }
        for bad in [
            "libpython3.so",
            "libpython3.13.so.o",
            "libpython3.x.a",
            "python313.dll",
        ] {
            assert!(!is_libpython(bad), "{bad}");
        }
    }

    #[test]
    fn free_threaded_libraries_serve_abi3t() {
        use crate::abi::Abi;
        use std::path::Path;
        for (name, abi) in [
            ("libpython3.15t.so.1.0", Abi::Abi3t),
            ("lib/libpython3.15td.a", Abi::Abi3t),
            ("python3t.dll", Abi::Abi3t),
            ("PYTHON315T.DLL", Abi::Abi3t),
            ("libpython3.15.so.1.0", Abi::Abi3),
            ("libpython3.15d.so", Abi::Abi3),
            ("python3.dll", Abi::Abi3),
        ] {
            assert_eq!(library_abi(Path::new(name)), abi, "{name}");
        }
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

    #[test]
    fn version_specific_file_names() {
        let cases = [
            ("pkg/_spam.cpython-311-x86_64-linux-gnu.so", Some("3.11")),
            ("_spam.cp39-win_amd64.pyd", Some("3.9")),
            ("pkg/_spam.abi3.so", None),
            ("_spam.pyd", None),
            ("cp311.so", None),
        ];
        for (name, expected) in cases {
            assert_eq!(
                version_specific_filename(name).as_deref(),
                expected,
                "{name}"
            );
        }
    }
}
