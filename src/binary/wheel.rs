//! Wheels: their tags (which Python and ABI they claim) and the extension
//! modules inside them, read without inflating a member into memory.
//!
//! The zip's central directory lists the members; the `WHEEL` file is
//! inflated (at most [`METADATA_LIMIT`] bytes); each extension module is
//! streamed through the inflater (flate2 on zlib-rs) and only the pieces
//! its tables are in are kept ([`super::stream`], [`super::plan`]), so the
//! memory an audit needs does not grow with the members' size.
//!
//! A wheel is refused, with what it is, when reading it would cost more
//! than any real wheel needs: a member over [`MEMBER_LIMIT`] or extension
//! members over [`WHEEL_LIMIT`] in all (a wheel bomb), as the central
//! directory declares them; a member that inflates to more (or fewer) bytes
//! than its header declares, or whose CRC-32 differs, is corrupt.
//! Encrypted members and compression methods other than stored and
//! deflated (the two wheel builders write) are named as such: an error of
//! that member (of the wheel, for its `WHEEL` file), the other members
//! read all the same.

use std::io;
use std::ops::Range;

use crate::binary::central;
use crate::binary::names::is_extension_name;
use crate::binary::sparse::View;
use crate::binary::stream::{self, Limits, Plan, Stream};
use crate::binary::zipped::{self, Method};

pub use crate::binary::zipped::Source;
use crate::input::human_size;
use crate::output::escape;
use crate::version::Version;

/// The tags a wheel claims: `{python tags}-{abi tags}-{platform tags}`,
/// each possibly a `.`-separated set (`cp38.cp39-abi3-manylinux…`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WheelTag {
    pub python: Vec<String>,
    pub abi: Vec<String>,
    pub platform: Vec<String>,
}

impl WheelTag {
    /// Parses `py-abi-platform`. Tags are made of letters, digits, `_`
    /// and `.` (`cp38.cp39-abi3-manylinux_2_17_x86_64`): anything else is
    /// no tag, so a tag is always safe to print.
    pub fn parse(text: &str) -> Option<WheelTag> {
        let mut parts = text.splitn(3, '-');
        let (python, abi, platform) = (parts.next()?, parts.next()?, parts.next()?);
        if [python, abi, platform].iter().any(|p| p.is_empty()) || platform.contains('-') {
            return None;
        }
        let tag_character = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
        if ![python, abi, platform]
            .iter()
            .all(|p| p.chars().all(tag_character))
        {
            return None;
        }
        let split = |s: &str| s.split('.').map(str::to_string).collect();
        Some(WheelTag {
            python: split(python),
            abi: split(abi),
            platform: split(platform),
        })
    }

    /// The tag of a wheel file name:
    /// `{dist}-{version}(-{build})?-{python}-{abi}-{platform}.whl`.
    pub fn from_filename(filename: &str) -> Option<WheelTag> {
        let stem = filename.strip_suffix(".whl")?;
        let parts: Vec<&str> = stem.split('-').collect();
        if !(parts.len() == 5 || parts.len() == 6) {
            return None;
        }
        let n = parts.len();
        WheelTag::parse(&format!(
            "{}-{}-{}",
            parts[n - 3],
            parts[n - 2],
            parts[n - 1]
        ))
    }

    /// The tag(s) of a wheel's `*.dist-info/WHEEL` file (`Tag: …` lines),
    /// merged into one.
    pub fn from_wheel_metadata(text: &str) -> Option<WheelTag> {
        let mut merged: Option<WheelTag> = None;
        for line in text.lines() {
            let Some(value) = line.strip_prefix("Tag:") else {
                continue;
            };
            let Some(tag) = WheelTag::parse(value.trim()) else {
                continue;
            };
            match &mut merged {
                None => merged = Some(tag),
                Some(all) => {
                    for (into, from) in [
                        (&mut all.python, tag.python),
                        (&mut all.abi, tag.abi),
                        (&mut all.platform, tag.platform),
                    ] {
                        for value in from {
                            if !into.contains(&value) {
                                into.push(value);
                            }
                        }
                    }
                }
            }
        }
        merged
    }

    /// Claims the Stable ABI.
    pub fn is_abi3(&self) -> bool {
        self.abi.iter().any(|abi| abi == "abi3")
    }

