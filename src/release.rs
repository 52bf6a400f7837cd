//! The CPython release of a tree: `Include/patchlevel.h`'s major, minor,
//! micro and release level, or `--release 3.N[.M]`. The drop-in follows it
//! (see [`crate::generate::editions`]), so that a tree gets the files its own
//! `stable_abi.py` writes.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::diagnostic::{LocatedError, Location};
use crate::version::Version;

/// `PY_RELEASE_LEVEL`: alpha, beta, candidate (gamma) or final.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Alpha,
    Beta,
    Candidate,
    Final,
}

/// A CPython release, e.g. 3.13.15 or 3.15.0a3.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Release {
    pub major: u8,
    pub minor: u8,
    pub micro: u16,
    pub level: Level,
    pub serial: u8,
}

impl Release {
    /// A final release `major.minor.micro`.
    pub const fn new(major: u8, minor: u8, micro: u16) -> Release {
        Release {
            major,
            minor,
            micro,
            level: Level::Final,
            serial: 0,
        }
    }

    /// The Limited API version of the release: `3.N`.
    pub fn version(self) -> Version {
        Version::new(self.major, self.minor)
    }

    /// Parses `--release`: `3.N` (its newest micro: the micro is left
    /// open, so every row of a table that covers 3.N at all applies as for
    /// its latest release) or `3.N.M`.
    ///
    /// Errors: anything else, with what was expected.
    pub fn parse_arg(text: &str) -> Result<Release, String> {
        let bad = || format!("malformed release {text:?}: expected 3.N or 3.N.M (e.g. 3.13.5)");
        let parts: Vec<&str> = text.split('.').collect();
        let number = |part: &str| -> Result<u16, String> {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) || part.len() > 4 {
                return Err(bad());
            }
            part.parse().map_err(|_| bad())
        };
        let (minor, micro) = match parts.as_slice() {
            ["3", minor] => (number(minor)?, u16::MAX),
            ["3", minor, micro] => (number(minor)?, number(micro)?),
            _ => return Err(bad()),
        };
        let minor = u8::try_from(minor).map_err(|_| bad())?;
        if minor < 2 {
            return Err(format!("release {text:?} predates the Stable ABI (3.2)"));
        }
        Ok(Release::new(3, minor, micro))
    }

    /// Reads `Include/patchlevel.h` text: `PY_MAJOR_VERSION`,
    /// `PY_MINOR_VERSION`, `PY_MICRO_VERSION`, `PY_RELEASE_LEVEL` (as
    /// `PY_RELEASE_LEVEL_*` or its hex value) and `PY_RELEASE_SERIAL`.
    ///
    /// Errors: a missing or malformed define, at the file (and its line
    /// when the define is there but unreadable).
    pub fn parse_patchlevel(text: &str, path: &Path) -> Result<Release, LocatedError> {
        let define = |name: &str| patchlevel_define(text, name);
        let number = |name: &str| -> Result<u16, LocatedError> {
            match define(name) {
                None => Err(LocatedError::new(
                    Location::new(path, 1, 1),
                    format!("no `#define {name} N`: cannot tell the tree's release"),
                )),
                Some((line, value)) => value.parse().map_err(|_| {
                    LocatedError::new(
                        Location::new(path, line, 1),
                        format!("{name} is {value:?}, not a number"),
                    )
                }),
            }
        };
        let major = u8::try_from(number("PY_MAJOR_VERSION")?).unwrap_or(u8::MAX);
        let minor = u8::try_from(number("PY_MINOR_VERSION")?).unwrap_or(u8::MAX);
        let micro = number("PY_MICRO_VERSION")?;
        let level = match define("PY_RELEASE_LEVEL").map(|(_, v)| v).as_deref() {
            Some("PY_RELEASE_LEVEL_ALPHA" | "0xA") => Level::Alpha,
            Some("PY_RELEASE_LEVEL_BETA" | "0xB") => Level::Beta,
            Some("PY_RELEASE_LEVEL_GAMMA" | "0xC") => Level::Candidate,
            _ => Level::Final,
        };
        let serial = define("PY_RELEASE_SERIAL")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        Ok(Release {
            major,
            minor,
            micro,
            level,
            serial,
        })
    }
}

/// Where a tree says its release.
pub const PATCHLEVEL_H: &str = "Include/patchlevel.h";

/// The version `3.N` that `Include/patchlevel.h`'s text names with
/// `#define PY_MINOR_VERSION N`, if it names one: all the header checks
/// need (a tree made for a test may define nothing else).
pub fn version_of_patchlevel(text: &str) -> Option<Version> {
    let (_, minor) = patchlevel_define(text, "PY_MINOR_VERSION")?;
    let minor: u8 = minor.parse().ok()?;
    Version::parse(&format!("3.{minor}")).ok()
}

