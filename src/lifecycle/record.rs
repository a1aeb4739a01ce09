//! The record stepup keeps per (tenant, account): what was seen, the ticket, notices,
//! ack/snooze and the lifecycle state with a bounded history (DESIGN.md §6).
//!
//! Stored as JSON at `accounts/<tenantId>/<userId>.json`.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::detect::model::{Owner, Severity, Signal};
use crate::ids::{ObjectId, TenantId};
use crate::state::{KeyError, StateKey};
use crate::tickets::{TicketKey, TicketRef, TicketState};

/// At most this many transitions are kept per account (oldest dropped first).
pub const MAX_HISTORY: usize = 50;
/// At most this many notices are kept per account (oldest dropped first).
pub const MAX_NOTICES: usize = 20;
/// The longest snooze, in days, unless `STEPUP_MAX_SNOOZE_DAYS` says otherwise.
pub const DEFAULT_MAX_SNOOZE_DAYS: i64 = 30;
/// How long an ack quiets reminders, in days.
pub const ACK_DAYS: i64 = 14;
/// Reasons and errors are cut to this many characters.
pub const MAX_TEXT: usize = 500;

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum AccountState {
    /// At risk in the latest scan that saw it.
    AtRisk,
    /// Not at risk in `clean_scans` consecutive complete scans, since `since`.
    #[serde(rename_all = "camelCase")]
    Clean {
        /// The first clean complete scan.
        since: DateTime<Utc>,
        /// Consecutive complete clean scans so far.
        clean_scans: u32,
    },
    /// Clean long enough: the ticket is (to be) resolved.
    Resolved {
        /// When it was resolved.
        at: DateTime<Utc>,
    },
}

impl AccountState {
    /// A short word for tables: `at risk`, `clean (1 scan)`, `resolved`.
    pub fn label(&self) -> String {
        match self {
            AccountState::AtRisk => "at risk".into(),
            AccountState::Clean { clean_scans, .. } => format!(
                "clean ({clean_scans} scan{})",
                if *clean_scans == 1 { "" } else { "s" }
            ),
            AccountState::Resolved { .. } => "resolved".into(),
        }
    }
}

/// What a ticket said when it was last written: changes to these trigger an update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketContent {
    /// Signals written.
    pub signals: BTreeSet<Signal>,
    /// Severity written.
    pub severity: Severity,
    /// Owner written.
    pub owner: Option<String>,
}

/// A ticket in a system, as stored (the owned form of [`TicketRef`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredTicket {
    /// The system (`azure-devops`, `github`, `jira`, `servicenow`, `file`).
    pub system: String,
    /// The system's id.
    pub id: String,
    /// A link for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Open or resolved, as last written.
    pub resolved: bool,
    /// What the ticket said when last written.
    pub content: TicketContent,
}

impl StoredTicket {
    /// The reference a sink named `system` understands; `None` when the ticket lives in
    /// another system (the configuration changed).
    pub fn reference(&self, system: &'static str) -> Option<TicketRef> {
        (self.system == system).then(|| TicketRef {
            system,
            id: self.id.clone(),
            url: self.url.clone(),
        })
    }

    /// The ticket's state.
    pub fn state(&self) -> TicketState {
        if self.resolved {
            TicketState::Resolved
        } else {
            TicketState::Open
        }
    }
}

/// A ticket change that did not reach the ticket system yet ("ticket pending").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingTicket {
    /// The first failed attempt.
    pub since: DateTime<Utc>,
    /// Failed attempts so far.
    pub attempts: u32,
    /// The last error, without secrets.
    pub last_error: String,
}

/// A notice sent to the owner (Teams message or reminder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    /// When.
    pub at: DateTime<Utc>,
    /// The severity at the time.
    pub severity: Severity,
}

/// Ack or snooze.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuietKind {
    /// "I know, I'm on it."
    Ack,
    /// "Not now", for a bounded number of days.
    Snooze,
}

/// An ack or snooze: quiets reminders (never the digest, never tickets) until `until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quiet {
    /// Ack or snooze.
    pub kind: QuietKind,
    /// Who asked (UPN).
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Why, as given.
    pub reason: Option<String>,
    /// Reminders resume after this.
    pub until: DateTime<Utc>,
}

