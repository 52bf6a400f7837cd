//! The platforms the headers are read for, without a compiler: per
//! [`Platform`], a [`Profile`] of what its compiler predefines (and which
//! `__has_*` operators it answers how), what the few system headers
//! Python's headers test define, where the tree keeps the platform's
//! `pyconfig.h`, and the built-in one for a tree that lacks it.
//!
//! The values are data files under `src/view/profile/`, each saying where
//! it comes from and the command that regenerates it:
//!
//! - **linux** (the default, and what `stable_abi.py --unixy-check` checks):
//!   gcc 12.2 on Debian linux x86-64 (`gcc -dM -E - </dev/null` for
//!   `compiler.h`, `gcc -dM -E` on each system header for `system/`), and
//!   configure's `pyconfig.h`: the tree's own when it was configured, else
//!   `pyconfig.h` as `./configure --enable-shared` writes it on the same
//!   machine for CPython 3.13, keeping the macros that some header under
//!   `Include/` mentions, plus every `Py`/`_Py` name and the stable ABI's
//!   feature macros: with these, a tree without pyconfig.h gives the same
//!   view as the configured one. The same default serves every release: on
//!   CPython 3.15.2 too the declarations and every macro but the configure
//!   results themselves are those of the configured tree
//!   (`tests/view_oracle.rs`).
//! - **windows**: MSVC for x64 (`windows/compiler.h`, from Microsoft's list
//!   of predefined macros), the Universal CRT's system headers
//!   (`windows/system/`), and the Windows build's configuration header:
//!   the tree's `PC/pyconfig.h`, or `PC/pyconfig.h.in` (CPython 3.13, whose
//!   `PCbuild` copies it to `pyconfig.h` unchanged for a GIL build and only
//!   uncomments `Py_GIL_DISABLED` for a free-threaded one: CPython gh-111650,
//!   gh-115582; 3.14 went back to a static `PC/pyconfig.h`, gh-133779), else
//!   3.13.15's (`windows/pyconfig.h`). MSVC rather than MinGW: extensions
//!   for python.org's Windows builds are built with MSVC (setuptools and
//!   every other build backend call `cl.exe`), and where the two differ
//!   (`#ifdef _MSC_VER` versus `__GNUC__`/`__MINGW32__` in `PC/pyconfig.h`,
//!   `pyport.h`, `pymacro.h`) the view is MSVC's. The tests compare it with
//!   MinGW-w64's gcc, which differs on those lines only
//!   (`tests/view_windows.rs`).
//! - **macos**: Apple clang for arm64 (`macos/compiler.h`, with its own
//!   `__has_attribute` and `__has_builtin` answers), and configure's
//!   `pyconfig.h` as for linux (`Include/pymacconfig.h` adjusts it under
//!   `__APPLE__`, as it does for python.org's universal2 builds). The
//!   system headers are taken as glibc's: the headers test them only for
//!   names both define (`UCHAR_MAX`, `S_ISREG`).
//!
//! Anything else can be set with `-D`/`-U` on top of a profile.

use crate::platform::Platform;

/// A compiler as the preprocessor sees it.
pub struct Compiler {
    /// What it defines before reading any file, as a file of `#define`s.
    pub predefined: &'static str,
    /// The `__has_*` operators it defines (`#ifdef __has_attribute` is
    /// true).
    pub operators: &'static [&'static str],
    /// The attributes `__has_attribute(name)` is true for (a list).
    attributes: &'static str,
    /// The builtins `__has_builtin(name)` is true for (a list).
    builtins: &'static str,
}

impl Compiler {
    /// Whether `#ifdef name` is true of an operator (`__has_attribute`...).
    /// (Asked of every name an `#ifdef` finds undefined, include guards
    /// first: most are not `__has`.)
    pub fn defines_operator(&self, name: &str) -> bool {
        name.starts_with("__has") && self.operators.contains(&name)
    }

    /// Whether `__has_attribute(name)` is true (among the attributes the
    /// headers ask about).
    pub fn has_attribute(&self, name: &str) -> bool {
        listed(self.attributes, name)
    }

