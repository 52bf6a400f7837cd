//! File-name rules for Python's libraries and extension modules, in one
//! place: which file is a built libpython, which linked library or
//! extension file name ties a binary to one CPython version, which member
//! of a wheel is an extension module.

use crate::version::Version;

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

/// A module file name for one CPython version and build: the tag CPython
/// puts before `.so` (its `SOABI`: `NAME.cpython-311-x86_64-linux-gnu.so`,
/// `NAME.cpython-315t-darwin.so`) or before `.pyd` on Windows
/// (`NAME.cp311-win_amd64.pyd`, `NAME.cp313t-win_amd64.pyd`: `PYD_SOABI`
/// in CPython's `Include/internal/pycore_importdl.h`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneVersion {
    pub version: Version,
    /// The ABI flags after the version (`t`: free-threaded, `d`: debug).
    pub flags: String,
}

impl OneVersion {
    /// Only a free-threaded build imports it.
    pub fn free_threaded(&self) -> bool {
        self.flags.contains('t')
    }
}

impl std::fmt::Display for OneVersion {
    /// `CPython 3.12`, `free-threaded CPython 3.15`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.free_threaded() {
            f.write_str("free-threaded ")?;
        }
        write!(f, "CPython {}", self.version)?;
        if self.flags.contains('d') {
            f.write_str(" (debug build)")?;
        }
        Ok(())
    }
}

/// The CPython version (and build) an extension's file name is restricted
/// to: `NAME.cpython-311-x86_64-linux-gnu.so` or `NAME.cp311-win_amd64.pyd`
/// are only imported by CPython 3.11 ([`OneVersion`]).
pub fn version_specific_filename(name: &str) -> Option<OneVersion> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    let stem = lower
        .strip_suffix(".so")
        .or_else(|| lower.strip_suffix(".pyd"))?;
    let (_, tag) = stem.split_once('.')?;
    let tag = tag
        .strip_prefix("cpython-3")
        .or_else(|| tag.strip_prefix("cp3"))?;
    let abi = tag.split('-').next()?;
    let digits = abi.bytes().take_while(u8::is_ascii_digit).count();
    let flags = &abi[digits..];
    if digits == 0 || !flags.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let version = Version::parse(&format!("3.{}", &abi[..digits])).ok()?;
    Some(OneVersion {
        version,
        flags: flags.to_string(),
    })
}

/// A file the audit reads, by its name: what may be an extension module
/// (`.so`, with or without `.abi3`/`.cpython-…` infixes, `.pyd`) or a
/// shared library an extension links, audited when it imports Python
/// symbols: `.dylib`, `.dll`, and a versioned `.so.N[.M…]` (auditwheel's
/// `pkg.libs/libfoo-1a2b.so.3`, PySide's `libpyside6.abi3.so.6.9`).
pub fn is_extension_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let versioned_so = lower.rfind(".so.").is_some_and(|at| {
        lower[at + 4..]
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
    });
    lower.ends_with(".so")
        || lower.ends_with(".pyd")
        || lower.ends_with(".dylib")
        || lower.ends_with(".dll")
        || versioned_so
}

/// The libraries PEP 599 lets a manylinux wheel link without bundling
/// them (the manylinux2014 policy; later policies keep the list).
const MANYLINUX_SYSTEM: [&str; 19] = [
    "libgcc_s.so.1",
    "libstdc++.so.6",
    "libm.so.6",
    "libdl.so.2",
    "librt.so.1",
    "libc.so.6",
    "libnsl.so.1",
    "libutil.so.1",
    "libpthread.so.0",
    "libresolv.so.2",
    "libx11.so.6",
    "libxext.so.6",
    "libxrender.so.1",
    "libice.so.6",
    "libsm.so.6",
    "libgl.so.1",
    "libgobject-2.0.so.0",
    "libgthread-2.0.so.0",
    "libglib-2.0.so.0",
];

/// Windows' own DLLs and the C runtime's, which extensions link without
/// bundling them (besides the `api-ms-win-*`/`ext-ms-*` API sets and the
/// `vcruntime*`/`msvcp*`/`concrt*`/`vcomp*` redistributables).
const WINDOWS_SYSTEM: [&str; 30] = [
    "kernel32.dll",
    "user32.dll",
    "gdi32.dll",
    "advapi32.dll",
    "shell32.dll",
    "ole32.dll",
    "oleaut32.dll",
    "ws2_32.dll",
    "ntdll.dll",
    "bcrypt.dll",
    "bcryptprimitives.dll",
    "crypt32.dll",
    "secur32.dll",
    "ncrypt.dll",
    "userenv.dll",
    "shlwapi.dll",
    "version.dll",
    "winmm.dll",
    "iphlpapi.dll",
    "dbghelp.dll",
    "psapi.dll",
    "rpcrt4.dll",
    "setupapi.dll",
    "comctl32.dll",
    "opengl32.dll",
    "msvcrt.dll",
    "ucrtbase.dll",
    "mswsock.dll",
    "dnsapi.dll",
    "netapi32.dll",
];

