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
mod tests {
    use super::*;

    #[test]
    fn parses_wheel_filenames() {
        let tag = WheelTag::from_filename("spam-1.0-cp38-abi3-manylinux_2_17_x86_64.whl").unwrap();
        assert!(tag.is_abi3());
        assert_eq!(tag.minimum_python(), Some(Version::new(3, 8)));
        assert_eq!(tag.to_string(), "cp38-abi3-manylinux_2_17_x86_64");

        let tag =
            WheelTag::from_filename("spam-1.0-1build-cp310.cp311-abi3-win_amd64.whl").unwrap();
        assert_eq!(tag.minimum_python(), Some(Version::new(3, 10)));

        let tag = WheelTag::from_filename("spam-1.0-cp311-cp311-linux_x86_64.whl").unwrap();
        assert!(!tag.is_abi3());
        let tag = WheelTag::from_filename("spam-1.0-py3-none-any.whl").unwrap();
        assert_eq!(tag.minimum_python(), None);

        for bad in [
            "spam.whl",
            "spam-1.0.whl",
            "a-b-c-d-e-f-g.whl",
            "spam-1.0-cp38-abi3-x.zip",
            "a-1--abi3-x.whl",
        ] {
            assert_eq!(WheelTag::from_filename(bad), None, "{bad}");
        }
    }

    #[test]
    fn parses_wheel_metadata_tags() {
        let text = "Wheel-Version: 1.0\nGenerator: x\nRoot-Is-Purelib: false\n\
                    Tag: cp39-abi3-manylinux_2_17_x86_64\nTag: cp39-abi3-manylinux2014_x86_64\n";
        let tag = WheelTag::from_wheel_metadata(text).unwrap();
        assert!(tag.is_abi3());
        assert_eq!(tag.minimum_python(), Some(Version::new(3, 9)));
        assert_eq!(tag.platform.len(), 2);
        assert_eq!(WheelTag::from_wheel_metadata("Wheel-Version: 1.0\n"), None);
    }

    #[test]
    fn garbage_zip_is_an_error() {
        let err = read_wheel(b"PK\x03\x04 not really".to_vec()).unwrap_err();
        assert!(err.contains("not a valid wheel"), "{err}");
    }

