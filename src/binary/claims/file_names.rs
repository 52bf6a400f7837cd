//! The file names a claim's interpreters import (`wrong-file-name`), as
//! CPython ships them:
//!
//! - POSIX: `EXTENSION_SUFFIXES` of the released 3.11.2 (`.cpython-311-…so`,
//!   `.abi3.so`, `.so`) and 3.15.2 (`.cpython-315-…so`, `.abi3-<multiarch>.so`,
//!   `.abi3.so`, `.abi3t-<multiarch>.so`, `.abi3t.so`, `.so`); gh-146636
//!   (GH-146637: `.abi3t.so`, and no `.abi3.so` in free-threaded builds),
//!   gh-122931 (PR gh-152461: the `-<multiarch>` forms, new in 3.15), the
//!   abi3t migration howto.
//! - A version-specific name (`SOABI`: `.cpython-312-x86_64-linux-gnu.so`,
//!   `.cpython-315t-…so`) is imported by that one version and build: a
//!   `cp312-abi3` wheel that ships only such files fails on 3.13
//!   (`ModuleNotFoundError`; tohtsky/irspack PR #116), and 3.15.2 refuses
//!   them with "a module with this name was found for a different Python
//!   version" (`Lib/traceback.py`). Shipped beside a file of the same module
//!   that the whole range imports, it is deliberate: that version imports
//!   its own (its suffix comes first), every other the other file.
//! - Windows imports `.pyd` only: `PYD_TAGGED_SUFFIX` (`.cp312-win_amd64.pyd`,
//!   `.cp313t-…`) and `PYD_UNTAGGED_SUFFIX` (`.pyd`) of
//!   `Include/internal/pycore_importdl.h` are `Python/dynload_win.c`'s
//!   `_PyImport_DynLoadFiletab`; POSIX builds never import `.pyd`.

use crate::abi::Abi;
use crate::binary::claims::target_for;
use crate::binary::names::{self, OneVersion};
use crate::code::Code;
use crate::version::Version;

pub const WRONG_FILE_NAME: Code = Code {
    name: "wrong-file-name",
    command: "audit",
    summary: "an extension's file name is not one every interpreter of its claim imports",
    doc: r#"An extension claiming abi3 or abi3t has a file name that some
interpreter of the claim's range does not search. The range: abi3 covers
GIL-enabled CPython from the target on, abi3t free-threaded CPython from
3.15 on. What each searches (CPython gh-146636, gh-122931; the released
3.11.2 and 3.15.2):

- every version, both builds: `NAME.so`;
- GIL-enabled, every version: `NAME.abi3.so`;
- GIL-enabled 3.15+: also `NAME.abi3-<multiarch>.so`, `NAME.abi3t.so`,
  `NAME.abi3t-<multiarch>.so`;
- free-threaded 3.15+: `NAME.abi3t.so`, `NAME.abi3t-<multiarch>.so`, never
  `.abi3.so`;
- one version and build only: `NAME.cpython-312-<multiarch>.so`,
  `NAME.cpython-315t-<multiarch>.so` (3.15.2 refuses them: "found for a
  different Python version"), unless a file of the same module beside it
  serves the rest of the range;
- Windows: `NAME.pyd` and `NAME.cp312-win_amd64.pyd` only, never a `.so`
  (`Include/internal/pycore_importdl.h`); elsewhere never a `.pyd`.

So an abi3 claim from 3.15 may ship one `.abi3t.so` for both builds
(PEP 803's `abi3.abi3t`), but an abi3 claim reaching below 3.15 needs
`.abi3.so` (or a plain `.so`).

Why it matters: `import NAME` does not find the file, so the module is
missing although it is installed.

Example: a `cp39-abi3` wheel shipping only `spam.abi3t.so`:

    spam-1.0-cp39-abi3-macosx_11_0_x86_64.whl: wheel tagged cp39-abi3-macosx_11_0_x86_64; target Python 3.9 (from the wheel tag)
      spam.abi3t.so: judged as abi3; 1 Python symbol, 1 problem
        error: abi3: Python 3.9 to 3.14 (GIL-enabled) do not import `.abi3t.so`: name it `NAME.abi3.so` (or a plain `NAME.so`) [wrong-file-name]"#,
};

/// The ABI an extension's file name is for, outside a wheel: `.abi3t.so`
/// (or `.abi3t-<multiarch>.so`) is abi3t; anything else is judged as abi3.
pub fn abis_of_file_name(name: &str) -> Vec<Abi> {
    if matches!(FileName::of(name), FileName::Abi3t { .. }) {
        vec![Abi::Abi3t]
    } else {
        vec![Abi::Abi3]
    }
}

/// Where an extension sits, for the names its interpreters import.
#[derive(Clone, Copy, Debug, Default)]
pub struct Place<'a> {
    /// It is for Windows, which imports extension modules only as `.pyd`:
    /// the wheel's platform tags say so (all `win*`), else its format (PE).
    pub windows: bool,
    /// The other files of its wheel (paths in the wheel) or of its
    /// directory, to find a file of the same module beside a
    /// version-specific one.
    pub others: &'a [String],
}

impl Place<'_> {
    /// Windows or not, for a binary of `format` in a wheel tagged
    /// `platforms` (none outside a wheel).
    pub fn is_windows(platforms: &[String], format: crate::binary::BinaryFormat) -> bool {
        if platforms.is_empty() {
            return format.is_windows();
        }
        let windows = platforms.iter().filter(|p| p.starts_with("win")).count();
        match windows {
            0 => false,
            n if n == platforms.len() => true,
            _ => format.is_windows(),
        }
    }
}

