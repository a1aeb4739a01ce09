//! Telling an API page (`{"@odata.context": …, "value": [ … ], …}`) apart from a record.
//!
//! A top-level object with a `"value"` key whose value is an array is a page; any other
//! top-level object is a record. Two cheap byte tests decide when the full walk is needed.

use memchr::memmem::Finder;
use serde::de::IgnoredAny;

use super::parse::{parse_prefix, Parsed};

/// What a top-level object turned out to be.
pub(crate) enum Walk {
    /// A page; its records array opens at this offset (a `[`).
    Page {
        /// Offset of the `[` that opens the `value` array.
        array_at: usize,
    },
    /// A record, this many bytes long.
    Record {
        /// Length of the object in bytes.
        len: usize,
    },
    /// The object runs past the bytes at hand, and the source has more.
    NeedMore,
    /// The object is malformed, or the source ended inside it before any `value` array.
    Invalid(serde_json::Error),
}

/// Walks the keys of the object at the start of `bytes` (which must start with `{`) until
/// it finds a `"value"` key holding an array or the end of the object.
pub(crate) fn walk_object(bytes: &[u8], at_eof: bool) -> Walk {
    let mut i = skip_ws(bytes, 1);
    if bytes.get(i) == Some(&b'}') {
        return Walk::Record { len: i + 1 };
    }
    loop {
        if bytes.get(i) != Some(&b'"') {
            return fallback(bytes, at_eof);
        }
        let key = match parse_prefix::<String>(&bytes[i..], at_eof) {
            Parsed::Done(key, len) => {
                i += len;
                key
            }
            _ => return fallback(bytes, at_eof),
        };
        i = skip_ws(bytes, i);
        if bytes.get(i) != Some(&b':') {
            return fallback(bytes, at_eof);
        }
        i = skip_ws(bytes, i + 1);
        match bytes.get(i) {
            Some(b'[') if key == "value" => return Walk::Page { array_at: i },
            Some(_) => {}
            None => return fallback(bytes, at_eof),
        }
        match parse_prefix::<IgnoredAny>(&bytes[i..], at_eof) {
            Parsed::Done(_, len) => i += len,
            _ => return fallback(bytes, at_eof),
        }
        i = skip_ws(bytes, i);
        match bytes.get(i) {
            Some(b',') => i = skip_ws(bytes, i + 1),
            Some(b'}') => return Walk::Record { len: i + 1 },
            _ => return fallback(bytes, at_eof),
        }
    }
}

/// Anything unexpected: let serde_json parse the whole object to say what is wrong (or that
/// more bytes are needed).
fn fallback(bytes: &[u8], at_eof: bool) -> Walk {
    match parse_prefix::<IgnoredAny>(bytes, at_eof) {
        Parsed::Done(_, len) => Walk::Record { len },
        Parsed::NeedMore => Walk::NeedMore,
        Parsed::Failed(e) => Walk::Invalid(e),
    }
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// Keys that open API pages (Graph and ARM); an object whose first key is one of them is
/// walked before it is parsed as a record.
const PAGE_KEYS: [&[u8]; 6] = [
    b"@odata.context",
    b"@odata.nextLink",
    b"@odata.count",
    b"@odata.deltaLink",
    b"nextLink",
    b"value",
];

/// Whether the object at the start of `bytes` begins with a key that pages begin with.
pub(crate) fn starts_like_page(bytes: &[u8]) -> bool {
    let start = skip_ws(bytes, 1);
    if bytes.get(start) != Some(&b'"') {
        return false;
    }
    let rest = &bytes[start + 1..bytes.len().min(start + 32)];
    match memchr::memchr(b'"', rest) {
        Some(end) => PAGE_KEYS.contains(&&rest[..end]),
        None => false,
    }
}

/// Finds `"value"` followed by `:` and `[` anywhere in some bytes: a necessary condition for
/// a page (unless the key is written with escapes, which no API does).
pub(crate) struct ValueArrayKey {
    finder: Finder<'static>,
}

impl ValueArrayKey {
    /// A reusable searcher.
    pub(crate) fn new() -> Self {
        Self {
            finder: Finder::new(b"\"value\""),
        }
    }

    /// Whether `bytes` may hold a `"value": [` (at any depth).
    pub(crate) fn may_occur_in(&self, bytes: &[u8]) -> bool {
        self.finder.find_iter(bytes).any(|at| {
            let colon = skip_ws(bytes, at + 7);
            match bytes.get(colon) {
                Some(b':') => matches!(bytes.get(skip_ws(bytes, colon + 1)), Some(b'[') | None),
                None => true,
                Some(_) => false,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(text: &str, at_eof: bool) -> Walk {
        walk_object(text.as_bytes(), at_eof)
    }

    #[test]
    fn a_value_array_makes_a_page_wherever_it_is() {
        let text =
            r#"{"@odata.nextLink":"https://x/?a=[1]","n":{"value":[1]}, "value" : [{"id":1}]}"#;
        match walk(text, true) {
            Walk::Page { array_at } => assert_eq!(&text[array_at..array_at + 3], "[{\""),
            _ => panic!("expected a page"),
        }
    }

    #[test]
    fn a_page_is_found_before_its_end_arrives() {
        assert!(matches!(
            walk(r#"{"value":[{"id":1},{"i"#, false),
            Walk::Page { array_at: 9 }
        ));
    }

    #[test]
    fn an_object_without_a_value_array_is_a_record() {
        let text = r#"{"value":"x","nested":{"value":[1]}} trailing"#;
        assert!(matches!(walk(text, true), Walk::Record { len: 36 }));
        assert!(matches!(walk("{ }", true), Walk::Record { len: 3 }));
    }

    #[test]
    fn a_cut_record_needs_more_or_is_invalid_at_the_end() {
        assert!(matches!(walk(r#"{"a":1,"b"#, false), Walk::NeedMore));
        match walk(r#"{"a":1,"b"#, true) {
            Walk::Invalid(e) => assert!(e.is_eof()),
            _ => panic!("expected an end-of-file error"),
        }
    }

    #[test]
    fn malformed_objects_are_invalid() {
        for text in [r#"{"a" 1}"#, r#"{a:1}"#, r#"{"a":1 "b":2}"#, r#"{"a":tru}"#] {
            assert!(matches!(walk(text, true), Walk::Invalid(_)), "{text}");
        }
    }

    #[test]
    fn page_keys_are_recognised_at_the_start() {
        assert!(starts_like_page(br#"{"@odata.context":"x","value":[]}"#));
        assert!(starts_like_page(b"{ \n\"value\":[]}"));
        assert!(!starts_like_page(br#"{"id":"x"}"#));
        assert!(!starts_like_page(br#"{"@odata.type":"x"}"#));
        assert!(!starts_like_page(b"{"));
    }

    #[test]
    fn value_array_key_needs_a_colon_and_a_bracket() {
        let keys = ValueArrayKey::new();
        assert!(keys.may_occur_in(br#"{"a":1,"value" :  [1]}"#));
        assert!(keys.may_occur_in(br#"{"a":{"value":[]}}"#));
        assert!(!keys.may_occur_in(br#"{"a":{"value":"x"},"localizedValue":[1]}"#));
        assert!(!keys.may_occur_in(br#"{"a":"\"value\": [1]"}"#));
        assert!(keys.may_occur_in(br#"{"value""#));
    }
}
