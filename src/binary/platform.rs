//! The platform a binary was built for, as far as the file says, and the
//! feature macros (the manifest's `ifdef` values) that platform defines.
//!
//! [`detect`] reads the platform from the file: an ELF's `EI_OSABI` byte
//! (or, when that is 0 = System V, as on Linux, its OS notes and Solaris
//! sections), a Mach-O (Apple), a PE/COFF file (Windows; 32-bit x86 told
//! apart). [`PLATFORM_TABLE`] says which feature macros each platform
//! defines, derived from the conditions in CPython's own headers (each row
//! cites them). [`assume`] applies the table, then `--feature` /
//! `--no-feature` ([`FeatureOverrides`], the same meaning as `-D`/`-U` for
//! the headers), and says why each macro is assumed defined or not.

use std::collections::BTreeSet;
use std::fmt;

use object::read::elf::{FileHeader, SectionHeader};
use object::{FileKind, ReadRef};
use serde::Serialize;

use crate::manifest::{Manifest, Windows};

/// A platform the table knows.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    Linux,
    /// macOS and Apple's other systems (Mach-O files).
    Apple,
    /// 64-bit or ARM Windows.
    Windows,
    /// 32-bit x86 Windows, where MSVC builds enable stack checks.
    WindowsX86,
    FreeBsd,
    NetBsd,
    OpenBsd,
    DragonFly,
    /// Solaris and illumos.
    Solaris,
    Aix,
    /// GNU Hurd.
    Hurd,
    /// Another named POSIX system (HP-UX, IRIX, Tru64, ...).
    OtherPosix,
    /// An ELF file that names no platform (OS/ABI 0 = System V and no OS
    /// note): assumed to be Linux-like, the common case.
    UnnamedElf,
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Platform::Linux => "Linux",
            Platform::Apple => "Apple (macOS)",
            Platform::Windows => "Windows",
            Platform::WindowsX86 => "Windows (32-bit x86)",
            Platform::FreeBsd => "FreeBSD",
            Platform::NetBsd => "NetBSD",
            Platform::OpenBsd => "OpenBSD",
            Platform::DragonFly => "DragonFly BSD",
            Platform::Solaris => "Solaris/illumos",
            Platform::Aix => "AIX",
            Platform::Hurd => "GNU Hurd",
            Platform::OtherPosix => "another POSIX system",
            Platform::UnnamedElf => "unnamed (assumed Linux-like)",
        })
    }
}

use Platform::*;

const POSIX: &[Platform] = &[
    Linux, Apple, FreeBsd, NetBsd, OpenBsd, DragonFly, Solaris, Aix, Hurd, OtherPosix, UnnamedElf,
];

/// One row of the platform table: where a feature macro is defined.
#[derive(Debug)]
pub struct FeatureRule {
    /// The feature macro (`[feature_macro.NAME]` in the manifest).
    pub name: &'static str,
    /// The platforms that define it.
    pub platforms: &'static [Platform],
    /// The condition in CPython's sources that decides it (CPython 3.13
    /// line numbers).
    pub source: &'static str,
}

/// Which platforms define each feature macro, from the headers' conditions.
/// Build options (`Py_REF_DEBUG`, `Py_TRACE_REFS`) belong to no platform:
/// pass them with `--feature`. A feature macro the table lacks is defined
/// on Windows when the manifest says `windows = true`, and nowhere else.
pub const PLATFORM_TABLE: &[FeatureRule] = &[
    FeatureRule {
        name: "MS_WINDOWS",
        platforms: &[Windows, WindowsX86],
        source: "PC/pyconfig.h (the Windows build's configuration) defines it; configure's pyconfig.h never does",
    },
    FeatureRule {
        name: "HAVE_FORK",
        platforms: POSIX,
        source: "configure defines it in pyconfig.h where fork() exists (every POSIX system); \
                 PC/pyconfig.h does not; Include/intrcheck.h:9 guards PyOS_AfterFork* with it",
    },
    FeatureRule {
        name: "PY_HAVE_THREAD_NATIVE_ID",
        platforms: &[
            Linux, Apple, Windows, WindowsX86, FreeBsd, NetBsd, OpenBsd, DragonFly, Aix, UnnamedElf,
        ],
        source: "Include/pythread.h defines it only under __APPLE__, __linux__, _WIN32, \
                 __FreeBSD__, __FreeBSD_kernel__, __OpenBSD__, __NetBSD__, __DragonFly__, _AIX \
                 (lines 42-46 in 3.13; 3.15 adds 64-bit __sun__, lines 42-47)",
    },
    FeatureRule {
        name: "USE_STACKCHECK",
        platforms: &[WindowsX86],
        source: "Include/pythonrun.h:29-33 defines it only under WIN32 && !MS_WIN64 && !_M_ARM && _MSC_VER",
    },
    FeatureRule {
        name: "Py_REF_DEBUG",
        platforms: &[],
        source: "a build option (--with-pydebug), not a platform's: pass --feature",
    },
    FeatureRule {
        name: "Py_TRACE_REFS",
        platforms: &[],
        source: "a build option (--with-trace-refs), not a platform's: pass --feature",
    },
];

