//! Posting to the default channel: the weekly digest (the `digest` timer, `stepup digest
//! --post`) and the enforcement broadcast (on a Service Health notice). Both post at most
//! once per run id ([`crate::teams::once`]), so a timer that fires twice in a week, or a
//! notice delivered twice, posts once.

use chrono::{DateTime, NaiveDate, Utc};

use super::data::{load_digest, report_time, DigestData};
use crate::calendar::EnforcementStatus;
use crate::detect::model::{Finding, Owner, OwnerRule};
use crate::ids::TenantId;
use crate::lifecycle::snapshot::{iso_week, WeeklySnapshot};
use crate::lifecycle::{load_report, ReportSlot};
use crate::report::model::AccountReport;
use crate::state::StateStore;
use crate::teams::cards::{broadcast, MAX_WORST};
use crate::teams::channel::{short_hash, slug, Channel};
use crate::teams::delivery::{Message, TeamsSink};
use crate::teams::once::{post_once, sent_key, Outcome, PostError};

/// What a digest post did.
#[derive(Debug, Clone, PartialEq)]
pub enum DigestPost {
    /// No scan report is stored for the tenant yet: nothing to say.
    NoReport,
    /// Posted (or found posted by an earlier attempt of the same run).
    Posted {
        /// The digest posted.
        digest: Box<DigestData>,
        /// The message.
        outcome: Outcome,
    },
}

/// The run id of the weekly digest timer: one digest per tenant per ISO week of `now`.
pub fn weekly_run(now: DateTime<Utc>) -> String {
    format!("digest-{}", iso_week(now))
}

/// Takes the weekly snapshot of the tenant's latest scan, builds the digest from state and
/// posts it to the default channel, at most once for `run` (see [`weekly_run`]).
pub async fn post_digest(
    store: &dyn StateStore,
    sink: &dyn TeamsSink,
    tenant: &TenantId,
    now: DateTime<Utc>,
    run: &str,
) -> Result<DigestPost, PostError> {
    let Some(latest) = load_report(store, tenant, ReportSlot::Latest).await? else {
        return Ok(DigestPost::NoReport);
    };
    WeeklySnapshot::of(*tenant, &latest, report_time(&latest, now))
        .save(store)
        .await?;
    let Some(digest) = load_digest(store, tenant, now).await? else {
        return Ok(DigestPost::NoReport);
    };
    let message = Message::new(
        Channel::Default,
        &format!("{}-{tenant}", slug(run, 60)),
        digest.card(),
    );
    let key = sent_key(tenant, &slug(run, 60), &Channel::Default, "digest")?;
    let outcome = post_once(store, sink, &key, &[message], now).await?;
    Ok(DigestPost::Posted {
        digest: Box::new(digest),
        outcome,
    })
}

/// Posts the enforcement broadcast of the tenant's latest scan to the default channel, at
/// most once per `notice` (the Service Health tracking id, or any id of the occasion).
/// `date` is the tenant's Phase 2 date from the notice, when it names one (the notice is
/// the source of truth); otherwise the report's. `None` when no scan is stored yet.
pub async fn post_broadcast(
    store: &dyn StateStore,
    sink: &dyn TeamsSink,
    tenant: &TenantId,
    notice: &str,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<Option<Outcome>, PostError> {
    let Some(report) = load_report(store, tenant, ReportSlot::Latest).await? else {
        return Ok(None);
    };
    let enforcement =
        EnforcementStatus::on(date.unwrap_or(report.enforcement.date), now.date_naive());
    let worst: Vec<Finding> = report
        .accounts
        .iter()
        .take(MAX_WORST)
        .map(finding_of)
        .collect();
    let card = broadcast(&report, &enforcement, &worst);
    let id = format!("broadcast-{}-{}", slug(notice, 40), short_hash(notice));
    let message = Message::new(Channel::Default, &format!("{id}-{tenant}"), card);
    let key = sent_key(tenant, &id, &Channel::Default, "broadcast")?;
    Ok(Some(post_once(store, sink, &key, &[message], now).await?))
}

/// A report line as the broadcast shows it (name, severity, signals, owner).
fn finding_of(a: &AccountReport) -> Finding {
    Finding {
        user_id: a.user_id,
        upn: a.user_principal_name.clone(),
        display_name: None,
        kind: None,
        break_glass: false,
        severity: a.severity,
        signals: a.signals.iter().copied().collect(),
        evidence: Vec::new(),
        clients: Default::default(),
        ci: Default::default(),
        subscriptions: Default::default(),
        owner: a.owner.as_ref().map(|who| Owner {
            who: who.clone(),
            rule: OwnerRule::Default,
            team: None,
            ticket_project: None,
        }),
    }
}
