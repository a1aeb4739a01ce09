//! Reconciliation, pure: the previous records and this scan's findings in, the new records
//! and the ticket actions out (DESIGN.md §6).
//!
//! - newly at risk → open; at risk with changed signals, severity or owner → update;
//! - not at risk in `resolve_after_scans` consecutive **complete** scans → resolve;
//! - resolved and at risk again → reopen.
//!
//! An incomplete scan never resolves and never counts as a clean scan (it neither counts
//! nor breaks a run of clean scans). Ticket actions follow from the difference between what
//! a record wants and what its ticket says, so a change that failed to reach the ticket
//! system ("ticket pending") is simply asked for again on the next run. Ack and snooze never
//! change tickets. The result does not depend on the order of the inputs.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::calendar::EnforcementStatus;
use crate::detect::model::Finding;
use crate::ids::{ObjectId, TenantId};
use crate::report::labels::signal_label;

use super::record::{AccountRecord, AccountState, Remediation, TicketContent};
use super::settings::LifecycleSettings;

/// What reconciliation needs to know about the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanContext {
    /// The tenant scanned.
    pub tenant: TenantId,
    /// When the scan ran (also the scan's identity: a scan is reconciled once).
    pub at: DateTime<Utc>,
    /// Whether every source was read in full.
    pub complete: bool,
    /// The tenant's Phase 2 status (for ticket text and due dates).
    pub enforcement: EnforcementStatus,
    /// Resolve and due-date settings.
    pub settings: LifecycleSettings,
}

/// What to do to an account's ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActionKind {
    /// Create the ticket (after finding none by key).
    Open,
    /// Refresh it: signals, severity or owner changed.
    Update,
    /// Resolve it with a note.
    Resolve,
    /// Reopen it: at risk again.
    Reopen,
}

impl ActionKind {
    /// `open`, `update`, `resolve`, `reopen`.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Open => "open",
            ActionKind::Update => "update",
            ActionKind::Resolve => "resolve",
            ActionKind::Reopen => "reopen",
        }
    }
}

/// One ticket action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketAction {
    /// The account.
    pub user: ObjectId,
    /// What to do.
    pub kind: ActionKind,
    /// The comment / work note to add (empty for a plain open).
    pub note: String,
}

/// The outcome of reconciling one scan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reconciliation {
    /// Records that changed or have a ticket action, sorted by account.
    pub records: Vec<AccountRecord>,
    /// Ticket actions, sorted by account.
    pub actions: Vec<TicketAction>,
}

/// Reconciles one tenant's records with one scan's findings.
pub fn reconcile(
    previous: &[AccountRecord],
    findings: &[Finding],
    scan: &ScanContext,
) -> Reconciliation {
    let previous = by_user_records(previous, &scan.tenant);
    let findings = by_user_findings(findings);
    let users: BTreeSet<ObjectId> = previous.keys().chain(findings.keys()).copied().collect();
    let mut out = Reconciliation::default();
    for user in users {
        let prev = previous.get(&user).copied();
        let finding = findings.get(&user).copied();
        let Some(next) = reconcile_account(prev, finding, scan) else {
            continue;
        };
        let action = action_for(&next, finding.is_some());
        if Some(&next) != prev || action.is_some() {
            out.records.push(next);
        }
        out.actions.extend(action);
    }
    out
}

/// Records by account (one tenant); of duplicates the most recently reconciled wins.
fn by_user_records<'a>(
    records: &'a [AccountRecord],
    tenant: &TenantId,
) -> BTreeMap<ObjectId, &'a AccountRecord> {
    let mut map: BTreeMap<ObjectId, &AccountRecord> = BTreeMap::new();
    for r in records.iter().filter(|r| r.tenant == *tenant) {
        let keep = map
            .get(&r.user_id)
            .is_none_or(|old| (r.last_scan, r.history.len()) > (old.last_scan, old.history.len()));
        if keep {
            map.insert(r.user_id, r);
        }
    }
    map
}

/// Findings by account; of duplicates the most severe (then most signals) wins.
pub(crate) fn by_user_findings(findings: &[Finding]) -> BTreeMap<ObjectId, &Finding> {
    let rank = |f: &Finding| {
        (
            f.severity,
            f.signals.clone(),
            f.evidence.len(),
            f.owner.as_ref().map(|o| o.who.clone()),
        )
    };
    let mut map: BTreeMap<ObjectId, &Finding> = BTreeMap::new();
    for f in findings {
        let keep = map.get(&f.user_id).is_none_or(|old| rank(f) > rank(old));
        if keep {
            map.insert(f.user_id, f);
        }
    }
    map
}