    /// The oldest CPython the tag claims: the lowest `cp3N` python tag
    /// (`cp38` → 3.8, `cp310` → 3.10). `None` for `py3` and the like.
    pub fn minimum_python(&self) -> Option<Version> {
        self.python
            .iter()
            .filter_map(|tag| tag.strip_prefix("cp3"))
            .filter_map(|minor| Version::parse(&format!("3.{minor}")).ok())
            .min()
    }
}

impl std::fmt::Display for WheelTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}-{}-{}",
            self.python.join("."),
            self.abi.join("."),
            self.platform.join(".")
        )
    }
}

/// The most a member may declare it inflates to: about five times the
/// largest extension module on PyPI we know (polars' 178 MB).
pub const MEMBER_LIMIT: u64 = 1 << 30;

/// The most a wheel's extension members may declare in all: what any real
/// wheel needs many times over (68 wheels of 45 projects hold 1.0 GB of
/// extension modules together), and a bound on the time a wheel bomb costs.
pub const WHEEL_LIMIT: u64 = 2 << 30;

/// The most the `WHEEL` metadata file may inflate to (a real one is a few
/// hundred bytes).
pub const METADATA_LIMIT: u64 = 1 << 20;

/// How much of one member may be held in memory at most: its symbol tables
/// (a real extension's are kilobytes to a few megabytes).
pub const KEEP_LIMIT: u64 = 32 << 20;

/// How often one member may be streamed (see [`stream::read`]).
const PASSES: usize = 4;

/// An extension module in a wheel, as its central directory entry says.
#[derive(Clone, Debug)]
pub struct Member {
    /// Its name as printed ([`escape::bytes`] of the raw name).
    pub name: String,
    /// Its name as stored in the zip.
    pub raw_name: Vec<u8>,
    /// The size it declares it inflates to.
    pub size: u64,
    /// How it is compressed, or why it cannot be read (encrypted, or a
    /// method other than stored and deflated): an error of this member
    /// only, the others are read all the same.
    method: Result<Method, String>,
    data: Range<u64>,
    crc32: u32,
}

/// What a wheel holds that matters to the audit: its `WHEEL` tag and its
/// extension modules, read from `source` on demand ([`Wheel::read`]).
#[derive(Debug)]
pub struct Wheel<S> {
    source: S,
    /// The tag of the `WHEEL` metadata file, if any.
    pub metadata_tag: Option<WheelTag>,
    /// Each extension module: every copy of a name stored more than once.
    pub extensions: Vec<Member>,
    /// The names (as printed) stored more than once, with how many times,
    /// in the order of their first copy.
    pub duplicates: Vec<(String, usize)>,
}

