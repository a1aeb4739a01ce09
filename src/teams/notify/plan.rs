//! Planning a run's owner notices (pure): the latest scan's findings and the stored account
//! records in, one [`OwnerNotice`] per (owner, channel) out, holding the accounts that are
//! due ([`super::policy::decide`]). At most one notice per owner and channel in a run, so
//! never two identical messages; an account appears in one notice only.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::notice::{trimmed, NoticeAccount, NoticeTicket, OwnerNotice};
use super::policy::{decide, SkipReason};
use crate::calendar::EnforcementStatus;
use crate::detect::model::Finding;
use crate::ids::{ObjectId, TenantId};
use crate::lifecycle::AccountRecord;
use crate::settings::TenantSettings;
use crate::teams::channel::Channel;

/// What a plan is made from.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// The tenant.
    pub tenant: TenantId,
    /// When the scan ran (identifies the run).
    pub scan_at: DateTime<Utc>,
    /// The tenant's Phase 2 status.
    pub enforcement: EnforcementStatus,
    /// The scan's at-risk accounts, owners resolved.
    pub findings: &'a [Finding],
    /// The tenant's stored records (after reconciling this scan).
    pub records: &'a [AccountRecord],
    /// Tenant settings: the ownership map names team channels.
    pub settings: &'a TenantSettings,
    /// `STEPUP_RENOTIFY_DAYS`.
    pub renotify_days: u32,
    /// Now.
    pub now: DateTime<Utc>,
}

/// An account left out of this run's notices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The account.
    pub user_id: ObjectId,
    /// Why.
    pub reason: SkipReason,
}

/// A run's notices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// One per (owner, channel), ordered by channel then owner.
    pub notices: Vec<OwnerNotice>,
    /// The accounts not notified this run, and why.
    pub skipped: Vec<Skipped>,
}

impl Plan {
    /// Accounts in the notices.
    pub fn accounts(&self) -> usize {
        self.notices.iter().map(|n| n.accounts.len()).sum()
    }
}

