//! The streaming reader: finds the records of one file in any supported layout and hands
//! each to a callback.
//!
//! Layouts: a JSON array of records; API pages (`{"value": [ … ], …}`, keys in any order);
//! JSON Lines (or plain concatenation) of records, of pages, or of arrays. Each record is
//! parsed straight from the read buffer by serde_json, which also tells where it ends; the
//! reader itself only steps over the few bytes between records.

use std::io::Read;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, IgnoredAny};

use super::buffer::{Buffer, DEFAULT_CAPACITY};
use super::page::{starts_like_page, walk_object, ValueArrayKey, Walk};
use super::parse::{describe, parse_prefix, parse_prefix_text, Parsed};
use super::problem::{ReadStats, RecordProblem};

/// The UTF-8 byte-order mark, tolerated at the start of a file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads every record of type `T` from `reader` and hands each to `on_record`, in order.
///
/// `file_label` names the source in problems. A record that does not deserialize into `T`
/// is reported and skipped; a syntax error that leaves the rest unreadable (a truncated file,
/// garbage) is reported and ends the read, keeping the records before it. Reading never
/// panics, and memory grows only with the largest single record.
pub fn read_records<T: DeserializeOwned, R: Read>(
    reader: R,
    file_label: &str,
    on_record: impl FnMut(T),
) -> ReadStats {
    read_records_with_capacity(reader, file_label, DEFAULT_CAPACITY, on_record).0
}

/// [`read_records`] with a chosen initial buffer size (small sizes exercise refills in
/// tests and fuzzing); also returns the buffer's final size, to check that memory stayed
/// bounded.
pub fn read_records_with_capacity<T: DeserializeOwned, R: Read>(
    reader: R,
    file_label: &str,
    capacity: usize,
    on_record: impl FnMut(T),
) -> (ReadStats, usize) {
    RecordReader {
        buf: Buffer::new(reader, capacity),
        label: file_label,
        state: State::Top,
        seen: 0,
        stats: ReadStats::default(),
        value_key: ValueArrayKey::new(),
        on_record,
        record_type: PhantomData,
    }
    .run()
}

/// Where the reader is in the file's structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between top-level values.
    Top,
    /// Just after the `[` of an array of records (`page`: the array is a page's `value`).
    ArrayOpen { page: bool },
    /// After a comma in an array of records.
    Element { page: bool },
    /// After a record in an array of records.
    AfterElement { page: bool },
    /// After a member of a page object.
    PageMember,
    /// After a comma in a page object.
    PageKey,
}

/// What one step of the reader asks for next.
enum Step {
    /// Keep going with the bytes at hand.
    Go,
    /// Read more of the source first.
    NeedMore,
    /// Stop reading this file (a problem ended it).
    Stop,
}

struct RecordReader<'a, R, T, F> {
    buf: Buffer<R>,
    label: &'a str,
    state: State,
    /// Records met so far, malformed ones included.
    seen: u64,
    stats: ReadStats,
    value_key: ValueArrayKey,
    on_record: F,
    record_type: PhantomData<fn() -> T>,
}

