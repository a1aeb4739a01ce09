//! When an owner hears about an account (pure):
//!
//! - never notified before: now;
//! - its severity rose since the last notice: now, even through an ack or snooze (it is
//!   news, not a reminder);
//! - acked or snoozed: not until the ack or snooze ends (DESIGN.md §6: reminders only; the
//!   digest still counts it);
//! - otherwise again once `STEPUP_RENOTIFY_DAYS` have passed since the last notice, or
//!   sooner, once a day, while its deadline is within 7 days. The deadline is the ticket's
//!   due date, else the enforcement date while Phase 2 is not enforced yet; an overdue
//!   account goes back to the normal rhythm (the digest lists it as overdue).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::EnforcementStatus;
use crate::detect::model::{Finding, Severity};
use crate::lifecycle::record::{AccountRecord, QuietKind};

/// Days before a deadline during which reminders come daily.
pub const DEADLINE_DAYS: i64 = 7;

/// Why an account is in a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "camelCase")]
pub enum DueReason {
    /// The owner never heard about it.
    First,
    /// The renotify window has passed.
    Reminder,
    /// Worse than when the owner last heard.
    SeverityRose {
        /// The severity then.
        from: Severity,
        /// The severity now.
        to: Severity,
    },
    /// Its deadline is within [`DEADLINE_DAYS`].
    DeadlineNear {
        /// The deadline.
        due: NaiveDate,
    },
}

/// Why an account is left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "camelCase")]
pub enum SkipReason {
    /// Notified recently; next reminder from `next`.
    RecentlyNotified {
        /// The last notice.
        last: DateTime<Utc>,
        /// When the window ends.
        next: DateTime<Utc>,
    },
    /// Acked or snoozed.
    Quiet {
        /// Ack or snooze.
        kind: QuietKind,
        /// Until when.
        until: DateTime<Utc>,
    },
    /// Nobody owns it (no rule, sponsor, manager, tag or default owner).
    NoOwner,
}