/// An extension's file name as the import system matches it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum FileName {
    /// `NAME.pyd`: every interpreter on Windows, none elsewhere.
    Pyd,
    /// A plain `NAME.so`: every interpreter but on Windows.
    So,
    /// `NAME.abi3.so`, or with `multiarch` `NAME.abi3-<multiarch>.so`.
    Abi3 { multiarch: bool },
    /// `NAME.abi3t.so`, or `NAME.abi3t-<multiarch>.so`.
    Abi3t { multiarch: bool },
    /// `NAME.cpython-311-<multiarch>.so`, `NAME.cp311-win_amd64.pyd`: one
    /// version and build of CPython ([`names::version_specific_filename`]).
    OneVersion {
        only: OneVersion,
        /// `.cpython-311-x86_64-linux-gnu.so`.
        suffix: String,
        pyd: bool,
    },
    /// Anything else: no module name at all.
    Other,
}

impl FileName {
    fn of(name: &str) -> FileName {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let lower = base.to_ascii_lowercase();
        if let Some(only) = names::version_specific_filename(base) {
            let pyd = lower.ends_with(".pyd");
            let suffix = base[base.find('.').unwrap_or(0)..].to_string();
            return FileName::OneVersion { only, suffix, pyd };
        }
        if lower.ends_with(".pyd") {
            return FileName::Pyd;
        }
        let Some(stem) = lower.strip_suffix(".so") else {
            return FileName::Other;
        };
        let Some((_, infix)) = stem.rsplit_once('.') else {
            return FileName::So;
        };
        let (abi, multiarch) = match infix.split_once('-') {
            Some((abi, arch)) => (abi, !arch.is_empty()),
            None => (infix, false),
        };
        match abi {
            "abi3" => FileName::Abi3 { multiarch },
            "abi3t" => FileName::Abi3t { multiarch },
            _ => FileName::Other,
        }
    }

