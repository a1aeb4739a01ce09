//! `scan`: queue a scan and answer at once (the scan itself runs elsewhere).

use chrono::Duration;
use serde_json::Value;

use crate::app::ScanRequest;

use super::super::activity::Activity;
use super::super::service::ChatService;
use super::{card, when};

/// Requests closer together than this are answered with the earlier one.
pub const COOLDOWN_MINUTES: i64 = 5;

/// Queues a scan unless one was queued in the last [`COOLDOWN_MINUTES`].
pub(super) async fn answer(chat: &ChatService, activity: &Activity) -> Value {
    let now = chat.now();
    {
        let mut last = chat.last_scan.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = *last {
            if now - at < Duration::minutes(COOLDOWN_MINUTES) {
                return card(
                    "Scan already requested",
                    vec![format!(
                        "A scan was requested at {}; it runs in the background. `status` shows its results once it is done.",
                        when(at)
                    )],
                );
            }
        }
        *last = Some(now);
    }
    let who = activity
        .from
        .aad_object_id
        .map(|id| id.to_string())
        .or_else(|| activity.from.id.clone())
        .unwrap_or_else(|| "unknown".into());
    let request = ScanRequest {
        requested_by: format!("teams:{who}"),
        reason: format!("chat command by {}", activity.sender_label()),
        at: now,
    };
    match chat.scans.request_scan(request).await {
        Ok(()) => card(
            "Scan requested",
            vec![format!(
                "A scan of tenant {} is queued. It runs in the background; `status` shows its results once it is done (usually within minutes).",
                chat.tenant
            )],
        ),
        Err(e) => {
            *chat.last_scan.lock().unwrap_or_else(|e| e.into_inner()) = None;
            card(
                "Cannot request a scan",
                vec![format!("{e}. Try again in a minute.")],
            )
        }
    }
}