/// A binary's platform and what in the file says so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Detected {
    pub platform: Platform,
    /// E.g. `ELF EI_OSABI = 6 (Solaris)`, `Mach-O file`.
    pub evidence: String,
}

impl Detected {
    fn new(platform: Platform, evidence: impl Into<String>) -> Detected {
        Detected {
            platform,
            evidence: evidence.into(),
        }
    }
}

/// The platform of an object file's bytes. Never fails: a file that says
/// nothing (or cannot be read) is an [`UnnamedElf`]-like guess with that
/// evidence.
pub fn detect(data: &[u8]) -> Detected {
    detect_in(data)
}

/// [`detect`] of a byte slice or of the pieces kept of a streamed wheel
/// member ([`crate::binary::sparse::View`]).
pub fn detect_in<'a, R: ReadRef<'a>>(data: R) -> Detected {
    match FileKind::parse(data) {
        Ok(FileKind::Elf32) => elf::<object::elf::FileHeader32<object::Endianness>, R>(data),
        Ok(FileKind::Elf64) => elf::<object::elf::FileHeader64<object::Endianness>, R>(data),
        Ok(FileKind::MachO32 | FileKind::MachO64 | FileKind::MachOFat32 | FileKind::MachOFat64) => {
            Detected::new(Apple, "Mach-O file")
        }
        Ok(FileKind::Pe32 | FileKind::Pe64 | FileKind::Coff | FileKind::CoffBig) => windows(data),
        Ok(FileKind::Archive) => archive(data),
        _ => Detected::new(UnnamedElf, "the file names no platform"),
    }
}

fn windows<'a, R: ReadRef<'a>>(data: R) -> Detected {
    use object::Object;
    match object::File::parse(data).map(|file| file.architecture()) {
        Ok(object::Architecture::I386) => Detected::new(WindowsX86, "PE/COFF file for i386"),
        _ => Detected::new(Windows, "PE/COFF file"),
    }
}

/// The first member that names a platform.
fn archive<'a, R: ReadRef<'a>>(data: R) -> Detected {
    let fallback = Detected::new(UnnamedElf, "no archive member names a platform");
    let Ok(archive) = object::read::archive::ArchiveFile::parse(data) else {
        return fallback;
    };
    for member in archive.members().take(64) {
        let Some(bytes) = member.ok().and_then(|m| m.data(data).ok()) else {
            return fallback;
        };
        // A member that is itself an archive is not looked into (the
        // symbol reader refuses it): nesting stays one level deep.
        if matches!(FileKind::parse(bytes), Err(_) | Ok(FileKind::Archive)) {
            continue;
        }
        let found = detect(bytes);
        if found.platform != UnnamedElf {
            return Detected::new(
                found.platform,
                format!("archive member: {}", found.evidence),
            );
        }
    }
    fallback
}

