//! `status` (the tenant's readiness) and `status <upn|me>` (one account).

use serde_json::Value;

use crate::detect::model::Severity;
use crate::ids::ObjectId;
use crate::lifecycle::{AccountRecord, AccountState};
use crate::report::model::Summary;
use crate::state::get_json;

use super::super::activity::Activity;
use super::super::command::Target;
use super::super::index::{readiness, ChatIndex, IndexedAccount};
use super::super::service::ChatService;
use super::{card, find, sender_id, signed, when};

fn count(s: &Summary, severity: Severity) -> i64 {
    s.by_severity.get(&severity).copied().unwrap_or(0) as i64
}

/// The tenant's readiness from the latest scan, with the change since the one before.
pub(super) fn tenant(chat: &ChatService, index: &ChatIndex) -> Value {
    let now = chat.now();
    let enforcement = index.enforcement(now.date_naive());
    let s = &index.summary;
    let previous = index.previous.as_ref().map(|(_, p)| p);
    let change = |now: i64, before: Option<i64>| {
        before.map_or(String::new(), |b| format!(" ({})", signed(now - b)))
    };
    let mut lines = vec![
        format!(
            "Phase 2 (Azure Resource Manager): {}.",
            enforcement.headline()
        ),
        format!(
            "Readiness {:.1}%: {} of {} accounts at risk{}.",
            index.readiness_percent(),
            s.at_risk,
            s.accounts_scanned,
            change(s.at_risk as i64, previous.map(|p| p.at_risk as i64))
        ),
        Severity::DESCENDING
            .iter()
            .map(|sev| {
                let n = count(s, *sev);
                format!(
                    "{} {n}{}",
                    sev.as_str(),
                    change(n, previous.map(|p| count(p, *sev)))
                )
            })
            .collect::<Vec<_>>()
            .join(" · "),
    ];
    match &index.previous {
        Some((at, p)) => lines.push(format!(
            "Last scan {}; changes are against the scan of {} (readiness then {:.1}%).",
            when(index.generated_at),
            when(*at),
            readiness(p)
        )),
        None => lines.push(format!("Last scan {}.", when(index.generated_at))),
    }
    if !index.complete {
        lines.push("That scan was incomplete: counts may be low, and it resolved nothing.".into());
    }
    if let Some((owner, n)) = index.top_owners.first() {
        lines.push(format!(
            "Most open items: {owner} ({n}). Try `owner <upn>`."
        ));
    }
    card(&format!("MFA readiness of tenant {}", index.tenant), lines)
}

/// One account: from the index, plus its record (ticket, state, reminders) read live.
pub(super) async fn account(
    chat: &ChatService,
    activity: &Activity,
    index: &ChatIndex,
    target: &Target,
) -> Value {
    let found = match find(index, activity, target) {
        Ok(found) => found,
        Err(card) => return card,
    };
    let id = match (found, target) {
        (Some(a), _) => Some(a.user_id),
        (None, Target::Id(id)) => Some(*id),
        (None, Target::Me) => sender_id(activity).ok(),
        (None, Target::Upn(_)) => None,
    };
    let record = match id {
        Some(id) => read_record(chat, &id).await,
        None => Ok(None),
    };
    let scan = when(index.generated_at);
    let Some(account) = found else {
        let name = match target {
            Target::Me => "Your account".to_string(),
            other => other.to_string(),
        };
        return not_at_risk(&name, &scan, record);
    };
    let mut lines = vec![
        format!("Signals: {}.", account.signal_list()),
        format!(
            "Owner: {}.",
            account
                .owner
                .as_deref()
                .unwrap_or("none resolved (the default owner gets it)")
        ),
    ];
    lines.extend(record_lines(chat, account, record));
    lines.push(format!("From the scan of {scan}."));
    card(
        &format!("{}: {}", account.name(), account.severity.as_str()),
        lines,
    )
}

async fn read_record(chat: &ChatService, id: &ObjectId) -> Result<Option<AccountRecord>, String> {
    get_json::<AccountRecord>(
        chat.store.as_ref(),
        &AccountRecord::key_of(&chat.tenant, id),
    )
    .await
    .map_err(|e| e.to_string())
}

fn record_lines(
    chat: &ChatService,
    account: &IndexedAccount,
    record: Result<Option<AccountRecord>, String>,
) -> Vec<String> {
    let r = match record {
        Err(e) => {
            return vec![format!(
                "Ticket and reminders: cannot read the record now ({e})."
            )]
        }
        Ok(None) => {
            return vec![format!(
                "Ticket: none yet — the lifecycle has not processed {} (it does after each scan).",
                account.name()
            )]
        }
        Ok(Some(r)) => r,
    };
    let due = r.due.map(|d| format!(", due {d}")).unwrap_or_default();
    let now = chat.now();
    let reminders = match &r.quiet {
        Some(q) if q.active(now) => format!(
            "Reminders: {} by {} until {}{}.",
            match q.kind {
                crate::lifecycle::QuietKind::Ack => "acknowledged",
                crate::lifecycle::QuietKind::Snooze => "snoozed",
            },
            q.by,
            q.until.date_naive(),
            q.reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ),
        _ => "Reminders: on.".to_string(),
    };
    vec![
        format!("Ticket: {}{due}.", r.ticket_label()),
        match r.state {
            AccountState::AtRisk => {
                format!("State: at risk since {}.", r.at_risk_since.date_naive())
            }
            other => format!("State: {}.", other.label()),
        },
        reminders,
    ]
}

fn not_at_risk(name: &str, scan: &str, record: Result<Option<AccountRecord>, String>) -> Value {
    let mut lines = vec![format!(
        "{name} is not at risk in the latest scan ({scan})."
    )];
    match record {
        Ok(Some(r)) => {
            lines.push(format!(
                "Lifecycle: {} — ticket {}.",
                r.state.label(),
                r.ticket_label()
            ));
            if let AccountState::Resolved { at } = r.state {
                lines.push(format!("Resolved {}.", at.date_naive()));
            }
        }
        Ok(None) => lines.push(
            "stepup has no record of it: it was never at risk, or it is unknown to the scan."
                .into(),
        ),
        Err(e) => lines.push(format!("Its record cannot be read now ({e}).")),
    }
    card(&format!("{name}: not at risk"), lines)
}
