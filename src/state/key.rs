//! State keys, parsed once: safe as file paths and as blob names.

use std::fmt;

/// Why a key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid state key {key:?}: {reason}")]
pub struct KeyError {
    /// The offending key (truncated).
    pub key: String,
    /// Why.
    pub reason: &'static str,
}

/// A key such as `accounts/<tenant>/<user>.json`: 1–8 segments of `[A-Za-z0-9._-]`
/// separated by `/`, no segment `.` or `..`, at most 512 bytes. Safe to join to a directory
/// and to use as a blob name without escaping.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StateKey(String);

impl StateKey {
    /// Parses a key.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let err = |reason| KeyError {
            key: text.chars().take(80).collect(),
            reason,
        };
        if text.is_empty() || text.len() > 512 {
            return Err(err("must be 1-512 bytes"));
        }
        let segments: Vec<&str> = text.split('/').collect();
        if segments.len() > 8 {
            return Err(err("at most 8 segments"));
        }
        for s in &segments {
            if s.is_empty() {
                return Err(err("empty segment"));
            }
            if *s == "." || *s == ".." {
                return Err(err("relative segment"));
            }
            if !s
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            {
                return Err(err("only letters, digits, '.', '_' and '-' in segments"));
            }
        }
        Ok(Self(text.to_string()))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether some key could start with `prefix`: every complete segment of the prefix
    /// (everything before its last `/`) must be a valid key on its own. The empty prefix
    /// matches every key. Lets a store refuse a prefix such as `../` before any I/O.
    pub fn could_start_with(prefix: &str) -> bool {
        match prefix.rfind('/') {
            None => true,
            Some(end) => Self::parse(&prefix[..end]).is_ok(),
        }
    }
}

impl fmt::Display for StateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::StateKey;

    #[test]
    fn accepts_plain_keys_and_refuses_traversal() {
        assert!(StateKey::parse("accounts/72f988bf/0d3e7999-75b3.json").is_ok());
        for bad in [
            "",
            "/abs",
            "a//b",
            "../etc/passwd",
            "a/./b",
            "a\\b",
            "a b",
            "a/%2e%2e",
            "ü",
            "a/b/c/d/e/f/g/h/i",
        ] {
            assert!(StateKey::parse(bad).is_err(), "{bad:?}");
        }
        assert!(StateKey::parse(&"a".repeat(513)).is_err());
    }

    #[test]
    fn prefixes_with_impossible_directories_match_nothing() {
        for good in ["", "acc", "accounts/", "accounts/72f9", "a/b/"] {
            assert!(StateKey::could_start_with(good), "{good:?}");
        }
        for bad in ["../", "/", "a//", "a/../b", "a b/", "./x"] {
            assert!(!StateKey::could_start_with(bad), "{bad:?}");
        }
    }
}