/// Why an ack or snooze was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuietError {
    /// The snooze length is outside 1..=`max` (`STEPUP_MAX_SNOOZE_DAYS`).
    #[error("snooze for 1 to {max} days, not {days}")]
    Days {
        /// The length asked for.
        days: i64,
        /// The longest allowed.
        max: i64,
    },
    /// Nobody named.
    #[error("an ack or snooze needs the name of who asked")]
    NoActor,
}

impl Quiet {
    /// An ack by `by` at `at`, for [`ACK_DAYS`] days.
    pub fn ack(by: &str, at: DateTime<Utc>, reason: Option<&str>) -> Result<Self, QuietError> {
        Self::new(QuietKind::Ack, by, at, reason, ACK_DAYS)
    }

    /// A snooze by `by` at `at` for `days` (1..=`max_days`, the setting
    /// `STEPUP_MAX_SNOOZE_DAYS`; [`DEFAULT_MAX_SNOOZE_DAYS`] by default).
    pub fn snooze(
        by: &str,
        at: DateTime<Utc>,
        days: i64,
        max_days: i64,
        reason: Option<&str>,
    ) -> Result<Self, QuietError> {
        if !(1..=max_days).contains(&days) {
            return Err(QuietError::Days {
                days,
                max: max_days,
            });
        }
        Self::new(QuietKind::Snooze, by, at, reason, days)
    }

    fn new(
        kind: QuietKind,
        by: &str,
        at: DateTime<Utc>,
        reason: Option<&str>,
        days: i64,
    ) -> Result<Self, QuietError> {
        let by = by.trim();
        if by.is_empty() {
            return Err(QuietError::NoActor);
        }
        Ok(Self {
            kind,
            by: cut(by),
            at,
            reason: reason.map(str::trim).filter(|r| !r.is_empty()).map(cut),
            until: at + Duration::days(days),
        })
    }

    /// Whether reminders are quiet at `now`.
    pub fn active(&self, now: DateTime<Utc>) -> bool {
        now < self.until
    }
}

/// One step of an account's lifecycle, for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transition {
    /// When.
    pub at: DateTime<Utc>,
    /// What happened, one line (`opened`, `resolved after 2 clean scans`, `snoozed by …`).
    pub event: String,
}

/// From first risk to the fix, for the digest's remediation times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Remediation {
    /// When the account became at risk (this episode).
    pub at_risk_since: DateTime<Utc>,
    /// The first clean complete scan.
    pub clean_since: DateTime<Utc>,
    /// When stepup resolved it.
    pub resolved_at: DateTime<Utc>,
}

impl Remediation {
    /// Time from risk to fix.
    pub fn duration(&self) -> Duration {
        self.clean_since - self.at_risk_since
    }
}

/// Everything stepup knows about one account of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRecord {
    /// The tenant.
    pub tenant: TenantId,
    /// The account.
    pub user_id: ObjectId,
    /// The directory UPN, when known.
    #[serde(default)]
    pub upn: Option<String>,
    /// The first scan that saw it at risk.
    pub first_seen: DateTime<Utc>,
    /// The latest scan that saw it at risk.
    pub last_seen: DateTime<Utc>,
    /// Start of the current (or latest) at-risk episode.
    pub at_risk_since: DateTime<Utc>,
    /// The latest scan reconciled into this record (makes reconciling idempotent).
    pub last_scan: DateTime<Utc>,
    /// Signals in the latest scan that saw it at risk.
    pub signals: BTreeSet<Signal>,
    /// Severity in the latest scan that saw it at risk.
    pub severity: Severity,
    /// The owner and the rule that chose it.
    #[serde(default)]
    pub owner: Option<Owner>,
    /// Lifecycle state.
    #[serde(flatten)]
    pub state: AccountState,
    /// The ticket, once one exists in a ticket system.
    #[serde(default)]
    pub ticket: Option<StoredTicket>,
    /// A ticket change that failed and is retried on the next run.
    #[serde(default)]
    pub pending: Option<PendingTicket>,
    /// The ticket's due date, fixed when it was (re)opened.
    #[serde(default)]
    pub due: Option<NaiveDate>,
    /// Notices sent, newest last, at most [`MAX_NOTICES`].
    #[serde(default)]
    pub notices: Vec<Notice>,
    /// The current ack or snooze.
    #[serde(default)]
    pub quiet: Option<Quiet>,
    /// The latest remediation.
    #[serde(default)]
    pub remediation: Option<Remediation>,
    /// Transitions, oldest first, at most [`MAX_HISTORY`].
    #[serde(default)]
    pub history: Vec<Transition>,
}

