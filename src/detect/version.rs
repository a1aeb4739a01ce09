//! Client versions as numbers, so that 2.9 < 2.76 < 2.100.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A dotted version, compared numerically part by part (missing parts are 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Version {
    /// Major.
    pub major: u32,
    /// Minor.
    pub minor: u32,
    /// Patch.
    pub patch: u32,
}

impl Version {
    /// A version from its parts.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// Reads the version at the start of `text`: digits and dots, after an optional `v`
    /// (`2.60.0`, `v14.2.0`, `2.76.0b1`, `14`). `None` when `text` does not start with a
    /// number.
    pub fn parse_prefix(text: &str) -> Option<Self> {
        let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
        let mut parts = [0u32; 3];
        let mut count = 0;
        for piece in text.split('.') {
            let digits = piece.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || count == parts.len() {
                break;
            }
            parts[count] = piece[..digits].parse().ok()?;
            count += 1;
            if digits < piece.len() {
                break;
            }
        }
        (count > 0).then(|| Self::new(parts[0], parts[1], parts[2]))
    }

    /// Whether this version is older than `minimum` (major, minor).
    pub fn older_than(self, minimum: (u32, u32)) -> bool {
        (self.major, self.minor) < minimum
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse_prefix(s).unwrap()
    }

    #[test]
    fn numeric_not_lexical() {
        assert!(v("2.9") < v("2.76"));
        assert!(v("2.76") < v("2.100"));
        assert!(v("2.9.0") < v("2.10.0"));
        assert!(v("2.76.0") > v("2.75.99"));
        assert!(v("2.9").older_than((2, 76)));
        assert!(!v("2.100").older_than((2, 76)));
        assert!(
            !v("2.76.0").older_than((2, 76)),
            "the minimum itself is fine"
        );
        assert!(v("1.99").older_than((2, 76)));
        assert!(!v("3.0").older_than((2, 76)));
    }

    #[test]
    fn prefixes_and_suffixes() {
        assert_eq!(v("v14.2.0"), Version::new(14, 2, 0));
        assert_eq!(v("2.76.0b1 (DEB)"), Version::new(2, 76, 0));
        assert_eq!(v("14"), Version::new(14, 0, 0));
        assert_eq!(v("2.60.0.1"), Version::new(2, 60, 0));
        assert_eq!(Version::parse_prefix("beta"), None);
        assert_eq!(Version::parse_prefix(""), None);
        assert_eq!(
            Version::parse_prefix("99999999999.1"),
            None,
            "overflow is no version"
        );
        assert_eq!(v("2.60.0").to_string(), "2.60.0");
    }
}
