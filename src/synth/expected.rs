//! `expected.json`: what detection must report for the synthetic tenant, from the persona
//! labels (never from the detection code).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::detect::model::{Severity, Signal};
use crate::ids::{ObjectId, TenantId};

use super::persona::Expectation;
use super::population::Population;
use super::sink::{Sink, Written};
use super::SynthError;

/// File name of the labels.
pub const EXPECTED: &str = "expected.json";

/// The labels of a synthetic tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpectedReport {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Distinct user accounts in the export (service principals and managed identities
    /// excluded, disabled accounts included).
    pub accounts_scanned: usize,
    /// The accounts detection must report, most severe first, then by UPN.
    pub accounts: Vec<ExpectedAccount>,
    /// Accounts and workload identities built to look risky that must not be reported.
    pub excluded: Vec<ExcludedAccount>,
    /// Disabled accounts that would otherwise be reported.
    pub disabled: Vec<DisabledEntry>,
}

/// One account detection must report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpectedAccount {
    /// Object id.
    pub user_id: ObjectId,
    /// Directory UPN.
    pub user_principal_name: String,
    /// The persona label.
    pub persona: String,
    /// Expected severity.
    pub severity: Severity,
    /// Expected signals, in contract order.
    pub signals: Vec<Signal>,
}

/// One account or workload identity that must not be reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExcludedAccount {
    /// Object id.
    pub user_id: ObjectId,
    /// The persona label.
    pub persona: String,
    /// Why it is not at risk.
    pub reason: String,
}

/// A disabled account that still has credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisabledEntry {
    /// Object id.
    pub user_id: ObjectId,
    /// Directory UPN.
    pub user_principal_name: String,
}

impl ExpectedReport {
    /// The labels of a population.
    pub(crate) fn of(pop: &Population) -> Self {
        let mut accounts = Vec::new();
        let mut excluded = Vec::new();
        let mut disabled = Vec::new();
        for u in &pop.users {
            let id = ObjectId::from_uuid(u.id);
            match u.persona.expectation() {
                Expectation::Reported { severity, signals } => {
                    let mut signals = signals.to_vec();
                    signals.sort_unstable();
                    accounts.push(ExpectedAccount {
                        user_id: id,
                        user_principal_name: u.upn.clone(),
                        persona: u.persona.name().to_string(),
                        severity,
                        signals,
                    });
                }
                Expectation::Excluded { reason } => {
                    excluded.push((
                        u.persona,
                        u.upn.clone(),
                        ExcludedAccount {
                            user_id: id,
                            persona: u.persona.name().to_string(),
                            reason: reason.to_string(),
                        },
                    ));
                }
                Expectation::Noise => {}
            }
            if !u.enabled {
                disabled.push(DisabledEntry {
                    user_id: id,
                    user_principal_name: u.upn.clone(),
                });
            }
        }
        for w in &pop.workloads {
            let persona = w.persona();
            if let Expectation::Excluded { reason } = persona.expectation() {
                excluded.push((
                    persona,
                    w.name.clone(),
                    ExcludedAccount {
                        user_id: ObjectId::from_uuid(w.id),
                        persona: persona.name().to_string(),
                        reason: reason.to_string(),
                    },
                ));
            }
        }
        accounts.sort_by(|a, b| {
            (b.severity, &a.user_principal_name, a.user_id).cmp(&(
                a.severity,
                &b.user_principal_name,
                b.user_id,
            ))
        });
        excluded.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        disabled.sort_by(|a, b| a.user_principal_name.cmp(&b.user_principal_name));
        Self {
            tenant_id: TenantId::from_uuid(pop.tenant),
            accounts_scanned: pop.users.len(),
            accounts,
            excluded: excluded.into_iter().map(|(_, _, e)| e).collect(),
            disabled,
        }
    }

    /// Reads an `expected.json`.
    pub fn load(path: &Path) -> Result<Self, SynthError> {
        let text = std::fs::read_to_string(path).map_err(|source| SynthError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| SynthError::Json {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The persona of a labelled account or workload, by object id.
    pub fn persona_of(&self, id: &ObjectId) -> Option<&str> {
        self.accounts
            .iter()
            .find(|a| a.user_id == *id)
            .map(|a| a.persona.as_str())
            .or_else(|| {
                self.excluded
                    .iter()
                    .find(|e| e.user_id == *id)
                    .map(|e| e.persona.as_str())
            })
    }

    /// Writes the labels, pretty-printed.
    pub(crate) fn write(&self, dir: &Path) -> Result<Written, SynthError> {
        let text = serde_json::to_string_pretty(self).map_err(|source| SynthError::Json {
            path: dir.join(EXPECTED),
            source,
        })?;
        Sink::text(dir, EXPECTED, &(text + "\n"))
    }
}
