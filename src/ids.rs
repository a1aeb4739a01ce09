//! Identifiers parsed once at the edge ("parse, don't validate").
//!
//! Every id that crosses into stepup — a user's object id, a tenant, an application, a
//! subscription — is turned into one of these types where it is read. Code behind the edge
//! never re-checks a string.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// An id that was not a GUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} {value:?} is not a GUID")]
pub struct IdError {
    /// Which kind of id was expected.
    pub kind: &'static str,
    /// The offending text (ids are not secrets).
    pub value: String,
}

macro_rules! guid_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an already parsed GUID.
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The GUID inside.
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            /// Parses the usual textual forms of a GUID (hyphenated, braced, any case).
            pub fn parse(text: &str) -> Result<Self, IdError> {
                Uuid::parse_str(text.trim()).map(Self).map_err(|_| IdError {
                    kind: $kind,
                    value: text.chars().take(80).collect(),
                })
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&self.0.hyphenated())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

guid_id!(
    /// A directory object id (a user's `id` in Graph, `userId` in sign-ins, the
    /// `objectidentifier` claim in ARM events).
    ObjectId,
    "object id"
);
guid_id!(
    /// A Microsoft Entra tenant id.
    TenantId,
    "tenant id"
);
guid_id!(
    /// An application (client) id, such as Azure CLI's.
    AppId,
    "application id"
);
guid_id!(
    /// An Azure subscription id.
    SubscriptionId,
    "subscription id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_lowercase_hyphenated() {
        let id = ObjectId::parse("{6E7B768E-07E2-4810-8459-485F84F8F204}").unwrap();
        assert_eq!(id.to_string(), "6e7b768e-07e2-4810-8459-485f84f8f204");
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"6e7b768e-07e2-4810-8459-485f84f8f204\"");
        let back: ObjectId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, id);
    }

    #[test]
    fn rejects_non_guids_with_kind() {
        let err = TenantId::parse("contoso.onmicrosoft.com").unwrap_err();
        assert_eq!(
            err.to_string(),
            "tenant id \"contoso.onmicrosoft.com\" is not a GUID"
        );
        assert!(serde_json::from_str::<AppId>("\"nope\"").is_err());
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        /// The textual forms of a GUID that Graph, ARM, Teams and people write.
        fn forms(id: Uuid) -> Vec<String> {
            let hyphenated = id.hyphenated().to_string();
            vec![
                hyphenated.clone(),
                hyphenated.to_uppercase(),
                format!("{{{hyphenated}}}"),
                format!("{{{}}}", hyphenated.to_uppercase()),
                id.simple().to_string(),
                id.urn().to_string(),
                format!(" \t{hyphenated}\n"),
            ]
        }

        proptest! {
            #[test]
            fn every_form_of_a_guid_is_the_same_id(n in any::<u128>()) {
                let uuid = Uuid::from_u128(n);
                for text in forms(uuid) {
                    let id = ObjectId::parse(&text);
                    prop_assert_eq!(id, Ok(ObjectId::from_uuid(uuid)), "{:?}", text);
                    prop_assert_eq!(TenantId::parse(&text).map(|t| *t.as_uuid()), Ok(uuid));
                    prop_assert_eq!(AppId::parse(&text).map(|a| *a.as_uuid()), Ok(uuid));
                    prop_assert_eq!(SubscriptionId::parse(&text).map(|s| *s.as_uuid()), Ok(uuid));
                }
                let id = ObjectId::from_uuid(uuid);
                let shown = id.to_string();
                prop_assert_eq!(shown.len(), 36);
                prop_assert_eq!(shown.to_lowercase(), shown.clone());
                let json = serde_json::to_string(&id).unwrap_or_default();
                prop_assert_eq!(json, format!("\"{shown}\""));
                prop_assert_eq!(serde_json::from_str::<ObjectId>(&format!("\"{}\"", shown.to_uppercase())).ok(), Some(id));
            }

            #[test]
            fn any_text_parses_to_an_id_that_prints_back_or_to_a_short_error(text in any::<String>()) {
                match SubscriptionId::parse(&text) {
                    Ok(id) => prop_assert_eq!(SubscriptionId::parse(&id.to_string()), Ok(id)),
                    Err(e) => {
                        prop_assert!(e.value.chars().count() <= 80);
                        prop_assert!(text.starts_with(&e.value));
                        prop_assert!(e.to_string().starts_with("subscription id "));
                    }
                }
            }

            #[test]
            fn a_changed_guid_is_another_id_or_none(n in any::<u128>(), at in 0usize..36, c in any::<char>()) {
                let text = Uuid::from_u128(n).hyphenated().to_string();
                let mut changed: Vec<char> = text.chars().collect();
                changed[at] = c;
                let changed: String = changed.into_iter().collect();
                if changed == text {
                    return Ok(());
                }
                if let Ok(id) = ObjectId::parse(&changed) {
                    // Only a hex digit for a hex digit keeps it a GUID.
                    prop_assert!(c.is_ascii_hexdigit() && at != 8 && at != 13 && at != 18 && at != 23);
                    let same = changed.eq_ignore_ascii_case(&text);
                    prop_assert_eq!(id == ObjectId::from_uuid(Uuid::from_u128(n)), same);
                }
            }
        }
    }
}
