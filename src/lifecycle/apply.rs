//! Applying a reconciliation: ticket actions against a [`TicketSink`], records saved
//! through a [`StateStore`] with read-modify-write (ETag) semantics.
//!
//! Exactly once: before creating a ticket the sink is searched by the account's key, which
//! lives in the ticket system itself, so a crash between "ticket created" and "state saved"
//! followed by a rerun finds the ticket instead of creating a second one. A throttled or
//! failing ticket system leaves the record "ticket pending" and the next run asks again;
//! a refused credential stops ticket calls and ends in [`ApplyError::Unauthorized`], after
//! the records are saved. A ticket system that fails [`DOWN_AFTER`] actions in a row is taken
//! as down for the rest of the run: the remaining accounts are left pending without calling
//! it (each call would spend its retries; a run of many accounts would outlast its job).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::detect::model::Finding;
use crate::guidance;
use crate::ids::{ObjectId, TenantId};
use crate::state::StateStore;
use crate::tickets::draft::draft_for;
use crate::tickets::{TicketDraft, TicketError, TicketRef, TicketSink, TicketState};

use crate::state::{get_json, update_json};

use super::error::StoreError;
use super::reconcile::{
    by_user_findings, reconcile, reconcile_account, ActionKind, ScanContext, TicketAction,
};
use super::record::{cut, AccountRecord, PendingTicket, StoredTicket};

/// Consecutive failed ticket actions after which the system is taken as down for the run.
pub const DOWN_AFTER: usize = 3;

/// Why applying stopped.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The state store failed: nothing after this account was saved.
    #[error("state: {0}")]
    State(#[from] StoreError),
    /// The ticket system refused stepup's credential (401/403). Records were saved; their
    /// tickets stay pending until the setting is fixed.
    #[error("{system} refused stepup's credential: {message}; {pending} account(s) stay \"ticket pending\" until it is fixed")]
    Unauthorized {
        /// The ticket system.
        system: &'static str,
        /// What it said (the sink names the setting).
        message: String,
        /// Accounts left pending.
        pending: usize,
    },
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Tickets created.
    pub opened: usize,
    /// Tickets updated.
    pub updated: usize,
    /// Tickets resolved.
    pub resolved: usize,
    /// Tickets reopened.
    pub reopened: usize,
    /// Accounts whose ticket change failed and waits for the next run, with the error.
    pub pending: Vec<(ObjectId, String)>,
    /// Records written.
    pub records_written: usize,
}

/// What a ticket action achieved.
#[derive(Debug, Clone)]
struct Synced {
    ticket: StoredTicket,
    due: Option<NaiveDate>,
    event: String,
}

/// Loads every record of a tenant.
pub async fn load_records(
    store: &dyn StateStore,
    tenant: &TenantId,
) -> Result<Vec<AccountRecord>, StoreError> {
    let mut out = Vec::new();
    for key in store.list(&AccountRecord::prefix_of(tenant)).await? {
        if let Some(r) = get_json::<AccountRecord>(store, &key).await? {
            out.push(r);
        }
    }
    Ok(out)
}

