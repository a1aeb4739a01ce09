//! What a read reports: the problems met on the way and how much was read.

use std::fmt;

/// One problem with one record or file, e.g.
/// `signIns.json: line 17 (record 12): invalid type: string "x", expected u32`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordProblem {
    /// The file (or label) the problem is in.
    pub file: String,
    /// 1-based line where the record (or the unreadable part) starts, when known.
    pub line: Option<u64>,
    /// 1-based number of the record in its file, counting malformed records too.
    pub record: Option<u64>,
    /// What is wrong, one line.
    pub message: String,
}

impl fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.file)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(record) = self.record {
            if self.line.is_some() {
                write!(f, " (record {record})")?;
            } else {
                write!(f, " record {record}")?;
            }
        }
        if self.line.is_some() || self.record.is_some() {
            f.write_str(":")?;
        }
        write!(f, " {}", self.message)
    }
}

/// The outcome of reading one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Records handed to the callback (malformed records are not counted).
    pub records: u64,
    /// Bytes read from the source.
    pub bytes: u64,
    /// Malformed records, and at most one error that ended the file early.
    pub problems: Vec<RecordProblem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(line: Option<u64>, record: Option<u64>) -> RecordProblem {
        RecordProblem {
            file: "signIns.json".into(),
            line,
            record,
            message: "invalid type".into(),
        }
    }

    #[test]
    fn display_names_file_line_and_record() {
        assert_eq!(
            problem(Some(17), Some(12)).to_string(),
            "signIns.json: line 17 (record 12): invalid type"
        );
    }

    #[test]
    fn display_leaves_out_unknown_parts() {
        assert_eq!(
            problem(Some(3), None).to_string(),
            "signIns.json: line 3: invalid type"
        );
        assert_eq!(
            problem(None, Some(4)).to_string(),
            "signIns.json: record 4: invalid type"
        );
        assert_eq!(
            problem(None, None).to_string(),
            "signIns.json: invalid type"
        );
    }
}
