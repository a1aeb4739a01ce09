//! Messages that exhausted their deliveries. The Functions host moves a message that failed
//! `maxDequeueCount` times (`host.json`: 5) to `<queue>-poison`; before that, the worker
//! that fails its last delivery records it here, `deadletters/<date>/<queue>-<messageId>.json`,
//! so the weekly digest reports it: nothing is dropped silently.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::state::{get_json, Condition, KeyError, StateError, StateKey, StateStore};

/// `host.json`'s `extensions.queues.maxDequeueCount` (a test keeps them equal).
pub const MAX_DEQUEUE_COUNT: u32 = 5;

/// The most of a message's text a record keeps.
pub const MAX_KEPT_TEXT: usize = 4096;

/// Whether a delivery with this `DequeueCount` is the last before the poison queue.
pub fn is_last_delivery(dequeue_count: u32) -> bool {
    dequeue_count >= MAX_DEQUEUE_COUNT
}

/// A message given up on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetter {
    /// The queue it came from.
    pub queue: String,
    /// The queue message id.
    pub message_id: String,
    /// Deliveries made.
    pub dequeue_count: u32,
    /// Why the last delivery failed, one line.
    pub reason: String,
    /// The start of the message text.
    pub text: String,
    /// When it was given up on.
    pub at: DateTime<Utc>,
}

impl DeadLetter {
    /// A record of `text`, cut to [`MAX_KEPT_TEXT`] bytes (at a character boundary).
    pub fn new(
        queue: &str,
        message_id: &str,
        dequeue_count: u32,
        reason: &str,
        text: &str,
        at: DateTime<Utc>,
    ) -> Self {
        let mut end = text.len().min(MAX_KEPT_TEXT);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        Self {
            queue: queue.to_string(),
            message_id: message_id.to_string(),
            dequeue_count,
            reason: reason.replace(['\r', '\n'], " "),
            text: text[..end].to_string(),
            at,
        }
    }

    /// Its state key.
    pub fn key(&self) -> Result<StateKey, KeyError> {
        let safe = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .take(100)
                .collect()
        };
        StateKey::parse(&format!(
            "deadletters/{}/{}-{}.json",
            self.at.date_naive(),
            safe(&self.queue),
            safe(&self.message_id)
        ))
    }
}

/// Records a dead letter (once per message: a second record of the same message keeps the
/// first).
pub async fn record_dead_letter(
    store: &dyn StateStore,
    letter: &DeadLetter,
) -> Result<(), StateError> {
    let key = letter.key().map_err(|e| StateError::Failed {
        key: "deadletters/".into(),
        message: e.to_string(),
    })?;
    let body = serde_json::to_vec_pretty(letter).map_err(|e| StateError::Failed {
        key: key.to_string(),
        message: format!("encoding JSON: {e}"),
    })?;
    match store.put(&key, body.into(), Condition::IfAbsent).await {
        Ok(_) | Err(StateError::Conflict { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The dead letters recorded on or after `since`, oldest first (for the digest).
pub async fn dead_letters_since(
    store: &dyn StateStore,
    since: NaiveDate,
) -> Result<Vec<DeadLetter>, StateError> {
    let mut letters = Vec::new();
    for key in store.list("deadletters/").await? {
        let day = key
            .as_str()
            .split('/')
            .nth(1)
            .and_then(|d| d.parse::<NaiveDate>().ok());
        if day.is_some_and(|d| d >= since) {
            if let Some(letter) = get_json::<DeadLetter>(store, &key).await? {
                letters.push(letter);
            }
        }
    }
    letters.sort_by_key(|l| l.at);
    Ok(letters)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::LocalDirStore;

    #[tokio::test]
    async fn letters_are_kept_once_and_listed_by_date() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalDirStore::new(dir.path());
        let old: DateTime<Utc> = "2026-11-01T10:00:00Z".parse().unwrap();
        let new: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().unwrap();
        let long = "é".repeat(MAX_KEPT_TEXT);
        let a = DeadLetter::new("stepup-jobs", "id/1", 5, "boom\nagain", &long, old);
        let b = DeadLetter::new("stepup-notify", "id-2", 5, "429", "{}", new);
        assert!(a.text.len() <= MAX_KEPT_TEXT);
        assert_eq!(a.reason, "boom again");
        record_dead_letter(&store, &a).await.unwrap();
        record_dead_letter(&store, &b).await.unwrap();
        let mut later = b.clone();
        later.reason = "other".into();
        record_dead_letter(&store, &later).await.unwrap();
        let all = dead_letters_since(&store, "2026-10-01".parse().unwrap())
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].reason, "429");
        let recent = dead_letters_since(&store, "2026-11-15".parse().unwrap())
            .await
            .unwrap();
        assert_eq!(recent, vec![b]);
        assert!(is_last_delivery(5) && !is_last_delivery(4));
    }

    #[test]
    fn host_json_agrees_on_the_dequeue_limit() {
        let host: serde_json::Value =
            serde_json::from_str(include_str!("../../host.json")).unwrap();
        assert_eq!(
            host["extensions"]["queues"]["maxDequeueCount"].as_u64(),
            Some(u64::from(MAX_DEQUEUE_COUNT))
        );
        assert_eq!(host["extensions"]["queues"]["messageEncoding"], "none");
    }
}
