//! Records kept as their JSON bytes in one arena, with the few fields the fake indexes on
//! (a time stamp, a tag); a record is parsed only when a filter or `$select` needs it, and
//! then only the top-level properties asked for.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

/// One record's place in the arena and its index fields.
#[derive(Debug, Clone, Copy)]
struct Meta {
    start: usize,
    len: u32,
    tag: u8,
    time: i64,
}

/// Records of one kind, in serving order.
#[derive(Debug, Default)]
pub(crate) struct RecordSet {
    bytes: Vec<u8>,
    meta: Vec<Meta>,
}

impl RecordSet {
    /// Appends a record (its JSON text), its time (100 ns ticks) and tag.
    pub(crate) fn push(&mut self, raw: &[u8], time: i64, tag: u8) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(raw);
        self.meta.push(Meta {
            start,
            len: u32::try_from(raw.len()).unwrap_or(u32::MAX),
            tag,
            time,
        });
    }

    /// Orders the records newest first (ties keep their order).
    pub(crate) fn sort_newest_first(&mut self) {
        self.meta.sort_by_key(|m| std::cmp::Reverse(m.time));
    }

    /// Frees spare capacity after loading.
    pub(crate) fn shrink(&mut self) {
        self.bytes.shrink_to_fit();
        self.meta.shrink_to_fit();
    }

    /// How many records.
    pub(crate) fn len(&self) -> usize {
        self.meta.len()
    }

    /// The JSON text of record `i`.
    pub(crate) fn raw(&self, i: usize) -> &[u8] {
        let m = self.meta[i];
        &self.bytes[m.start..m.start + m.len as usize]
    }

    /// The time of record `i` (100 ns ticks since the Unix epoch).
    pub(crate) fn time(&self, i: usize) -> i64 {
        self.meta[i].time
    }

    /// The tag of record `i`.
    pub(crate) fn tag(&self, i: usize) -> u8 {
        self.meta[i].tag
    }

    /// Record `i`'s top-level properties named in `keys` (all of them when `keys` is
    /// `None`).
    pub(crate) fn project(&self, i: usize, keys: Option<&[String]>) -> Map<String, Value> {
        project(self.raw(i), keys)
    }
}

/// The top-level properties of a JSON object named in `keys` (all when `None`). Parsing
/// stops once every key is found, so a record's tail is not read for nothing; a record that
/// is not an object reads as an empty one.
pub(crate) fn project(raw: &[u8], keys: Option<&[String]>) -> Map<String, Value> {
    let mut out = Map::new();
    let mut de = serde_json::Deserializer::from_slice(raw);
    // Stopping early is reported as an error by design; `out` holds what was found.
    let _ = Projection {
        keys,
        out: &mut out,
    }
    .deserialize(&mut de);
    out
}

/// Collects the wanted properties into `out`.
struct Projection<'k, 'o> {
    keys: Option<&'k [String]>,
    out: &'o mut Map<String, Value>,
}

impl<'de> DeserializeSeed<'de> for Projection<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Projection<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let wanted = self
                .keys
                .is_none_or(|keys| keys.iter().any(|k| k == key.as_ref()));
            if !wanted {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            self.out
                .insert(key.into_owned(), map.next_value::<Value>()?);
            if self.keys.is_some_and(|k| self.out.len() >= k.len()) {
                return Err(de::Error::custom("every wanted property was found"));
            }
        }
        Ok(())
    }
}

/// An object key, borrowed from the input when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Ticks (100 ns) per second.
const TICKS_PER_SEC: i64 = 10_000_000;

/// An instant as 100 ns ticks since the Unix epoch, from RFC 3339 text (any number of
/// fractional digits), an offset-less date-time (UTC) or a date (midnight UTC).
pub(crate) fn parse_instant(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(ticks(t.timestamp(), t.timestamp_subsec_nanos()));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        let t = t.and_utc();
        return Some(ticks(t.timestamp(), t.timestamp_subsec_nanos()));
    }
    if text.len() == 10 {
        if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            let t = d.and_hms_opt(0, 0, 0)?.and_utc();
            return Some(ticks(t.timestamp(), 0));
        }
    }
    None
}

fn ticks(secs: i64, nanos: u32) -> i64 {
    secs.saturating_mul(TICKS_PER_SEC)
        .saturating_add(i64::from(nanos / 100))
}