/// Reads a wheel's central directory and its `WHEEL` file. An error is a
/// message (the caller adds the file name): not a zip, a corrupt entry, an
/// encrypted or oddly compressed member, a wheel bomb.
pub fn read_wheel<S: Source>(source: S) -> Result<Wheel<S>, String> {
    let len = source.size().map_err(|err| format!("cannot read: {err}"))?;
    let cursor = zipped::Cursor::new(&source, len);
    let mut archive =
        zip::ZipArchive::new(cursor).map_err(|err| format!("not a valid wheel (zip): {err}"))?;
    let mut metadata: Option<Member> = None;
    let mut extensions = Vec::new();
    for index in 0..archive.len() {
        let Some(decoded) = archive.name_for_index(index) else {
            continue;
        };
        let is_metadata =
            decoded.ends_with(".dist-info/WHEEL") && decoded.matches('/').count() == 1;
        if decoded.ends_with('/') || !(is_metadata || is_extension_name(decoded)) {
            continue;
        }
        let entry = archive
            .by_index_raw(index)
            .map_err(|err| format!("corrupt wheel (zip) member #{index}: {err}"))?;
        let raw_name = entry.name_raw().to_vec();
        let name = escape::bytes(&raw_name).into_owned();
        let method = method_of(entry.encrypted(), entry.compression());
        let member = Member {
            name,
            raw_name,
            size: entry.size(),
            method,
            data: entry.data_start()..entry.data_start().saturating_add(entry.compressed_size()),
            crc32: entry.crc32(),
        };
        if is_metadata {
            metadata = Some(member);
        } else {
            extensions.push(member);
        }
    }
    // Names stored more than once: the zip crate shows one copy of each.
    let entries = central::entries(&source, archive.central_directory_start())
        .map_err(|err| format!("cannot read: {err}"))?;
    let duplicates = duplicates(&entries);
    if !duplicates.is_empty() {
        // Each extension stored more than once becomes its copies, in the
        // central directory's order (one pass over each list).
        let extension_names: std::collections::HashSet<&[u8]> =
            extensions.iter().map(|m| m.raw_name.as_slice()).collect();
        let twice: std::collections::HashSet<&[u8]> = duplicates
            .iter()
            .map(|(raw, _)| raw.as_slice())
            .filter(|raw| extension_names.contains(raw))
            .collect();
        let mut copies: std::collections::HashMap<&[u8], Vec<Member>> = Default::default();
        for entry in entries
            .iter()
            .filter(|e| twice.contains(e.raw_name.as_slice()))
        {
            let copy = copy_of(&source, entry, archive.offset())?;
            copies.entry(&entry.raw_name).or_default().push(copy);
        }
        extensions = extensions
            .into_iter()
            .flat_map(|member| match copies.remove(member.raw_name.as_slice()) {
                Some(copies) => copies,
                None => vec![member],
            })
            .collect();
    }
    let duplicates = duplicates
        .into_iter()
        .map(|(raw, count)| (escape::bytes(&raw).into_owned(), count))
        .collect();
    let declared = extensions
        .iter()
        .fold(0u64, |sum, m| sum.saturating_add(m.size));
    if let Some(member) = extensions.iter().find(|m| m.size > MEMBER_LIMIT) {
        return Err(format!(
            "{}: declares {} inflated, more than the {} a member may be",
            member.name,
            human_size(member.size),
            human_size(MEMBER_LIMIT)
        ));
    }
    if declared > WHEEL_LIMIT {
        return Err(format!(
            "its {} extension members declare {} inflated, more than the {} a wheel may hold",
            extensions.len(),
            human_size(declared),
            human_size(WHEEL_LIMIT)
        ));
    }
    let mut wheel = Wheel {
        source,
        metadata_tag: None,
        extensions,
        duplicates,
    };
    if let Some(member) = metadata {
        let text = member
            .method
            .clone()
            .map_err(|what| io::Error::new(io::ErrorKind::InvalidData, what))
            .and_then(|_| wheel.read_all(&member, METADATA_LIMIT))
            .map_err(|err| format!("{}: {err}", member.name))?;
        wheel.metadata_tag = WheelTag::from_wheel_metadata(&String::from_utf8_lossy(&text));
    }
    Ok(wheel)
}

/// The raw names stored more than once among `entries`, with how many
/// times, in the order of their first copy.
fn duplicates(entries: &[central::Entry]) -> Vec<(Vec<u8>, usize)> {
    let mut counts: std::collections::HashMap<&[u8], usize> = Default::default();
    for entry in entries {
        *counts.entry(&entry.raw_name).or_default() += 1;
    }
    let mut seen = std::collections::HashSet::new();
    entries
        .iter()
        .filter(|entry| counts[entry.raw_name.as_slice()] > 1 && seen.insert(&entry.raw_name))
        .map(|entry| (entry.raw_name.clone(), counts[entry.raw_name.as_slice()]))
        .collect()
}

/// The member of one copy of a name stored more than once, from its
/// central directory entry (the zip crate shows only one copy).
fn copy_of<S: Source>(source: &S, entry: &central::Entry, offset: u64) -> Result<Member, String> {
    let name = escape::bytes(&entry.raw_name).into_owned();
    #[allow(deprecated)] // the number as stored; no other public way
    let compression = zip::CompressionMethod::from_u16(entry.method);
    let method = method_of(entry.flags & 1 != 0, compression);
    let start = central::data_start(source, entry, offset)
        .map_err(|err| format!("corrupt wheel (zip) member {name}: {err}"))?;
    Ok(Member {
        name,
        raw_name: entry.raw_name.clone(),
        size: entry.size,
        method,
        data: start..start.saturating_add(entry.compressed_size),
        crc32: entry.crc32,
    })
}

