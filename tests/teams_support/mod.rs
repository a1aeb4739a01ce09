//! Shared support of the Teams delivery tests (`mod teams_support;`).
//!
//! - [`fake_webhook`]: a loopback fake of Workflows and legacy incoming webhooks that
//!   enforces Teams' rate per URL, injects faults and counts.
//! - [`conformance`]: the one suite every [`stepup::teams::delivery::TeamsSink`] passes.
//! - Here: findings, owners and account records to plan notices from.

// Each test crate uses a different part of this module.
#![allow(dead_code)]

pub mod conformance;
pub mod fake_webhook;

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use stepup::calendar::EnforcementStatus;
use stepup::detect::model::{
    Client, Evidence, EvidenceContext, Finding, Owner, OwnerRule, Severity, Signal,
};
use stepup::ids::{ObjectId, TenantId};
use stepup::lifecycle::{reconcile, AccountRecord, LifecycleSettings, ScanContext};
use stepup::settings::TenantSettings;
use stepup::state::{update_json, StateStore};
use stepup::teams::notify::{plan, Plan, PlanInput};

/// The test tenant.
pub fn tenant() -> TenantId {
    TenantId::parse("72f988bf-86f1-41af-91ab-2d7cd011db47").expect("tenant id")
}

/// The test clock: 2026-11-22 06:00 UTC plus `days`.
pub fn day(days: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 6, 0, 0)
        .single()
        .expect("date")
        + chrono::Duration::days(days)
}

/// Phase 2, enforced since 2025-10-01.
pub fn enforced(at: DateTime<Utc>) -> EnforcementStatus {
    EnforcementStatus::on(
        NaiveDate::from_ymd_opt(2025, 10, 1).expect("date"),
        at.date_naive(),
    )
}

/// A critical account `n` owned by `owner`.
pub fn finding(n: u32, owner: &str) -> Finding {
    let signals: BTreeSet<Signal> = [Signal::Ropc, Signal::SingleFactorArmWrite].into();
    Finding {
        user_id: ObjectId::parse(&format!("00000000-0000-4000-8000-{n:012}")).expect("id"),
        upn: Some(format!("svc-deploy-{n:04}@contoso.com")),
        display_name: Some(format!("Deploy job {n}")),
        kind: None,
        break_glass: false,
        severity: Severity::Critical,
        evidence: signals
            .iter()
            .map(|s| Evidence {
                signal: *s,
                at: day(-1),
                detail: format!(
                    "{s}: Microsoft.Web/sites/write by Azure CLI from 10.0.0.{}",
                    n % 250
                ),
                context: EvidenceContext::default(),
            })
            .collect(),
        signals,
        clients: [Client::AzureCli].into(),
        ci: BTreeSet::new(),
        subscriptions: BTreeSet::new(),
        owner: Some(Owner {
            who: owner.to_owned(),
            rule: OwnerRule::OwnershipMap,
            team: None,
            ticket_project: None,
        }),
    }
}

/// `owners` owners with `per_owner` accounts each: owner `i` is `owner-<i>@contoso.com`.
pub fn findings(owners: u32, per_owner: u32) -> Vec<Finding> {
    (0..owners)
        .flat_map(|o| {
            (0..per_owner)
                .map(move |k| finding(o * per_owner + k, &format!("owner-{o:05}@contoso.com")))
        })
        .collect()
}

/// Reconciles `findings` (a scan at `at`) into records and stores them.
pub async fn store_records(
    store: &dyn StateStore,
    findings: &[Finding],
    at: DateTime<Utc>,
) -> Vec<AccountRecord> {
    let scan = ScanContext {
        tenant: tenant(),
        at,
        complete: true,
        enforcement: enforced(at),
        settings: LifecycleSettings::default(),
    };
    let previous = stepup::lifecycle::load_records(store, &tenant())
        .await
        .expect("load records");
    let records = reconcile(&previous, findings, &scan).records;
    for r in &records {
        update_json(store, &r.key(), |_: Option<AccountRecord>| Ok(r.clone()))
            .await
            .expect("store a record");
    }
    stepup::lifecycle::load_records(store, &tenant())
        .await
        .expect("load records")
}

/// Plans the notices of a scan at `at` against the stored records.
pub async fn plan_at(
    store: &dyn StateStore,
    findings: &[Finding],
    settings: &TenantSettings,
    at: DateTime<Utc>,
) -> Plan {
    let records = store_records(store, findings, at).await;
    plan(&PlanInput {
        tenant: tenant(),
        scan_at: at,
        enforcement: enforced(at),
        findings,
        records: &records,
        settings,
        renotify_days: 7,
        now: at,
    })
}

/// The owner an envelope @mentions.
pub fn mentioned(envelope: &serde_json::Value) -> Option<String> {
    envelope["attachments"][0]["content"]["msteams"]["entities"][0]["mentioned"]["id"]
        .as_str()
        .map(str::to_owned)
}
