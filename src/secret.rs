//! A wrapper that keeps secrets out of logs, errors and reports.

use std::fmt;

/// A secret value (a token, a webhook URL with a signature, an HMAC key, a PAT).
///
/// `Debug` and `Display` print `***`; the value is only reachable through
/// [`Secret::expose`], which makes every use greppable.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret string.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Call only where the value leaves for its one legitimate use.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// `text` with every occurrence of each non-empty `secret` replaced by `***`: for text that
/// comes from elsewhere (an error body that echoes a request) before it reaches a log or an
/// error message.
pub fn redact<'a>(text: &str, secrets: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        if !secret.is_empty() && out.contains(secret) {
            out = out.replace(secret, "***");
        }
    }
    out
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::{redact, Secret};

    #[test]
    fn never_prints_the_value() {
        let s = Secret::new("hunter2-signature");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(***)");
        assert_eq!(s.expose(), "hunter2-signature");
    }

    #[test]
    fn redact_replaces_every_occurrence() {
        assert_eq!(
            redact("Bearer tok-1 and tok-1 again, not tok-2", ["tok-1", ""]),
            "Bearer *** and *** again, not tok-2"
        );
        assert_eq!(redact("nothing here", ["tok"]), "nothing here");
    }
}
