//! Answers that depend only on the stored report and the day — `help`, `status`, `digest`,
//! `owner <upn>` — are kept serialized, so a busy channel costs a lookup, not a card build.
//! The cache empties itself when the report version or the day changes, and is bounded.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use chrono::NaiveDate;

use crate::state::ETag;

use super::command::{Command, Target};

/// At most this many answers are kept (one per owner asked about, plus a few).
pub const MAX_ENTRIES: usize = 4096;

/// What a cached answer was rendered from: the report version and the day.
pub type Stamp = (ETag, NaiveDate);

#[derive(Default)]
struct Entries {
    stamp: Option<Stamp>,
    answers: HashMap<Command, Bytes>,
}

/// The cache.
#[derive(Default)]
pub struct Rendered {
    entries: Mutex<Entries>,
}

impl Rendered {
    /// Whether `command`'s answer is the same for every sender, given the stored state.
    pub fn cacheable(command: &Command) -> bool {
        matches!(
            command,
            Command::Help | Command::Status | Command::Digest | Command::Owner(Target::Upn(_))
        )
    }

    /// The answer rendered for `command` under `stamp`.
    pub fn get(&self, stamp: &Stamp, command: &Command) -> Option<Bytes> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.stamp.as_ref() != Some(stamp) {
            return None;
        }
        entries.answers.get(command).cloned()
    }

    /// Keeps `message` as the answer to `command` under `stamp`.
    pub fn put(&self, stamp: Stamp, command: Command, message: Bytes) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.stamp.as_ref() != Some(&stamp) || entries.answers.len() >= MAX_ENTRIES {
            entries.answers.clear();
            entries.stamp = Some(stamp);
        }
        entries.answers.insert(command, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(etag: &str, day: u32) -> Stamp {
        (
            ETag(etag.into()),
            NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
        )
    }

    #[test]
    fn answers_live_until_the_report_or_the_day_changes() {
        let r = Rendered::default();
        let owner = Command::Owner(Target::Upn("a@b.com".into()));
        assert!(Rendered::cacheable(&owner));
        assert!(!Rendered::cacheable(&Command::Owner(Target::Me)));
        assert!(!Rendered::cacheable(&Command::Scan));
        r.put(stamp("1", 22), owner.clone(), Bytes::from_static(b"x"));
        assert_eq!(
            r.get(&stamp("1", 22), &owner),
            Some(Bytes::from_static(b"x"))
        );
        assert_eq!(r.get(&stamp("2", 22), &owner), None, "new report");
        assert_eq!(r.get(&stamp("1", 23), &owner), None, "new day");
        r.put(stamp("1", 23), Command::Status, Bytes::from_static(b"y"));
        assert_eq!(
            r.get(&stamp("1", 22), &owner),
            None,
            "older entries are gone"
        );
        assert_eq!(
            r.get(&stamp("1", 23), &Command::Status),
            Some(Bytes::from_static(b"y"))
        );
    }

    #[test]
    fn the_cache_is_bounded() {
        let r = Rendered::default();
        for i in 0..MAX_ENTRIES + 10 {
            let c = Command::Owner(Target::Upn(format!("o{i}@b.com")));
            r.put(stamp("1", 22), c, Bytes::new());
        }
        let entries = r.entries.lock().unwrap();
        assert!(entries.answers.len() <= MAX_ENTRIES);
    }
}
