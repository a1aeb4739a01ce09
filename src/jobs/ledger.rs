//! The run ledger: `runs/<runId>.json` lists the jobs a run expects and how each ended, so
//! that exactly one worker — the one whose completion makes the set whole — reconciles the
//! run, however many workers finish at once. Writes are ETag-conditional
//! ([`crate::state::update_json`]); the run is finished by the one write that records its
//! last job, and only that writer is told [`Completion::Last`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::RunId;
use crate::ids::TenantId;
use crate::state::{get_json, update_json, KeyError, StateError, StateKey, StateStore};

/// Rounds of [`update_json`] (each of [`crate::state::MAX_UPDATE_ATTEMPTS`] tries) before a
/// completion gives up under contention.
const UPDATE_ROUNDS: u32 = 8;

/// A ledger failure.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The store failed.
    #[error(transparent)]
    State(#[from] StateError),
    /// The run id does not form a key.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// No ledger for this run (never planned, or removed).
    #[error("run {0} has no ledger")]
    UnknownRun(String),
    /// The job is not one the run expects.
    #[error("run {run}: job {job:?} is not part of the run")]
    UnknownJob {
        /// The run.
        run: String,
        /// The job key.
        job: String,
    },
}

/// How one job ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum JobOutcome {
    /// Read completely.
    Done {
        /// When.
        at: DateTime<Utc>,
    },
    /// Gave up (dead-lettered, or a permanent error): the run is incomplete.
    Failed {
        /// When.
        at: DateTime<Utc>,
        /// Why, one line.
        reason: String,
    },
}

/// When and by which job a run was finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finished {
    /// When the last job was recorded.
    pub at: DateTime<Utc>,
    /// The job whose completion finished the run.
    pub by: String,
}

/// One run's ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunLedger {
    /// The run.
    pub run_id: RunId,
    /// The tenant.
    pub tenant: TenantId,
    /// Why the run started.
    pub reason: String,
    /// When it was planned.
    pub created_at: DateTime<Utc>,
    /// The job keys the run consists of.
    pub expected: BTreeSet<String>,
    /// How each finished job ended, by job key.
    #[serde(default)]
    pub outcomes: BTreeMap<String, JobOutcome>,
    /// Set by the completion that recorded the last job.
    #[serde(default)]
    pub finished: Option<Finished>,
}

impl RunLedger {
    /// Jobs not finished yet.
    pub fn remaining(&self) -> usize {
        self.expected
            .iter()
            .filter(|k| !self.outcomes.contains_key(*k))
            .count()
    }

    /// Whether every job read its source completely (a run with a failed job is partial and
    /// must not resolve anything).
    pub fn complete(&self) -> bool {
        self.remaining() == 0
            && self
                .outcomes
                .values()
                .all(|o| matches!(o, JobOutcome::Done { .. }))
    }

    /// The failed jobs and why.
    pub fn failures(&self) -> Vec<(&str, &str)> {
        self.outcomes
            .iter()
            .filter_map(|(k, o)| match o {
                JobOutcome::Failed { reason, .. } => Some((k.as_str(), reason.as_str())),
                JobOutcome::Done { .. } => None,
            })
            .collect()
    }
}

/// What recording a job's end did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// This was the run's last job: the caller reconciles the run (exactly one caller per
    /// run is told this).
    Last(Box<RunLedger>),
    /// Recorded; other jobs are still running.
    Recorded {
        /// Jobs still to finish.
        remaining: usize,
    },
    /// The job was already recorded (a redelivered message): nothing changed.
    AlreadyRecorded,
}

/// The state key of a run's ledger.
pub fn run_key(run_id: &RunId) -> Result<StateKey, KeyError> {
    StateKey::parse(&format!("runs/{run_id}.json"))
}

/// Reads a run's ledger.
pub async fn load_run(
    store: &dyn StateStore,
    run_id: &RunId,
) -> Result<Option<RunLedger>, LedgerError> {
    Ok(get_json(store, &run_key(run_id)?).await?)
}

/// Opens a run with the jobs it expects. Opening a run that exists (a plan job delivered
/// twice) returns the stored ledger unchanged.
pub async fn open_run(
    store: &dyn StateStore,
    run_id: &RunId,
    tenant: TenantId,
    reason: &str,
    expected: impl IntoIterator<Item = String>,
    at: DateTime<Utc>,
) -> Result<RunLedger, LedgerError> {
    let fresh = RunLedger {
        run_id: run_id.clone(),
        tenant,
        reason: reason.to_string(),
        created_at: at,
        expected: expected.into_iter().collect(),
        outcomes: BTreeMap::new(),
        finished: None,
    };
    let key = run_key(run_id)?;
    let kept =
        update_json::<RunLedger, _>(store, &key, |old| Ok(old.unwrap_or_else(|| fresh.clone())))
            .await?;
    Ok(kept)
}