/// `EI_OSABI`, then (for 0) the OS notes and Solaris-only sections.
fn elf<'a, Elf: FileHeader<Endian = object::Endianness>, R: ReadRef<'a>>(data: R) -> Detected {
    let osabi = data.read_at::<u8>(7).copied().unwrap_or(0);
    let named = match osabi {
        2 => Some((NetBsd, "NetBSD")),
        3 => Some((Linux, "GNU/Linux")),
        6 => Some((Solaris, "Solaris")),
        7 => Some((Aix, "AIX")),
        9 => Some((FreeBsd, "FreeBSD")),
        12 => Some((OpenBsd, "OpenBSD")),
        1 | 8 | 10 => Some((OtherPosix, "HP-UX, IRIX or Tru64")),
        _ => None,
    };
    if let Some((platform, name)) = named {
        return Detected::new(platform, format!("ELF EI_OSABI = {osabi} ({name})"));
    }
    elf_notes::<Elf, R>(data).unwrap_or_else(|| {
        Detected::new(
            UnnamedElf,
            format!("ELF EI_OSABI = {osabi} and no OS note: the file names no platform"),
        )
    })
}

fn elf_notes<'a, Elf: FileHeader<Endian = object::Endianness>, R: ReadRef<'a>>(
    data: R,
) -> Option<Detected> {
    let header = Elf::parse(data).ok()?;
    let endian = header.endian().ok()?;
    let sections = header.sections(endian, data).ok()?;
    for section in sections.iter() {
        let name = sections.section_name(endian, section).unwrap_or_default();
        if name.starts_with(b".SUNW_") {
            let name = String::from_utf8_lossy(name);
            return Some(Detected::new(Solaris, format!("ELF section {name}")));
        }
        let Ok(Some(mut notes)) = section.notes(endian, data) else {
            continue;
        };
        while let Ok(Some(note)) = notes.next() {
            let owner = match note.name() {
                b"FreeBSD" => Some(FreeBsd),
                b"NetBSD" => Some(NetBsd),
                b"OpenBSD" => Some(OpenBsd),
                b"DragonFly" => Some(DragonFly),
                b"GNU" if note.n_type(endian) == object::elf::NT_GNU_ABI_TAG => {
                    // The descriptor's first word is the OS: 0 Linux, 1 Hurd,
                    // 2 Solaris, 3 FreeBSD (kFreeBSD).
                    let os = note.desc().get(..4).and_then(|w| {
                        let word: [u8; 4] = w.try_into().ok()?;
                        Some(object::Endian::read_u32_bytes(endian, word))
                    });
                    match os {
                        Some(0) => Some(Linux),
                        Some(1) => Some(Hurd),
                        Some(2) => Some(Solaris),
                        Some(3) => Some(FreeBsd),
                        _ => None,
                    }
                }
                _ => None,
            };
            if let Some(platform) = owner {
                let name = String::from_utf8_lossy(note.name());
                return Some(Detected::new(platform, format!("ELF note of {name}")));
            }
        }
    }
    None
}

/// `--feature NAME` and `--no-feature NAME`: applied after the platform's
/// defaults, like `-D`/`-U` after a compiler's predefined macros.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeatureOverrides {
    pub add: BTreeSet<String>,
    pub remove: BTreeSet<String>,
}

impl FeatureOverrides {
    /// Checks the names against the manifest's feature macros: a name it
    /// does not list, or one both added and removed, is a usage error
    /// (`Err` with the message).
    pub fn new(
        manifest: &Manifest,
        add: &[String],
        remove: &[String],
    ) -> Result<FeatureOverrides, String> {
        let known: BTreeSet<&str> = manifest
            .feature_macros()
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        for (flag, name) in add
            .iter()
            .map(|n| ("--feature", n))
            .chain(remove.iter().map(|n| ("--no-feature", n)))
        {
            if !known.contains(name.as_str()) {
                let list: Vec<&str> = known.iter().copied().collect();
                return Err(format!(
                    "{flag} {name}: not a feature macro of the manifest (it has: {})",
                    list.join(", ")
                ));
            }
            if flag == "--feature" && remove.contains(name) {
                return Err(format!(
                    "{name} is given to both --feature and --no-feature"
                ));
            }
        }
        Ok(FeatureOverrides {
            add: add.iter().cloned().collect(),
            remove: remove.iter().cloned().collect(),
        })
    }
}

