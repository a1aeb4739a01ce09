//! A finished scan as the renderers see it: the §4 report plus the detection behind it.

use crate::detect::model::{Detection, Finding, Severity};
use crate::guidance::{self, Guidance};

use super::model::{AccountReport, ScanReport};

/// A scan to render: the JSON contract and the detection's rich evidence (clients, CI
/// systems, operations), which the human formats use for evidence and guidance.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    /// The §4 report.
    pub report: ScanReport,
    /// The detection the report was built from.
    pub detection: Detection,
}

impl Scan {
    /// Keeps only the accounts (in `report.accounts` and `detection.findings`) at `min`
    /// severity or above. `report.summary` is left alone on purpose: it keeps describing the
    /// whole scan, so readiness and the severity counts stay true; renderers show "N of M
    /// accounts" when the list is shorter than `summary.at_risk`.
    pub fn with_min_severity(mut self, min: Severity) -> Scan {
        self.report.accounts.retain(|a| a.severity >= min);
        self.detection.findings.retain(|f| f.severity >= min);
        self
    }

    /// The finding behind an account line, when the detection has it.
    pub fn finding(&self, account: &AccountReport) -> Option<&Finding> {
        self.detection
            .findings
            .iter()
            .find(|f| f.user_id == account.user_id)
    }

    /// The guidance for an account, with the tenant id filled in when known; `None` when the
    /// detection lacks the account's finding.
    pub fn guidance(&self, account: &AccountReport) -> Option<Guidance> {
        let finding = self.finding(account)?;
        let g = guidance::for_finding(finding, &self.report.enforcement);
        Some(match &self.report.tenant_id {
            Some(tenant) => g.for_tenant(tenant),
            None => g,
        })
    }

    /// Whether the account list was cut by [`Scan::with_min_severity`].
    pub fn is_filtered(&self) -> bool {
        self.report.accounts.len() < self.report.summary.at_risk
    }
}
