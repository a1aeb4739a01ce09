//! The bridge from the queue contract to a deliverable notice. `stepup-notify` carries a
//! lean [`crate::jobs::OwnerNotice`] (run, tenant, owner, account ids); the cards need each
//! account's finding (signals, evidence, clients, CI: what the guidance is chosen from), so
//! the run keeps its findings in state next to its report ([`save_findings`]:
//! `reports/<tenant>/findings.json`) and the `notify-worker` rebuilds the notice with
//! [`notices_for`], then calls [`super::deliver`].
//!
//! The reconciling job: [`super::plan`] → for each notice, `save_findings` once, then queue
//! `OwnerNotice { run_id, tenant, owner: notice.owner.who, accounts: notice.user_ids() }`.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDateTime, Utc};

use super::notice::{trimmed, NoticeAccount, NoticeTicket, OwnerNotice};
use super::policy::{decide, DueReason};
use crate::calendar::EnforcementStatus;
use crate::detect::model::{Finding, Owner, OwnerRule};
use crate::ids::{ObjectId, TenantId};
use crate::lifecycle::{load_report, AccountRecord, ReportSlot, StoreError};
use crate::settings::TenantSettings;
use crate::state::{get_json, Condition, StateKey, StateStore};
use crate::teams::channel::Channel;

/// The state key of a tenant's latest findings: `reports/<tenant>/findings.json`.
pub fn findings_key(tenant: &TenantId) -> Result<StateKey, StoreError> {
    Ok(StateKey::parse(&format!("reports/{tenant}/findings.json"))?)
}

/// Keeps the latest scan's findings of `tenant` (evidence cut as notices show it).
pub async fn save_findings(
    store: &dyn StateStore,
    tenant: &TenantId,
    findings: &[Finding],
) -> Result<(), StoreError> {
    let key = findings_key(tenant)?;
    let kept: Vec<Finding> = findings.iter().map(trimmed).collect();
    crate::state::put_json(store, &key, &kept, Condition::Always).await?;
    Ok(())
}

/// The latest findings of `tenant`; `None` before the first run kept them.
pub async fn load_findings(
    store: &dyn StateStore,
    tenant: &TenantId,
) -> Result<Option<Vec<Finding>>, StoreError> {
    Ok(get_json(store, &findings_key(tenant)?).await?)
}

/// When a run started, from its id (`20261122T060000Z-1a2b3c4d`).
pub fn run_time(run_id: &str) -> Option<DateTime<Utc>> {
    let stamp = run_id.get(..16)?;
    NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|t| t.and_utc())
}

/// The notices a queued owner message stands for: the named accounts that are in the
/// tenant's latest findings, with their tickets, one notice per channel (usually one).
/// Accounts no longer in the findings are left out; no findings at all give no notice.
/// The renotify policy is not applied again (the planner did), so a redelivered message
/// rebuilds the same notice and its sent mark stops a second post.
pub async fn notices_for(
    store: &dyn StateStore,
    message: &crate::jobs::OwnerNotice,
    settings: &TenantSettings,
    renotify_days: u32,
    now: DateTime<Utc>,
) -> Result<Vec<OwnerNotice>, StoreError> {
    let tenant = message.tenant;
    let Some(findings) = load_findings(store, &tenant).await? else {
        return Ok(Vec::new());
    };
    let by_id: HashMap<ObjectId, &Finding> = findings.iter().map(|f| (f.user_id, f)).collect();
    let report = load_report(store, &tenant, ReportSlot::Latest).await?;
    let date = report.as_ref().map_or_else(
        || settings.effective_enforcement_date(),
        |r| r.enforcement.date,
    );
    let enforcement = EnforcementStatus::on(date, now.date_naive());
    let run = run_time(message.run_id.as_str())
        .or_else(|| {
            report
                .as_ref()
                .map(|r| crate::teams::digest::report_time(r, now))
        })
        .unwrap_or(now);
    let owner = findings
        .iter()
        .filter_map(|f| f.owner.as_ref())
        .find(|o| o.who.eq_ignore_ascii_case(message.owner.trim()))
        .cloned()
        .unwrap_or_else(|| Owner {
            who: message.owner.trim().to_owned(),
            rule: OwnerRule::Default,
            team: None,
            ticket_project: None,
        });

    let mut by_channel: BTreeMap<Channel, Vec<NoticeAccount>> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for id in &message.accounts {
        let Some(finding) = by_id.get(id).copied() else {
            continue;
        };
        if !seen.insert(*id) {
            continue;
        }
        let record: Option<AccountRecord> =
            get_json(store, &AccountRecord::key_of(&tenant, id)).await?;
        let reason = decide(finding, record.as_ref(), &enforcement, renotify_days, now)
            .unwrap_or(DueReason::Reminder);
        let channel = Channel::for_account(
            settings,
            finding.upn.as_deref(),
            &finding.user_id.to_string(),
        );
        by_channel.entry(channel).or_default().push(NoticeAccount {
            finding: trimmed(finding),
            ticket: record
                .as_ref()
                .and_then(|r| r.ticket.as_ref())
                .filter(|t| !t.resolved)
                .map(NoticeTicket::of),
            reason,
        });
    }
    Ok(by_channel
        .into_iter()
        .map(|(channel, mut accounts)| {
            accounts.sort_by(|a, b| {
                b.finding
                    .severity
                    .cmp(&a.finding.severity)
                    .then_with(|| a.finding.upn.cmp(&b.finding.upn))
                    .then_with(|| a.finding.user_id.cmp(&b.finding.user_id))
            });
            OwnerNotice {
                tenant,
                run,
                channel,
                owner: owner.clone(),
                enforcement,
                accounts,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::RunId;
    use crate::lifecycle::testkit::{critical, day, tenant, user, MemoryStore};

    fn message(accounts: Vec<ObjectId>) -> crate::jobs::OwnerNotice {
        crate::jobs::OwnerNotice {
            run_id: RunId::parse("20261101T060000Z-0a1b2c3d").unwrap(),
            tenant: tenant(),
            owner: "Platform-Team@contoso.com".into(),
            accounts,
            accounts_key: None,
        }
    }

    #[tokio::test]
    async fn a_queued_message_becomes_the_notice_the_cards_need() {
        let store = MemoryStore::default();
        let settings = TenantSettings::default();
        let msg = message(vec![user(2), user(1), user(9), user(1)]);
        assert!(notices_for(&store, &msg, &settings, 7, day(0))
            .await
            .unwrap()
            .is_empty());

        let mut many = critical(1);
        many.evidence = (0..9).map(|_| many.evidence[0].clone()).collect();
        save_findings(&store, &tenant(), &[many, critical(2), critical(3)])
            .await
            .unwrap();
        let notices = notices_for(&store, &msg, &settings, 7, day(0))
            .await
            .unwrap();
        assert_eq!(notices.len(), 1);
        let n = &notices[0];
        assert_eq!(n.channel, Channel::Default);
        assert_eq!(
            n.owner.who, "platform-team@contoso.com",
            "the finding's owner"
        );
        assert_eq!(n.owner.rule, OwnerRule::OwnershipMap);
        assert_eq!(n.run, day(0), "the run's start, from its id");
        let ids: Vec<ObjectId> = n.user_ids().collect();
        assert_eq!(
            ids,
            [user(1), user(2)],
            "known accounts once, account 9 is gone"
        );
        assert_eq!(
            n.accounts[0].finding.evidence.len(),
            super::super::MAX_EVIDENCE
        );
        assert_eq!(n.accounts[0].reason, DueReason::First);
        assert!(!n.cards().is_empty());
        assert_eq!(run_time("not-a-run"), None);
    }
}
