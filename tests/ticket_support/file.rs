//! The file sink's "fake": the outbox folder itself, read back without the sink's code.

use std::path::PathBuf;

use stepup::detect::model::Severity;
use stepup::tickets::{TicketKey, TicketRef, TicketState};

use super::conformance::{FakeControl, FakeTicket};
use super::fake_server::{Fault, Route};

/// Reads the Markdown tickets of a folder.
pub struct FileOutbox {
    /// The folder.
    pub dir: PathBuf,
}

impl FileOutbox {
    fn texts(&self) -> Vec<String> {
        std::fs::read_dir(&self.dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A front-matter field.
fn field(text: &str, name: &str) -> Option<String> {
    let front = text.strip_prefix("---\n")?.split("\n---\n").next()?;
    front.lines().find_map(|l| {
        let (k, v) = l.split_once(": ")?;
        (k == name).then(|| v.trim().to_string())
    })
}

pub fn severity(name: &str) -> Option<Severity> {
    Severity::DESCENDING
        .into_iter()
        .find(|s| s.as_str() == name)
}

impl FakeControl for FileOutbox {
    fn requests(&self) -> usize {
        0
    }

    fn inject(&self, _route: Route, _faults: &[Fault]) -> bool {
        false
    }

    fn clear_faults(&self) {}

    fn count(&self, key: &TicketKey) -> usize {
        let key = key.to_string();
        self.texts()
            .iter()
            .filter(|t| field(t, "key").as_deref() == Some(key.as_str()))
            .count()
    }

    fn ticket(&self, reference: &TicketRef) -> Option<FakeTicket> {
        let text = std::fs::read_to_string(self.dir.join(&reference.id)).ok()?;
        let state = match field(&text, "state")?.as_str() {
            "open" => TicketState::Open,
            "resolved" => TicketState::Resolved,
            _ => return None,
        };
        let notes = text
            .split_once("\n## Notes\n")
            .map(|(_, n)| n.split("\n### ").skip(1).map(str::to_string).collect())
            .unwrap_or_default();
        Some(FakeTicket {
            state,
            severity: field(&text, "severity").as_deref().and_then(severity),
            assignee: field(&text, "assignee").filter(|a| !a.is_empty()),
            notes,
        })
    }
}
