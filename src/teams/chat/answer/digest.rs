//! `digest`: the weekly readiness digest card, built from stored state — the latest report
//! (through the index), the weekly snapshots and the account records. The answer is kept
//! (see [`super::super::rendered`]) once the records are read.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::lifecycle::snapshot::WeeklySnapshot;
use crate::state::get_json;
use crate::teams::cards::{digest, fits, DigestInput};

use super::super::cache::Loaded;
use super::super::index::ChatIndex;
use super::super::records::RecordDigest;
use super::super::service::ChatService;
use super::card;

/// How long a request waits for the account records to be read (the first time after a
/// scan), leaving room within Teams' 5 seconds.
pub const RECORDS_WAIT: Duration = Duration::from_secs(3);

/// The digest card, and whether it is complete (may be kept for others).
pub(super) async fn answer(chat: &ChatService, index: &Arc<Loaded<ChatIndex>>) -> (Value, bool) {
    let now = chat.now();
    let today = now.date_naive();
    let mut records = index.value.records.clone();
    let loaded = match tokio::time::timeout(RECORDS_WAIT, records.wait_for(Option::is_some)).await {
        Ok(Ok(value)) => value.clone(),
        Ok(Err(_)) => Some(Err("the record reader stopped".to_string())),
        Err(_) => {
            let wait = card(
                "The digest is being prepared",
                vec![format!(
                    "stepup is reading the account records of the scan of {}. Ask again in a minute.",
                    super::when(index.value.generated_at)
                )],
            );
            return (wait, false);
        }
    };
    let (records, problem) = match loaded {
        Some(Ok(r)) => (r, None),
        Some(Err(e)) => (Arc::new(RecordDigest::default()), Some(e)),
        None => (
            Arc::new(RecordDigest::default()),
            Some("not read".to_string()),
        ),
    };
    let i = &index.value;
    let history = snapshots(chat).await;
    let current = history
        .iter()
        .find(|s| s.week == crate::lifecycle::snapshot::iso_week(i.generated_at))
        .cloned()
        .unwrap_or_else(|| i.snapshot());
    let previous = history
        .iter()
        .filter(|s| s.week < current.week)
        .max_by(|a, b| a.week.cmp(&b.week));
    let enforcement = i.enforcement(today);
    let newly = records.newly_remediated(now);
    let overdue = records.overdue(today);
    let input = DigestInput {
        current: &current,
        previous,
        history: &history,
        enforcement: &enforcement,
        top_owners: &i.top_owners,
        newly_remediated: &newly,
        overdue: &overdue,
        disabled_with_credentials: &[],
    };
    let mut card = digest(&input);
    match problem {
        None => (card, true),
        Some(e) => {
            let note = crate::teams::cards::safe_text(&format!(
                "The account records could not be read ({e}): remediated and overdue lists are empty."
            ));
            if let Some(body) = card["body"].as_array_mut() {
                body.push(serde_json::json!({"type": "TextBlock", "text": note, "wrap": true, "isSubtle": true}));
            }
            if !fits(&card) {
                if let Some(body) = card["body"].as_array_mut() {
                    body.pop();
                }
            }
            (card, false)
        }
    }
}

/// The tenant's stored weekly snapshots (none when they cannot be read).
async fn snapshots(chat: &ChatService) -> Vec<WeeklySnapshot> {
    let prefix = format!("snapshots/{}/", chat.tenant);
    let Ok(keys) = chat.store.list(&prefix).await else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        if let Ok(Some(s)) = get_json::<WeeklySnapshot>(chat.store.as_ref(), &key).await {
            out.push(s);
        }
    }
    out
}
