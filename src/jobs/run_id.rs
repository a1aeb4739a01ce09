//! Scan run ids: `<UTC time>-<8 hex>`, sortable by start and safe in state keys.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One scan run of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RunId(String);

impl RunId {
    /// A new id for a run starting at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(format!(
            "{}-{:08x}",
            at.format("%Y%m%dT%H%M%SZ"),
            rand::random::<u32>()
        ))
    }

    /// Checks an id read from a message: 1-64 ASCII letters, digits, `-`, `_`, `.`, not
    /// starting with `.`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let ok = (1..=64).contains(&text.len())
            && !text.starts_with('.')
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if ok {
            Ok(Self(text.to_string()))
        } else {
            Err(format!(
                "{:?} is not a run id (1-64 letters, digits, '-', '_', '.')",
                text.chars().take(70).collect::<String>()
            ))
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for RunId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RunId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_and_refuse_paths() {
        let a = RunId::new("2026-11-22T06:00:00Z".parse().unwrap());
        let b = RunId::new("2026-11-22T07:00:00Z".parse().unwrap());
        assert!(a < b);
        assert!(a.as_str().starts_with("20261122T060000Z-"));
        assert_eq!(RunId::parse(a.as_str()).unwrap(), a);
        for bad in ["", "../x", "a/b", ".hidden", &"x".repeat(65)] {
            assert!(RunId::parse(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<RunId>("\"a/b\"").is_err());
    }
}