    /// Whether `__has_builtin(name)` is true (among the builtins the
    /// headers ask about).
    pub fn has_builtin(&self, name: &str) -> bool {
        listed(self.builtins, name)
    }
}

/// gcc 12.2 on Debian linux x86-64 (`-std=gnu17`). `__has_feature` is not
/// among its operators: gcc 12 lacks it, and the headers define a fallback.
pub const GCC: Compiler = Compiler {
    predefined: include_str!("profile/compiler.h"),
    operators: &[
        "__has_attribute",
        "__has_builtin",
        "__has_c_attribute",
        "__has_cpp_attribute",
        "__has_include",
        "__has_include_next",
    ],
    attributes: include_str!("profile/attributes.txt"),
    builtins: include_str!("profile/builtins.txt"),
};

/// MSVC for Windows x64, in C as setuptools runs it. Microsoft's list of
/// predefined macros and operators has no `__has_attribute` or
/// `__has_builtin` (those are gcc's and clang's).
pub const MSVC: Compiler = Compiler {
    predefined: include_str!("profile/windows/compiler.h"),
    operators: &[],
    attributes: "",
    builtins: "",
};

/// Apple clang for macOS arm64: clang defines `__has_feature` too.
pub const APPLE_CLANG: Compiler = Compiler {
    predefined: include_str!("profile/macos/compiler.h"),
    operators: &[
        "__has_attribute",
        "__has_builtin",
        "__has_c_attribute",
        "__has_cpp_attribute",
        "__has_feature",
        "__has_include",
        "__has_include_next",
    ],
    attributes: include_str!("profile/macos/attributes.txt"),
    builtins: include_str!("profile/macos/builtins.txt"),
};

/// The macros that matter from the system headers `Python.h` includes
/// with `<...>`, applied when the walk reaches that `#include` (glibc,
/// x86-64, with pyconfig.h's `_GNU_SOURCE`/`_XOPEN_SOURCE`).
const GLIBC_HEADERS: &[(&str, &str)] = &[
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

/// The same for the Universal CRT of Windows (no `<unistd.h>`: Python.h
/// includes it only outside `MS_WINDOWS`).
const UCRT_HEADERS: &[(&str, &str)] = &[
    ("limits.h", include_str!("profile/windows/system/limits.h")),
    ("stdint.h", include_str!("profile/windows/system/stdint.h")),
    (
        "inttypes.h",
        include_str!("profile/windows/system/stdint.h"),
    ),
    ("errno.h", include_str!("profile/windows/system/errno.h")),
    (
        "sys/stat.h",
        include_str!("profile/windows/system/sys_stat.h"),
    ),
    ("wchar.h", include_str!("profile/windows/system/wchar.h")),
];

/// Stands in for configure's `pyconfig.h` when the tree has none (an
/// unconfigured checkout): linux x86-64 as configure sees it.
pub const CONFIGURE_PYCONFIG: &str = include_str!("profile/pyconfig.h");

/// Stands in for `PC/pyconfig.h` when the tree has neither it nor
/// `PC/pyconfig.h.in`: CPython 3.13.15's.
pub const WINDOWS_PYCONFIG: &str = include_str!("profile/windows/pyconfig.h");

/// Where a tree keeps the Windows build's configuration header, the first
/// that exists: `PC/pyconfig.h` (every release but 3.13), then 3.13's
/// `PC/pyconfig.h.in`.
pub const WINDOWS_PYCONFIG_IN_TREE: [&str; 2] = ["PC/pyconfig.h", "PC/pyconfig.h.in"];

/// A built-in configuration header read in place of one a tree lacks, as
/// a report names it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct StandIn {
    /// The files of the tree it stands in for, the first that exists read.
    pub in_tree: &'static [&'static str],
    /// What it is, and so how far it reaches: the release it was taken from.
    pub source: &'static str,
    /// Where it is kept, with the command that regenerates it.
    pub file: &'static str,
}

/// The stand-in for the Windows build's `PC/pyconfig.h`.
pub const WINDOWS_STAND_IN: StandIn = StandIn {
    in_tree: &WINDOWS_PYCONFIG_IN_TREE,
    source: "CPython 3.13.15's PC/pyconfig.h.in",
    file: "src/view/profile/windows/pyconfig.h",
};

