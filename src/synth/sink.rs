//! Streaming writers for the export's files: JSON Lines, or a JSON array/API page written
//! element by element.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::SynthError;

/// How records are laid out in the file.
enum Layout {
    /// One JSON object per line.
    Lines,
    /// Elements of an array between an opening and a closing text.
    Array {
        /// Text after the last element.
        close: String,
        /// Whether no element was written yet.
        first: bool,
    },
}

/// One output file being written.
pub(crate) struct Sink {
    name: &'static str,
    path: PathBuf,
    out: BufWriter<File>,
    layout: Layout,
    records: u64,
}

/// What a finished file amounts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Written {
    /// File name.
    pub name: &'static str,
    /// Size in bytes.
    pub bytes: u64,
    /// Records written.
    pub records: u64,
}

impl Sink {
    fn create(dir: &Path, name: &'static str, layout: Layout) -> Result<Self, SynthError> {
        let path = dir.join(name);
        let file = File::create(&path).map_err(|source| SynthError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(Self {
            name,
            path,
            out: BufWriter::with_capacity(1 << 20, file),
            layout,
            records: 0,
        })
    }

    /// A JSON Lines file.
    pub(crate) fn lines(dir: &Path, name: &'static str) -> Result<Self, SynthError> {
        Self::create(dir, name, Layout::Lines)
    }

    /// A file holding `open`, the elements separated by commas, then `close`.
    pub(crate) fn array(
        dir: &Path,
        name: &'static str,
        open: &str,
        close: String,
    ) -> Result<Self, SynthError> {
        let mut sink = Self::create(dir, name, Layout::Array { close, first: true })?;
        sink.raw(open.as_bytes())?;
        Ok(sink)
    }

    /// A whole file written at once from text.
    pub(crate) fn text(dir: &Path, name: &'static str, text: &str) -> Result<Written, SynthError> {
        let mut sink = Self::create(dir, name, Layout::Lines)?;
        sink.raw(text.as_bytes())?;
        sink.records = 1;
        sink.finish()
    }

    fn raw(&mut self, bytes: &[u8]) -> Result<(), SynthError> {
        self.out.write_all(bytes).map_err(|source| SynthError::Io {
            path: self.path.clone(),
            source,
        })
    }

    /// Appends one record.
    pub(crate) fn record<T: Serialize>(&mut self, record: &T) -> Result<(), SynthError> {
        if let Layout::Array { first, .. } = &mut self.layout {
            let sep: &[u8] = if *first { b"\n" } else { b",\n" };
            *first = false;
            self.raw(sep)?;
        }
        serde_json::to_writer(&mut self.out, record).map_err(|source| SynthError::Json {
            path: self.path.clone(),
            source,
        })?;
        if let Layout::Lines = self.layout {
            self.raw(b"\n")?;
        }
        self.records += 1;
        Ok(())
    }

    /// Closes the file and reports its size.
    pub(crate) fn finish(mut self) -> Result<Written, SynthError> {
        if let Layout::Array { close, .. } = &self.layout {
            let close = format!("\n{close}\n");
            self.raw(close.as_bytes())?;
        }
        let io = |source| SynthError::Io {
            path: self.path.clone(),
            source,
        };
        self.out.flush().map_err(io)?;
        let bytes = self.out.get_ref().metadata().map_err(io)?.len();
        Ok(Written {
            name: self.name,
            bytes,
            records: self.records,
        })
    }
}
