//! Delivering one [`OwnerNotice`] — what the `notify-worker` does with a queue message —
//! and a whole run of them (the demo, the CLI, the benchmark).
//!
//! [`deliver`] posts the notice's messages at most once ([`crate::teams::once`]), then
//! records the notice in each account's record (`notices`, which the renotify policy
//! reads). A redelivered message finds the sent mark and only completes the recording;
//! recording is skipped for an account whose record already holds a notice from this run.
//! When a message may or may not have reached Teams, nothing is recorded: the next run
//! brings the accounts up again rather than risk silence.

use chrono::{DateTime, Utc};
use futures_util::stream::{self, StreamExt};

use super::notice::OwnerNotice;
use crate::lifecycle::{AccountRecord, StoreError};
use crate::state::{get_json, update_json, StateStore};
use crate::teams::delivery::TeamsSink;
use crate::teams::once::{post_once, sent_key, Outcome, PostError};

/// What delivering one notice did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    /// The messages.
    pub outcome: Outcome,
    /// Account records that got the notice.
    pub recorded: usize,
}

/// The run id in keys and names: `20261122T060000Z`.
pub fn run_stamp(run: DateTime<Utc>) -> String {
    run.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Posts `notice` through `sink` (at most once per run, across retries) and records it in
/// the accounts' records in `store`. An error leaves the notice safe to retry.
pub async fn deliver(
    notice: &OwnerNotice,
    sink: &dyn TeamsSink,
    store: &dyn StateStore,
    now: DateTime<Utc>,
) -> Result<Delivered, PostError> {
    let messages = notice.messages();
    let key = sent_key(
        &notice.tenant,
        &run_stamp(notice.run),
        &notice.channel,
        &format!("owner-{}", notice.subject()),
    )?;
    let outcome = post_once(store, sink, &key, &messages, now).await?;
    let recorded = if outcome.complete() {
        record(store, notice, now).await?
    } else {
        0
    };
    Ok(Delivered { outcome, recorded })
}

/// Adds the notice to each account's record (unless this run's is there already).
async fn record(
    store: &dyn StateStore,
    notice: &OwnerNotice,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut recorded = 0;
    for account in &notice.accounts {
        let key = AccountRecord::key_of(&notice.tenant, &account.finding.user_id);
        let told = |r: &AccountRecord| r.notices.last().is_some_and(|n| n.at >= notice.run);
        match get_json::<AccountRecord>(store, &key).await? {
            None => continue, // not reconciled yet: nothing to record in
            Some(r) if told(&r) => continue,
            Some(_) => {}
        }
        let severity = account.finding.severity;
        update_json(store, &key, |r: Option<AccountRecord>| {
            let mut r = r.ok_or_else(|| anyhow::anyhow!("the record was deleted meanwhile"))?;
            if !told(&r) {
                r.record_notice(now, severity);
            }
            Ok(r)
        })
        .await?;
        recorded += 1;
    }
    Ok(recorded)
}

/// What delivering a run's notices did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Notices delivered (fully).
    pub delivered: usize,
    /// Messages posted.
    pub messages: usize,
    /// Accounts recorded as notified.
    pub recorded: usize,
    /// Messages that may or may not have reached Teams.
    pub uncertain: usize,
    /// Requests sent.
    pub attempts: u64,
    /// Throttled answers seen.
    pub throttled: u64,
    /// Notices that failed, by owner, with the error (retry them: the sent marks keep
    /// what went out).
    pub failed: Vec<(String, String)>,
}

/// Delivers `notices`, up to `concurrency` at a time (the sink's per-URL rate limit still
/// spaces the requests).
pub async fn deliver_all(
    notices: &[OwnerNotice],
    sink: &dyn TeamsSink,
    store: &dyn StateStore,
    now: DateTime<Utc>,
    concurrency: usize,
) -> RunReport {
    let results: Vec<(&OwnerNotice, Result<Delivered, PostError>)> = stream::iter(notices)
        .map(|n| async move { (n, deliver(n, sink, store, now).await) })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut report = RunReport::default();
    for (notice, result) in results {
        match result {
            Ok(d) => {
                report.delivered += usize::from(d.outcome.complete());
                report.messages += d.outcome.posted;
                report.uncertain += d.outcome.uncertain;
                report.recorded += d.recorded;
                report.attempts += u64::from(d.outcome.attempts);
                report.throttled += u64::from(d.outcome.throttled);
            }
            Err(e) => report
                .failed
                .push((notice.owner.who.clone(), e.to_string())),
        }
    }
    report.failed.sort();
    report
}
