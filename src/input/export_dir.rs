//! The export directory of `stepup scan --from DIR` (DESIGN.md §4): which file holds what.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::error::InputError;
use super::file::read_file;
use super::problem::ReadStats;

/// The tenant settings file in an export directory.
pub const SETTINGS_FILE: &str = "stepup.toml";

/// One kind of exported API data, and the file that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFile {
    /// Graph signIn objects (interactive and non-interactive): `signIns.json`.
    SignIns,
    /// Graph userRegistrationDetails objects: `userRegistrationDetails.json`.
    RegistrationDetails,
    /// Graph user objects: `users.json`.
    Users,
    /// ARM activity log events: `activityLog.json`.
    ActivityLog,
    /// ARM role assignments: `roleAssignments.json`.
    RoleAssignments,
    /// ARM role definitions: `roleDefinitions.json`.
    RoleDefinitions,
    /// ARM subscriptions: `subscriptions.json`.
    Subscriptions,
}

impl ExportFile {
    /// Every kind, in the order of DESIGN.md §4.
    pub const ALL: [ExportFile; 7] = [
        ExportFile::SignIns,
        ExportFile::RegistrationDetails,
        ExportFile::Users,
        ExportFile::ActivityLog,
        ExportFile::RoleAssignments,
        ExportFile::RoleDefinitions,
        ExportFile::Subscriptions,
    ];

    /// The file's name in the export directory.
    pub const fn file_name(self) -> &'static str {
        match self {
            ExportFile::SignIns => "signIns.json",
            ExportFile::RegistrationDetails => "userRegistrationDetails.json",
            ExportFile::Users => "users.json",
            ExportFile::ActivityLog => "activityLog.json",
            ExportFile::RoleAssignments => "roleAssignments.json",
            ExportFile::RoleDefinitions => "roleDefinitions.json",
            ExportFile::Subscriptions => "subscriptions.json",
        }
    }
}

impl fmt::Display for ExportFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file_name())
    }
}

/// An export directory that exists and holds something to scan (sign-ins or activity-log
/// events); every other file in it is optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportDir {
    dir: PathBuf,
}

impl ExportDir {
    /// Checks that `path` is a directory holding `signIns.json` or `activityLog.json`.
    pub fn open(path: &Path) -> Result<Self, InputError> {
        let meta = std::fs::metadata(path).map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => InputError::DirNotFound {
                path: path.to_owned(),
            },
            _ => InputError::Open {
                path: path.to_owned(),
                source,
            },
        })?;
        if !meta.is_dir() {
            return Err(InputError::NotADirectory {
                path: path.to_owned(),
            });
        }
        let dir = Self {
            dir: path.to_owned(),
        };
        if dir.path(ExportFile::SignIns).is_none() && dir.path(ExportFile::ActivityLog).is_none() {
            return Err(InputError::NothingToScan {
                path: path.to_owned(),
            });
        }
        Ok(dir)
    }

    /// The directory itself.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of `file`, or `None` when the directory does not have it.
    pub fn path(&self, file: ExportFile) -> Option<PathBuf> {
        existing_file(self.dir.join(file.file_name()))
    }

    /// The path of `stepup.toml`, or `None` when the directory does not have it.
    pub fn settings_path(&self) -> Option<PathBuf> {
        existing_file(self.dir.join(SETTINGS_FILE))
    }

    /// Reads every record of type `T` in `file` (see [`read_records`](super::read_records));
    /// a missing file reads as zero records.
    pub fn read<T: DeserializeOwned>(
        &self,
        file: ExportFile,
        on_record: impl FnMut(T),
    ) -> Result<ReadStats, InputError> {
        match self.path(file) {
            Some(path) => read_file(&path, on_record),
            None => Ok(ReadStats::default()),
        }
    }
}

fn existing_file(path: PathBuf) -> Option<PathBuf> {
    path.is_file().then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::fs;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Rec {
        id: u32,
        name: String,
    }

    #[test]
    fn file_names_follow_the_export_layout() {
        let names: Vec<_> = ExportFile::ALL.iter().map(|f| f.to_string()).collect();
        assert_eq!(
            names,
            [
                "signIns.json",
                "userRegistrationDetails.json",
                "users.json",
                "activityLog.json",
                "roleAssignments.json",
                "roleDefinitions.json",
                "subscriptions.json"
            ]
        );
    }

    #[test]
    fn a_missing_directory_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("nope");
        let err = ExportDir::open(&missing).unwrap_err();
        assert!(matches!(err, InputError::DirNotFound { .. }));
        assert_eq!(
            err.to_string(),
            format!("export directory {} does not exist", missing.display())
        );
    }

    #[test]
    fn a_file_is_not_an_export_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("signIns.json");
        fs::write(&file, "[]").unwrap();
        let err = ExportDir::open(&file).unwrap_err();
        assert!(matches!(err, InputError::NotADirectory { .. }), "{err}");
    }

    #[test]
    fn a_directory_needs_sign_ins_or_activity_log() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("users.json"), "[]").unwrap();
        fs::create_dir(tmp.path().join("signIns.json")).unwrap();
        let err = ExportDir::open(tmp.path()).unwrap_err();
        assert!(matches!(err, InputError::NothingToScan { .. }), "{err}");
        assert!(err
            .to_string()
            .ends_with("has neither signIns.json nor activityLog.json"));

        fs::write(tmp.path().join("activityLog.json"), "").unwrap();
        let dir = ExportDir::open(tmp.path()).unwrap();
        assert_eq!(
            dir.path(ExportFile::ActivityLog),
            Some(tmp.path().join("activityLog.json"))
        );
        assert_eq!(dir.path(ExportFile::SignIns), None);
    }

    #[test]
    fn optional_files_and_settings_are_found_when_present() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("signIns.json"), "[]").unwrap();
        let dir = ExportDir::open(tmp.path()).unwrap();
        assert_eq!(dir.dir(), tmp.path());
        assert_eq!(dir.path(ExportFile::Users), None);
        assert_eq!(dir.settings_path(), None);

        fs::write(tmp.path().join("users.json"), "[]").unwrap();
        fs::write(tmp.path().join("stepup.toml"), "").unwrap();
        assert_eq!(
            dir.path(ExportFile::Users),
            Some(tmp.path().join("users.json"))
        );
        assert_eq!(dir.settings_path(), Some(tmp.path().join("stepup.toml")));
    }

    #[test]
    fn read_streams_a_file_and_a_missing_file_reads_as_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(
            tmp.path().join("signIns.json"),
            "{\"id\":1,\"name\":\"a\"}\n{\"id\":\"x\",\"name\":\"b\"}\n",
        )
        .unwrap();
        let dir = ExportDir::open(tmp.path()).unwrap();
        let mut got = Vec::new();
        let stats = dir.read(ExportFile::SignIns, |r: Rec| got.push(r)).unwrap();
        assert_eq!(
            got,
            [Rec {
                id: 1,
                name: "a".into()
            }]
        );
        assert_eq!(stats.records, 1);
        assert_eq!(stats.bytes, 42);
        assert_eq!(stats.problems.len(), 1);
        assert!(
            stats.problems[0]
                .to_string()
                .starts_with("signIns.json: line 2 (record 2): invalid type: string \"x\""),
            "{}",
            stats.problems[0]
        );

        let stats = dir
            .read(ExportFile::Users, |_: Rec| unreachable!())
            .unwrap();
        assert_eq!(stats, ReadStats::default());
    }
}
