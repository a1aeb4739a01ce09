//! Reading ticket-sink settings through a lookup closure (the environment in production, a
//! map in tests): required values, base URLs, booleans and `name=value;…` maps.

use std::collections::BTreeMap;

use crate::config::ConfigError;
use crate::secret::Secret;

/// A trimmed, non-empty value, or `None`.
pub fn optional(lookup: &impl Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// A value that must be set once the sink is configured.
pub fn required(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    why: &str,
) -> Result<String, ConfigError> {
    optional(lookup, name).ok_or_else(|| ConfigError {
        name,
        message: format!("not set ({why})"),
    })
}

/// A secret that must be set once the sink is configured (never echoed in errors).
pub fn required_secret(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    why: &str,
) -> Result<Secret, ConfigError> {
    required(lookup, name, why).map(Secret::new)
}

/// An `http(s)://host[/path]` base URL without its trailing `/`.
pub fn base_url(name: &'static str, value: &str) -> Result<String, ConfigError> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') && !value.contains(' ') => {
            Ok(value.trim_end_matches('/').to_owned())
        }
        _ => Err(ConfigError {
            name,
            message: format!("`{value}` is not an http(s) URL such as https://example.com"),
        }),
    }
}

/// `true`/`false` (also `1`/`0`, `yes`/`no`), or the default when unset.
pub fn boolean(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match optional(lookup, name).map(|v| v.to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) => match v.as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(ConfigError {
                name,
                message: format!("`{v}` is not true or false"),
            }),
        },
    }
}

/// `left=right` pairs separated by `;`; keys are lower-cased (they are UPNs / e-mails).
pub fn pairs(name: &'static str, value: &str) -> Result<BTreeMap<String, String>, ConfigError> {
    let mut map = BTreeMap::new();
    for pair in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                map.insert(k.trim().to_lowercase(), v.trim().to_owned());
            }
            _ => {
                return Err(ConfigError {
                    name,
                    message: format!("`{pair}` is not `name=value`"),
                })
            }
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn blank_values_count_as_unset() {
        let l = lookup(&[("A", "  "), ("B", " x ")]);
        assert_eq!(optional(&l, "A"), None);
        assert_eq!(optional(&l, "B").as_deref(), Some("x"));
        let err = required(&l, "A", "needed").unwrap_err();
        assert_eq!(err.name, "A");
        assert!(err.message.contains("needed"));
    }

    #[test]
    fn base_urls_lose_the_trailing_slash_and_need_a_scheme() {
        assert_eq!(
            base_url("U", "https://acme.atlassian.net/").unwrap(),
            "https://acme.atlassian.net"
        );
        assert_eq!(
            base_url("U", "http://127.0.0.1:9/x").unwrap(),
            "http://127.0.0.1:9/x"
        );
        assert!(base_url("U", "acme.atlassian.net").is_err());
        assert!(base_url("U", "https://").is_err());
        assert!(base_url("U", "ftp://x").is_err());
    }

    #[test]
    fn booleans_have_defaults_and_reject_nonsense() {
        let l = lookup(&[("T", "Yes"), ("F", "0"), ("X", "maybe")]);
        assert!(boolean(&l, "T", false).unwrap());
        assert!(!boolean(&l, "F", true).unwrap());
        assert!(boolean(&l, "UNSET", true).unwrap());
        assert!(boolean(&l, "X", true).is_err());
    }

    #[test]
    fn pairs_lowercase_keys_and_reject_missing_values() {
        let map = pairs("M", "Ann@Contoso.com = 5b10a; bob@contoso.com=7c2;").unwrap();
        assert_eq!(
            map.get("ann@contoso.com").map(String::as_str),
            Some("5b10a")
        );
        assert_eq!(map.len(), 2);
        assert!(pairs("M", "ann@contoso.com").is_err());
        assert!(pairs("M", "=x").is_err());
    }
}