/// The record of one account after the scan; `None` when there is none (never at risk).
/// A scan no newer than the record's last one changes nothing, so reconciling twice is safe.
pub fn reconcile_account(
    prev: Option<&AccountRecord>,
    finding: Option<&Finding>,
    scan: &ScanContext,
) -> Option<AccountRecord> {
    let at = scan.at;
    match (prev, finding) {
        (None, None) => None,
        (Some(r), _) if at <= r.last_scan => Some(r.clone()),
        (None, Some(f)) => {
            let mut r = AccountRecord {
                tenant: scan.tenant,
                user_id: f.user_id,
                upn: f.upn.clone(),
                first_seen: at,
                last_seen: at,
                at_risk_since: at,
                last_scan: at,
                signals: f.signals.clone(),
                severity: f.severity,
                owner: f.owner.clone(),
                state: AccountState::AtRisk,
                ticket: None,
                pending: None,
                due: None,
                notices: Vec::new(),
                quiet: None,
                remediation: None,
                history: Vec::new(),
            };
            r.log(at, format!("at risk: {} ({})", f.severity, signal_list(f)));
            Some(r)
        }
        (Some(prev), Some(f)) => {
            let mut r = prev.clone();
            let before = r.content();
            r.upn = f.upn.clone().or(r.upn);
            r.signals = f.signals.clone();
            r.severity = f.severity;
            r.owner = f.owner.clone().or(r.owner);
            r.last_seen = at;
            r.last_scan = at;
            match prev.state {
                AccountState::AtRisk => {
                    if let Some(change) = describe_change(&before, &r.content()) {
                        r.log(at, format!("changed: {change}"));
                    }
                }
                AccountState::Clean { clean_scans, .. } => {
                    r.state = AccountState::AtRisk;
                    r.log(
                        at,
                        format!(
                            "at risk again after {clean_scans} clean scan{}: {} ({})",
                            if clean_scans == 1 { "" } else { "s" },
                            f.severity,
                            signal_list(f)
                        ),
                    );
                }
                AccountState::Resolved { .. } => {
                    r.state = AccountState::AtRisk;
                    r.at_risk_since = at;
                    r.quiet = None;
                    r.log(
                        at,
                        format!(
                            "regressed: at risk again: {} ({})",
                            f.severity,
                            signal_list(f)
                        ),
                    );
                }
            }
            Some(r)
        }
        (Some(prev), None) => {
            if !scan.complete {
                return Some(prev.clone());
            }
            let mut r = prev.clone();
            let (since, count) = match prev.state {
                AccountState::Resolved { .. } => return Some(r),
                AccountState::AtRisk => (at, 1),
                AccountState::Clean { since, clean_scans } => (since, clean_scans + 1),
            };
            r.last_scan = at;
            if count >= scan.settings.resolve_after_scans {
                r.state = AccountState::Resolved { at };
                if r.ticket.is_none() {
                    // Fixed before a ticket could be opened: nothing is pending any more.
                    r.pending = None;
                }
                r.remediation = Some(Remediation {
                    at_risk_since: r.at_risk_since,
                    clean_since: since,
                    resolved_at: at,
                });
                r.log(
                    at,
                    format!(
                        "resolved after {count} clean complete scan{}",
                        plural(count)
                    ),
                );
            } else {
                r.state = AccountState::Clean {
                    since,
                    clean_scans: count,
                };
                r.log(
                    at,
                    format!("clean in {count} complete scan{}", plural(count)),
                );
            }
            Some(r)
        }
    }
}

/// The ticket action a record asks for. Opening, updating and reopening need this scan's
/// finding (the ticket shows its evidence): without it they wait for a scan that has one.
pub fn action_for(record: &AccountRecord, finding_present: bool) -> Option<TicketAction> {
    let (kind, note) = match (&record.state, &record.ticket) {
        (AccountState::AtRisk, _) if !finding_present => return None,
        (AccountState::AtRisk, None) => (ActionKind::Open, String::new()),
        (AccountState::AtRisk, Some(t)) if t.resolved => {
            let mut note = format!(
                "At risk again ({}): {}.",
                record.severity,
                labels(&record.content())
            );
            if let Some(change) = describe_change(&t.content, &record.content()) {
                note.push_str(&format!(" Changed: {change}."));
            }
            (ActionKind::Reopen, note)
        }
        (AccountState::AtRisk, Some(t)) => match describe_change(&t.content, &record.content()) {
            Some(change) => (ActionKind::Update, format!("Changed: {change}.")),
            None => return None,
        },
        (AccountState::Resolved { .. }, Some(t)) if !t.resolved => {
            (ActionKind::Resolve, resolve_note(record))
        }
        _ => return None,
    };
    Some(TicketAction {
        user: record.user_id,
        kind,
        note,
    })
}

fn resolve_note(record: &AccountRecord) -> String {
    let settle = match (&record.remediation, &record.state) {
        (Some(r), _) => format!(
            "No risk seen in the complete scans since {} (at risk from {}, fixed in {} day{}).",
            r.clean_since.date_naive(),
            r.at_risk_since.date_naive(),
            r.duration().num_days(),
            plural(r.duration().num_days().max(0) as u32)
        ),
        (None, _) => "No risk seen in the latest complete scans.".to_string(),
    };
    format!("{settle} Resolved by stepup; it reopens this ticket if the account is at risk again.")
}

/// "severity high → critical; signals added: ropc; owner a → b", or `None` when equal.
pub(crate) fn describe_change(before: &TicketContent, after: &TicketContent) -> Option<String> {
    let mut parts = Vec::new();
    if before.severity != after.severity {
        parts.push(format!("severity {} → {}", before.severity, after.severity));
    }
    let added: Vec<&str> = after
        .signals
        .difference(&before.signals)
        .map(|s| s.as_str())
        .collect();
    let gone: Vec<&str> = before
        .signals
        .difference(&after.signals)
        .map(|s| s.as_str())
        .collect();
    if !added.is_empty() {
        parts.push(format!("signals added: {}", added.join(", ")));
    }
    if !gone.is_empty() {
        parts.push(format!("signals gone: {}", gone.join(", ")));
    }
    if before.owner != after.owner {
        let name = |o: &Option<String>| o.clone().unwrap_or_else(|| "nobody".into());
        parts.push(format!(
            "owner {} → {}",
            name(&before.owner),
            name(&after.owner)
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn labels(content: &TicketContent) -> String {
    content
        .signals
        .iter()
        .map(|s| signal_label(*s))
        .collect::<Vec<_>>()
        .join(", ")
}

fn signal_list(f: &Finding) -> String {
    f.signals
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