    /// Why some interpreter of `abi`'s range from `target` on does not
    /// search this name, and what to name it instead; `None` when all do.
    fn unsearched(&self, abi: Abi, target: Version, windows: bool) -> Option<String> {
        let first_both = Abi::Abi3t.first_version();
        let reaches_below_3_15 = target < first_both;
        let last_before = Version::new(3, first_both.minor - 1);
        let instead = || match (abi, windows) {
            (_, true) => "`NAME.pyd`",
            (Abi::Abi3, false) if reaches_below_3_15 => "`NAME.abi3.so` (or a plain `NAME.so`)",
            (Abi::Abi3, false) => "`NAME.abi3.so` or `NAME.abi3t.so`",
            (Abi::Abi3t, false) => "`NAME.abi3t.so`",
        };
        match (self, abi) {
            (FileName::OneVersion { only, suffix, pyd }, _) if *pyd == windows => {
                let range = match abi {
                    Abi::Abi3 => format!("Python {target}+"),
                    Abi::Abi3t => format!("free-threaded Python {target}+"),
                };
                Some(format!(
                    "only {only} imports `NAME{suffix}`, not all of {range}: name it {}",
                    instead()
                ))
            }
            (FileName::Other, _) => None,
            (FileName::Pyd, _) if windows => None,
            (_, _) if windows => Some(format!(
                "Windows imports extension modules only as `.pyd` (`PYD_TAGGED_SUFFIX`, \
                 `PYD_UNTAGGED_SUFFIX` in Include/internal/pycore_importdl.h): name it {}",
                instead()
            )),
            (FileName::Pyd | FileName::OneVersion { .. }, _) => Some(format!(
                "only Windows imports `.pyd` files, and this binary is not for Windows: \
                 name it {}",
                instead()
            )),
            (FileName::So | FileName::Abi3 { multiarch: false }, Abi::Abi3) => None,
            (FileName::Abi3 { multiarch: true }, Abi::Abi3) if reaches_below_3_15 => Some(format!(
                "Python {target} to {last_before} do not import `.abi3-<multiarch>.so` \
                     (new in 3.15, gh-122931): name it {}",
                instead()
            )),
            (FileName::Abi3t { .. }, Abi::Abi3) if reaches_below_3_15 => Some(format!(
                "Python {target} to {last_before} (GIL-enabled) do not import `.abi3t.so`: \
                 name it {}",
                instead()
            )),
            (FileName::Abi3 { .. }, Abi::Abi3t) => Some(format!(
                "free-threaded builds never import `.abi3.so` (gh-146636): name it {}, \
                 which GIL-enabled 3.15+ imports too",
                instead()
            )),
            _ => None,
        }
    }

    /// The module a file is for: its directory in the wheel (or
    /// directory) and the name before the first dot (`pkg/_spam`).
    fn module(name: &str) -> (&str, &str) {
        let (dir, base) = name.rsplit_once(['/', '\\']).unwrap_or(("", name));
        (dir, base.split('.').next().unwrap_or(base))
    }
}

/// The file name problem of `name` for one claim, unless a file of the
/// same module beside it suits the claim: a version-specific build
/// shipped with an abi3 one (CPython 3.12 imports
/// `mod.cpython-312-….so` before `mod.abi3.so`, every other version the
/// abi3 one) serves the whole range.
pub(super) fn problem(name: &str, abi: Abi, target: Version, place: &Place) -> Option<String> {
    let file = FileName::of(name);
    let why = file.unsearched(abi, target, place.windows)?;
    if matches!(file, FileName::OneVersion { .. }) && covered(name, abi, target, place) {
        return None;
    }
    Some(why)
}

/// A file of the same module as `name` beside it, named for the whole
/// range of the claim.
fn covered(name: &str, abi: Abi, target: Version, place: &Place) -> bool {
    let module = FileName::module(name);
    place.others.iter().any(|other| {
        let file = FileName::of(other);
        other != name
            && FileName::module(other) == module
            && !matches!(file, FileName::OneVersion { .. } | FileName::Other)
            && file.unsearched(abi, target, place.windows).is_none()
    })
}

