//! Reading exported API data (DESIGN.md §4): JSON arrays, API pages or JSON Lines, streamed.
//!
//! [`ExportDir`] knows the layout of an export directory; [`read_file`] and [`read_records`]
//! stream the records of one file into a callback, whatever the file's layout, with memory
//! bounded by the largest single record. Malformed records become [`RecordProblem`]s and the
//! read goes on; only failing to open a file or directory is an [`InputError`].

mod buffer;
mod error;
mod export_dir;
mod file;
mod page;
mod parse;
mod problem;
mod reader;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod layout_tests;

pub use error::InputError;
pub use export_dir::{ExportDir, ExportFile, SETTINGS_FILE};
pub use file::read_file;
pub use problem::{ReadStats, RecordProblem};
pub use reader::{read_records, read_records_with_capacity};
