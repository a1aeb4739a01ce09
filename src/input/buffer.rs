//! A refillable window over a byte source that knows absolute offsets, line numbers and how
//! much of it is valid UTF-8.
//!
//! The window holds the unconsumed tail of what was read. It is refilled in large chunks and
//! only grows when a single item (one record) does not fit, so memory follows the largest
//! record, never the size of the file.
//!
//! Every byte is checked for UTF-8 once, when first asked for, so that records can be parsed
//! from a `&str` (serde_json then skips its own per-string check, about a tenth of the parse).

use std::io::{self, Read};

/// The window's size before any growth.
pub(crate) const DEFAULT_CAPACITY: usize = 1 << 20;

/// The smallest window, so that a file's first bytes (a byte-order mark) are always seen at once.
const MIN_CAPACITY: usize = 8;

/// A read buffer over `R`.
pub(crate) struct Buffer<R> {
    source: R,
    buf: Vec<u8>,
    /// First unconsumed byte in `buf`.
    pos: usize,
    /// End of the bytes read into `buf`.
    end: usize,
    /// Invariant: `pos <= utf8_to <= end` and `buf[pos..utf8_to]` is valid UTF-8.
    utf8_to: usize,
    /// Absolute offset of `buf[0]` in the source.
    base: u64,
    /// The source has no more bytes.
    eof: bool,
    /// Absolute offset up to which newlines have been counted.
    counted_to: u64,
    /// 1-based line number at `counted_to`.
    line: u64,
    /// Bytes read from the source so far.
    read: u64,
    /// A read error met after some bytes had been read, reported by the next fill.
    pending_error: Option<io::Error>,
}

impl<R: Read> Buffer<R> {
    /// An empty window of `capacity` bytes (at least a few) over `source`; nothing is read yet.
    pub(crate) fn new(source: R, capacity: usize) -> Self {
        Self {
            source,
            buf: vec![0; capacity.max(MIN_CAPACITY)],
            pos: 0,
            end: 0,
            utf8_to: 0,
            base: 0,
            eof: false,
            counted_to: 0,
            line: 1,
            read: 0,
            pending_error: None,
        }
    }

    /// The unconsumed bytes in the window.
    pub(crate) fn data(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    /// Whether [`data`](Self::data) is all that is left of the source.
    pub(crate) fn at_eof(&self) -> bool {
        self.eof
    }

    /// The window's current size.
    pub(crate) fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// Bytes read from the source so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.read
    }

    /// The longest prefix of [`data`](Self::data) known to be valid UTF-8 (see
    /// [`check_utf8`](Self::check_utf8)).
    pub(crate) fn text(&self) -> &str {
        let checked = &self.buf[self.pos..self.utf8_to];
        // SAFETY: by the invariant on `utf8_to`, kept by `check_utf8` (which extends the checked
        // run only by what `str::from_utf8` accepted, starting where the run ends, so at a
        // character boundary), by `advance_to` (which cuts the run when the new start is not a
        // character boundary) and by `fill` (which moves the run's bytes together).
        unsafe { std::str::from_utf8_unchecked(checked) }
    }

    /// Extends the UTF-8 checked run over the bytes read since, up to the first invalid or
    /// incomplete sequence. Each byte is checked once, unless it follows such a sequence.
    pub(crate) fn check_utf8(&mut self) {
        if self.utf8_to < self.end {
            match std::str::from_utf8(&self.buf[self.utf8_to..self.end]) {
                Ok(_) => self.utf8_to = self.end,
                Err(e) => self.utf8_to += e.valid_up_to(),
            }
        }
    }

    /// Marks the first `n` unconsumed bytes as consumed.
    pub(crate) fn consume(&mut self, n: usize) {
        self.advance_to(self.pos.saturating_add(n).min(self.end));
    }

    fn advance_to(&mut self, pos: usize) {
        self.pos = pos;
        let continuation = matches!(self.buf.get(pos), Some(b) if b & 0xC0 == 0x80);
        if pos >= self.utf8_to || continuation {
            self.utf8_to = pos;
        }
    }

    /// Consumes JSON whitespace; returns whether any unconsumed byte is left in the window.
    pub(crate) fn skip_whitespace(&mut self) -> bool {
        let skipped = self
            .data()
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        match skipped {
            Some(n) => {
                self.advance_to(self.pos + n);
                true
            }
            None => {
                self.advance_to(self.end);
                false
            }
        }
    }

    /// The 1-based line of the unconsumed byte at `offset` (relative to [`data`](Self::data)).
    /// Lines are counted forward only, so later calls must not ask about earlier bytes.
    pub(crate) fn line_at(&mut self, offset: usize) -> u64 {
        let target = self.pos.saturating_add(offset).min(self.end);
        let from = usize::try_from(self.counted_to.saturating_sub(self.base)).unwrap_or(usize::MAX);
        if from < target {
            self.line += count_newlines(&self.buf[from..target]);
            self.counted_to = self.base + target as u64;
        }
        self.line
    }