/// Records how job `job` of run `run_id` ended. Exactly one of the concurrent callers that
/// record a run's jobs gets [`Completion::Last`]; a job recorded twice changes nothing the
/// second time (its first outcome stands).
pub async fn record_job(
    store: &dyn StateStore,
    run_id: &RunId,
    job: &str,
    outcome: JobOutcome,
    at: DateTime<Utc>,
) -> Result<Completion, LedgerError> {
    let key = run_key(run_id)?;
    let Some(current) = get_json::<RunLedger>(store, &key).await? else {
        return Err(LedgerError::UnknownRun(run_id.to_string()));
    };
    if !current.expected.contains(job) {
        return Err(LedgerError::UnknownJob {
            run: run_id.to_string(),
            job: job.to_string(),
        });
    }
    if current.outcomes.contains_key(job) {
        return Ok(Completion::AlreadyRecorded);
    }
    let mut round = 0;
    loop {
        round += 1;
        // The decision of the closure's last run is the one whose write succeeded.
        let mut decision = Completion::AlreadyRecorded;
        let result = update_json::<RunLedger, _>(store, &key, |stored| {
            let mut ledger =
                stored.ok_or_else(|| anyhow::anyhow!("run {run_id} ledger disappeared"))?;
            if ledger.outcomes.contains_key(job) {
                decision = Completion::AlreadyRecorded;
                return Ok(ledger);
            }
            ledger.outcomes.insert(job.to_string(), outcome.clone());
            let remaining = ledger.remaining();
            if remaining == 0 && ledger.finished.is_none() {
                ledger.finished = Some(Finished {
                    at,
                    by: job.to_string(),
                });
                decision = Completion::Last(Box::new(ledger.clone()));
            } else {
                decision = Completion::Recorded { remaining };
            }
            Ok(ledger)
        })
        .await;
        match result {
            Ok(_) => return Ok(decision),
            Err(StateError::Conflict { .. }) if round < UPDATE_ROUNDS => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::LocalDirStore;

    fn tenant() -> TenantId {
        TenantId::parse("72f988bf-86f1-41af-91ab-2d7cd011db47").unwrap()
    }

    #[tokio::test]
    async fn the_last_job_finishes_the_run_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalDirStore::new(dir.path());
        let run = RunId::parse("run-a").unwrap();
        let at: DateTime<Utc> = "2026-11-22T06:00:00Z".parse().unwrap();
        let jobs = ["signIns", "users", "registrationDetails"].map(String::from);
        open_run(&store, &run, tenant(), "timer", jobs.clone(), at)
            .await
            .unwrap();
        // A redelivered plan keeps the ledger.
        let again = open_run(&store, &run, tenant(), "other", ["x".to_string()], at)
            .await
            .unwrap();
        assert_eq!(again.reason, "timer");

        let done = JobOutcome::Done { at };
        assert_eq!(
            record_job(&store, &run, "signIns", done.clone(), at)
                .await
                .unwrap(),
            Completion::Recorded { remaining: 2 }
        );
        assert_eq!(
            record_job(&store, &run, "signIns", done.clone(), at)
                .await
                .unwrap(),
            Completion::AlreadyRecorded
        );
        let failed = JobOutcome::Failed {
            at,
            reason: "403 from Graph".into(),
        };
        assert_eq!(
            record_job(&store, &run, "users", failed, at).await.unwrap(),
            Completion::Recorded { remaining: 1 }
        );
        let last = record_job(&store, &run, "registrationDetails", done.clone(), at)
            .await
            .unwrap();
        let Completion::Last(ledger) = last else {
            panic!("expected the last completion, got {last:?}");
        };
        assert!(!ledger.complete());
        assert_eq!(ledger.failures(), vec![("users", "403 from Graph")]);
        assert_eq!(
            ledger.finished.as_ref().map(|f| f.by.as_str()),
            Some("registrationDetails")
        );
        assert_eq!(
            record_job(&store, &run, "registrationDetails", done.clone(), at)
                .await
                .unwrap(),
            Completion::AlreadyRecorded
        );
        assert!(matches!(
            record_job(&store, &run, "nope", done.clone(), at).await,
            Err(LedgerError::UnknownJob { .. })
        ));
        assert!(matches!(
            record_job(&store, &RunId::parse("run-b").unwrap(), "users", done, at).await,
            Err(LedgerError::UnknownRun(_))
        ));
    }
}
