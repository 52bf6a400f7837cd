//! Wheels: their tags (which Python and ABI they claim) and the extension
//! modules inside them.

use std::io::{Read, Seek};

use crate::binary::names::is_extension_name;
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
    /// Parses `py-abi-platform`.
    pub fn parse(text: &str) -> Option<WheelTag> {
        let mut parts = text.splitn(3, '-');
        let (python, abi, platform) = (parts.next()?, parts.next()?, parts.next()?);
        if [python, abi, platform].iter().any(|p| p.is_empty()) || platform.contains('-') {
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

/// What a wheel holds that matters to the audit.
#[derive(Debug)]
pub struct WheelContents {
    /// The tag of the `WHEEL` metadata file, if any.
    pub metadata_tag: Option<WheelTag>,
    /// Each extension module: its path in the wheel and its bytes.
    pub extensions: Vec<(String, Vec<u8>)>,
}

/// Extension members larger than this are refused rather than read into
/// memory: no real extension module comes near it.
const MAX_MEMBER: u64 = 1 << 30;

/// Reads a wheel's `WHEEL` file and its extension modules. A corrupt zip
/// is an error message (the caller adds the file name).
pub fn read_wheel(reader: impl Read + Seek) -> Result<WheelContents, String> {
    let mut archive =
        zip::ZipArchive::new(reader).map_err(|err| format!("not a valid wheel (zip): {err}"))?;
    let mut contents = WheelContents {
        metadata_tag: None,
        extensions: Vec::new(),
    };
    for index in 0..archive.len() {
        let mut member = archive
            .by_index(index)
            .map_err(|err| format!("corrupt wheel (zip) member #{index}: {err}"))?;
        let name = member.name().to_string();
        let is_metadata = name.ends_with(".dist-info/WHEEL") && name.matches('/').count() == 1;
        if member.is_dir() || !(is_metadata || is_extension_name(&name)) {
            continue;
        }
        if member.size() > MAX_MEMBER {
            return Err(format!(
                "{name}: member too large ({} bytes)",
                member.size()
            ));
        }
        // The declared size may lie: reserve little, read at most the limit.
        let mut bytes = Vec::with_capacity(member.size().min(1 << 24) as usize);
        (&mut member)
            .take(MAX_MEMBER)
            .read_to_end(&mut bytes)
            .map_err(|err| format!("{name}: corrupt wheel (zip) member: {err}"))?;
        if is_metadata {
            contents.metadata_tag = WheelTag::from_wheel_metadata(&String::from_utf8_lossy(&bytes));
        } else {
            contents.extensions.push((name, bytes));
        }
    }
    Ok(contents)
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
        let err = read_wheel(std::io::Cursor::new(b"PK\x03\x04 not really".to_vec())).unwrap_err();
        assert!(err.contains("not a valid wheel"), "{err}");
    }

    fn small_wheel() -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("spam/_spam.abi3.so", options).unwrap();
        zip.write_all(b"\x7fELF not really an object file").unwrap();
        zip.start_file("spam-1.0.dist-info/WHEEL", options).unwrap();
        zip.write_all(b"Tag: cp38-abi3-any\n").unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_wheel_is_read_and_every_mutation_is_an_error_or_a_result() {
        let bytes = small_wheel();
        let contents = read_wheel(std::io::Cursor::new(&bytes)).unwrap();
        assert_eq!(contents.extensions.len(), 1);
        assert_eq!(contents.extensions[0].0, "spam/_spam.abi3.so");
        assert!(contents.metadata_tag.unwrap().is_abi3());
        for position in 0..bytes.len() {
            let mut mutated = bytes.clone();
            mutated[position] ^= 0xa5;
            let _ = read_wheel(std::io::Cursor::new(&mutated));
        }
        for len in 0..bytes.len() {
            let _ = read_wheel(std::io::Cursor::new(&bytes[..len]));
        }
    }

    #[test]
    fn extension_names() {
        assert!(is_extension_name("pkg/_spam.abi3.so"));
        assert!(is_extension_name("pkg/_spam.cp311-win_amd64.pyd"));
        assert!(!is_extension_name("pkg/spam.py"));
    }
}
