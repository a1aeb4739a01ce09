//! Setting values beyond plain strings, for sinks that read them through a lookup closure:
//! booleans and `name=value;…` maps (see [`super::settings`] for required/optional).

use std::collections::BTreeMap;

use super::settings::{optional, TicketSettingError};

/// `true`/`false` (also `1`/`0`, `yes`/`no`), or the default when unset.
pub fn boolean(
    lookup: &impl Fn(&str) -> Option<String>,
    setting: &'static str,
    default: bool,
) -> Result<bool, TicketSettingError> {
    match optional(lookup, setting).map(|v| v.to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) => match v.as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(TicketSettingError::Invalid {
                setting,
                why: format!("{v:?} is not true or false"),
            }),
        },
    }
}

/// `left=right` pairs separated by `;`; keys are lower-cased (they are UPNs / e-mails).
pub fn pairs(
    setting: &'static str,
    value: &str,
) -> Result<BTreeMap<String, String>, TicketSettingError> {
    let mut map = BTreeMap::new();
    for pair in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                map.insert(k.trim().to_lowercase(), v.trim().to_owned());
            }
            _ => {
                return Err(TicketSettingError::Invalid {
                    setting,
                    why: format!("{pair:?} is not `name=value`"),
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
    fn booleans_have_defaults_and_reject_nonsense() {
        let l = lookup(&[("T", "Yes"), ("F", "0"), ("X", "maybe"), ("B", "  ")]);
        assert!(boolean(&l, "T", false).unwrap());
        assert!(!boolean(&l, "F", true).unwrap());
        assert!(boolean(&l, "UNSET", true).unwrap());
        assert!(!boolean(&l, "B", false).unwrap(), "blank is unset");
        let err = boolean(&l, "X", true).unwrap_err();
        assert!(err.to_string().contains('X'), "{err}");
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
