//! What the weekly digest says, read from state: the tenant's latest and previous scan
//! reports, its weekly snapshots and its account records.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use crate::ids::TenantId;
use crate::lifecycle::record::AccountState;
use crate::lifecycle::snapshot::{iso_week, WeeklySnapshot};
use crate::lifecycle::{load_records, load_report, AccountRecord, ReportSlot, StoreError};
use crate::report::model::ScanReport;
use crate::state::{get_json, StateStore};
use crate::teams::cards::DigestInput;

/// Weeks of history the burn-down shows.
pub const HISTORY_WEEKS: usize = 12;

/// Everything the digest shows for one tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestData {
    /// The tenant.
    pub tenant: TenantId,
    /// The latest scan.
    pub latest: ScanReport,
    /// The scan before it, when there is one.
    pub previous_report: Option<ScanReport>,
    /// This week's snapshot (the stored one, else the latest scan's).
    pub current: WeeklySnapshot,
    /// Last week's, when stored.
    pub previous: Option<WeeklySnapshot>,
    /// The last [`HISTORY_WEEKS`] snapshots, oldest first.
    pub history: Vec<WeeklySnapshot>,
    /// Owners with open items and how many, most first.
    pub top_owners: Vec<(String, usize)>,
    /// Accounts resolved in the last 7 days, with how long they took.
    pub newly_remediated: Vec<String>,
    /// At-risk accounts past their ticket's due date.
    pub overdue: Vec<String>,
    /// Disabled accounts that still hold credentials.
    pub disabled_with_credentials: Vec<String>,
    /// At-risk accounts with an open ticket.
    pub open_tickets: usize,
}

/// When a report was made (its `generatedAt`), or `fallback` when unreadable.
pub fn report_time(report: &ScanReport, fallback: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&report.generated_at)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(fallback)
}

/// The tenants with a stored scan report (`reports/<tenant>/latest.json`).
pub async fn tenants_with_reports(store: &dyn StateStore) -> Result<Vec<TenantId>, StoreError> {
    let mut tenants: Vec<TenantId> = store
        .list("reports/")
        .await?
        .iter()
        .filter_map(|k| {
            let mut parts = k.as_str().split('/');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("reports"), Some(t), Some("latest.json")) => TenantId::parse(t).ok(),
                _ => None,
            }
        })
        .collect();
    tenants.sort();
    tenants.dedup();
    Ok(tenants)
}

/// The digest of `tenant` at `now`; `None` before its first scan.
pub async fn load_digest(
    store: &dyn StateStore,
    tenant: &TenantId,
    now: DateTime<Utc>,
) -> Result<Option<DigestData>, StoreError> {
    let Some(latest) = load_report(store, tenant, ReportSlot::Latest).await? else {
        return Ok(None);
    };
    let previous_report = load_report(store, tenant, ReportSlot::Previous).await?;
    let taken_at = report_time(&latest, now);
    let week = iso_week(taken_at);
    let current = match WeeklySnapshot::load(store, tenant, &week).await? {
        Some(s) => s,
        None => WeeklySnapshot::of(*tenant, &latest, taken_at),
    };
    let previous =
        WeeklySnapshot::load(store, tenant, &iso_week(taken_at - Duration::days(7))).await?;
    let history = history(store, tenant).await?;
    let records = load_records(store, tenant).await?;
    let lists = Lists::of(&records, now);
    let disabled_with_credentials = latest
        .disabled_with_credentials
        .iter()
        .map(|d| {
            d.user_principal_name
                .clone()
                .unwrap_or_else(|| d.user_id.to_string())
        })
        .collect();
    Ok(Some(DigestData {
        tenant: *tenant,
        previous_report,
        current,
        previous,
        history,
        top_owners: lists.top_owners,
        newly_remediated: lists.newly_remediated,
        overdue: lists.overdue,
        open_tickets: lists.open_tickets,
        disabled_with_credentials,
        latest,
    }))
}

impl DigestData {
    /// The card builder's input.
    pub fn input(&self) -> DigestInput<'_> {
        DigestInput {
            current: &self.current,
            previous: self.previous.as_ref(),
            history: &self.history,
            enforcement: &self.latest.enforcement,
            top_owners: &self.top_owners,
            newly_remediated: &self.newly_remediated,
            overdue: &self.overdue,
            disabled_with_credentials: &self.disabled_with_credentials,
        }
    }

    /// The digest card.
    pub fn card(&self) -> serde_json::Value {
        crate::teams::cards::digest(&self.input())
    }
}

/// The tenant's last [`HISTORY_WEEKS`] snapshots, oldest first.
async fn history(
    store: &dyn StateStore,
    tenant: &TenantId,
) -> Result<Vec<WeeklySnapshot>, StoreError> {
    let keys = store.list(&format!("snapshots/{tenant}/")).await?;
    let mut weeks = Vec::new();
    for key in keys.iter().rev().take(HISTORY_WEEKS) {
        if let Some(s) = get_json::<WeeklySnapshot>(store, key).await? {
            weeks.push(s);
        }
    }
    weeks.sort_by(|a, b| a.week.cmp(&b.week));
    Ok(weeks)
}

/// The lists drawn from the account records.
struct Lists {
    top_owners: Vec<(String, usize)>,
    newly_remediated: Vec<String>,
    overdue: Vec<String>,
    open_tickets: usize,
}

impl Lists {
    fn of(records: &[AccountRecord], now: DateTime<Utc>) -> Self {
        let name = |r: &AccountRecord| r.upn.clone().unwrap_or_else(|| r.user_id.to_string());
        let today = now.date_naive();
        let week_ago = now - Duration::days(7);
        let mut owners: BTreeMap<String, usize> = BTreeMap::new();
        let mut newly: Vec<(DateTime<Utc>, String)> = Vec::new();
        let mut overdue: Vec<(chrono::NaiveDate, String)> = Vec::new();
        let mut open_tickets = 0;
        for r in records {
            match r.state {
                AccountState::AtRisk => {
                    let owner = r
                        .owner
                        .as_ref()
                        .map_or_else(|| "(no owner)".to_owned(), |o| o.who.clone());
                    *owners.entry(owner).or_default() += 1;
                    if r.ticket.as_ref().is_some_and(|t| !t.resolved) {
                        open_tickets += 1;
                    }
                    if let Some(due) = r.due.filter(|d| *d < today) {
                        overdue.push((
                            due,
                            format!("{} — due {due} — {}", name(r), r.ticket_label()),
                        ));
                    }
                }
                AccountState::Resolved { at } if at > week_ago => {
                    let took = r
                        .remediation
                        .map(|m| format!(" (fixed in {} days)", m.duration().num_days().max(0)))
                        .unwrap_or_default();
                    newly.push((at, format!("{}{took}", name(r))));
                }
                _ => {}
            }
        }
        let mut top_owners: Vec<(String, usize)> = owners.into_iter().collect();
        top_owners.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        newly.sort();
        overdue.sort();
        Self {
            top_owners,
            newly_remediated: newly.into_iter().map(|(_, s)| s).collect(),
            overdue: overdue.into_iter().map(|(_, s)| s).collect(),
            open_tickets,
        }
    }
}
