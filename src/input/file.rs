//! Reading one file from disk.

use std::fs::File;
use std::path::Path;

use serde::de::DeserializeOwned;

use super::error::InputError;
use super::problem::ReadStats;
use super::reader::read_records;

/// Reads every record of type `T` in the file at `path` (see [`read_records`]); problems name
/// the file by its file name. Only failing to open the file is an error.
pub fn read_file<T: DeserializeOwned>(
    path: &Path,
    on_record: impl FnMut(T),
) -> Result<ReadStats, InputError> {
    let file = File::open(path).map_err(|source| InputError::Open {
        path: path.to_owned(),
        source,
    })?;
    let label = path
        .file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy();
    Ok(read_records(file, &label, on_record))
}
