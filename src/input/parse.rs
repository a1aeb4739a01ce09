//! Parsing one JSON value at the front of a window of bytes, telling "needs more bytes" apart
//! from "malformed".

use serde::de::DeserializeOwned;

/// The result of parsing one value at the front of the unconsumed bytes.
pub(crate) enum Parsed<V> {
    /// The value and how many bytes it took.
    Done(V, usize),
    /// The value runs past the bytes at hand, and the source has more.
    NeedMore,
    /// The value is malformed, or the source ended inside it.
    Failed(serde_json::Error),
}

/// Parses one value of type `V` at the start of `bytes` (leading whitespace allowed).
/// `at_eof` says whether `bytes` is all that is left of the source.
pub(crate) fn parse_prefix<V: DeserializeOwned>(bytes: &[u8], at_eof: bool) -> Parsed<V> {
    let mut values = serde_json::Deserializer::from_slice(bytes).into_iter::<V>();
    match values.next() {
        Some(Ok(value)) => finish(value, values.byte_offset(), bytes, at_eof),
        Some(Err(e)) if !at_eof && (e.is_eof() || fails_at_end(&e, bytes)) => Parsed::NeedMore,
        Some(Err(e)) => Parsed::Failed(e),
        None if at_eof => match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            Err(e) => Parsed::Failed(e),
            Ok(_) => Parsed::NeedMore,
        },
        None => Parsed::NeedMore,
    }
}

/// [`parse_prefix`] from `text`, the UTF-8 checked prefix of `bytes` (serde_json skips its
/// own UTF-8 checks then). Falls back to `bytes` when the value may run past `text`.
pub(crate) fn parse_prefix_text<V: DeserializeOwned>(
    text: &str,
    bytes: &[u8],
    at_eof: bool,
) -> Parsed<V> {
    let whole = text.len() == bytes.len();
    if text.is_empty() && !whole {
        return parse_prefix(bytes, at_eof);
    }
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<V>();
    let parsed = match values.next() {
        Some(Ok(value)) => finish(
            value,
            values.byte_offset(),
            text.as_bytes(),
            at_eof && whole,
        ),
        Some(Err(e)) if !(at_eof && whole) && (e.is_eof() || fails_at_end(&e, text.as_bytes())) => {
            Parsed::NeedMore
        }
        Some(Err(e)) => Parsed::Failed(e),
        None => Parsed::NeedMore,
    };
    match parsed {
        Parsed::NeedMore if !whole => parse_prefix(bytes, at_eof),
        parsed => parsed,
    }
}

/// Whether an error was raised at the very end of `bytes`: a number cut after `-`, `.`, `e`
/// or `+` is "invalid" to serde_json, not "EOF", yet the next chunk may complete it.
fn fails_at_end(e: &serde_json::Error, bytes: &[u8]) -> bool {
    let line_start = match e.line() {
        0 => return false,
        1 => 0,
        line => match memchr::memchr_iter(b'\n', bytes).nth(line - 2) {
            Some(newline) => newline + 1,
            None => return false,
        },
    };
    line_start + e.column() >= bytes.len()
}

/// A parsed value, unless it is a number or literal that ends where the bytes end: it may go
/// on in the next chunk.
fn finish<V>(value: V, len: usize, bytes: &[u8], at_eof: bool) -> Parsed<V> {
    let open_ended =
        len == bytes.len() && !matches!(bytes.get(len.wrapping_sub(1)), Some(b'}' | b']' | b'"'));
    if open_ended && !at_eof {
        Parsed::NeedMore
    } else {
        Parsed::Done(value, len)
    }
}

/// A parse error's message without serde_json's position suffix (which counts from the start
/// of the record, not of the file).
pub(crate) fn describe(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&suffix) {
        Some(message) => message.to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::IgnoredAny;
    use serde_json::Value;

    #[test]
    fn a_complete_object_reports_its_length() {
        match parse_prefix::<Value>(br#"  {"a":[1,{"b":"}"}]} ,{"#, false) {
            Parsed::Done(v, len) => {
                assert_eq!(v["a"][1]["b"], "}");
                assert_eq!(len, 21);
            }
            _ => panic!("expected a value"),
        }
    }

    #[test]
    fn a_cut_object_needs_more_unless_the_source_ended() {
        assert!(matches!(
            parse_prefix::<IgnoredAny>(br#"{"a":"#, false),
            Parsed::NeedMore
        ));
        match parse_prefix::<IgnoredAny>(br#"{"a":"#, true) {
            Parsed::Failed(e) => assert!(e.is_eof()),
            _ => panic!("expected an end-of-file error"),
        }
    }

    #[test]
    fn a_number_at_the_end_of_the_window_needs_more() {
        assert!(matches!(
            parse_prefix::<u64>(b"12", false),
            Parsed::NeedMore
        ));
        assert!(matches!(
            parse_prefix::<u64>(b"12", true),
            Parsed::Done(12, 2)
        ));
        assert!(matches!(
            parse_prefix::<u64>(b"12,", false),
            Parsed::Done(12, 2)
        ));
    }

    #[test]
    fn a_wrong_type_is_a_data_error() {
        match parse_prefix::<u64>(br#""x" "#, false) {
            Parsed::Failed(e) => assert!(e.is_data()),
            _ => panic!("expected a data error"),
        }
    }

    #[test]
    fn text_parsing_falls_back_to_bytes_past_the_checked_prefix() {
        let bytes = b"{\"a\":\"\xff\"} {\"b\":1}";
        match parse_prefix_text::<Value>("{\"a\":\"", bytes, true) {
            Parsed::Failed(e) => assert_eq!(describe(&e), "invalid unicode code point"),
            _ => panic!("expected the byte parser's error"),
        }
        let text = "{\"b\":1} {";
        assert!(matches!(
            parse_prefix_text::<Value>(text, text.as_bytes(), false),
            Parsed::Done(_, 7)
        ));
        assert!(matches!(
            parse_prefix_text::<u8>("1", b"12", true),
            Parsed::Done(12, 2)
        ));
        assert!(matches!(
            parse_prefix_text::<u8>("", b"\xff", true),
            Parsed::Failed(_)
        ));
    }

    #[test]
    fn describe_drops_the_relative_position() {
        let e = serde_json::from_slice::<u64>(br#""x""#).unwrap_err();
        assert_eq!(describe(&e), r#"invalid type: string "x", expected u64"#);
    }
}