/// The line (from 1) and value of `#define NAME value` in `text`.
fn patchlevel_define(text: &str, name: &str) -> Option<(usize, String)> {
    text.lines().enumerate().find_map(|(index, line)| {
        let directive = line.trim_start().strip_prefix('#')?;
        let mut words = directive.split_whitespace();
        (words.next() == Some("define") && words.next() == Some(name))
            .then(|| (index + 1, words.next().unwrap_or_default().to_string()))
    })
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if self.micro != u16::MAX {
            write!(f, ".{}", self.micro)?;
        }
        match self.level {
            Level::Alpha => write!(f, "a{}", self.serial),
            Level::Beta => write!(f, "b{}", self.serial),
            Level::Candidate => write!(f, "rc{}", self.serial),
            Level::Final => Ok(()),
        }
    }
}

/// Where the release in effect came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The tree's `Include/patchlevel.h`.
    PatchLevel(PathBuf),
    /// `--release` on the command line.
    CommandLine,
    /// Neither: the tree has no `patchlevel.h`, so the newest release the
    /// tool knows stands in.
    NewestKnown,
}

/// The release the drop-in follows, and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InEffect {
    pub release: Release,
    pub source: Source,
}

impl InEffect {
    /// The release of the tree at `root`: `over` when given, else its
    /// `Include/patchlevel.h`, else `newest` (a tree without one).
    ///
    /// Errors: a `patchlevel.h` that exists but cannot be read or parsed.
    pub fn detect(
        root: &Path,
        over: Option<Release>,
        newest: Release,
    ) -> Result<InEffect, LocatedError> {
        if let Some(release) = over {
            return Ok(InEffect {
                release,
                source: Source::CommandLine,
            });
        }
        let path = root.join(PATCHLEVEL_H);
        match crate::input::read(&path) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let release = Release::parse_patchlevel(&text, &path)?;
                Ok(InEffect {
                    release,
                    source: Source::PatchLevel(path),
                })
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(InEffect {
                release: newest,
                source: Source::NewestKnown,
            }),
            Err(err) => Err(LocatedError::new(
                Location::new(&path, 1, 1),
                format!("cannot read the tree's release: {err}"),
            )),
        }
    }
}

impl fmt::Display for InEffect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::PatchLevel(path) => write!(f, "{} (from {})", self.release, path.display()),
            Source::CommandLine => write!(f, "{} (from --release)", self.release),
            Source::NewestKnown => write!(
                f,
                "{} (the newest known; the tree has no Include/patchlevel.h)",
                self.release
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headers_need_only_the_minor_version() {
        let text = "/* ... */\n#  define PY_MINOR_VERSION   13\n";
        assert_eq!(version_of_patchlevel(text), Some(Version::new(3, 13)));
        assert_eq!(version_of_patchlevel("#define PY_MINOR_VERSION x\n"), None);
        assert_eq!(version_of_patchlevel("#define PY_MAJOR_VERSION 3\n"), None);
    }

    #[test]
    fn patchlevel_gives_every_part() {
        let text = "#define PY_MAJOR_VERSION        3\n#define PY_MINOR_VERSION 16\n\
                    #define PY_MICRO_VERSION 0\n#define PY_RELEASE_LEVEL PY_RELEASE_LEVEL_ALPHA\n\
                    #define PY_RELEASE_SERIAL 2\n";
        let release = Release::parse_patchlevel(text, Path::new("p.h")).unwrap();
        assert_eq!(release.to_string(), "3.16.0a2");
        assert!(release < Release::new(3, 16, 0));
    }

    #[test]
    fn a_missing_define_is_an_error_naming_it() {
        let err = Release::parse_patchlevel("#define PY_MAJOR_VERSION 3\n", Path::new("p.h"))
            .unwrap_err();
        assert!(err.to_string().contains("PY_MINOR_VERSION"), "{err}");
        let err = Release::parse_patchlevel(
            "#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION x\n",
            Path::new("p.h"),
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("p.h:2:1: error:"), "{err}");
    }

    #[test]
    fn release_arguments() {
        assert_eq!(
            Release::parse_arg("3.13.5").unwrap(),
            Release::new(3, 13, 5)
        );
        assert_eq!(Release::parse_arg("3.14").unwrap().to_string(), "3.14");
        for bad in ["3", "4.1", "3.x", "3.13.", "3.1", "3.13.5.1", ""] {
            assert!(Release::parse_arg(bad).is_err(), "{bad}");
        }
    }
}
