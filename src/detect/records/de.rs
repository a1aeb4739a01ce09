//! Serde helpers shared by the record types.
//!
//! They are tolerant where the APIs are loose (`null`, `""`, a value that is sometimes a
//! string and sometimes `{"value": …}`), strict where correctness depends on it (an id that
//! is present must be a GUID), and allocation-free wherever a value is turned into something
//! smaller than a string (ids, enums, flags).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use uuid::Uuid;

use crate::ids::{AppId, ObjectId, SubscriptionId, TenantId};

/// A GUID-shaped id type that can be parsed from text.
pub trait Guid: Sized {
    /// Parses the text, or says why it is not a GUID.
    fn parse_guid(text: &str) -> Result<Self, String>;
}

macro_rules! guid_newtype {
    ($($ty:ty),*) => {$(
        impl Guid for $ty {
            fn parse_guid(text: &str) -> Result<Self, String> {
                <$ty>::parse(text).map_err(|e| e.to_string())
            }
        }
    )*};
}
guid_newtype!(ObjectId, AppId, SubscriptionId, TenantId);

impl Guid for Uuid {
    fn parse_guid(text: &str) -> Result<Self, String> {
        Uuid::try_parse(text.trim()).map_err(|_| {
            format!(
                "id {:?} is not a GUID",
                text.chars().take(80).collect::<String>()
            )
        })
    }
}

/// A value read from a JSON string without keeping the string (an enum, a flag, …).
pub trait Wire: Sized {
    /// The value a (non-empty) string stands for; `None` when it means nothing.
    fn from_wire(text: &str) -> Option<Self>;
}

impl Wire for String {
    fn from_wire(text: &str) -> Option<Self> {
        (!text.trim().is_empty()).then(|| text.to_owned())
    }
}

impl Wire for crate::detect::model::UserKind {
    fn from_wire(text: &str) -> Option<Self> {
        use crate::detect::model::UserKind;
        if text.eq_ignore_ascii_case("member") {
            Some(UserKind::Member)
        } else if text.eq_ignore_ascii_case("guest") {
            Some(UserKind::Guest)
        } else {
            None
        }
    }
}

/// `null`, missing or `""` → `None`; any other string → `Some`.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    opt_wire(d)
}

/// A string mapped through [`Wire`]; `null`/`""` → `None`.
pub fn opt_wire<'de, D: Deserializer<'de>, T: Wire>(d: D) -> Result<Option<T>, D::Error> {
    d.deserialize_option(WireVisitor(PhantomData, false))
}

/// Like [`opt_wire`], but also accepts ARM's localizable form `{"value": "…", …}`.
pub fn opt_localizable<'de, D: Deserializer<'de>, T: Wire>(d: D) -> Result<Option<T>, D::Error> {
    d.deserialize_option(WireVisitor(PhantomData, true))
}

struct WireVisitor<T>(PhantomData<T>, bool);

impl<'de, T: Wire> Visitor<'de> for WireVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.1 {
            f.write_str("a string, {\"value\": string} or null")
        } else {
            f.write_str("a string or null")
        }
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        if self.1 {
            d.deserialize_any(self)
        } else {
            d.deserialize_str(self)
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(if v.trim().is_empty() {
            None
        } else {
            T::from_wire(v)
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        if !self.1 {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        }
        let mut out = None;
        while let Some(key) = map.next_key::<KeyIs<ValueKey>>()? {
            if key.0 {
                out = map.next_value_seed(WireSeed::<T>(PhantomData))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out)
    }
}

struct WireSeed<T>(PhantomData<T>);

impl<'de, T: Wire> de::DeserializeSeed<'de> for WireSeed<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        opt_wire(d)
    }
}

/// Names one JSON key to look for, compared without allocating.
pub trait KeyName {
    /// Whether `key` is the one wanted.
    fn matches(key: &str) -> bool;
}

/// ARM's `value` key in a localizable string.
pub struct ValueKey;

impl KeyName for ValueKey {
    fn matches(key: &str) -> bool {
        key == "value"
    }
}

