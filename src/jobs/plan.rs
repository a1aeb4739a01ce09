//! Planning: which tenants a scan covers, and which jobs a tenant's run consists of.
//!
//! A scan is one run per tenant (a run reconciles one tenant's accounts and tickets). The
//! `scan` timer (or a scan request) queues one [`PlanJob`] per tenant ([`plan_scan`]); the
//! worker that takes a plan lists the tenant's subscriptions, records the run's expected
//! jobs in its ledger and queues them ([`plan_run`]).

use chrono::{DateTime, Utc};

use super::messages::{JobMessage, PlanJob, Source, SourceJob};
use super::RunId;
use crate::ids::{SubscriptionId, TenantId};

/// The tenants a scan covers: the primary tenant (`STEPUP_TENANT_ID`) and the extra ones
/// (`STEPUP_TENANTS`), each once, primary first.
pub fn tenants_to_scan(primary: Option<TenantId>, extra: &[TenantId]) -> Vec<TenantId> {
    let mut tenants: Vec<TenantId> = Vec::with_capacity(extra.len() + 1);
    for t in primary.iter().chain(extra) {
        if !tenants.contains(t) {
            tenants.push(*t);
        }
    }
    tenants
}

/// One plan job per tenant, each a new run started at `at`.
pub fn plan_scan(
    tenants: &[TenantId],
    reason: &str,
    requested_by: &str,
    at: DateTime<Utc>,
) -> Vec<JobMessage> {
    tenants
        .iter()
        .map(|tenant| {
            JobMessage::Plan(PlanJob {
                run_id: RunId::new(at),
                tenant: *tenant,
                reason: reason.to_string(),
                requested_by: requested_by.to_string(),
            })
        })
        .collect()
}

/// The jobs of one tenant's run: the tenant sources (sign-ins, registration details, users)
/// and, per subscription (each once, in order), its activity log and role assignments.
pub fn plan_run(
    run_id: &RunId,
    tenant: TenantId,
    subscriptions: &[SubscriptionId],
) -> Vec<JobMessage> {
    let mut subscriptions = subscriptions.to_vec();
    subscriptions.sort();
    subscriptions.dedup();
    Source::TENANT
        .into_iter()
        .chain(subscriptions.into_iter().flat_map(Source::of_subscription))
        .map(|source| {
            JobMessage::Source(SourceJob {
                run_id: run_id.clone(),
                tenant,
                source,
                cursor: None,
                attempt: 0,
            })
        })
        .collect()
}

/// The ledger keys of a planned run's jobs.
pub fn job_keys(jobs: &[JobMessage]) -> Vec<String> {
    jobs.iter()
        .filter_map(|j| match j {
            JobMessage::Source(s) => Some(s.source.key()),
            JobMessage::Plan(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(n: u8) -> TenantId {
        TenantId::parse(&format!("00000000-0000-0000-0000-0000000000{n:02}")).unwrap()
    }

    fn sub(n: u8) -> SubscriptionId {
        SubscriptionId::parse(&format!("10000000-0000-0000-0000-0000000000{n:02}")).unwrap()
    }

    #[test]
    fn tenants_are_the_primary_then_the_extra_ones_once() {
        assert_eq!(
            tenants_to_scan(
                Some(tenant(1)),
                &[tenant(2), tenant(1), tenant(3), tenant(2)]
            ),
            vec![tenant(1), tenant(2), tenant(3)]
        );
        assert_eq!(tenants_to_scan(None, &[tenant(2)]), vec![tenant(2)]);
        assert!(tenants_to_scan(None, &[]).is_empty());
    }

    #[test]
    fn a_scan_is_one_run_per_tenant() {
        let at = "2026-11-22T06:00:00Z".parse().unwrap();
        let jobs = plan_scan(&[tenant(1), tenant(2)], "timer", "timer:scan", at);
        assert_eq!(jobs.len(), 2);
        let runs: Vec<_> = jobs
            .iter()
            .map(|j| match j {
                JobMessage::Plan(p) => (p.tenant, p.run_id.clone()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(runs[0].0, tenant(1));
        assert_eq!(runs[1].0, tenant(2));
        assert_ne!(runs[0].1, runs[1].1);
    }

    #[test]
    fn a_run_reads_tenant_sources_and_each_subscription_once() {
        let run = RunId::parse("run-1").unwrap();
        let jobs = plan_run(&run, tenant(1), &[sub(2), sub(1), sub(2)]);
        assert_eq!(
            job_keys(&jobs),
            vec![
                "signIns".to_string(),
                "registrationDetails".into(),
                "users".into(),
                format!("activityLog-{}", sub(1)),
                format!("roleAssignments-{}", sub(1)),
                format!("activityLog-{}", sub(2)),
                format!("roleAssignments-{}", sub(2)),
            ]
        );
        assert!(jobs
            .iter()
            .all(|j| matches!(j, JobMessage::Source(s) if s.run_id == run && s.cursor.is_none())));
        assert_eq!(plan_run(&run, tenant(1), &[]).len(), 3);
    }

    #[test]
    fn messages_have_the_documented_wire_form() {
        let run = RunId::parse("20261122T060000Z-0a1b2c3d").unwrap();
        let job = SourceJob {
            run_id: run.clone(),
            tenant: tenant(1),
            source: Source::ActivityLog {
                subscription: sub(1),
            },
            cursor: None,
            attempt: 0,
        };
        let wire = serde_json::to_value(JobMessage::Source(job.clone())).unwrap();
        assert_eq!(
            wire,
            serde_json::json!({
                "kind": "source",
                "runId": "20261122T060000Z-0a1b2c3d",
                "tenant": "00000000-0000-0000-0000-000000000001",
                "source": {"name": "activityLog", "subscription": "10000000-0000-0000-0000-000000000001"},
                "cursor": null,
                "attempt": 0
            })
        );
        for source in [
            Source::SignIns,
            Source::RegistrationDetails,
            Source::Users,
            Source::ActivityLog {
                subscription: sub(1),
            },
            Source::RoleAssignments {
                subscription: sub(2),
            },
        ] {
            assert_eq!(Source::from_key(&source.key()), Some(source));
        }
        for bad in [
            "subscriptions",
            "activityLog-x",
            "roleAssignments",
            "other-10000000-0000-0000-0000-000000000001",
        ] {
            assert_eq!(Source::from_key(bad), None, "{bad}");
        }
        let next = job.continued(super::super::messages::Cursor {
            next_link: Some("https://management.azure.com/next?$skiptoken=x".into()),
            partial: Some("runs/x/partial/activityLog.json".into()),
            pages: 12,
        });
        let round: JobMessage = serde_json::from_str(
            &serde_json::to_string(&JobMessage::Source(next.clone())).unwrap(),
        )
        .unwrap();
        assert_eq!(round, JobMessage::Source(next));
        let plan: JobMessage = serde_json::from_str(
            r#"{"kind":"plan","runId":"r1","tenant":"00000000-0000-0000-0000-000000000001","reason":"timer","requestedBy":"timer:scan"}"#,
        )
        .unwrap();
        assert!(matches!(plan, JobMessage::Plan(p) if p.reason == "timer"));
        for bad in [
            r#"{"kind":"tenant"}"#,
            r#"{"kind":"plan","runId":"../x","tenant":"00000000-0000-0000-0000-000000000001","reason":"","requestedBy":""}"#,
            r#"{"kind":"source","runId":"r","tenant":"t","source":{"name":"signIns"}}"#,
        ] {
            assert!(serde_json::from_str::<JobMessage>(bad).is_err(), "{bad}");
        }
    }
}