/// `detected`, or, when the file names no platform, the platform a wheel's
/// platform tags name (`manylinux_2_28_x86_64`, `musllinux_1_2_aarch64`,
/// `linux_x86_64`, `android_24_arm64_v8a`: Linux) with that evidence.
pub fn from_wheel_tag(detected: Detected, tags: &[String]) -> Detected {
    if detected.platform != UnnamedElf {
        return detected;
    }
    let linux = ["manylinux", "musllinux", "linux_", "android_"];
    match tags
        .iter()
        .find(|tag| linux.iter().any(|prefix| tag.starts_with(prefix)))
    {
        Some(tag) => Detected::new(Linux, format!("the wheel's platform tag {tag}")),
        None => detected,
    }
}

/// One feature macro as assumed for a binary, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Assumed {
    pub name: String,
    pub defined: bool,
    pub why: String,
}

/// The feature macros assumed for one binary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Assumptions {
    pub platform: Platform,
    /// What in the file says so.
    pub platform_from: String,
    /// Every feature macro of the manifest, in its order.
    pub features: Vec<Assumed>,
}

impl Assumptions {
    /// The names assumed defined.
    pub fn defined(&self) -> BTreeSet<String> {
        self.features
            .iter()
            .filter(|f| f.defined)
            .map(|f| f.name.clone())
            .collect()
    }

    /// `HAVE_FORK, PY_HAVE_THREAD_NATIVE_ID; not MS_WINDOWS, ...`.
    pub fn summary(&self) -> String {
        let list = |defined: bool| -> Vec<&str> {
            self.features
                .iter()
                .filter(|f| f.defined == defined)
                .map(|f| f.name.as_str())
                .collect()
        };
        let (on, off) = (list(true), list(false));
        let on = if on.is_empty() {
            "none".to_string()
        } else {
            on.join(", ")
        };
        if off.is_empty() {
            on
        } else {
            format!("{on}; not {}", off.join(", "))
        }
    }
}

/// The feature macros of `manifest` on `detected`'s platform, adjusted by
/// `overrides`, each with its reason.
pub fn assume(
    manifest: &Manifest,
    detected: &Detected,
    overrides: &FeatureOverrides,
) -> Assumptions {
    let platform = detected.platform;
    let features = manifest
        .feature_macros()
        .into_iter()
        .map(|item| {
            let name = item.name.clone();
            let (defined, why) = if overrides.add.contains(&name) {
                (true, "--feature".to_string())
            } else if overrides.remove.contains(&name) {
                (false, "--no-feature".to_string())
            } else if let Some(rule) = PLATFORM_TABLE.iter().find(|r| r.name == name) {
                let source = tree_source(manifest, rule).unwrap_or_else(|| rule.source.to_string());
                (rule.platforms.contains(&platform), source)
            } else {
                let windows = matches!(platform, Windows | WindowsX86);
                let defined = windows && item.windows == Windows::Yes;
                let why = format!(
                    "not in the platform table; the manifest says windows = {}",
                    match item.windows {
                        Windows::Yes => "true",
                        Windows::Maybe => "'maybe'",
                        Windows::No => "false",
                    }
                );
                (defined, why)
            };
            Assumed { name, defined, why }
        })
        .collect();
    Assumptions {
        platform,
        platform_from: detected.evidence.clone(),
        features,
    }
}

/// The header and `#if` that define a feature macro, by its name: where a
/// platform rule's source is in a tree's headers.
const DEFINED_IN: &[(&str, &str)] = &[("PY_HAVE_THREAD_NATIVE_ID", "Include/pythread.h")];

/// A rule's source as the manifest's own tree has it: the header's lines
/// from the `#if` to the `#define` and the condition they state (the lines
/// move between releases: 42-46 in 3.13, 42-47 in 3.15). `None` when the
/// manifest has no tree (the built-in table) or the header says otherwise.
fn tree_source(manifest: &Manifest, rule: &FeatureRule) -> Option<String> {
    let (_, header) = DEFINED_IN.iter().find(|(name, _)| *name == rule.name)?;
    if !manifest.path.is_file() {
        return None;
    }
    let text = std::fs::read_to_string(manifest.root().join(header)).ok()?;
    let lines: Vec<&str> = text.lines().collect();
    let define = lines.iter().position(|line| {
        let mut words = line.trim_start().trim_start_matches('#').split_whitespace();
        words.next() == Some("define") && words.next() == Some(rule.name)
    })?;
    let start = lines[..define]
        .iter()
        .rposition(|line| line.trim_start().starts_with("#if"))?;
    let condition: Vec<&str> = lines[start..define]
        .iter()
        .map(|line| line.trim().trim_end_matches('\\').trim())
        .collect();
    let condition = condition.join(" ");
    let condition = condition.trim_start_matches("#if").trim();
    Some(format!(
        "{header}:{}-{} defines it only under {condition}",
        start + 1,
        define + 1
    ))
}