/// A map key that is only checked against [`KeyName`]: `true` when it matches.
pub struct KeyIs<K>(pub bool, PhantomData<K>);

impl<'de, K: KeyName> Deserialize<'de> for KeyIs<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<K>(PhantomData<K>);
        impl<K: KeyName> Visitor<'_> for V<K> {
            type Value = KeyIs<K>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(KeyIs(K::matches(v), PhantomData))
            }
        }
        d.deserialize_str(V(PhantomData))
    }
}

/// An optional GUID: `null`, missing or `""` → `None`; any other non-GUID text is an error.
pub fn opt_guid<'de, D: Deserializer<'de>, T: Guid>(d: D) -> Result<Option<T>, D::Error> {
    d.deserialize_option(GuidVisitor::<T>(PhantomData, false))
}

/// A required GUID.
pub fn guid<'de, D: Deserializer<'de>, T: Guid>(d: D) -> Result<T, D::Error> {
    d.deserialize_str(GuidVisitor::<T>(PhantomData, false))?
        .ok_or_else(|| de::Error::custom("id is empty"))
}

/// An optional GUID given as the last segment of an ARM id
/// (`/subscriptions/…/providers/Microsoft.Authorization/roleDefinitions/<guid>`) or bare.
pub fn opt_guid_last_segment<'de, D: Deserializer<'de>, T: Guid>(
    d: D,
) -> Result<Option<T>, D::Error> {
    d.deserialize_option(GuidVisitor::<T>(PhantomData, true))
}

struct GuidVisitor<T>(PhantomData<T>, bool);

impl<'de, T: Guid> Visitor<'de> for GuidVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GUID string or null")
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let text = if self.1 {
            v.trim_end_matches('/').rsplit('/').next().unwrap_or(v)
        } else {
            v
        };
        if text.trim().is_empty() {
            return Ok(None);
        }
        T::parse_guid(text).map(Some).map_err(E::custom)
    }
}

/// An optional RFC 3339 time; `null`/`""` → `None`.
pub fn opt_time<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<chrono::DateTime<chrono::Utc>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an RFC 3339 time or null")
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(self)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v.trim().is_empty() {
                return Ok(None);
            }
            v.trim()
                .parse()
                .map(Some)
                .map_err(|e| E::custom(format!("{v:?} is not an RFC 3339 time: {e}")))
        }
    }
    d.deserialize_option(V)
}

/// `null` or missing → `T::default()`.
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An integer given as a JSON number or a numeric string; `null`/`""` → `None`.
pub fn opt_integer<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an integer, a numeric string or null")
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            i64::try_from(v)
                .map(Some)
                .map_err(|_| E::custom(format!("integer {v} is out of range")))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            v.parse()
                .map(Some)
                .map_err(|_| E::custom(format!("{v:?} is not an integer")))
        }
    }
    d.deserialize_option(V)
}

/// A string or a list of strings, kept as one comma-separated string (`amr` claims come in
/// both shapes). Empty → `None`.
pub fn opt_string_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string, a list of strings or null")
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(String::from_wire(v))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = String::new();
            while let Some(item) = seq.next_element::<Option<String>>()? {
                if let Some(item) = item.filter(|s| !s.trim().is_empty()) {
                    if !out.is_empty() {
                        out.push(',');
                    }
                    out.push_str(item.trim());
                }
            }
            Ok((!out.is_empty()).then_some(out))
        }
    }
    d.deserialize_option(V)
}

/// A list of strings folded into a value through [`Fold`], without keeping the strings.
pub fn fold_list<'de, D: Deserializer<'de>, T: Fold>(d: D) -> Result<T, D::Error> {
    struct V<T>(PhantomData<T>);
    impl<'de, T: Fold> Visitor<'de> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of strings or null")
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(T::default())
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(T::default())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_seq(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut acc = T::default();
            while seq.next_element_seed(FoldItem(&mut acc))?.is_some() {}
            Ok(acc)
        }
    }
    d.deserialize_option(V(PhantomData))
}

/// A value built up from a list of strings (a bit set of known names, say).
pub trait Fold: Default {
    /// Adds one string of the list.
    fn add(&mut self, item: &str);
}

