//! Behaviour of the reader on every supported layout and on broken input.

use serde::Deserialize;

use super::problem::ReadStats;
use super::reader::read_records_with_capacity;

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Rec {
    id: u32,
    name: String,
}

fn rec(id: u32, name: &str) -> Rec {
    Rec {
        id,
        name: name.to_owned(),
    }
}

/// Buffer sizes from "smaller than a record" to the default, so that every test also
/// checks refills at awkward places.
const CAPACITIES: [usize; 6] = [8, 9, 13, 31, 64, 1 << 20];

/// Reads `text` with every buffer size; all must agree.
fn read(text: &str) -> (Vec<Rec>, ReadStats) {
    read_as::<Rec>(text)
}

fn read_as<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
    text: &str,
) -> (Vec<T>, ReadStats) {
    let mut first: Option<(Vec<T>, ReadStats)> = None;
    for capacity in CAPACITIES {
        let mut got = Vec::new();
        let (stats, _) =
            read_records_with_capacity(text.as_bytes(), "signIns.json", capacity, |r: T| {
                got.push(r)
            });
        match &first {
            None => first = Some((got, stats)),
            Some((records, first_stats)) => {
                assert_eq!(&got, records, "records differ with capacity {capacity}");
                assert_eq!(stats.records, first_stats.records, "capacity {capacity}");
                assert_eq!(stats.problems, first_stats.problems, "capacity {capacity}");
                // A file that ends early is read only as far as the buffer went.
                assert!(stats.bytes <= text.len() as u64);
                if stats.problems.is_empty() {
                    assert_eq!(stats.bytes, text.len() as u64);
                }
            }
        }
    }
    first.unwrap_or_default()
}

fn messages(stats: &ReadStats) -> Vec<String> {
    stats.problems.iter().map(ToString::to_string).collect()
}

fn two() -> Vec<Rec> {
    vec![rec(1, "a"), rec(2, "b")]
}

#[test]
fn a_json_array_of_records() {
    let text = r#"[{"id":1,"name":"a"}, {"id":2,"name":"b"}]"#;
    let (got, stats) = read(text);
    assert_eq!(got, two());
    assert_eq!(stats.records, 2);
    assert_eq!(stats.bytes, text.len() as u64);
    assert!(stats.problems.is_empty());
}

#[test]
fn a_pretty_printed_array_of_records() {
    let text = serde_json::to_string_pretty(&serde_json::json!([
        {"id": 1, "name": "a", "extra": {"deep": [1, 2, {"x": null}]}},
        {"id": 2, "name": "b"}
    ]))
    .unwrap();
    let (got, stats) = read(&text);
    assert_eq!(got, two());
    assert!(stats.problems.is_empty());
}

#[test]
fn empty_arrays_and_empty_files_hold_no_records() {
    for text in [
        "",
        "   \n\t\r\n",
        "[]",
        " [ \n ] ",
        "\u{feff}",
        "\u{feff}[]",
    ] {
        let (got, stats) = read(text);
        assert!(got.is_empty(), "{text:?}");
        assert!(stats.problems.is_empty(), "{text:?}: {:?}", stats.problems);
    }
}

#[test]
fn a_page_with_the_next_link_after_the_records() {
    let text = r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns","value":[{"id":1,"name":"a"},{"id":2,"name":"b"}],"@odata.nextLink":"https://graph.microsoft.com/beta/auditLogs/signIns?$skiptoken=x"}"#;
    let (got, stats) = read(text);
    assert_eq!(got, two());
    assert!(stats.problems.is_empty(), "{:?}", stats.problems);
}

#[test]
fn a_page_with_the_next_link_before_the_records() {
    let text = r#"{ "@odata.nextLink" : "https://x/?$skiptoken=[{\"a\"}]" , "value" : [ {"id":1,"name":"a"} , {"id":2,"name":"b"} ] }"#;
    let (got, stats) = read(text);
    assert_eq!(got, two());
    assert!(stats.problems.is_empty(), "{:?}", stats.problems);
}

#[test]
fn a_page_whose_first_key_is_unusual() {
    let text = r#"{"meta":{"value":"x","n":[1,{"value":2}]},"value":[{"id":1,"name":"a"},{"id":2,"name":"b"}],"count":2}"#;
    let (got, stats) = read(text);
    assert_eq!(got, two());
    assert!(stats.problems.is_empty(), "{:?}", stats.problems);

    // A record type that accepts the page object itself must still see the records.
    #[derive(Debug, PartialEq, Deserialize)]
    struct Loose {
        id: Option<u32>,
    }
    let (got, stats) = read_as::<Loose>(text);
    assert_eq!(got, [Loose { id: Some(1) }, Loose { id: Some(2) }]);
    assert!(stats.problems.is_empty());
}

