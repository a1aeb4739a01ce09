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
}
