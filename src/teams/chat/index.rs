//! The in-memory index chat answers come from: built from the tenant's latest stored scan
//! report (and the summary of the one before), with lookups by UPN, by object id and by
//! owner. Built once per report version (see [`super::cache`]); a 100,000-account report is
//! read without its evidence.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use tokio::sync::watch;

use crate::calendar::EnforcementStatus;
use crate::detect::model::{Severity, Signal};
use crate::ids::{ObjectId, TenantId};
use crate::lifecycle::snapshot::{iso_week, WeeklySnapshot};
use crate::report::model::Summary;

use super::records::RecordDigest;

/// What is known of the account records, once loaded (in the background).
pub type RecordsWatch = watch::Receiver<Option<Result<Arc<RecordDigest>, String>>>;

/// One at-risk account of the latest report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedAccount {
    /// The object id.
    pub user_id: ObjectId,
    /// The UPN, when known.
    pub upn: Option<String>,
    /// The severity.
    pub severity: Severity,
    /// The signals.
    pub signals: Vec<Signal>,
    /// The owner, when resolved.
    pub owner: Option<Arc<str>>,
}

impl IndexedAccount {
    /// The UPN, else the object id.
    pub fn name(&self) -> String {
        self.upn.clone().unwrap_or_else(|| self.user_id.to_string())
    }

    /// `ropc, single_factor_arm_write`.
    pub fn signal_list(&self) -> String {
        let names: Vec<&str> = self.signals.iter().map(|s| s.as_str()).collect();
        names.join(", ")
    }
}

/// The index of one report.
#[derive(Debug)]
pub struct ChatIndex {
    /// The tenant.
    pub tenant: TenantId,
    /// When the scan ran.
    pub generated_at: DateTime<Utc>,
    /// Whether the scan was complete.
    pub complete: bool,
    /// The tenant's Phase 2 date.
    pub enforcement_date: NaiveDate,
    /// The counts.
    pub summary: Summary,
    /// The counts of the scan before, and when it ran.
    pub previous: Option<(DateTime<Utc>, Summary)>,
    /// At-risk accounts, most severe first (the report's order).
    pub accounts: Vec<IndexedAccount>,
    /// Owners with open items and how many, most first (ties by name).
    pub top_owners: Vec<(String, usize)>,
    /// The account records' digest lists, filled in the background.
    pub records: RecordsWatch,
    by_upn: HashMap<String, usize>,
    by_id: HashMap<ObjectId, usize>,
    by_owner: HashMap<String, Vec<usize>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SlimReport {
    tenant_id: Option<TenantId>,
    generated_at: DateTime<Utc>,
    complete: bool,
    enforcement: EnforcementStatus,
    summary: Summary,
    #[serde(default)]
    accounts: Vec<SlimAccount>,
}

/// A report account without its evidence (serde skips unknown fields).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SlimAccount {
    user_id: ObjectId,
    user_principal_name: Option<String>,
    severity: Severity,
    signals: Vec<Signal>,
    owner: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SummaryOnly {
    generated_at: DateTime<Utc>,
    summary: Summary,
}

impl ChatIndex {
    /// Builds the index of the stored `latest` report of `tenant` (and the summary of
    /// `previous`). Errors are one line.
    pub fn build(
        tenant: TenantId,
        latest: &[u8],
        previous: Option<&[u8]>,
        records: RecordsWatch,
    ) -> Result<Self, String> {
        let report: SlimReport = serde_json::from_slice(latest)
            .map_err(|e| format!("the latest report is not a stepup report: {e}"))?;
        if report.tenant_id.is_some_and(|t| t != tenant) {
            return Err(format!(
                "the latest report is of another tenant than {tenant}"
            ));
        }
        // A previous report that cannot be read only loses the "change since" figures.
        let previous = previous
            .and_then(|b| serde_json::from_slice::<SummaryOnly>(b).ok())
            .map(|p| (p.generated_at, p.summary));

        let mut interned: HashMap<String, Arc<str>> = HashMap::new();
        let mut by_upn = HashMap::with_capacity(report.accounts.len());
        let mut by_id = HashMap::with_capacity(report.accounts.len());
        let mut by_owner: HashMap<String, Vec<usize>> = HashMap::new();
        let mut accounts = Vec::with_capacity(report.accounts.len());
        for (i, a) in report.accounts.into_iter().enumerate() {
            let owner = a.owner.filter(|o| !o.trim().is_empty()).map(|o| {
                let lower = o.trim().to_lowercase();
                by_owner.entry(lower.clone()).or_default().push(i);
                interned
                    .entry(lower)
                    .or_insert_with(|| Arc::from(o.trim()))
                    .clone()
            });
            if let Some(upn) = &a.user_principal_name {
                by_upn.insert(upn.to_lowercase(), i);
            }
            by_id.insert(a.user_id, i);
            accounts.push(IndexedAccount {
                user_id: a.user_id,
                upn: a.user_principal_name,
                severity: a.severity,
                signals: a.signals,
                owner,
            });
        }
        let mut top_owners: Vec<(String, usize)> = by_owner
            .iter()
            .map(|(lower, items)| {
                let shown = interned.get(lower).map_or(lower.as_str(), |o| o);
                (shown.to_string(), items.len())
            })
            .collect();
        top_owners.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(Self {
            tenant,
            generated_at: report.generated_at,
            complete: report.complete,
            enforcement_date: report.enforcement.date,
            summary: report.summary,
            previous,
            accounts,
            top_owners,
            records,
            by_upn,
            by_id,
            by_owner,
        })
    }