#[test]
fn an_arm_page_and_an_empty_page() {
    let text = r#"{"value":[{"id":1,"name":"a"},{"id":2,"name":"b"}],"nextLink":null}
{"value":[],"nextLink":null}"#;
    let (got, stats) = read(text);
    assert_eq!(got, two());
    assert!(stats.problems.is_empty());
}

#[test]
fn json_lines_of_records_pages_and_arrays() {
    let text = concat!(
        "{\"id\":1,\"name\":\"a\"}\n",
        "{\"@odata.context\":\"c\",\"value\":[{\"id\":2,\"name\":\"b\"}]}\n",
        "\n",
        "[{\"id\":3,\"name\":\"c\"}]\n",
        "{\"id\":4,\"name\":\"d\"}{\"id\":5,\"name\":\"e\"}",
    );
    let (got, stats) = read(text);
    let ids: Vec<u32> = got.iter().map(|r| r.id).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    assert!(stats.problems.is_empty(), "{:?}", stats.problems);
}

#[test]
fn an_object_with_a_value_that_is_not_an_array_is_a_record() {
    let text = concat!(
        "{\"value\":\"v\",\"id\":1,\"name\":\"a\"}\n",
        "{\"id\":2,\"name\":\"b\",\"value\":{\"value\":[1]}}\n",
    );
    let (got, stats) = read(text);
    assert_eq!(got, two());
    assert!(stats.problems.is_empty(), "{:?}", stats.problems);
}

#[test]
fn strings_and_nesting_with_brackets_braces_and_escaped_quotes() {
    let name = "}]{[\"\\ \u{e9}\u{1f600} \"value\":[";
    let record = serde_json::json!({
        "id": 1,
        "name": name,
        "nested": {"a": ["}", "]", {"b": "\\\"{"}], "value": [[], {}]},
    });
    let line = record.to_string();
    let text = format!("[{line},\n{line}]\n{line}\n{{\"value\":[{line}]}}");
    let (got, stats) = read(&text);
    assert_eq!(got, vec![rec(1, name); 4]);
    assert!(stats.problems.is_empty(), "{:?}", stats.problems);
}

#[test]
fn numbers_cut_at_any_byte_by_a_refill_are_read_whole() {
    // Typed numbers and skipped ones (serde_json's skipping path calls a number cut after
    // `.` or `e` "invalid", not "EOF").
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Geo {
        lat: f64,
        n: i64,
    }
    let text = r#"[{"lat": -47.61, "skip": {"lon": 1.22e2, "x": -0.5E-3}, "n": -7}, {"lat": 0.5E-3, "lon": -122.335, "n": 12}]"#;
    for capacity in 8..=128 {
        let mut got = Vec::new();
        let (stats, _) =
            read_records_with_capacity(text.as_bytes(), "signIns.json", capacity, |g: Geo| {
                got.push(g)
            });
        assert!(
            stats.problems.is_empty(),
            "capacity {capacity}: {:?}",
            stats.problems
        );
        assert_eq!(
            got,
            vec![Geo { lat: -47.61, n: -7 }, Geo { lat: 0.0005, n: 12 }],
            "capacity {capacity}"
        );
    }
}

