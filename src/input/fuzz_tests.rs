//! Property tests: no input makes the reader panic, and the records before a cut are kept.

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::reader::read_records_with_capacity;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Rec {
    id: u32,
    name: String,
}

/// How the records are laid out in a file.
#[derive(Debug, Clone, Copy)]
enum Layout {
    Array,
    PrettyArray,
    PageLinkAfter,
    PageLinkBefore,
    PageOddFirstKey,
    JsonLines,
    JsonLinesCrlf,
    PagesPerLine,
}

const LAYOUTS: [Layout; 8] = [
    Layout::Array,
    Layout::PrettyArray,
    Layout::PageLinkAfter,
    Layout::PageLinkBefore,
    Layout::PageOddFirstKey,
    Layout::JsonLines,
    Layout::JsonLinesCrlf,
    Layout::PagesPerLine,
];

/// A file, and the byte range of every record in it.
struct File {
    text: Vec<u8>,
    spans: Vec<(usize, usize)>,
}

impl File {
    fn push(&mut self, s: &str) {
        self.text.extend_from_slice(s.as_bytes());
    }

    fn record(&mut self, r: &Rec, pretty: bool) {
        let json = if pretty {
            serde_json::to_string_pretty(r)
        } else {
            serde_json::to_string(r)
        };
        let json = json.unwrap_or_default();
        let start = self.text.len();
        self.push(&json);
        self.spans.push((start, self.text.len()));
    }
}

fn render(records: &[Rec], layout: Layout) -> File {
    let mut f = File {
        text: Vec::new(),
        spans: Vec::new(),
    };
    let list = |f: &mut File, records: &[Rec], sep: &str, pretty: bool| {
        for (i, r) in records.iter().enumerate() {
            if i > 0 {
                f.push(sep);
            }
            f.record(r, pretty);
        }
    };
    match layout {
        Layout::Array => {
            f.push("[");
            list(&mut f, records, ",", false);
            f.push("]");
        }
        Layout::PrettyArray => {
            f.push("\u{feff}[\n  ");
            list(&mut f, records, ",\n  ", true);
            f.push("\n]\n");
        }
        Layout::PageLinkAfter => {
            f.push(r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#x","value":["#);
            list(&mut f, records, ",", false);
            f.push(r#"],"@odata.nextLink":"https://graph.microsoft.com/beta/x?$skiptoken=a{b[c"}"#);
        }
        Layout::PageLinkBefore => {
            f.push("{ \"@odata.nextLink\" : \"https://x/?a=\\\"]}\" ,\r\n \"value\" : [ ");
            list(&mut f, records, " , ", false);
            f.push(" ] }");
        }
        Layout::PageOddFirstKey => {
            f.push(r#"{"count":{"value":"x"},"value":["#);
            list(&mut f, records, ",", false);
            f.push("]}");
        }
        Layout::JsonLines => list(&mut f, records, "\n", false),
        Layout::JsonLinesCrlf => {
            list(&mut f, records, "\r\n", false);
            f.push("\r\n");
        }
        Layout::PagesPerLine => {
            for (i, chunk) in records.chunks(3).enumerate() {
                if i > 0 {
                    f.push("\n");
                }
                f.push(r#"{"@odata.context":"c","value":["#);
                list(&mut f, chunk, ",", false);
                f.push("]}");
            }
        }
    }
    f
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{0,8}",
        "[\\[\\]{}\",:\\\\ \\n\\t]{0,8}",
        any::<String>(),
        Just("\"value\":[".to_owned()),
    ]
}

fn records() -> impl Strategy<Value = Vec<Rec>> {
    prop::collection::vec(
        (any::<u32>(), name()).prop_map(|(id, name)| Rec { id, name }),
        0..12,
    )
}

fn layout() -> impl Strategy<Value = Layout> {
    prop::sample::select(&LAYOUTS[..])
}

fn read(bytes: &[u8], capacity: usize) -> (Vec<Rec>, super::ReadStats) {
    let mut got = Vec::new();
    let (stats, _) = read_records_with_capacity(bytes, "f.json", capacity, |r: Rec| got.push(r));
    (got, stats)
}

/// JSON-ish tokens, to reach deeper into the reader than uniformly random bytes do.
const TOKENS: [&str; 24] = [
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    " ",
    "\n",
    "\"value\"",
    "\"@odata.context\"",
    "\"id\"",
    "\"name\"",
    "1",
    "-2.5e3",
    "null",
    "true",
    "\"x\"",
    "\\\"",
    "\u{feff}",
    "\r\n",
    "\"\\u00e9\"",
    "\u{0}",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_layout_reads_back_every_record(records in records(), layout in layout(), capacity in 8usize..96) {
        let file = render(&records, layout);
        let (got, stats) = read(&file.text, capacity);
        prop_assert!(stats.problems.is_empty(), "{:?}", stats.problems);
        prop_assert_eq!(got, records);
        prop_assert_eq!(stats.bytes, file.text.len() as u64);
    }

    #[test]
    fn a_cut_file_keeps_the_records_before_the_cut(
        records in records(),
        layout in layout(),
        cut in any::<prop::sample::Index>(),
        capacity in 8usize..96,
    ) {
        let file = render(&records, layout);
        let cut = cut.index(file.text.len() + 1);
        let (got, stats) = read(&file.text[..cut], capacity);
        let complete = file.spans.iter().filter(|(_, end)| *end <= cut).count();
        prop_assert_eq!(&got[..], &records[..complete]);
        prop_assert!(stats.problems.len() <= 1, "{:?}", stats.problems);
        let inside_a_record = file.spans.iter().any(|&(start, end)| start < cut && cut < end);
        if inside_a_record {
            prop_assert_eq!(stats.problems.len(), 1);
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), capacity in 8usize..64) {
        let (got, stats) = read(&bytes, capacity);
        prop_assert!(got.len() as u64 == stats.records);
        prop_assert!(stats.bytes <= bytes.len() as u64);
    }

    #[test]
    fn random_json_like_text_never_panics(
        tokens in prop::collection::vec(prop::sample::select(&TOKENS[..]), 0..80),
        capacity in 8usize..64,
    ) {
        let text = tokens.concat();
        let (got, stats) = read(text.as_bytes(), capacity);
        prop_assert!(got.len() as u64 == stats.records);
        let mut values = 0;
        let (_, _) = read_records_with_capacity(text.as_bytes(), "f.json", capacity, |_: serde_json::Value| values += 1);
    }

    #[test]
    fn a_corrupted_byte_never_panics(
        records in records(),
        layout in layout(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        capacity in 8usize..96,
    ) {
        let mut file = render(&records, layout);
        if !file.text.is_empty() {
            let i = at.index(file.text.len());
            file.text[i] = byte;
        }
        let (got, _) = read(&file.text, capacity);
        // One byte can break at most one record, or split one into pieces it rejects.
        prop_assert!(got.len() <= records.len());
    }
}
