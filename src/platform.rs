//! The platforms the headers are read for: the same names as the binaries'
//! platforms of `library` and `audit` ([`crate::binary::platform`]), where
//! a Mach-O file is Apple's (`macos` here) and a PE file Windows'.
//!
//! Each is a configuration of the preprocessor, a profile of
//! [`crate::view`]: which compiler predefines what, which system headers
//! define what, and which `pyconfig.h` the headers read.

use std::fmt;

use serde::Serialize;

/// A platform whose view of the headers can be evaluated.
///
/// `--platform linux|windows|macos` is mapped onto it in `cli.rs`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// gcc on Linux x86-64, with configure's `pyconfig.h`: what
    /// `stable_abi.py --unixy-check` checks, and the default.
    #[default]
    Linux,
    /// MSVC on Windows x64, with the Windows build's `PC/pyconfig.h`.
    Windows,
    /// Apple clang on macOS (arm64), with configure's `pyconfig.h`.
    Macos,
}

impl Platform {
    /// Every platform, in the order their findings are merged and named.
    pub const ALL: [Platform; 3] = [Platform::Linux, Platform::Windows, Platform::Macos];

    /// The name of `--platform` and of the baseline's platform field.
    pub const fn as_str(self) -> &'static str {
        match self {
            Platform::Linux => "linux",
            Platform::Windows => "windows",
            Platform::Macos => "macos",
        }
    }

    /// The platform named `name` ([`Platform::as_str`]).
    pub fn from_name(name: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// `linux`, `linux and macos`, `linux, windows and macos`.
    pub fn list(platforms: &[Platform]) -> String {
        let names: Vec<&str> = platforms.iter().map(|p| p.as_str()).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => names.join(""),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_list_in_english() {
        for platform in Platform::ALL {
            assert_eq!(Platform::from_name(platform.as_str()), Some(platform));
        }
        assert_eq!(Platform::from_name("apple"), None);
        assert_eq!(Platform::list(&[Platform::Windows]), "windows");
        assert_eq!(
            Platform::list(&[Platform::Linux, Platform::Macos]),
            "linux and macos"
        );
        assert_eq!(Platform::list(&Platform::ALL), "linux, windows and macos");
    }
}