/// A library of the system an extension runs on, which defines no names
/// of an extension's project: for ELF the list of PEP 599 and the dynamic
/// loaders (glibc's `ld-linux*`, musl's `ld-musl-*`/`libc.musl-*`); for
/// Mach-O Apple's (`/usr/lib/`, `/System/`); for PE Windows' and its C
/// runtime's. Only used to say which linked libraries the audit could not
/// read, so a library missing from these lists is merely named there.
pub fn is_system_library(needed: &str, format: crate::binary::BinaryFormat) -> bool {
    use crate::binary::BinaryFormat;
    let base = needed
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(needed)
        .to_ascii_lowercase();
    match format {
        BinaryFormat::MachO => needed.starts_with("/usr/lib/") || needed.starts_with("/System/"),
        BinaryFormat::Pe | BinaryFormat::Coff => {
            WINDOWS_SYSTEM.contains(&base.as_str())
                || [
                    "api-ms-win-",
                    "ext-ms-",
                    "vcruntime",
                    "msvcp",
                    "concrt",
                    "vcomp",
                ]
                .iter()
                .any(|prefix| base.starts_with(prefix))
        }
        BinaryFormat::Elf | BinaryFormat::Archive => {
            MANYLINUX_SYSTEM.contains(&base.as_str())
                || ["ld-linux", "ld-musl-", "libc.musl-", "linux-vdso"]
                    .iter()
                    .any(|prefix| base.starts_with(prefix))
        }
    }
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
            (
                "pkg/_spam.cpython-311-x86_64-linux-gnu.so",
                Some("CPython 3.11"),
            ),
            ("_spam.cp39-win_amd64.pyd", Some("CPython 3.9")),
            (
                "pkg/t3.cpython-315t-x86_64-linux-gnu.so",
                Some("free-threaded CPython 3.15"),
            ),
            (
                "_spam.cp313t-win_amd64.pyd",
                Some("free-threaded CPython 3.13"),
            ),
            (
                "_spam.cpython-37dm-darwin.so",
                Some("CPython 3.7 (debug build)"),
            ),
            ("pkg/_spam.abi3.so", None),
            ("pkg/_spam.abi3t-x86_64-linux-gnu.so", None),
            ("_spam.pyd", None),
            ("cp311.so", None),
            ("libfoo.cpython-311.so.1", None),
        ];
        for (name, expected) in cases {
            assert_eq!(
                version_specific_filename(name)
                    .map(|v| v.to_string())
                    .as_deref(),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn system_libraries() {
        use crate::binary::BinaryFormat::{Elf, MachO, Pe};
        for (name, format) in [
            ("libc.so.6", Elf),
            ("libstdc++.so.6", Elf),
            ("ld-linux-x86-64.so.2", Elf),
            ("libc.musl-x86_64.so.1", Elf),
            ("/usr/lib/libSystem.B.dylib", MachO),
            (
                "/System/Library/Frameworks/Security.framework/Versions/A/Security",
                MachO,
            ),
            ("KERNEL32.dll", Pe),
            ("api-ms-win-crt-runtime-l1-1-0.dll", Pe),
            ("VCRUNTIME140.dll", Pe),
        ] {
            assert!(is_system_library(name, format), "{name}");
        }
        for (name, format) in [
            ("libshiboken6.abi3.so.6.9", Elf),
            ("libQt6Core.so.6", Elf),
            ("@rpath/libshiboken6.abi3.6.9.dylib", MachO),
            ("shiboken6.abi3.dll", Pe),
        ] {
            assert!(!is_system_library(name, format), "{name}");
        }
    }

    #[test]
    fn files_the_audit_reads() {
        for read in [
            "pkg/_spam.abi3.so",
            "pkg/_spam.pyd",
            "zmq/.dylibs/libzmq.5.dylib",
            "pkg.libs/libfoo-1a2b.so.3",
            "PySide6/libpyside6.abi3.so.6.9",
            "pkg.libs/libcrypto-1a2b.so.1.1",
            "pkg.libs/wlib-1a2b3c.dll",
            "PKG/X.DLL",
        ] {
            assert!(is_extension_name(read), "{read}");
        }
        for skipped in [
            "pkg/spam.py",
            "pkg/libfoo.so.txt",
            "pkg/libfoo.so.",
            "pkg/libfoo.so.3.",
            "pkg/libfoo.so.x",
            "pkg/foo.dll.manifest",
        ] {
            assert!(!is_extension_name(skipped), "{skipped}");
        }
    }
}