/// Plans the notices of one run.
pub fn plan(input: &PlanInput<'_>) -> Plan {
    let records: HashMap<ObjectId, &AccountRecord> = input
        .records
        .iter()
        .filter(|r| r.tenant == input.tenant)
        .map(|r| (r.user_id, r))
        .collect();
    // Owners compared without case: one notice per mailbox.
    let mut groups: BTreeMap<(Channel, String), OwnerNotice> = BTreeMap::new();
    let mut skipped = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for finding in input.findings {
        if !seen.insert(finding.user_id) {
            continue; // the first (most severe) finding of an account wins
        }
        let Some(owner) = finding.owner.clone().filter(|o| !o.who.trim().is_empty()) else {
            skipped.push(Skipped {
                user_id: finding.user_id,
                reason: SkipReason::NoOwner,
            });
            continue;
        };
        let record = records.get(&finding.user_id).copied();
        let reason = match decide(
            finding,
            record,
            &input.enforcement,
            input.renotify_days,
            input.now,
        ) {
            Ok(reason) => reason,
            Err(reason) => {
                skipped.push(Skipped {
                    user_id: finding.user_id,
                    reason,
                });
                continue;
            }
        };
        let channel = Channel::for_account(
            input.settings,
            finding.upn.as_deref(),
            &finding.user_id.to_string(),
        );
        let key = (channel.clone(), owner.who.trim().to_ascii_lowercase());
        let notice = groups.entry(key).or_insert_with(|| OwnerNotice {
            tenant: input.tenant,
            run: input.scan_at,
            channel,
            owner,
            enforcement: input.enforcement,
            accounts: Vec::new(),
        });
        notice.accounts.push(NoticeAccount {
            finding: trimmed(finding),
            ticket: record
                .and_then(|r| r.ticket.as_ref())
                .filter(|t| !t.resolved)
                .map(NoticeTicket::of),
            reason,
        });
    }
    let notices = groups
        .into_values()
        .map(|mut n| {
            n.accounts.sort_by(|a, b| {
                b.finding
                    .severity
                    .cmp(&a.finding.severity)
                    .then_with(|| a.finding.upn.cmp(&b.finding.upn))
                    .then_with(|| a.finding.user_id.cmp(&b.finding.user_id))
            });
            n
        })
        .collect();
    Plan { notices, skipped }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::model::{OwnerRule, Severity, Signal};
    use crate::lifecycle::testkit::{critical, day, finding, scan, tenant, user};

    fn settings() -> TenantSettings {
        TenantSettings::from_toml(
            r#"
[owners]
"svc-1*@contoso.com" = { owner = "platform-team@contoso.com", team = "Platform", teams_webhook = "https://hooks.example.com/p?sig=x" }
"#,
            "stepup.toml",
        )
        .unwrap()
    }

    fn input<'a>(
        findings: &'a [Finding],
        records: &'a [AccountRecord],
        s: &'a TenantSettings,
    ) -> PlanInput<'a> {
        PlanInput {
            tenant: tenant(),
            scan_at: day(21),
            enforcement: scan(21, true).enforcement,
            findings,
            records,
            settings: s,
            renotify_days: 7,
            now: day(21),
        }
    }

    #[test]
    fn one_notice_per_owner_and_channel_with_each_account_once() {
        let s = settings();
        let mut other = finding(2, Severity::Medium, &[Signal::NoMfaMethod]);
        other.owner.as_mut().unwrap().who = "Platform-Team@Contoso.com".into();
        let mut stranger = finding(3, Severity::High, &[Signal::SingleFactorArmWrite]);
        stranger.owner.as_mut().unwrap().who = "dev-lead@contoso.com".into();
        let mut orphan = critical(4);
        orphan.owner = None;
        // Account 1 is in the Platform team's channel (svc-1…), 2 and 3 in the default one.
        let findings = vec![
            critical(1),
            other,
            stranger,
            orphan,
            critical(1),
            critical(5),
        ];
        let plan = plan(&input(&findings, &[], &s));

        let shape: Vec<(String, String, Vec<ObjectId>)> = plan
            .notices
            .iter()
            .map(|n| {
                (
                    n.channel.slug(),
                    n.owner.who.clone(),
                    n.user_ids().collect(),
                )
            })
            .collect();
        assert_eq!(shape.len(), 3, "{shape:?}");
        assert_eq!(shape[0].0, "default");
        assert_eq!(shape[0].2, vec![user(3)]);
        assert_eq!(
            shape[1].2,
            vec![user(5), user(2)],
            "owners compared without case; most severe first"
        );
        assert!(shape[2].0.starts_with("team-platform-"));
        assert_eq!(shape[2].2, vec![user(1)], "duplicates collapse");
        assert_eq!(plan.accounts(), 4);
        assert_eq!(
            plan.skipped,
            vec![Skipped {
                user_id: user(4),
                reason: SkipReason::NoOwner
            }]
        );
        assert!(plan.notices.iter().all(|n| n.run == day(21)));
        let owner_rule = plan.notices[2].owner.rule;
        assert_eq!(owner_rule, OwnerRule::OwnershipMap);
    }

    #[test]
    fn accounts_not_due_are_skipped_and_notices_survive_the_queue() {
        let s = settings();
        let findings = vec![critical(1), critical(2)];
        let first = plan(&input(&findings, &[], &s));
        assert_eq!(first.accounts(), 2);

        // The queue carries notices as JSON: the same notice comes out.
        for n in &first.notices {
            let json = serde_json::to_string(n).unwrap();
            let back: OwnerNotice = serde_json::from_str(&json).unwrap();
            assert_eq!(&back, n);
            assert!(!json.contains("sig="), "no webhook URL in a notice");
        }

        // Account 1 was notified yesterday: only account 2 is due.
        let mut r = crate::lifecycle::reconcile(&[], &findings, &scan(20, true)).records;
        r.iter_mut()
            .filter(|r| r.user_id == user(1))
            .for_each(|r| r.record_notice(day(20), Severity::Critical));
        let second = plan(&input(&findings, &r, &s));
        assert_eq!(second.accounts(), 1);
        assert_eq!(
            second.notices[0].user_ids().collect::<Vec<_>>(),
            vec![user(2)]
        );
        assert!(matches!(
            second.skipped[0].reason,
            SkipReason::RecentlyNotified { .. }
        ));
    }
}
