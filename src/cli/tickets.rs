//! `stepup tickets`: the lifecycle of each account, from the state folder.

use std::path::PathBuf;

use anyhow::{bail, Context};
use comfy_table::{presets, ContentArrangement, Table};
use serde_json::json;

use super::args::{OutputFormat, TicketsArgs};
use crate::config::Config;
use crate::lifecycle::{AccountRecord, AccountState, QuietKind};
use crate::state::get_json;
use crate::state::StateStore;

/// The widest the table gets; cells wrap to fit.
const WIDTH: u16 = 150;

/// Runs `stepup tickets`.
pub fn run(args: TicketsArgs) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let state: PathBuf = args.state_dir.unwrap_or(config.state.dir.clone());
    let store = super::backends::local_store(&state);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let records = runtime
        .block_on(all_records(store.as_ref()))
        .with_context(|| format!("cannot read the state in {}", state.display()))?;
    let text = match args.format {
        OutputFormat::Json => format!("{}\n", serde_json::to_string_pretty(&as_json(&records))?),
        OutputFormat::Table => as_table(&records),
        other => bail!("tickets prints table or json, not {other:?}"),
    };
    super::to_stdout(|out| out.write_all(text.as_bytes()))
}

/// Every account record of every tenant, at risk first, then by severity and name.
pub(crate) async fn all_records(store: &dyn StateStore) -> anyhow::Result<Vec<AccountRecord>> {
    let mut records = Vec::new();
    for key in store.list("accounts/").await? {
        if let Some(r) = get_json::<AccountRecord>(store, &key).await? {
            records.push(r);
        }
    }
    records.sort_by(|a, b| {
        rank(&a.state)
            .cmp(&rank(&b.state))
            .then(b.severity.cmp(&a.severity))
            .then(name(a).cmp(&name(b)))
    });
    Ok(records)
}

fn rank(s: &AccountState) -> u8 {
    match s {
        AccountState::AtRisk => 0,
        AccountState::Clean { .. } => 1,
        AccountState::Resolved { .. } => 2,
    }
}

fn name(r: &AccountRecord) -> String {
    r.upn.clone().unwrap_or_else(|| r.user_id.to_string())
}

/// The JSON form: the records as stored, plus the pending flag.
pub(crate) fn as_json(records: &[AccountRecord]) -> serde_json::Value {
    let accounts: Vec<serde_json::Value> = records
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("ticketPending".into(), json!(r.ticket_pending()));
            }
            v
        })
        .collect();
    json!({ "accounts": accounts })
}

/// The table form.
pub(crate) fn as_table(records: &[AccountRecord]) -> String {
    if records.is_empty() {
        return "No accounts tracked yet: run `stepup demo` or a scan with state first.\n".into();
    }
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(WIDTH)
        .set_header([
            "account",
            "severity",
            "state",
            "ticket",
            "first seen",
            "last seen",
            "due",
            "quiet",
        ]);
    for r in records {
        let state = match r.state {
            AccountState::Resolved { at } => format!("resolved {}", at.date_naive()),
            s => s.label(),
        };
        let quiet = r.quiet.as_ref().map_or(String::new(), |q| {
            let kind = match q.kind {
                QuietKind::Ack => "ack",
                QuietKind::Snooze => "snooze",
            };
            format!("{kind} by {} until {}", q.by, q.until.date_naive())
        });
        table.add_row([
            name(r),
            r.severity.to_string(),
            state,
            r.ticket_label(),
            r.first_seen.date_naive().to_string(),
            r.last_seen.date_naive().to_string(),
            r.due.map(|d| d.to_string()).unwrap_or_default(),
            quiet,
        ]);
    }
    let at_risk = records
        .iter()
        .filter(|r| r.state == AccountState::AtRisk)
        .count();
    let pending = records.iter().filter(|r| r.ticket_pending()).count();
    format!(
        "{table}\n{} accounts tracked: {at_risk} at risk, {pending} ticket(s) pending\n",
        records.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::model::{Severity, Signal};
    use crate::lifecycle::apply;
    use crate::lifecycle::testkit::{critical, finding, scan, Fault, MemorySink, MemoryStore};

    #[tokio::test]
    async fn shows_each_account_with_its_ticket_and_state() {
        let store = MemoryStore::default();
        let sink = MemorySink::default();
        let low = finding(2, Severity::Low, &[Signal::OutdatedClient]);
        apply(&store, &sink, &[critical(1), low.clone()], &scan(0, true))
            .await
            .unwrap();
        sink.fail_next(&[Fault::ServerError]);
        apply(&store, &sink, &[critical(3)], &scan(1, true))
            .await
            .unwrap();

        let records = all_records(&store).await.unwrap();
        let order: Vec<_> = records.iter().map(|r| r.upn.clone().unwrap()).collect();
        assert_eq!(
            order,
            [
                "svc-3@contoso.com",
                "svc-1@contoso.com",
                "svc-2@contoso.com"
            ]
        );
        let text = as_table(&records);
        assert!(text.contains("ticket pending"), "{text}");
        assert!(text.contains("memory 1"), "{text}");
        assert!(text.contains("clean (1 scan)"), "{text}");
        assert!(
            text.contains("3 accounts tracked: 1 at risk, 1 ticket(s) pending"),
            "{text}"
        );

        let doc = as_json(&records);
        assert_eq!(doc["accounts"][0]["ticketPending"], true);
        assert_eq!(doc["accounts"][1]["state"], "clean");
        assert_eq!(doc["accounts"][1]["ticket"]["system"], "memory");
        assert!(as_table(&[]).contains("No accounts tracked"));
    }
}