    fn wheel_of(members: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        for (name, bytes) in members {
            zip.start_file(*name, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn small_wheel() -> Vec<u8> {
        wheel_of(
            &[
                ("spam/_spam.abi3.so", b"\x7fELF not really an object file"),
                ("spam-1.0.dist-info/WHEEL", b"Tag: cp38-abi3-any\n"),
            ],
            zip::CompressionMethod::Deflated,
        )
    }

    /// The whole of every extension, as the streaming reader keeps it.
    fn contents(wheel: &Wheel<Vec<u8>>) -> Vec<(String, Result<Vec<u8>, String>)> {
        wheel
            .extensions
            .iter()
            .map(|member| {
                let whole = |view: View| {
                    use object::ReadRef;
                    view.read_bytes_at(0, member.size).map(<[u8]>::to_vec)
                };
                let all = |_: View| Plan {
                    ranges: std::iter::once(0..member.size).collect(),
                    ..Plan::default()
                };
                let bytes = wheel.read_with(member, &all, &whole);
                (member.name.clone(), bytes.map(|b| b.unwrap_or_default()))
            })
            .collect()
    }

    #[test]
    fn a_wheel_is_read_and_every_mutation_is_an_error_or_a_result() {
        let bytes = small_wheel();
        let wheel = read_wheel(bytes.clone()).unwrap();
        assert_eq!(wheel.extensions.len(), 1);
        assert_eq!(wheel.extensions[0].name, "spam/_spam.abi3.so");
        assert!(wheel.metadata_tag.as_ref().unwrap().is_abi3());
        assert_eq!(
            contents(&wheel),
            vec![(
                "spam/_spam.abi3.so".to_string(),
                Ok(b"\x7fELF not really an object file".to_vec())
            )]
        );
        for position in 0..bytes.len() {
            let mut mutated = bytes.clone();
            mutated[position] ^= 0xa5;
            if let Ok(wheel) = read_wheel(mutated) {
                let _ = contents(&wheel);
            }
        }
        for len in 0..bytes.len() {
            let _ = read_wheel(bytes[..len].to_vec());
        }
    }

    #[test]
    fn stored_members_are_read_too() {
        let bytes = wheel_of(
            &[("m.abi3.so", b"stored bytes")],
            zip::CompressionMethod::Stored,
        );
        let wheel = read_wheel(bytes).unwrap();
        assert_eq!(contents(&wheel)[0].1, Ok(b"stored bytes".to_vec()));
    }

    /// The offset of `field` in the central directory entry of the first
    /// member (`PK\x01\x02`), and in its local header (`PK\x03\x04`).
    fn patch(bytes: &mut [u8], central_offset: usize, local_offset: usize, value: &[u8]) {
        let find = |magic: &[u8]| bytes.windows(4).position(|w| w == magic).unwrap();
        let central = find(b"PK\x01\x02");
        let local = find(b"PK\x03\x04");
        bytes[central + central_offset..][..value.len()].copy_from_slice(value);
        bytes[local + local_offset..][..value.len()].copy_from_slice(value);
    }

    #[test]
    fn a_member_that_inflates_past_its_declared_size_is_stopped_there() {
        let big = vec![0u8; 1 << 20];
        let mut bytes = wheel_of(&[("m.abi3.so", &big)], zip::CompressionMethod::Deflated);
        // Uncompressed size: central directory offset 24, local header 22.
        patch(&mut bytes, 24, 22, &100u32.to_le_bytes());
        let wheel = read_wheel(bytes).unwrap();
        assert_eq!(wheel.extensions[0].size, 100);
        let err = contents(&wheel).remove(0).1.unwrap_err();
        assert!(
            err.contains("inflates to more than the 100 bytes its header declares"),
            "{err}"
        );
    }

    /// Why the one member of a small deflated wheel, with a field of its
    /// entries changed (see [`patch`]), cannot be read.
    fn corrupt_member(central_offset: usize, local_offset: usize, value: &[u8]) -> String {
        let member = [("m.abi3.so", &b"twelve bytes"[..])];
        let mut bytes = wheel_of(&member, zip::CompressionMethod::Deflated);
        patch(&mut bytes, central_offset, local_offset, value);
        let wheel = read_wheel(bytes).unwrap();
        contents(&wheel).remove(0).1.unwrap_err()
    }

    #[test]
    fn a_member_shorter_than_declared_or_with_a_wrong_crc_is_corrupt() {
        // The size: central directory offset 24, local header 22.
        let err = corrupt_member(24, 22, &20u32.to_le_bytes());
        let says = "ends after 12 bytes, before the 20 its header declares";
        assert!(err.contains(says), "{err}");
        // The CRC-32: central directory offset 16, local header 14.
        let err = corrupt_member(16, 14, &0xdeadbeef_u32.to_le_bytes());
        assert!(err.contains("CRC-32"), "{err}");
    }

    #[test]
    fn wheel_bombs_are_refused_before_inflating() {
        let mut bytes = wheel_of(&[("m.abi3.so", b"tiny")], zip::CompressionMethod::Deflated);
        patch(&mut bytes, 24, 22, &u32::MAX.to_le_bytes());
        let err = read_wheel(bytes).unwrap_err();
        assert!(err.contains("more than the 1 GiB a member may be"), "{err}");
        // Three members of 1 GiB declared: more than a wheel may hold.
        let members: Vec<(String, Vec<u8>)> = (0..3)
            .map(|i| (format!("m{i}.abi3.so"), b"x".to_vec()))
            .collect();
        let refs: Vec<(&str, &[u8])> = members
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let mut bytes = wheel_of(&refs, zip::CompressionMethod::Stored);
        let mut at = 0;
        while let Some(found) = bytes[at..].windows(4).position(|w| w == b"PK\x01\x02") {
            let central = at + found;
            bytes[central + 24..][..4].copy_from_slice(&(1u32 << 30).to_le_bytes());
            at = central + 4;
        }
        let err = read_wheel(bytes).unwrap_err();
        assert!(
            err.contains("its 3 extension members declare 3 GiB inflated, more than the 2 GiB"),
            "{err}"
        );
    }

    #[test]
    fn encrypted_and_other_compression_methods_are_named() {
        let stored = || wheel_of(&[("m.abi3.so", b"x")], zip::CompressionMethod::Stored);
        for (method, name) in [
            (14u16, "LZMA (zip method 14)"),
            (12, "bzip2 (zip method 12)"),
            (93, "Zstandard"),
        ] {
            let mut bytes = stored();
            // Method: central directory offset 10, local header 8.
            patch(&mut bytes, 10, 8, &method.to_le_bytes());
            let wheel = read_wheel(bytes).unwrap();
            let err = wheel.read(&wheel.extensions[0], &|_| ()).unwrap_err();
            assert!(err.starts_with("the member is compressed with "), "{err}");
            assert!(err.contains(name), "{err}");
        }
        let mut bytes = stored();
        // General purpose flags: central directory offset 8, local header 6.
        patch(&mut bytes, 8, 6, &1u16.to_le_bytes());
        let wheel = read_wheel(bytes).unwrap();
        let err = wheel.read(&wheel.extensions[0], &|_| ()).unwrap_err();
        assert!(err.contains("the member is encrypted"), "{err}");
    }

    #[test]
    fn member_names_that_are_not_utf8_are_kept() {
        let mut bytes = wheel_of(&[("bad?.abi3.so", b"x")], zip::CompressionMethod::Stored);
        let at = bytes.windows(3).position(|w| w == b"d?.").unwrap() + 1;
        bytes[at] = 0xff;
        let at = bytes.windows(3).rposition(|w| w == b"d?.").unwrap() + 1;
        bytes[at] = 0xff;
        let wheel = read_wheel(bytes).unwrap();
        let member = &wheel.extensions[0];
        assert_eq!(member.raw_name, b"bad\xff.abi3.so");
        assert_eq!(member.name, "bad\\xff.abi3.so");
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let path = member_path(std::path::Path::new("w.whl"), member);
            assert_eq!(path.as_os_str().as_bytes(), b"w.whl/bad\xff.abi3.so");
        }
    }

    #[test]
    fn tags_with_other_characters_are_no_tags() {
        assert!(WheelTag::parse("cp38-abi3-linux_x86_64").is_some());
        assert_eq!(WheelTag::parse("cp38-abi3-linux\x1b[2K"), None);
        assert_eq!(WheelTag::parse("cp38-abi3-any\n"), None);
    }

    #[test]
    fn extension_names() {
        assert!(is_extension_name("pkg/_spam.abi3.so"));
        assert!(is_extension_name("pkg/_spam.cp311-win_amd64.pyd"));
        assert!(!is_extension_name("pkg/spam.py"));
    }
}