#[test]
fn a_byte_order_mark_and_crlf_line_endings() {
    let text = "\u{feff}{\"id\":1,\"name\":\"a\"}\r\n{\"id\":\"2\",\"name\":\"b\"}\r\n{\"id\":3,\"name\":\"c\"}\r\n";
    let (got, stats) = read(text);
    assert_eq!(got, [rec(1, "a"), rec(3, "c")]);
    assert_eq!(
        messages(&stats),
        [r#"signIns.json: line 2 (record 2): invalid type: string "2", expected u32"#]
    );
}

#[test]
fn a_malformed_record_in_the_middle_of_an_array_is_skipped() {
    let text = "[\n  {\"id\": 1, \"name\": \"a\"},\n  {\"id\": 2,\n   \"name\": 7},\n  {\"id\": -1, \"name\": \"c\"},\n  {\"id\": 4, \"name\": \"d\"}\n]\n";
    let (got, stats) = read(text);
    assert_eq!(got, [rec(1, "a"), rec(4, "d")]);
    assert_eq!(
        messages(&stats),
        [
            "signIns.json: line 3 (record 2): invalid type: integer `7`, expected a string",
            "signIns.json: line 5 (record 3): invalid value: integer `-1`, expected u32",
        ]
    );
}

#[test]
fn a_malformed_record_in_json_lines_is_skipped() {
    let text =
        "{\"id\":1,\"name\":\"a\"}\n{\"name\":\"x\"}\n42\n\"text\"\n{\"id\":2,\"name\":\"b\"}\n";
    let (got, stats) = read(text);
    assert_eq!(got, two());
    assert_eq!(
        messages(&stats),
        [
            "signIns.json: line 2 (record 2): missing field `id`",
            "signIns.json: line 3 (record 3): invalid type: integer `42`, expected struct Rec",
            "signIns.json: line 4 (record 4): invalid type: string \"text\", expected struct Rec",
        ]
    );
}

#[test]
fn a_malformed_record_in_a_page_is_skipped() {
    let text = "{\"@odata.context\":\"c\",\n\"value\":[\n{\"id\":1,\"name\":\"a\"},\n{\"id\":1.5,\"name\":\"x\"},\n{\"id\":2,\"name\":\"b\"}]}";
    let (got, stats) = read(text);
    assert_eq!(got, two());
    assert_eq!(
        messages(&stats),
        ["signIns.json: line 4 (record 2): invalid type: floating point `1.5`, expected u32"]
    );
}

#[test]
fn an_invalid_guid_is_a_malformed_record() {
    #[derive(Debug, PartialEq, Deserialize)]
    struct WithId {
        #[serde(rename = "userId")]
        user_id: uuid::Uuid,
    }
    let text = "{\"userId\":\"0b5c3a4e-52a2-4b87-9b52-1f0e3f6c0d11\"}\n{\"userId\":\"not-a-guid\"}\n{\"userId\":\"7d2b8a10-1c7f-4a53-9d21-3c4e5f6a7b8c\"}\n";
    let (got, stats) = read_as::<WithId>(text);
    assert_eq!(got.len(), 2);
    assert_eq!(stats.problems.len(), 1);
    assert_eq!(stats.problems[0].line, Some(2));
    assert_eq!(stats.problems[0].record, Some(2));
}

#[test]
fn a_truncated_array_keeps_the_records_before_the_cut() {
    let text = "[{\"id\":1,\"name\":\"a\"},\n{\"id\":2,\"name\":\"b\"},\n{\"id\":3,";
    let (got, stats) = read(text);
    assert_eq!(got, two());
    assert_eq!(
        messages(&stats),
        ["signIns.json: line 3 (record 3): EOF while parsing an object"]
    );
}

#[test]
fn a_truncated_page_keeps_the_records_before_the_cut() {
    let text =
        "{\"@odata.context\":\"c\",\"value\":[{\"id\":1,\"name\":\"a\"},{\"id\":2,\"name\":\"b\"}";
    let (got, stats) = read(text);
    assert_eq!(got, two());
    assert_eq!(
        messages(&stats),
        ["signIns.json: line 1: unexpected end of file after record 2 in a page"]
    );

    let unusual =
        "{\"n\":1,\"value\":[{\"id\":1,\"name\":\"a\"},{\"id\":2,\"name\":\"b\"},{\"id\":3";
    let (got, stats) = read(unusual);
    assert_eq!(got, two());
    assert_eq!(
        messages(&stats),
        ["signIns.json: line 1 (record 3): EOF while parsing an object"]
    );
}

#[test]
fn a_truncated_json_lines_file_keeps_the_records_before_the_cut() {
    let text = "{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":\"b\"}\n{\"id\":3,";
    let (got, stats) = read(text);
    assert_eq!(got, two());
    assert_eq!(
        messages(&stats),
        ["signIns.json: line 3 (record 3): EOF while parsing an object"]
    );
}

#[test]
fn garbage_ends_the_file_and_keeps_what_came_before() {
    let cases = [
        (
            "[{\"id\":1,\"name\":\"a\"},{\"id\":2,\"name\":\"b\"}]\nxyz {\"id\":3,\"name\":\"c\"}",
            "signIns.json: line 2 (record 3): expected value",
        ),
        (
            "[{\"id\":1,\"name\":\"a\"},{\"id\":2,\"name\":\"b\"} {\"id\":3,\"name\":\"c\"}]",
            "signIns.json: line 1: expected `,` or `]` after record 2 in an array, found `{`",
        ),
        (
            "{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":\"b\"}\n{\"id\":3,\"name\":\"c\"]\n",
            "signIns.json: line 3 (record 3): expected `,` or `}`",
        ),
        (
            "{\"value\":[{\"id\":1,\"name\":\"a\"},{\"id\":2,\"name\":\"b\"}] \"x\"}",
            "signIns.json: line 1: expected `,` or `}` in a page, found `\"`",
        ),
        (
            "{\"id\":1,\"name\":\"a\"}{\"id\":2,\"name\":\"b\"}\u{0}",
            "signIns.json: line 1 (record 3): expected value",
        ),
    ];
    for (text, problem) in cases {
        let (got, stats) = read(text);
        assert_eq!(got, two(), "{text}");
        assert_eq!(messages(&stats), [problem], "{text}");
    }
}

#[test]
fn invalid_utf8_in_a_record_is_a_problem_not_a_panic() {
    let mut bytes = b"{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":\"".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(b"\"}\n{\"id\":3,\"name\":\"c\"}\n");
    let mut got = Vec::new();
    let (stats, _) = read_records_with_capacity(&bytes[..], "x.json", 16, |r: Rec| got.push(r));
    assert_eq!(got, [rec(1, "a"), rec(3, "c")]);
    assert_eq!(
        messages(&stats),
        ["x.json: line 2 (record 2): invalid unicode code point"]
    );
}

#[test]
fn too_deep_a_record_is_skipped_not_a_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let text = format!("{{\"a\":1}}\n{{\"b\":{deep}}}\n{{\"c\":3}}\n");
    let (got, stats) = read_as::<serde_json::Value>(&text);
    assert_eq!(
        got,
        [serde_json::json!({"a": 1}), serde_json::json!({"c": 3})]
    );
    assert_eq!(
        messages(&stats),
        ["signIns.json: line 2 (record 2): recursion limit exceeded"]
    );
}