/// Whether `finding` is due for a notice at `now`, given its stored `record`.
pub fn decide(
    finding: &Finding,
    record: Option<&AccountRecord>,
    enforcement: &EnforcementStatus,
    renotify_days: u32,
    now: DateTime<Utc>,
) -> Result<DueReason, SkipReason> {
    let last = record.and_then(|r| r.notices.last());
    if let Some(n) = last.filter(|n| finding.severity > n.severity) {
        return Ok(DueReason::SeverityRose {
            from: n.severity,
            to: finding.severity,
        });
    }
    if let Some(q) = record
        .and_then(|r| r.quiet.as_ref())
        .filter(|q| q.active(now))
    {
        return Err(SkipReason::Quiet {
            kind: q.kind,
            until: q.until,
        });
    }
    let Some(last) = last else {
        return Ok(DueReason::First);
    };
    let next = last.at + Duration::days(i64::from(renotify_days));
    if now >= next {
        return Ok(DueReason::Reminder);
    }
    let today = now.date_naive();
    let deadline = record
        .and_then(|r| r.due)
        .or((!enforcement.enforced).then_some(enforcement.date));
    if let Some(due) = deadline {
        let left = (due - today).num_days();
        if (0..=DEADLINE_DAYS).contains(&left) && last.at.date_naive() < today {
            return Ok(DueReason::DeadlineNear { due });
        }
    }
    Err(SkipReason::RecentlyNotified {
        last: last.at,
        next,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::lifecycle::record::Quiet;
    use crate::lifecycle::testkit::{critical, tenant};

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
    }

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    /// Phase 2 enforced long ago (the usual case today).
    fn enforced() -> EnforcementStatus {
        EnforcementStatus::on(NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(), date(11, 22))
    }

    fn record(notices: &[(DateTime<Utc>, Severity)]) -> AccountRecord {
        let f = critical(1);
        let mut r = AccountRecord {
            tenant: tenant(),
            user_id: f.user_id,
            upn: f.upn.clone(),
            first_seen: at(1, 6),
            last_seen: at(22, 6),
            at_risk_since: at(1, 6),
            last_scan: at(22, 6),
            signals: f.signals.clone(),
            severity: f.severity,
            owner: f.owner.clone(),
            state: crate::lifecycle::AccountState::AtRisk,
            ticket: None,
            pending: None,
            due: None,
            notices: Vec::new(),
            quiet: None,
            remediation: None,
            history: Vec::new(),
        };
        for (when, sev) in notices {
            r.record_notice(*when, *sev);
        }
        r
    }

    /// A case: name, stored record, Phase 2 status, and the decision wanted (`Err` names
    /// the kind of skip: `recent` or `quiet`).
    type Case = (
        &'static str,
        Option<AccountRecord>,
        EnforcementStatus,
        Result<DueReason, &'static str>,
    );

    #[test]
    fn the_renotify_policy_case_by_case() {
        let now = at(22, 6);
        let high = Severity::High;
        let crit = Severity::Critical;
        let finding = critical(1); // severity critical
        let mut acked = record(&[(at(20, 6), crit)]);
        acked.set_quiet(Quiet::ack("owner@contoso.com", at(21, 9), Some("on it")).unwrap());
        let mut snoozed = record(&[(at(10, 6), crit)]);
        snoozed.set_quiet(Quiet::snooze("owner@contoso.com", at(14, 9), 10, 30, None).unwrap());
        let mut snooze_over = record(&[(at(1, 6), crit)]);
        snooze_over.set_quiet(Quiet::snooze("owner@contoso.com", at(2, 9), 5, 30, None).unwrap());
        let mut rose_while_acked = record(&[(at(20, 6), high)]);
        rose_while_acked.set_quiet(Quiet::ack("owner@contoso.com", at(21, 9), None).unwrap());
        let mut due_soon = record(&[(at(19, 6), crit)]);
        due_soon.due = Some(date(11, 27));
        let mut due_soon_told_today = record(&[(at(22, 5), crit)]);
        due_soon_told_today.due = Some(date(11, 27));
        let mut overdue = record(&[(at(19, 6), crit)]);
        overdue.due = Some(date(11, 20));
        let mut due_later = record(&[(at(19, 6), crit)]);
        due_later.due = Some(date(12, 20));
        let upcoming = EnforcementStatus::on(date(11, 26), date(11, 22));
        let upcoming_later = EnforcementStatus::on(date(12, 26), date(11, 22));

        let table: Vec<Case> = vec![
            ("never notified", None, enforced(), Ok(DueReason::First)),
            (
                "record without notices",
                Some(record(&[])),
                enforced(),
                Ok(DueReason::First),
            ),
            (
                "within the window",
                Some(record(&[(at(19, 6), crit)])),
                enforced(),
                Err("recent"),
            ),
            (
                "window just over",
                Some(record(&[(at(15, 6), crit)])),
                enforced(),
                Ok(DueReason::Reminder),
            ),
            (
                "severity rose",
                Some(record(&[(at(21, 6), high)])),
                enforced(),
                Ok(DueReason::SeverityRose {
                    from: high,
                    to: crit,
                }),
            ),
            (
                "severity fell",
                Some(record(&[(at(21, 6), crit)])),
                enforced(),
                Err("recent"),
            ),
            ("acked", Some(acked), enforced(), Err("quiet")),
            (
                "snoozed, window over",
                Some(snoozed),
                enforced(),
                Err("quiet"),
            ),
            (
                "snooze ended",
                Some(snooze_over),
                enforced(),
                Ok(DueReason::Reminder),
            ),
            (
                "severity rose while acked",
                Some(rose_while_acked),
                enforced(),
                Ok(DueReason::SeverityRose {
                    from: high,
                    to: crit,
                }),
            ),
            (
                "ticket due within 7 days",
                Some(due_soon),
                enforced(),
                Ok(DueReason::DeadlineNear { due: date(11, 27) }),
            ),
            (
                "deadline near, told today already",
                Some(due_soon_told_today),
                enforced(),
                Err("recent"),
            ),
            ("ticket overdue", Some(overdue), enforced(), Err("recent")),
            (
                "ticket due later",
                Some(due_later),
                enforced(),
                Err("recent"),
            ),
            (
                "enforced already, no ticket date",
                Some(record(&[(at(19, 6), crit)])),
                enforced(),
                Err("recent"),
            ),
            (
                "enforcement within 7 days",
                Some(record(&[(at(19, 6), crit)])),
                upcoming,
                Ok(DueReason::DeadlineNear { due: date(11, 26) }),
            ),
            (
                "enforcement in a month",
                Some(record(&[(at(19, 6), crit)])),
                upcoming_later,
                Err("recent"),
            ),
        ];
        for (case, record, enforcement, want) in table {
            let got = decide(&finding, record.as_ref(), &enforcement, 7, now);
            match (want, got) {
                (Ok(w), Ok(g)) => assert_eq!(g, w, "{case}"),
                (Err("recent"), Err(SkipReason::RecentlyNotified { next, .. })) => {
                    assert!(next > now, "{case}")
                }
                (Err("quiet"), Err(SkipReason::Quiet { until, .. })) => {
                    assert!(until > now, "{case}")
                }
                (w, g) => panic!("{case}: wanted {w:?}, got {g:?}"),
            }
        }
    }

    #[test]
    fn the_window_is_the_setting() {
        let finding = critical(1);
        let r = record(&[(at(19, 6), Severity::Critical)]);
        assert!(decide(&finding, Some(&r), &enforced(), 7, at(22, 6)).is_err());
        assert_eq!(
            decide(&finding, Some(&r), &enforced(), 3, at(22, 6)),
            Ok(DueReason::Reminder)
        );
    }
}
