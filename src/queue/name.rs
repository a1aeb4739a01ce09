//! Queue names, checked against Queue Storage's rules once.

use std::fmt;

/// The scan job queue (`function-defs/scan-worker`'s trigger).
pub const JOBS_QUEUE: &str = "stepup-jobs";
/// The notification queue (`function-defs/notify-worker`'s trigger).
pub const NOTIFY_QUEUE: &str = "stepup-notify";

/// A valid queue name: 3-63 lowercase letters, digits and single hyphens, starting and
/// ending with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueueName(String);

impl QueueName {
    /// Checks a name.
    pub fn parse(name: &str) -> Result<Self, String> {
        let ok = (3..=63).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !name.starts_with('-')
            && !name.ends_with('-')
            && !name.contains("--");
        if ok {
            Ok(Self(name.to_string()))
        } else {
            Err(format!(
                "{name:?} is not a queue name (3-63 lowercase letters, digits and single hyphens)"
            ))
        }
    }

    /// `stepup-jobs`.
    pub fn jobs() -> Self {
        Self(JOBS_QUEUE.to_string())
    }

    /// `stepup-notify`.
    pub fn notify() -> Self {
        Self(NOTIFY_QUEUE.to_string())
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for QueueName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_service_rules() {
        assert_eq!(QueueName::jobs().as_str(), "stepup-jobs");
        assert!(QueueName::parse(NOTIFY_QUEUE).is_ok());
        for bad in ["ab", "Upper", "a--b", "-ab", "ab-", "a_b", &"a".repeat(64)] {
            assert!(QueueName::parse(bad).is_err(), "{bad}");
        }
    }
}