/// Which `pyconfig.h` a platform reads.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Config {
    /// configure's: the one `#include "pyconfig.h"` finds (`-I.`), else
    /// [`CONFIGURE_PYCONFIG`].
    Configure,
    /// The Windows build's: [`WINDOWS_PYCONFIG_IN_TREE`], else
    /// [`WINDOWS_PYCONFIG`].
    Windows,
}

/// One platform's configuration of the preprocessor.
pub struct Profile {
    pub platform: Platform,
    pub compiler: &'static Compiler,
    /// The system headers, by the name `#include <...>` gives.
    pub system_headers: &'static [(&'static str, &'static str)],
    /// Defined on the command line by default.
    pub command_line: &'static [(&'static str, &'static str)],
    pub config: Config,
}

/// The profile of each platform, in [`Platform::ALL`] order.
pub const PROFILES: [Profile; 3] = [
    Profile {
        platform: Platform::Linux,
        compiler: &GCC,
        system_headers: GLIBC_HEADERS,
        // As `stable_abi.py` does when it runs the compiler.
        command_line: &[("SIZEOF_WCHAR_T", "4")],
        config: Config::Configure,
    },
    Profile {
        platform: Platform::Windows,
        compiler: &MSVC,
        system_headers: UCRT_HEADERS,
        // `PC/pyconfig.h` defines SIZEOF_WCHAR_T (2) itself.
        command_line: &[],
        config: Config::Windows,
    },
    Profile {
        platform: Platform::Macos,
        compiler: &APPLE_CLANG,
        system_headers: GLIBC_HEADERS,
        command_line: &[("SIZEOF_WCHAR_T", "4")],
        config: Config::Configure,
    },
];

impl Config {
    /// The stand-in a report names when the tree lacks the file: the
    /// Windows build's, which comes from one release and may differ from
    /// the tree's own (a later release may define other macros). None for
    /// configure's: a tree with and without `pyconfig.h` give the same
    /// view (`tests/view_oracle.rs`), and an unconfigured checkout is the
    /// everyday case, where `stable_abi.py` says nothing either.
    pub fn noted_stand_in(self) -> Option<&'static StandIn> {
        match self {
            Config::Configure => None,
            Config::Windows => Some(&WINDOWS_STAND_IN),
        }
    }
}

impl Profile {
    /// The profile of `platform`.
    pub fn of(platform: Platform) -> &'static Profile {
        let profile = &PROFILES[platform as usize];
        debug_assert_eq!(profile.platform, platform);
        profile
    }
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
        assert!(GCC.has_attribute("visibility") && GCC.has_attribute("fallthrough"));
        assert!(!GCC.has_attribute("# The attributes") && !GCC.has_attribute(""));
        assert!(GCC.has_builtin("__builtin_expect") && !GCC.has_builtin("__builtin_nothing"));
        assert!(GCC.predefined.contains("#define __GNUC__ 12\n"));
        assert!(CONFIGURE_PYCONFIG.contains("#define HAVE_FORK 1\n"));
        for profile in &PROFILES {
            for (name, text) in profile.system_headers {
                assert!(text.contains("#define "), "{name}");
            }
        }
    }

    #[test]
    fn each_platform_has_its_compiler() {
        assert_eq!(Profile::of(Platform::Windows).platform, Platform::Windows);
        assert!(MSVC.predefined.contains("#define _MSC_VER "));
        assert!(!MSVC.predefined.contains("__GNUC__"));
        assert!(!MSVC.defines_operator("__has_attribute") && !MSVC.has_attribute("visibility"));
        assert!(APPLE_CLANG.predefined.contains("#define __APPLE__ 1\n"));
        assert!(APPLE_CLANG.defines_operator("__has_feature"));
        assert!(!APPLE_CLANG.has_attribute("nonstring") && GCC.has_attribute("nonstring"));
        assert!(GCC.defines_operator("__has_include") && !GCC.defines_operator("__has_feature"));
        assert!(WINDOWS_PYCONFIG.contains("#define MS_WINDOWS\n"));
    }
}