    /// An at-risk account by UPN (any case).
    pub fn by_upn(&self, upn: &str) -> Option<&IndexedAccount> {
        self.by_upn
            .get(&upn.to_lowercase())
            .and_then(|i| self.accounts.get(*i))
    }

    /// An at-risk account by object id.
    pub fn by_id(&self, id: &ObjectId) -> Option<&IndexedAccount> {
        self.by_id.get(id).and_then(|i| self.accounts.get(*i))
    }

    /// The at-risk accounts whose owner is one of `names` (UPN, mail; any case), most
    /// severe first.
    pub fn owned_by(&self, names: &[&str]) -> Vec<&IndexedAccount> {
        let mut seen: Vec<usize> = names
            .iter()
            .filter_map(|n| self.by_owner.get(&n.trim().to_lowercase()))
            .flatten()
            .copied()
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen.iter().filter_map(|i| self.accounts.get(*i)).collect()
    }

    /// The Phase 2 status on `today`.
    pub fn enforcement(&self, today: NaiveDate) -> EnforcementStatus {
        EnforcementStatus::on(self.enforcement_date, today)
    }

    /// Share of scanned accounts not at risk, in percent (100 when none scanned).
    pub fn readiness_percent(&self) -> f64 {
        readiness(&self.summary)
    }

