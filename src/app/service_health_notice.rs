//! What an MFA enforcement notice sets in motion, once per delivery: remember the delivery
//! (action groups retry up to 5 times), store the tenant's date (a later notice supersedes),
//! queue the enforcement broadcast and a scan of the tenant. Only queueing happens here; the
//! workers do the rest. A failure releases the delivery, so the action group's retry redoes it.

use std::time::Duration;

use anyhow::anyhow;
use chrono::NaiveDate;

use super::context::AppContext;
use super::scan_trigger::ScanRequest;
use crate::alerts::{dedupe_id, enforcement_date, Recognition, ServiceHealthEvent};
use crate::functions::InvocationLog;
use crate::ids::TenantId;
use crate::jobs::{Broadcast, NoticeRef, NotifyMessage};
use crate::lifecycle::alerts::{alert_key, mark_processed};
use crate::lifecycle::enforcement::{noticed_date, record_noticed_date, DateUpdate, NoticedDate};
use crate::queue::{send_json, QueueName};
use crate::state::Condition;

/// The most time the queueing may take: the action group gives up after 10 seconds, and
/// fetching signing keys may already have taken some.
pub const NOTICE_BUDGET: Duration = Duration::from_secs(4);

/// What handling a notice did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeOutcome {
    /// This delivery was handled before: nothing was done again.
    Duplicate,
    /// An older notice than the stored one: its date was not taken, nothing was queued.
    Outdated {
        /// The stored (later) notice's date.
        kept: NaiveDate,
    },
    /// The broadcast and the scan are queued.
    Queued {
        /// The date the notice announced, if it named one.
        announced: Option<NaiveDate>,
        /// The tenant's noticed date in force now.
        in_force: Option<NaiveDate>,
    },
}

/// Handles an enforcement notice of `tenant`.
pub async fn handle_notice(
    ctx: &AppContext,
    tenant: TenantId,
    event: &ServiceHealthEvent,
    recognition: &Recognition,
    log: &InvocationLog,
) -> anyhow::Result<NoticeOutcome> {
    let id = dedupe_id(event);
    let now = ctx.now();
    if !mark_processed(ctx.store.as_ref(), &tenant, &id, now).await? {
        return Ok(NoticeOutcome::Duplicate);
    }
    let acted = tokio::time::timeout(
        NOTICE_BUDGET,
        act(ctx, tenant, event, recognition, &id, log),
    )
    .await
    .unwrap_or_else(|_| Err(anyhow!("queueing took longer than {NOTICE_BUDGET:?}")));
    match acted {
        Ok(outcome) => Ok(outcome),
        Err(e) => {
            // Let the action group's retry redo what failed.
            if let Ok(key) = alert_key(&tenant, &id) {
                if let Err(release) = ctx.store.delete(&key, Condition::Always).await {
                    log.error(format!(
                        "service-health: cannot release delivery {id} after a failure: {release}"
                    ));
                }
            }
            Err(e)
        }
    }
}

async fn act(
    ctx: &AppContext,
    tenant: TenantId,
    event: &ServiceHealthEvent,
    recognition: &Recognition,
    id: &str,
    log: &InvocationLog,
) -> anyhow::Result<NoticeOutcome> {
    let now = ctx.now();
    let tracking = event.tracking_id.clone().unwrap_or_else(|| "-".into());
    let announced = enforcement_date(&event.text());
    if let Some(date) = announced {
        let candidate = NoticedDate {
            date,
            published_at: event.published_at().unwrap_or(now),
            tracking_id: event.tracking_id.clone(),
            communication_id: event.communication_id.clone(),
            stored_at: now,
        };
        match record_noticed_date(ctx.store.as_ref(), &tenant, candidate).await? {
            DateUpdate::Stored { previous } => log.info(format!(
                "service-health: tenant {tenant}: enforcement date {date} from notice {tracking} (was {})",
                previous.map_or_else(|| "unset".to_string(), |p| p.to_string())
            )),
            DateUpdate::Superseded { kept } => {
                log.info(format!(
                    "service-health: notice {tracking} announces {date} but a later notice set {kept}; kept"
                ));
                return Ok(NoticeOutcome::Outdated { kept });
            }
        }
    } else {
        log.warn(format!(
            "service-health: notice {tracking} names no enforcement date; the stored or configured date stays"
        ));
    }
    let in_force = noticed_date(ctx.store.as_ref(), &tenant)
        .await?
        .map(|n| n.date);
    let broadcast = NotifyMessage::Broadcast(Broadcast {
        tenant,
        enforcement_date: in_force,
        notice: NoticeRef {
            tracking_id: event.tracking_id.clone(),
            communication_id: event.communication_id.clone(),
            title: event.title.clone(),
            published_at: event.published_at(),
        },
        dedupe_key: id.to_string(),
    });
    send_json(ctx.queues.as_ref(), &QueueName::notify(), &broadcast).await?;
    let how = match recognition {
        Recognition::TrackingId(_) => "tracking id",
        Recognition::Text => "text",
    };
    ctx.scans
        .request_tenant_scan(
            tenant,
            ScanRequest {
                requested_by: format!("service-health:{tracking}"),
                reason: format!("Service Health notice {tracking} (recognised by {how})"),
                at: now,
            },
        )
        .await?;
    Ok(NoticeOutcome::Queued {
        announced,
        in_force,
    })
}
