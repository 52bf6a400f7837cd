//! Python versions as the manifest writes them: `'3.N'`.

use std::fmt;

/// A `3.N` version of the Limited API.
///
/// The Stable ABI begins with 3.2, so nothing older can be written down.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u8,
    pub minor: u8,
}

impl Version {
    /// The first version with a Stable ABI.
    pub const FIRST: Version = Version { major: 3, minor: 2 };

    pub const fn new(major: u8, minor: u8) -> Version {
        Version { major, minor }
    }

    /// Parses exactly `3.N` (no spaces, no leading zeros, N ≥ 2).
    pub fn parse(text: &str) -> Result<Version, String> {
        let bad = || {
            format!("malformed version {text:?}: expected '3.N' with N >= 2 (e.g. '3.2', '3.13')")
        };
        let (major, minor) = text.split_once('.').ok_or_else(bad)?;
        if major != "3" || minor.is_empty() || !minor.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if minor.len() > 1 && minor.starts_with('0') {
            return Err(bad());
        }
        let minor: u8 = minor.parse().map_err(|_| bad())?;
        let version = Version::new(3, minor);
        if version < Version::FIRST {
            return Err(format!(
                "version {text:?} predates the Stable ABI, which begins with 3.2"
            ));
        }
        Ok(version)
    }

    /// The value `Py_LIMITED_API` takes to select this version:
    /// `3` for 3.2 (as PEP 384 defined it), else `0x030N0000`.
    pub fn limited_api_value(self) -> u32 {
        if self == Version::FIRST {
            3
        } else {
            self.hex()
        }
    }

    /// Every `Py_LIMITED_API` value that selects this version, as ranges:
    /// `0x030N0000..=0x030NFFFF` (any release of 3.N, as `PY_VERSION_HEX`
    /// writes it), and for 3.2 also `3` (PEP 384's spelling), first.
    pub fn limited_api_ranges(self) -> Vec<(u32, u32)> {
        let hex = self.hex();
        let mut ranges = Vec::new();
        if self == Version::FIRST {
            ranges.push((3, 3));
        }
        ranges.push((hex, hex | 0xFFFF));
        ranges
    }

    /// The version a `Py_LIMITED_API` value selects (`3` is 3.2), if any.
    pub fn of_limited_api_value(value: u32) -> Option<Version> {
        if value == 3 {
            return Some(Version::FIRST);
        }
        let major = u8::try_from(value >> 24).ok()?;
        let minor = ((value >> 16) & 0xFF) as u8;
        let version = Version::new(major, minor);
        (major == 3 && version >= Version::FIRST).then_some(version)
    }

    /// `PY_VERSION_HEX` of the version's first release: `0x030N0000`.
    pub fn hex(self) -> u32 {
        (u32::from(self.major) << 24) | (u32::from(self.minor) << 16)
    }

    /// Every version from `self` to `last`, both included.
    pub fn up_to(self, last: Version) -> Vec<Version> {
        (self.minor..=last.minor)
            .map(|minor| Version::new(self.major, minor))
            .collect()
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl std::str::FromStr for Version {
    type Err = String;
    fn from_str(text: &str) -> Result<Version, String> {
        Version::parse(text)
    }
}

impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limited_api_ranges() {
        assert_eq!(
            Version::new(3, 2).limited_api_ranges(),
            [(3, 3), (0x0302_0000, 0x0302_FFFF)]
        );
        assert_eq!(
            Version::new(3, 9).limited_api_ranges(),
            [(0x0309_0000, 0x0309_FFFF)]
        );
        assert_eq!(
            Version::of_limited_api_value(0x0309_00F0),
            Some(Version::new(3, 9))
        );
        assert_eq!(Version::of_limited_api_value(3), Some(Version::FIRST));
        assert_eq!(Version::of_limited_api_value(0x0301_0000), None);
        assert_eq!(Version::of_limited_api_value(0x0403_0000), None);
    }

    #[test]
    fn parses_and_prints() {
        assert_eq!(Version::parse("3.13").unwrap(), Version::new(3, 13));
        assert_eq!(Version::parse("3.2").unwrap().to_string(), "3.2");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "3", "3.x", "4.0", " 3.2", "3.2 ", "3.02", "3.", ".2", "3.1", "3.999", "",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn limited_api_values() {
        assert_eq!(Version::new(3, 2).limited_api_value(), 3);
        assert_eq!(Version::new(3, 13).limited_api_value(), 0x030D_0000);
        assert_eq!(Version::new(3, 2).up_to(Version::new(3, 4)).len(), 3);
    }
}