/// The feature macros given exactly (e.g. those the header view of a
/// configured tree defines), with `why` for all of them.
pub fn exactly(manifest: &Manifest, defined: &BTreeSet<String>, why: &str) -> Assumptions {
    let features = manifest
        .feature_macros()
        .into_iter()
        .map(|item| Assumed {
            name: item.name.clone(),
            defined: defined.contains(&item.name),
            why: why.to_string(),
        })
        .collect();
    Assumptions {
        platform: UnnamedElf,
        platform_from: why.to_string(),
        features,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        let text = "[feature_macro.MS_WINDOWS]\n    doc = 'w'\n    windows = true\n\
                    [feature_macro.HAVE_FORK]\n    doc = 'f'\n\
                    [feature_macro.USE_STACKCHECK]\n    doc = 's'\n    windows = 'maybe'\n\
                    [feature_macro.PY_HAVE_THREAD_NATIVE_ID]\n    doc = 't'\n    windows = true\n\
                    [feature_macro.Py_NEW_THING]\n    doc = 'n'\n    windows = true\n";
        Manifest::parse(text, std::path::Path::new("m.toml")).unwrap()
    }

    fn defined(platform: Platform, overrides: &FeatureOverrides) -> Vec<String> {
        let detected = Detected::new(platform, "test");
        assume(&manifest(), &detected, overrides)
            .defined()
            .into_iter()
            .collect()
    }

    #[test]
    fn the_table_follows_the_headers_conditions() {
        let none = FeatureOverrides::default();
        assert_eq!(
            defined(Linux, &none),
            ["HAVE_FORK", "PY_HAVE_THREAD_NATIVE_ID"]
        );
        assert_eq!(defined(UnnamedElf, &none), defined(Linux, &none));
        assert_eq!(defined(Solaris, &none), ["HAVE_FORK"]);
        assert_eq!(defined(Hurd, &none), ["HAVE_FORK"]);
        assert_eq!(
            defined(Windows, &none),
            ["MS_WINDOWS", "PY_HAVE_THREAD_NATIVE_ID", "Py_NEW_THING"]
        );
        assert!(defined(WindowsX86, &none).contains(&"USE_STACKCHECK".to_string()));
    }

    #[test]
    fn overrides_win_and_are_checked() {
        let m = manifest();
        let overrides = FeatureOverrides::new(
            &m,
            &["PY_HAVE_THREAD_NATIVE_ID".into()],
            &["HAVE_FORK".into()],
        )
        .unwrap();
        assert_eq!(defined(Solaris, &overrides), ["PY_HAVE_THREAD_NATIVE_ID"]);
        let err = FeatureOverrides::new(&m, &["HAVE_SPOON".into()], &[]).unwrap_err();
        assert!(
            err.contains("--feature HAVE_SPOON: not a feature macro"),
            "{err}"
        );
        let err =
            FeatureOverrides::new(&m, &["HAVE_FORK".into()], &["HAVE_FORK".into()]).unwrap_err();
        assert!(err.contains("both"), "{err}");
    }

    #[test]
    fn the_elf_header_names_the_platform() {
        let mut elf = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        if elf.get(..4) != Some(b"\x7fELF") {
            return; // not an ELF host
        }
        elf[7] = 6;
        assert_eq!(detect(&elf).platform, Solaris);
        assert!(detect(&elf).evidence.contains("EI_OSABI = 6 (Solaris)"));
        elf[7] = 9;
        assert_eq!(detect(&elf).platform, FreeBsd);
        assert_eq!(detect(b"garbage").platform, UnnamedElf);
        assert_eq!(detect(b"\x7fELF\x02\x01\x01\x00").platform, UnnamedElf);
    }
}