    /// This report as a weekly snapshot (for the digest when the week has none stored).
    pub fn snapshot(&self) -> WeeklySnapshot {
        let mut at_risk: Vec<ObjectId> = self.accounts.iter().map(|a| a.user_id).collect();
        at_risk.sort();
        at_risk.dedup();
        WeeklySnapshot {
            tenant: self.tenant,
            week: iso_week(self.generated_at),
            taken_at: self.generated_at,
            complete: self.complete,
            accounts_scanned: self.summary.accounts_scanned,
            by_severity: self.summary.by_severity.clone(),
            at_risk,
            readiness_percent: self.readiness_percent(),
        }
    }
}

/// Share of scanned accounts not at risk in `summary`, in percent.
pub fn readiness(summary: &Summary) -> f64 {
    if summary.accounts_scanned == 0 {
        return 100.0;
    }
    let ready = summary.accounts_scanned.saturating_sub(summary.at_risk);
    100.0 * ready as f64 / summary.accounts_scanned as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    fn report(accounts: serde_json::Value, at_risk: usize) -> Vec<u8> {
        serde_json::json!({
            "tenantId": TENANT,
            "generatedAt": "2026-11-22T06:00:00Z", "complete": true,
            "enforcement": {"phase": "phase2", "date": "2025-10-01", "enforced": true, "daysLeft": 0, "daysSince": 417, "postponable": false},
            "summary": {"accountsScanned": 100, "atRisk": at_risk,
                        "bySeverity": {"critical": 1, "high": 1, "medium": 0, "low": 0}},
            "accounts": accounts
        })
        .to_string()
        .into_bytes()
    }

    fn no_records() -> RecordsWatch {
        watch::channel(None).1
    }

    #[test]
    fn lookups_by_upn_id_and_owner() {
        let latest = report(
            serde_json::json!([
                {"userId": "00000000-0000-0000-0000-000000000001", "userPrincipalName": "Svc-A@Contoso.com",
                 "severity": "critical", "signals": ["ropc", "single_factor_arm_write"], "owner": "Platform@Contoso.com",
                 "evidence": [{"signal": "ropc", "at": "2026-11-20T00:00:00Z", "detail": "x"}]},
                {"userId": "00000000-0000-0000-0000-000000000002", "userPrincipalName": null,
                 "severity": "high", "signals": ["single_factor_arm_write"], "owner": "platform@contoso.com", "evidence": []},
                {"userId": "00000000-0000-0000-0000-000000000003", "userPrincipalName": "c@contoso.com",
                 "severity": "high", "signals": ["single_factor_arm_write"], "owner": "zed@contoso.com", "evidence": []}
            ]),
            3,
        );
        let previous = report(serde_json::json!([]), 1);
        let tenant = TenantId::parse(TENANT).unwrap();
        let index = ChatIndex::build(tenant, &latest, Some(&previous), no_records()).unwrap();
        let a = index.by_upn("svc-a@contoso.COM").unwrap();
        assert_eq!(a.severity, Severity::Critical);
        assert_eq!(a.signal_list(), "ropc, single_factor_arm_write");
        let id2 = ObjectId::parse("00000000-0000-0000-0000-000000000002").unwrap();
        assert_eq!(index.by_id(&id2).unwrap().name(), id2.to_string());
        let owned = index.owned_by(&["PLATFORM@contoso.com", "platform@contoso.com"]);
        assert_eq!(owned.len(), 2, "case-insensitive, each account once");
        assert_eq!(owned[0].severity, Severity::Critical, "most severe first");
        assert_eq!(
            index.top_owners,
            [
                ("Platform@Contoso.com".to_string(), 2),
                ("zed@contoso.com".to_string(), 1)
            ]
        );
        assert_eq!(index.previous.as_ref().unwrap().1.at_risk, 1);
        assert_eq!(index.snapshot().at_risk.len(), 3);
        assert!((index.readiness_percent() - 97.0).abs() < 1e-9);
    }

    #[test]
    fn unreadable_or_foreign_reports_are_refused() {
        let tenant = TenantId::parse(TENANT).unwrap();
        let e = ChatIndex::build(tenant, b"{}", None, no_records()).unwrap_err();
        assert!(e.contains("not a stepup report"), "{e}");
        let other = TenantId::parse("00000000-0000-0000-0000-0000000000ff").unwrap();
        let e = ChatIndex::build(other, &report(serde_json::json!([]), 0), None, no_records())
            .unwrap_err();
        assert!(e.contains("another tenant"), "{e}");
        // A broken previous report only loses the comparison.
        let ok = ChatIndex::build(
            tenant,
            &report(serde_json::json!([]), 0),
            Some(b"[]"),
            no_records(),
        )
        .unwrap();
        assert!(ok.previous.is_none());
    }
}