/// A source of one big page (or array, or JSON Lines file) generated on the fly.
struct Generated {
    head: Vec<u8>,
    records: usize,
    next: usize,
    separator: &'static [u8],
    tail: Vec<u8>,
    pending: Vec<u8>,
}

impl Generated {
    fn new(head: &str, records: usize, separator: &'static str, tail: &str) -> Self {
        Self {
            head: head.as_bytes().to_vec(),
            records,
            next: 0,
            separator: separator.as_bytes(),
            tail: tail.as_bytes().to_vec(),
            pending: Vec::new(),
        }
    }
}

impl std::io::Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            if !self.head.is_empty() {
                self.pending = std::mem::take(&mut self.head);
            } else if self.next < self.records {
                if self.next > 0 {
                    self.pending.extend_from_slice(self.separator);
                }
                let record = format!("{{\"id\":{},\"name\":\"n{}\"}}", self.next, self.next);
                self.pending.extend_from_slice(record.as_bytes());
                self.next += 1;
            } else {
                self.pending = std::mem::take(&mut self.tail);
            }
        }
        let n = out.len().min(self.pending.len());
        out[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

#[test]
fn memory_stays_bounded_by_the_largest_record_not_the_file() {
    let layouts = [
        (
            "{\"@odata.context\":\"c\",\"value\":[",
            ",",
            "],\"@odata.nextLink\":\"n\"}",
        ),
        ("{\"n\":{\"value\":\"x\"},\"value\":[", ",", "]}"),
        ("[", ",\n", "]"),
        ("", "\n", "\n"),
    ];
    for (head, separator, tail) in layouts {
        let records = 100_000;
        let mut count = 0;
        let (stats, capacity) = read_records_with_capacity(
            Generated::new(head, records, separator, tail),
            "big.json",
            256,
            |r: Rec| {
                assert_eq!(r.id, count);
                count += 1;
            },
        );
        assert_eq!(stats.records, records as u64, "{head}");
        assert!(stats.problems.is_empty(), "{head}: {:?}", stats.problems);
        assert!(stats.bytes > 2_000_000);
        assert_eq!(capacity, 256, "{head}");
    }
}

#[test]
fn a_record_larger_than_the_buffer_grows_it_to_about_its_size() {
    let big = "x".repeat(10_000);
    let text = format!("{{\"id\":1,\"name\":\"{big}\"}}\n{{\"id\":2,\"name\":\"b\"}}");
    let mut got = Vec::new();
    let (stats, capacity) =
        read_records_with_capacity(text.as_bytes(), "x.json", 256, |r: Rec| got.push(r.id));
    assert_eq!(got, [1, 2]);
    assert!(stats.problems.is_empty());
    assert!((10_000..=32_768).contains(&capacity), "{capacity}");
}

/// A source that fails after some bytes.
struct Failing<'a>(&'a [u8]);

impl std::io::Read for Failing<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.0.is_empty() {
            return Err(std::io::Error::other("disk on fire"));
        }
        let n = out.len().min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn a_read_error_is_reported_and_ends_the_file() {
    let mut got = Vec::new();
    let (stats, _) = read_records_with_capacity(
        Failing(b"{\"id\":1,\"name\":\"a\"}\n{\"id\":2,"),
        "x.json",
        16,
        |r: Rec| got.push(r),
    );
    assert_eq!(got, [rec(1, "a")]);
    assert_eq!(messages(&stats), ["x.json: cannot read: disk on fire"]);
}
