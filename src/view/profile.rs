//! The platform the headers are read for, without a compiler: what gcc
//! predefines, what the few system headers Python's headers test define,
//! and, for a checkout that has not been configured (no `pyconfig.h`), the
//! configure results that matter.
//!
//! The values are data files under `src/view/profile/`, each saying where
//! it comes from and the command that regenerates it: gcc 12.2 on Debian
//! linux x86-64 (`gcc -dM -E - </dev/null` for `compiler.h`, `gcc -dM -E`
//! on each system header for `system/`), and `pyconfig.h` as `./configure
//! --enable-shared` writes it on the same machine for CPython 3.13. From pyconfig.h we keep the macros that some
//! header under `Include/` mentions, plus every `Py`/`_Py` name and the
//! stable ABI's feature macros: with these, a tree without pyconfig.h gives
//! the same view as the configured one. The same default serves every
//! release: on CPython 3.15.2 too the declarations and every macro but the
//! configure results themselves are those of the configured tree
//! (`tests/view_oracle.rs`). Anything else can be set with `-D`/`-U`.

/// Defined on the command line by default, as `stable_abi.py` does when
/// it runs the compiler.
pub const COMMAND_LINE: &[(&str, &str)] = &[("SIZEOF_WCHAR_T", "4")];

/// What gcc defines before reading any file (x86-64, `-std=gnu17`), for
/// the names the headers test or use in `#if`.
pub const COMPILER: &str = include_str!("profile/compiler.h");

/// The macros that matter from the system headers `Python.h` includes
/// with `<...>`, applied when the walk reaches that `#include` (glibc,
/// x86-64, with pyconfig.h's `_GNU_SOURCE`/`_XOPEN_SOURCE`).
pub const SYSTEM_HEADERS: &[(&str, &str)] = &[
    ("limits.h", include_str!("profile/system/limits.h")),
    ("stdint.h", include_str!("profile/system/stdint.h")),
    ("inttypes.h", include_str!("profile/system/stdint.h")),
    ("unistd.h", include_str!("profile/system/unistd.h")),
    ("time.h", include_str!("profile/system/time.h")),
    ("assert.h", include_str!("profile/system/assert.h")),
    ("errno.h", include_str!("profile/system/errno.h")),
    ("sys/stat.h", include_str!("profile/system/sys_stat.h")),
    ("wchar.h", include_str!("profile/system/wchar.h")),
];

/// Stands in for `pyconfig.h` when the tree has none (an unconfigured
/// checkout): linux x86-64 as configure sees it.
pub const DEFAULT_PYCONFIG: &str = include_str!("profile/pyconfig.h");

/// Whether gcc 12 answers `__has_attribute(name)` (among the attributes
/// the headers ask about).
pub fn has_attribute(name: &str) -> bool {
    listed(include_str!("profile/attributes.txt"), name)
}

/// Whether gcc 12 answers `__has_builtin(name)` (among the builtins the
/// headers ask about).
pub fn has_builtin(name: &str) -> bool {
    listed(include_str!("profile/builtins.txt"), name)
}

/// Whether `name` is a line of `list` (blank lines and `#` comments aside).
fn listed(list: &str, name: &str) -> bool {
    list.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .any(|line| line == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_files_read_as_before() {
        assert!(has_attribute("visibility") && has_attribute("fallthrough"));
        assert!(!has_attribute("# The attributes") && !has_attribute(""));
        assert!(has_builtin("__builtin_expect") && !has_builtin("__builtin_nothing"));
        assert!(COMPILER.contains("#define __GNUC__ 12\n"));
        assert!(DEFAULT_PYCONFIG.contains("#define HAVE_FORK 1\n"));
        for (name, text) in SYSTEM_HEADERS {
            assert!(text.contains("#define "), "{name}");
        }
    }
}