struct FoldItem<'a, T>(&'a mut T);

impl<'de, T: Fold> de::DeserializeSeed<'de> for FoldItem<'_, T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        struct V<'a, T>(&'a mut T);
        impl<'de, T: Fold> Visitor<'de> for V<'_, T> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
                self.0.add(v);
                Ok(())
            }
            fn visit_unit<E>(self) -> Result<(), E> {
                Ok(())
            }
        }
        d.deserialize_any(V(self.0))
    }
}

/// Whether `haystack` contains the ASCII `needle`, ignoring ASCII case.
pub fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    find_ignore_case(haystack, needle).is_some()
}

/// Byte offset of the first occurrence of the ASCII `needle` in `haystack`, ignoring ASCII
/// case.
pub fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return Some(0);
    }
    if h.len() < n.len() {
        return None;
    }
    let first = n[0].to_ascii_lowercase();
    (0..=h.len() - n.len())
        .find(|&i| h[i].to_ascii_lowercase() == first && h[i..i + n.len()].eq_ignore_ascii_case(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct Probe {
        #[serde(default, deserialize_with = "opt_guid")]
        id: Option<ObjectId>,
        #[serde(default, deserialize_with = "opt_string")]
        name: Option<String>,
        #[serde(default, deserialize_with = "opt_localizable")]
        op: Option<String>,
        #[serde(default, deserialize_with = "opt_guid_last_segment")]
        role: Option<Uuid>,
        #[serde(default, deserialize_with = "opt_integer")]
        code: Option<i64>,
        #[serde(default, deserialize_with = "opt_string_or_list")]
        amr: Option<String>,
    }

    fn probe(json: &str) -> Result<Probe, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn empty_and_null_are_none() {
        let p = probe(r#"{"id":"","name":"","op":null,"role":"","code":"","amr":[]}"#).unwrap();
        assert!(p.id.is_none() && p.name.is_none() && p.op.is_none());
        assert!(p.role.is_none() && p.code.is_none() && p.amr.is_none());
        let p = probe("{}").unwrap();
        assert!(p.id.is_none() && p.name.is_none());
    }

    #[test]
    fn a_present_id_must_be_a_guid() {
        let err = probe(r#"{"id":"66ea54eb-blah-4ee5-be62-ff5a759b0100"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a GUID"), "{err}");
        let err = probe(r#"{"role":"/providers/x/roleDefinitions/nope"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"nope\" is not a GUID"), "{err}");
    }

    #[test]
    fn shapes_are_accepted() {
        let p = probe(
            r#"{"id":"26BE570A-AE82-4189-B4E2-A37C6808512D","op":{"value":"Microsoft.Compute/virtualMachines/write","localizedValue":"x"},
                "role":"/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
                "code":"50126","amr":["pwd","mfa"]}"#,
        )
        .unwrap();
        assert_eq!(
            p.id.unwrap().to_string(),
            "26be570a-ae82-4189-b4e2-a37c6808512d"
        );
        assert_eq!(
            p.op.as_deref(),
            Some("Microsoft.Compute/virtualMachines/write")
        );
        assert_eq!(
            p.role.unwrap().to_string(),
            "b24988ac-6180-42a0-ab88-20f7382dd24c"
        );
        assert_eq!(p.code, Some(50126));
        assert_eq!(p.amr.as_deref(), Some("pwd,mfa"));
        let p = probe(r#"{"op":"Microsoft.Resources/deployments/write","code":0}"#).unwrap();
        assert_eq!(
            p.op.as_deref(),
            Some("Microsoft.Resources/deployments/write")
        );
        assert_eq!(p.code, Some(0));
    }

    #[test]
    fn case_insensitive_search() {
        assert_eq!(find_ignore_case("x AZURECLI/2.6", "azurecli/"), Some(2));
        assert!(contains_ignore_case("Terraform/1.9", "terraform/"));
        assert!(!contains_ignore_case("az", "azurecli/"));
        assert_eq!(find_ignore_case("abc", ""), Some(0));
    }
}