impl<R: Read, T: DeserializeOwned, F: FnMut(T)> RecordReader<'_, R, T, F> {
    fn run(mut self) -> (ReadStats, usize) {
        if let Err(e) = self.buf.fill() {
            self.push(None, None, format!("cannot read: {e}"));
            return self.finish();
        }
        if self.buf.data().starts_with(BOM) {
            self.buf.consume(BOM.len());
        }
        loop {
            let step = match self.state {
                State::Top => self.top(),
                State::ArrayOpen { page } => self.array_open(page),
                State::Element { page } => self.element(page),
                State::AfterElement { page } => self.after_element(page),
                State::PageMember => self.page_member(),
                State::PageKey => self.page_key(),
            };
            match step {
                Step::Go => {}
                Step::Stop => break,
                Step::NeedMore if self.buf.at_eof() => {
                    if self.state != State::Top {
                        let message = format!("unexpected end of file {}", self.where_in());
                        self.structural(message);
                    }
                    break;
                }
                Step::NeedMore => {
                    if let Err(e) = self.buf.fill() {
                        self.push(None, None, format!("cannot read: {e}"));
                        break;
                    }
                }
            }
        }
        self.finish()
    }

    fn finish(mut self) -> (ReadStats, usize) {
        self.stats.bytes = self.buf.bytes_read();
        (self.stats, self.buf.capacity())
    }

    /// Between top-level values: an array, an object (page or record), or anything else
    /// (parsed as a record, so that it is reported).
    fn top(&mut self) -> Step {
        if !self.buf.skip_whitespace() {
            return Step::NeedMore;
        }
        match self.buf.data()[0] {
            b'[' => {
                self.buf.consume(1);
                self.state = State::ArrayOpen { page: false };
                Step::Go
            }
            b'{' => self.top_object(),
            _ => self.record(),
        }
    }

    /// A top-level object: a page or a record.
    fn top_object(&mut self) -> Step {
        self.buf.check_utf8();
        let data = self.buf.data();
        let at_eof = self.buf.at_eof();
        if starts_like_page(data) {
            return match walk_object(data, at_eof) {
                Walk::Page { array_at } => self.open_page(array_at),
                Walk::Record { len } => self.record_of_len(len),
                Walk::NeedMore => Step::NeedMore,
                Walk::Invalid(e) => self.fail_record(&e),
            };
        }
        match parse_prefix_text::<T>(self.buf.text(), data, at_eof) {
            Parsed::Done(record, len) => {
                if self.value_key.may_occur_in(&data[..len]) {
                    if let Walk::Page { array_at } = walk_object(&data[..len], true) {
                        return self.open_page(array_at);
                    }
                }
                self.deliver(record, len)
            }
            Parsed::NeedMore => {
                if self.value_key.may_occur_in(data) {
                    if let Walk::Page { array_at } = walk_object(data, at_eof) {
                        return self.open_page(array_at);
                    }
                }
                Step::NeedMore
            }
            Parsed::Failed(e) => match walk_object(data, at_eof) {
                Walk::Page { array_at } => self.open_page(array_at),
                Walk::Record { len } => self.skip_record(&e, len),
                Walk::NeedMore => Step::NeedMore,
                Walk::Invalid(e) => self.fail_record(&e),
            },
        }
    }

    fn open_page(&mut self, array_at: usize) -> Step {
        self.buf.consume(array_at + 1);
        self.state = State::ArrayOpen { page: true };
        Step::Go
    }

    fn array_open(&mut self, page: bool) -> Step {
        if !self.buf.skip_whitespace() {
            return Step::NeedMore;
        }
        if self.buf.data()[0] == b']' {
            self.buf.consume(1);
            self.state = after_array(page);
        } else {
            self.state = State::Element { page };
        }
        Step::Go
    }

    fn element(&mut self, page: bool) -> Step {
        if !self.buf.skip_whitespace() {
            return Step::NeedMore;
        }
        let step = self.record();
        if matches!(step, Step::Go) {
            self.state = State::AfterElement { page };
        }
        step
    }

    fn after_element(&mut self, page: bool) -> Step {
        if !self.buf.skip_whitespace() {
            return Step::NeedMore;
        }
        match self.buf.data()[0] {
            b',' => {
                self.buf.consume(1);
                self.state = State::Element { page };
                Step::Go
            }
            b']' => {
                self.buf.consume(1);
                self.state = after_array(page);
                Step::Go
            }
            other => {
                let message = format!(
                    "expected `,` or `]` {}, found {}",
                    self.where_in(),
                    shown(other)
                );
                self.structural(message)
            }
        }
    }

    fn page_member(&mut self) -> Step {
        if !self.buf.skip_whitespace() {
            return Step::NeedMore;
        }
        match self.buf.data()[0] {
            b',' => {
                self.buf.consume(1);
                self.state = State::PageKey;
                Step::Go
            }
            b'}' => {
                self.buf.consume(1);
                self.state = State::Top;
                Step::Go
            }
            other => {
                let message = format!("expected `,` or `}}` in a page, found {}", shown(other));
                self.structural(message)
            }
        }
    }

    /// Another member of a page: skipped, unless it is another `value` array of records.
    fn page_key(&mut self) -> Step {
        if !self.buf.skip_whitespace() {
            return Step::NeedMore;
        }
        let data = self.buf.data();
        let at_eof = self.buf.at_eof();
        if data[0] != b'"' {
            let message = format!("expected a key in a page, found {}", shown(data[0]));
            return self.structural(message);
        }
        let (key, mut i) = match parse_prefix::<String>(data, at_eof) {
            Parsed::Done(key, len) => (key, len),
            Parsed::NeedMore => return Step::NeedMore,
            Parsed::Failed(e) => return self.structural(describe(&e)),
        };
        i += whitespace_len(&data[i..]);
        match data.get(i) {
            Some(b':') => i += 1,
            Some(&other) => {
                let message = format!("expected `:` after a key in a page, found {}", shown(other));
                return self.structural(message);
            }
            None => return Step::NeedMore,
        }
        i += whitespace_len(&data[i..]);
        match data.get(i) {
            Some(b'[') if key == "value" => self.open_page(i),
            Some(_) => match parse_prefix::<IgnoredAny>(&data[i..], at_eof) {
                Parsed::Done(_, len) => {
                    self.buf.consume(i + len);
                    self.state = State::PageMember;
                    Step::Go
                }
                Parsed::NeedMore => Step::NeedMore,
                Parsed::Failed(e) => self.structural(describe(&e)),
            },
            None => Step::NeedMore,
        }
    }

    /// One record at the front of the buffer.
    fn record(&mut self) -> Step {
        self.buf.check_utf8();
        let data = self.buf.data();
        let at_eof = self.buf.at_eof();
        match parse_prefix_text::<T>(self.buf.text(), data, at_eof) {
            Parsed::Done(record, len) => self.deliver(record, len),
            Parsed::NeedMore => Step::NeedMore,
            // Whether the rest is readable is for the plain JSON grammar to say.
            Parsed::Failed(e) => match parse_prefix::<IgnoredAny>(data, at_eof) {
                Parsed::Done(_, len) => self.skip_record(&e, len),
                Parsed::NeedMore => Step::NeedMore,
                Parsed::Failed(e) => self.fail_record(&e),
            },
        }
    }

    /// A record known to be `len` bytes long.
    fn record_of_len(&mut self, len: usize) -> Step {
        match parse_prefix::<T>(&self.buf.data()[..len], true) {
            Parsed::Done(record, _) => self.deliver(record, len),
            Parsed::Failed(e) => self.skip_record(&e, len),
            Parsed::NeedMore => {
                let message = "record ended early".to_owned();
                self.problem(Some(self.seen + 1), message);
                self.seen += 1;
                self.buf.consume(len);
                Step::Go
            }
        }
    }

    fn deliver(&mut self, record: T, len: usize) -> Step {
        self.seen += 1;
        self.stats.records += 1;
        self.buf.consume(len);
        (self.on_record)(record);
        Step::Go
    }

    /// A malformed record of `len` bytes: reported and stepped over.
    fn skip_record(&mut self, e: &serde_json::Error, len: usize) -> Step {
        self.seen += 1;
        self.problem(Some(self.seen), describe(e));
        self.buf.consume(len);
        Step::Go
    }

    /// A record that leaves the rest of the file unreadable.
    fn fail_record(&mut self, e: &serde_json::Error) -> Step {
        self.seen += 1;
        self.problem(Some(self.seen), describe(e));
        Step::Stop
    }

    /// A structural error between records: reported, and the end of this file.
    fn structural(&mut self, message: String) -> Step {
        self.problem(None, message);
        Step::Stop
    }

    /// Reports a problem at the front of the buffer.
    fn problem(&mut self, record: Option<u64>, message: String) {
        let line = self.buf.line_at(0);
        self.push(Some(line), record, message);
    }

    fn push(&mut self, line: Option<u64>, record: Option<u64>, message: String) {
        self.stats.problems.push(RecordProblem {
            file: self.label.to_owned(),
            line,
            record,
            message,
        });
    }

    /// "after record N" / "in an array", for structural messages.
    fn where_in(&self) -> String {
        let container = match self.state {
            State::Top => "",
            State::ArrayOpen { page: false }
            | State::Element { page: false }
            | State::AfterElement { page: false } => " in an array",
            _ => " in a page",
        };
        if self.seen == 0 {
            container.trim_start().to_owned()
        } else {
            format!("after record {}{container}", self.seen)
        }
    }
}

fn after_array(page: bool) -> State {
    if page {
        State::PageMember
    } else {
        State::Top
    }
}

fn whitespace_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count()
}

/// A byte as shown in a message.
fn shown(byte: u8) -> String {
    if byte.is_ascii_graphic() {
        format!("`{}`", byte as char)
    } else {
        format!("byte 0x{byte:02x}")
    }
}