impl AccountRecord {
    /// The state key of an account: `accounts/<tenantId>/<userId>.json`.
    pub fn key_of(tenant: &TenantId, user: &ObjectId) -> StateKey {
        // GUIDs are hex and hyphens: always a valid key.
        StateKey::parse(&format!("accounts/{tenant}/{user}.json"))
            .unwrap_or_else(|_| unreachable!("GUID keys are valid"))
    }

    /// The prefix listing a tenant's accounts.
    pub fn prefix_of(tenant: &TenantId) -> String {
        format!("accounts/{tenant}/")
    }

    /// This record's state key.
    pub fn key(&self) -> StateKey {
        Self::key_of(&self.tenant, &self.user_id)
    }

    /// The ticket key of this account.
    pub fn ticket_key(&self) -> TicketKey {
        TicketKey {
            tenant: self.tenant,
            user: self.user_id,
        }
    }

    /// The content a ticket should carry now.
    pub fn content(&self) -> TicketContent {
        TicketContent {
            signals: self.signals.clone(),
            severity: self.severity,
            owner: self.owner.as_ref().map(|o| o.who.clone()),
        }
    }

    /// Whether the ticket system is behind what this record wants ("ticket pending").
    pub fn ticket_pending(&self) -> bool {
        match (&self.state, &self.ticket) {
            (AccountState::AtRisk, None) => true,
            (AccountState::AtRisk, Some(t)) => t.resolved || t.content != self.content(),
            (AccountState::Resolved { .. }, Some(t)) => !t.resolved,
            _ => self.pending.is_some(),
        }
    }

    /// Appends a transition, dropping the oldest beyond [`MAX_HISTORY`].
    pub fn log(&mut self, at: DateTime<Utc>, event: impl Into<String>) {
        self.history.push(Transition {
            at,
            event: cut(&event.into()),
        });
        let excess = self.history.len().saturating_sub(MAX_HISTORY);
        self.history.drain(..excess);
    }

    /// Records a notice sent, dropping the oldest beyond [`MAX_NOTICES`].
    pub fn record_notice(&mut self, at: DateTime<Utc>, severity: Severity) {
        self.notices.push(Notice { at, severity });
        let excess = self.notices.len().saturating_sub(MAX_NOTICES);
        self.notices.drain(..excess);
    }

    /// Sets an ack or snooze, with an audit line.
    pub fn set_quiet(&mut self, quiet: Quiet) {
        let what = match quiet.kind {
            QuietKind::Ack => "acknowledged",
            QuietKind::Snooze => "snoozed",
        };
        let reason = quiet
            .reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        self.log(
            quiet.at,
            format!(
                "{what} by {} until {}{reason}",
                quiet.by,
                quiet.until.date_naive()
            ),
        );
        self.quiet = Some(quiet);
    }

    /// Whether reminders are quiet at `now` (ack or snooze in force).
    pub fn is_quiet(&self, now: DateTime<Utc>) -> bool {
        self.quiet.as_ref().is_some_and(|q| q.active(now))
    }

    /// The ticket as people read it: `github #12`, `ticket pending`, or `-`.
    pub fn ticket_label(&self) -> String {
        match (&self.ticket, self.ticket_pending()) {
            (Some(t), false) => format!("{} {}", t.system, t.id),
            (Some(t), true) => format!("{} {} (update pending)", t.system, t.id),
            (None, true) => "ticket pending".into(),
            (None, false) => "-".into(),
        }
    }
}

/// Cuts free text to [`MAX_TEXT`] characters on one line.
pub(crate) fn cut(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_TEXT)
        .collect()
}

/// A key from parts that may be invalid (sources, alert ids).
pub(crate) fn key(text: String) -> Result<StateKey, KeyError> {
    StateKey::parse(&text)
}
