//! `help`, and the answer to anything not understood.

use serde_json::Value;

use crate::lifecycle::record::ACK_DAYS;

use super::card;

/// The help card; `problem` (why the message was not understood) goes first.
pub fn help_card(max_snooze_days: u32, problem: Option<&str>) -> Value {
    let mut lines = Vec::new();
    if let Some(p) = problem {
        lines.push(format!("I did not understand that: {p}."));
    }
    lines.extend([
        "status — the tenant's readiness: the Phase 2 date, accounts at risk by severity, the change since the scan before.".to_string(),
        "status <upn|me> — one account: severity, signals, owner, ticket and reminders.".into(),
        "owner <upn|me> — the accounts an owner has at risk.".into(),
        "digest — the readiness digest card.".into(),
        "scan — queue a scan now; the answer comes at once, the results within minutes.".into(),
        format!("ack <upn> (note) — quiet reminders about an account for {ACK_DAYS} days (\"I'm on it\")."),
        format!("snooze <upn> <days> (reason) — quiet reminders for 1 to {max_snooze_days} days."),
        "Who may ack or snooze: the account's owner (your UPN or e-mail must be the owner `status <upn>` shows) or an admin listed in STEPUP_ADMINS.".into(),
        "Ack and snooze quiet reminders only: tickets stay open and the digest still counts the account. Every ack and snooze is recorded with who, when and why.".into(),
    ]);
    card("stepup — MFA readiness commands", lines)
}