/// A note on a version-specific file name that a file of the same module
/// beside it makes harmless (see `problem`).
pub fn one_version_note(
    name: &str,
    abis: &[Abi],
    target: Version,
    place: &Place,
) -> Option<String> {
    let FileName::OneVersion { only, .. } = FileName::of(name) else {
        return None;
    };
    let all = abis
        .iter()
        .all(|&abi| covered(name, abi, target_for(abi, target), place));
    all.then(|| {
        format!(
            "{only} imports this version-specific file, every other interpreter the file \
             of the same module beside it"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_per_claim_and_range() {
        let v39 = Version::new(3, 9);
        let v315 = Version::new(3, 15);
        // (name, windows, abi3 from 3.9, abi3 from 3.15, abi3t from 3.15):
        // searched by every interpreter of the claim?
        for (name, windows, abi3_39, abi3_315, abi3t) in [
            ("pkg/_spam.abi3.so", false, true, true, false),
            (
                "pkg/_spam.abi3-x86_64-linux-gnu.so",
                false,
                false,
                true,
                false,
            ),
            ("pkg/_spam.abi3t.so", false, false, true, true),
            (
                "pkg/_spam.abi3t-x86_64-linux-gnu.so",
                false,
                false,
                true,
                true,
            ),
            ("pkg/_spam.so", false, true, true, true),
            ("pkg/_spam.pyd", true, true, true, true),
            // Only CPython 3.11 (GIL-enabled) imports it; only free-threaded
            // 3.15 the `t` one (a real 3.15.2 refuses both).
            (
                "pkg/_spam.cpython-311-x86_64-linux-gnu.so",
                false,
                false,
                false,
                false,
            ),
            (
                "pkg/_spam.cpython-315t-x86_64-linux-gnu.so",
                false,
                false,
                false,
                false,
            ),
            ("pkg/_spam.cp311-win_amd64.pyd", true, false, false, false),
            // Windows imports `.pyd` only; POSIX never does.
            ("pkg/_spam.abi3.so", true, false, false, false),
            ("pkg/_spam.so", true, false, false, false),
            ("pkg/_spam.pyd", false, false, false, false),
        ] {
            let file = FileName::of(name);
            let searched = |abi, target| file.unsearched(abi, target, windows).is_none();
            assert_eq!(searched(Abi::Abi3, v39), abi3_39, "{name} {windows}");
            assert_eq!(searched(Abi::Abi3, v315), abi3_315, "{name} {windows}");
            assert_eq!(searched(Abi::Abi3t, v315), abi3t, "{name} {windows}");
        }
        assert_eq!(abis_of_file_name("x.abi3t.so"), [Abi::Abi3t]);
        assert_eq!(abis_of_file_name("x.abi3t-darwin.so"), [Abi::Abi3t]);
        assert_eq!(abis_of_file_name("x.abi3.so"), [Abi::Abi3]);
    }

    #[test]
    fn a_version_specific_file_beside_an_abi3_one_is_deliberate() {
        let v38 = Version::new(3, 8);
        let alone = ["pkg/mod.cpython-312-x86_64-linux-gnu.so".to_string()];
        let paired = [
            "pkg/mod.cpython-312-x86_64-linux-gnu.so".to_string(),
            "pkg/mod.abi3.so".to_string(),
        ];
        let elsewhere = [
            "pkg/mod.cpython-312-x86_64-linux-gnu.so".to_string(),
            "other/mod.abi3.so".to_string(),
            "pkg/mod2.abi3.so".to_string(),
        ];
        let name = "pkg/mod.cpython-312-x86_64-linux-gnu.so";
        for (others, fine) in [(&alone[..], false), (&paired, true), (&elsewhere, false)] {
            let place = Place {
                windows: false,
                others,
            };
            let problem = problem(name, Abi::Abi3, v38, &place);
            assert_eq!(problem.is_none(), fine, "{others:?}: {problem:?}");
            let note = one_version_note(name, &[Abi::Abi3], v38, &place);
            assert_eq!(note.is_some(), fine, "{others:?}");
        }
        let problem = problem(
            name,
            Abi::Abi3,
            v38,
            &Place {
                windows: false,
                others: &alone,
            },
        )
        .unwrap();
        assert_eq!(
            problem,
            "only CPython 3.12 imports `NAME.cpython-312-x86_64-linux-gnu.so`, not all of \
             Python 3.8+: name it `NAME.abi3.so` (or a plain `NAME.so`)"
        );
    }

    #[test]
    fn windows_is_the_wheel_tag_s_else_the_format_s() {
        use crate::binary::BinaryFormat::{Elf, Pe};
        let tags = |list: &[&str]| list.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        assert!(Place::is_windows(&tags(&["win_amd64"]), Elf));
        assert!(!Place::is_windows(&tags(&["manylinux_2_28_x86_64"]), Pe));
        assert!(Place::is_windows(&[], Pe));
        assert!(!Place::is_windows(&[], Elf));
        assert!(Place::is_windows(&tags(&["win32", "linux_x86_64"]), Pe));
    }
}