/// Reconciles `findings` into the tenant's stored records and applies the ticket actions.
pub async fn apply(
    store: &dyn StateStore,
    sink: &dyn TicketSink,
    findings: &[Finding],
    scan: &ScanContext,
) -> Result<ApplyReport, ApplyError> {
    let previous = load_records(store, &scan.tenant).await?;
    let plan = reconcile(&previous, findings, scan);
    let findings = by_user_findings(findings);
    let actions: BTreeMap<ObjectId, &TicketAction> =
        plan.actions.iter().map(|a| (a.user, a)).collect();
    let mut report = ApplyReport::default();
    let mut refused: Option<(&'static str, String)> = None;
    let mut failed_in_a_row = 0usize;
    let mut down: Option<String> = None;

    for record in &plan.records {
        let finding = findings.get(&record.user_id).copied();
        let outcome = match actions.get(&record.user_id) {
            None => None,
            Some(_) if refused.is_some() => {
                Some(Err("ticket system refused the credential".to_string()))
            }
            Some(_) if down.is_some() => Some(Err(format!(
                "{}: not called: it failed {DOWN_AFTER} times in a row in this run (last: {})",
                sink.system(),
                down.as_deref().unwrap_or_default()
            ))),
            Some(action) => match execute(sink, action, record, finding, scan).await {
                Ok(synced) => {
                    failed_in_a_row = 0;
                    if synced.is_some() {
                        match action.kind {
                            ActionKind::Open => report.opened += 1,
                            ActionKind::Update => report.updated += 1,
                            ActionKind::Resolve => report.resolved += 1,
                            ActionKind::Reopen => report.reopened += 1,
                        }
                    }
                    synced.map(Ok)
                }
                Err(TicketError::Unauthorized { system, message }) => {
                    let line = format!("{system}: not authorised");
                    // The sinks name their setting ("check STEPUP_…"); say it for any that do not.
                    let message = if message.contains("check ") {
                        message
                    } else {
                        format!("{message}; check the {system} credential setting (value and permissions)")
                    };
                    refused = Some((system, message));
                    Some(Err(line))
                }
                Err(e) => {
                    failed_in_a_row += 1;
                    if failed_in_a_row >= DOWN_AFTER {
                        down = Some(cut(&e.to_string()));
                    }
                    Some(Err(e.to_string()))
                }
            },
        };
        if let Some(Err(e)) = &outcome {
            report.pending.push((record.user_id, e.clone()));
        }
        save(store, record, finding, scan, outcome.as_ref()).await?;
        report.records_written += 1;
    }
    match refused {
        Some((system, message)) => Err(ApplyError::Unauthorized {
            system,
            message,
            pending: report.pending.len(),
        }),
        None => Ok(report),
    }
}

/// Saves one record: re-reads it, reconciles the fresh copy (a no-op when it already holds
/// this scan) and records the ticket outcome, retrying on conflicts.
async fn save(
    store: &dyn StateStore,
    planned: &AccountRecord,
    finding: Option<&Finding>,
    scan: &ScanContext,
    outcome: Option<&Result<Synced, String>>,
) -> Result<(), StoreError> {
    update_json::<AccountRecord, _>(store, &planned.key(), |fresh| {
        // `None` only when the record vanished meanwhile: write the planned one back.
        let mut r =
            reconcile_account(fresh.as_ref(), finding, scan).unwrap_or_else(|| planned.clone());
        match outcome {
            Some(Ok(s)) => {
                r.ticket = Some(s.ticket.clone());
                r.pending = None;
                if s.due.is_some() {
                    r.due = s.due;
                }
                r.log(scan.at, s.event.clone());
            }
            Some(Err(e)) => {
                let attempts = r.pending.as_ref().map_or(0, |p| p.attempts) + 1;
                if r.pending.is_none() {
                    r.log(scan.at, format!("ticket pending: {}", cut(e)));
                }
                r.pending = Some(PendingTicket {
                    since: r.pending.as_ref().map_or(scan.at, |p| p.since),
                    attempts,
                    last_error: cut(e),
                });
            }
            None => {}
        }
        Ok(r)
    })
    .await?;
    Ok(())
}

/// Runs one action. `Ok(None)` when there was nothing the sink could do.
async fn execute(
    sink: &dyn TicketSink,
    action: &TicketAction,
    record: &AccountRecord,
    finding: Option<&Finding>,
    scan: &ScanContext,
) -> Result<Option<Synced>, TicketError> {
    let system = sink.system();
    let existing = record.ticket.as_ref().and_then(|t| t.reference(system));
    let content = record.content();
    let stored = |r: &TicketRef, resolved: bool| StoredTicket {
        system: r.system.to_string(),
        id: r.id.clone(),
        url: r.url.clone(),
        resolved,
        content: content.clone(),
    };
    if action.kind == ActionKind::Resolve {
        let target = match existing {
            Some(r) => Some((r, TicketState::Open)),
            None => sink
                .find(&record.ticket_key())
                .await?
                .map(|f| (f.reference, f.state)),
        };
        let ticket = match target {
            Some((r, state)) => {
                if state == TicketState::Open {
                    sink.resolve(&r, &action.note).await?;
                }
                stored(&r, true)
            }
            // The ticket lives in a system no longer configured: stop asking.
            None => match &record.ticket {
                Some(old) => StoredTicket {
                    resolved: true,
                    ..old.clone()
                },
                None => return Ok(None),
            },
        };
        return Ok(Some(Synced {
            event: format!("ticket resolved: {} {}", ticket.system, ticket.id),
            ticket,
            due: None,
        }));
    }

    let Some(finding) = finding else {
        return Ok(None);
    };
    let mut draft = draft(finding, scan);
    let fresh_due = draft.due;
    match (action.kind, existing) {
        (ActionKind::Update, Some(r)) => {
            if let Some(due) = record.due {
                draft.due = due;
            }
            sink.update(&r, &draft, &action.note).await?;
            Ok(Some(Synced {
                event: format!("ticket updated: {}", action.note),
                ticket: stored(&r, false),
                due: None,
            }))
        }
        (ActionKind::Reopen, Some(r)) => {
            sink.reopen(&r, &action.note).await?;
            sink.update(&r, &draft, "Details refreshed from the latest scan.")
                .await?;
            Ok(Some(Synced {
                event: format!("ticket reopened: {} {}", r.system, r.id),
                ticket: stored(&r, false),
                due: Some(fresh_due),
            }))
        }
        _ => {
            let (r, event) = open_or_adopt(sink, &draft, record, &action.note).await?;
            Ok(Some(Synced {
                event,
                ticket: stored(&r, false),
                due: Some(fresh_due),
            }))
        }
    }
}

/// Finds the account's ticket by key (reopening and refreshing it) or creates one.
async fn open_or_adopt(
    sink: &dyn TicketSink,
    draft: &TicketDraft,
    record: &AccountRecord,
    note: &str,
) -> Result<(TicketRef, String), TicketError> {
    match sink.find(&record.ticket_key()).await? {
        Some(found) => {
            let r = found.reference;
            if found.state == TicketState::Resolved {
                let note = if note.is_empty() {
                    "At risk again."
                } else {
                    note
                };
                sink.reopen(&r, note).await?;
            }
            sink.update(
                &r,
                draft,
                "stepup found this ticket by its key and refreshed it.",
            )
            .await?;
            let event = format!("ticket found by key and linked: {} {}", r.system, r.id);
            Ok((r, event))
        }
        None => {
            let r = sink.create(draft).await?;
            let event = format!("ticket opened: {} {}", r.system, r.id);
            Ok((r, event))
        }
    }
}

/// The draft of a finding in this scan.
fn draft(finding: &Finding, scan: &ScanContext) -> TicketDraft {
    let g = guidance::for_finding(finding, &scan.enforcement).for_tenant(&scan.tenant);
    draft_for(
        finding,
        &scan.tenant,
        &scan.enforcement,
        scan.settings.ticket_due_days,
        &g,
    )
}