/// The method of an entry the reader can read, or what it is.
fn method_of(encrypted: bool, method: zip::CompressionMethod) -> Result<Method, String> {
    use zip::CompressionMethod as M;
    if encrypted {
        return Err("the member is encrypted; a wheel's members never are \
                    (installers cannot read it)"
            .into());
    }
    if method == M::STORE {
        return Ok(Method::Stored);
    }
    if method == M::DEFLATE {
        return Ok(Method::Deflated);
    }
    let known = [
        (M::DEFLATE64, "Deflate64 (zip method 9)"),
        (M::BZIP2, "bzip2 (zip method 12)"),
        (M::LZMA, "LZMA (zip method 14)"),
        (M::ZSTD, "Zstandard (zip method 93)"),
        (M::XZ, "XZ (zip method 95)"),
        (M::PPMD, "PPMd (zip method 98)"),
        (M::AES, "AES encryption (zip method 99)"),
    ];
    let what = known
        .iter()
        .find(|(m, _)| *m == method)
        .map_or_else(|| format!("{method:?}"), |(_, name)| name.to_string());
    Err(format!(
        "the member is compressed with {what}; only stored and deflated members \
         (what wheel builders write) are read"
    ))
}

impl<S: Source> Wheel<S> {
    /// Streams `member` and returns what `parse` makes of the pieces of it
    /// that the readers need ([`super::plan::needed`]), never holding more
    /// than [`KEEP_LIMIT`] bytes of it. An error is a message: a corrupt
    /// member, or one that needs more than the limits allow.
    pub fn read<T>(&self, member: &Member, parse: &dyn Fn(View) -> T) -> Result<T, String> {
        self.read_with(member, &super::plan::needed, parse)
    }

    /// [`Wheel::read`] keeping what `plan` asks for.
    pub fn read_with<T>(
        &self,
        member: &Member,
        plan: &dyn Fn(View) -> Plan,
        parse: &dyn Fn(View) -> T,
    ) -> Result<T, String> {
        if let Err(what) = &member.method {
            return Err(what.clone());
        }
        let mut open = || self.stream(member);
        let limits = Limits {
            keep: KEEP_LIMIT,
            passes: PASSES,
        };
        stream::read(member.size, &mut open, plan, parse, limits).map_err(|err| match err {
            stream::ReadError::Io(err) => format!("corrupt wheel (zip) member: {err}"),
            stream::ReadError::Limit(message) => format!("not read: {message}"),
        })
    }

    /// The whole of a small member (at most `limit` bytes).
    fn read_all(&self, member: &Member, limit: u64) -> io::Result<Vec<u8>> {
        if member.size > limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "declares {}, more than the {} it may be",
                    human_size(member.size),
                    human_size(limit)
                ),
            ));
        }
        let mut stream = self.stream(member)?;
        let mut bytes = vec![0; member.size as usize];
        let mut at = 0;
        while at < bytes.len() {
            match stream.read(&mut bytes[at..])? {
                0 => break,
                n => at += n,
            }
        }
        stream.finish()?;
        Ok(bytes)
    }

    fn stream(&self, member: &Member) -> io::Result<Box<dyn Stream + '_>> {
        let method = member
            .method
            .clone()
            .map_err(|what| io::Error::new(io::ErrorKind::InvalidData, what))?;
        Ok(zipped::stream(
            &self.source,
            method,
            member.data.clone(),
            member.size,
            member.crc32,
        ))
    }
}

/// The path of a wheel's member for reports: the wheel's path, `/`, the
/// member's name, byte for byte (never resolved: an absolute or `..`
/// member name stays inside the wheel's path).
pub fn member_path(wheel: &std::path::Path, member: &Member) -> std::path::PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::{OsStrExt, OsStringExt};
        let mut bytes = wheel.as_os_str().as_bytes().to_vec();
        bytes.push(b'/');
        bytes.extend_from_slice(&member.raw_name);
        std::ffi::OsString::from_vec(bytes).into()
    }
    #[cfg(not(unix))]
    {
        format!("{}/{}", wheel.display(), member.name).into()
    }
}

#[cfg(test)]
mod tests;
