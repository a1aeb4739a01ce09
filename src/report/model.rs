//! The scan report: the JSON contract of DESIGN.md §4, built from a [`Detection`].

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::EnforcementStatus;
use crate::detect::model::{Detection, Finding, Severity, Signal};
use crate::ids::{ObjectId, TenantId};

/// The whole report (`stepup scan --format json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanReport {
    /// The tenant scanned, when known (`null` for an export without settings).
    pub tenant_id: Option<TenantId>,
    /// When the report was made (RFC 3339).
    pub generated_at: String,
    /// False when any input was missing, malformed or failed: such a scan resolves nothing.
    pub complete: bool,
    /// The tenant's Phase 2 status.
    pub enforcement: EnforcementStatus,
    /// Counts.
    pub summary: Summary,
    /// At-risk accounts, most severe first.
    pub accounts: Vec<AccountReport>,
    /// What made the scan incomplete (file and record, or source), one line each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Disabled accounts that would otherwise be at risk: they still hold credentials
    /// (the digest lists them; never owner work). Absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disabled_with_credentials: Vec<DisabledReport>,
}

/// A disabled account that still holds credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisabledReport {
    /// The object id.
    pub user_id: ObjectId,
    /// The directory UPN, when known.
    pub user_principal_name: Option<String>,
}

/// The report's `summary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Distinct user accounts seen.
    pub accounts_scanned: usize,
    /// Accounts reported.
    pub at_risk: usize,
    /// Reported accounts per severity (all four keys always present).
    pub by_severity: BTreeMap<Severity, usize>,
}

/// One account in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountReport {
    /// The object id.
    pub user_id: ObjectId,
    /// The directory UPN (`null` when no source named it).
    pub user_principal_name: Option<String>,
    /// The highest severity.
    pub severity: Severity,
    /// Signals, in contract order.
    pub signals: Vec<Signal>,
    /// The owner, when one was resolved.
    pub owner: Option<String>,
    /// Evidence lines.
    pub evidence: Vec<EvidenceReport>,
}

/// One evidence line in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceReport {
    /// The signal.
    pub signal: Signal,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// What happened.
    pub detail: String,
}

/// Formats a time the way the report does (RFC 3339, seconds, `Z`).
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl AccountReport {
    /// The report line of one finding.
    pub fn from_finding(f: &Finding) -> Self {
        Self {
            user_id: f.user_id,
            user_principal_name: f.upn.clone(),
            severity: f.severity,
            signals: f.signals.iter().copied().collect(),
            owner: f.owner.as_ref().map(|o| o.who.clone()),
            evidence: f
                .evidence
                .iter()
                .map(|e| EvidenceReport {
                    signal: e.signal,
                    at: rfc3339(e.at),
                    detail: e.detail.clone(),
                })
                .collect(),
        }
    }
}

impl ScanReport {
    /// Builds the report of a detection run.
    pub fn build(
        detection: &Detection,
        tenant_id: Option<TenantId>,
        enforcement_date: NaiveDate,
        now: DateTime<Utc>,
        problems: Vec<String>,
    ) -> Self {
        let mut by_severity: BTreeMap<Severity, usize> =
            Severity::DESCENDING.iter().map(|s| (*s, 0)).collect();
        for f in &detection.findings {
            *by_severity.entry(f.severity).or_default() += 1;
        }
        Self {
            tenant_id,
            generated_at: rfc3339(now),
            complete: problems.is_empty(),
            enforcement: EnforcementStatus::on(enforcement_date, now.date_naive()),
            summary: Summary {
                accounts_scanned: detection.accounts_scanned,
                at_risk: detection.findings.len(),
                by_severity,
            },
            accounts: detection
                .findings
                .iter()
                .map(AccountReport::from_finding)
                .collect(),
            problems,
            disabled_with_credentials: detection
                .disabled
                .iter()
                .map(|d| DisabledReport {
                    user_id: d.user_id,
                    user_principal_name: d.upn.clone(),
                })
                .collect(),
        }
    }

    /// Share of scanned accounts that are not at risk, in percent (100 when none scanned).
    pub fn readiness_percent(&self) -> f64 {
        if self.summary.accounts_scanned == 0 {
            return 100.0;
        }
        let ready = self
            .summary
            .accounts_scanned
            .saturating_sub(self.summary.at_risk);
        100.0 * ready as f64 / self.summary.accounts_scanned as f64
    }
}