    /// Reads more of the source: moves the unconsumed bytes to the front, grows the window when
    /// they already fill it, then reads until the window is full or the source ends.
    /// A read error is returned once the bytes read before it have been handed out.
    pub(crate) fn fill(&mut self) -> io::Result<()> {
        if let Some(e) = self.pending_error.take() {
            return Err(e);
        }
        if self.pos > 0 {
            self.line_at(0);
            self.buf.copy_within(self.pos..self.end, 0);
            self.base += self.pos as u64;
            self.end -= self.pos;
            self.utf8_to -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            let grown = self.buf.len().saturating_mul(2);
            self.buf.resize(grown, 0);
        }
        let before = self.end;
        while self.end < self.buf.len() {
            match self.source.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => {
                    self.end += n;
                    self.read += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if self.end > before => {
                    self.pending_error = Some(e);
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Number of `\n` bytes. This runs over every byte of the file, so it must stay far cheaper
/// than parsing: memchr counts with SIMD.
fn count_newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that hands out at most `step` bytes a read.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.bytes.len());
            out[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    #[test]
    fn fill_reads_until_the_window_is_full() {
        let text = b"0123456789abcdefghij";
        let mut buf = Buffer::new(
            Trickle {
                bytes: text,
                step: 3,
            },
            8,
        );
        buf.fill().unwrap();
        assert_eq!(buf.data(), b"01234567");
        assert!(!buf.at_eof());
        buf.consume(5);
        buf.fill().unwrap();
        assert_eq!(buf.data(), b"56789abc");
        assert_eq!(buf.bytes_read(), 13);
    }

    #[test]
    fn fill_grows_only_when_the_unconsumed_bytes_fill_the_window() {
        let text = b"0123456789abcdefghij";
        let mut buf = Buffer::new(
            Trickle {
                bytes: text,
                step: 100,
            },
            8,
        );
        buf.fill().unwrap();
        buf.fill().unwrap();
        assert_eq!(buf.data(), b"0123456789abcdef");
        buf.fill().unwrap();
        assert_eq!(buf.data(), text);
        assert!(buf.at_eof());
    }

    #[test]
    fn lines_are_counted_across_refills() {
        let text = b"a\nb\r\nc\n\nd";
        let mut buf = Buffer::new(
            Trickle {
                bytes: text,
                step: 2,
            },
            8,
        );
        buf.fill().unwrap();
        assert_eq!(buf.line_at(0), 1);
        buf.consume(5);
        buf.fill().unwrap();
        assert_eq!(buf.data(), b"c\n\nd");
        assert_eq!(buf.line_at(0), 3);
        assert_eq!(buf.line_at(3), 5);
    }

    #[test]
    fn text_is_the_checked_utf8_prefix_across_refills() {
        // "é" is two bytes; the window cuts it, then an invalid byte stops the check.
        let bytes = b"ab\xc3\xa9cd\xffef";
        let mut buf = Buffer::new(Trickle { bytes, step: 100 }, 8);
        buf.fill().unwrap();
        assert_eq!(buf.text(), "");
        buf.check_utf8();
        assert_eq!(buf.text(), "ab\u{e9}cd");
        buf.consume(3);
        assert_eq!(buf.text(), "", "a cut character ends the checked run");
        buf.consume(1);
        buf.check_utf8();
        assert_eq!(buf.text(), "cd");
        buf.consume(3);
        buf.fill().unwrap();
        buf.check_utf8();
        assert_eq!(buf.data(), b"ef");
        assert_eq!(buf.text(), "ef");
    }

    #[test]
    fn newlines_are_counted_in_long_and_short_runs() {
        let mut text = vec![b'x'; 100_000];
        for i in (0..text.len()).step_by(7) {
            text[i] = b'\n';
        }
        let expected = text.iter().filter(|&&b| b == b'\n').count() as u64;
        assert_eq!(count_newlines(&text), expected);
        assert_eq!(count_newlines(&text[3..50]), 7);
        assert_eq!(count_newlines(&[b'\n'; 40_000]), 40_000);
        assert_eq!(count_newlines(b""), 0);
    }

    #[test]
    fn skip_whitespace_reports_whether_anything_is_left() {
        let mut buf = Buffer::new(&b" \t\r\n x  "[..], 16);
        buf.fill().unwrap();
        assert!(buf.skip_whitespace());
        assert_eq!(buf.data(), b"x  ");
        buf.consume(1);
        assert!(!buf.skip_whitespace());
        assert!(buf.data().is_empty());
    }
}
