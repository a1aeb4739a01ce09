//! A state folder as 100,000 stored accounts leave it: the latest and previous scan
//! reports, one account record per account (some resolved lately, some overdue), weekly
//! snapshots and the people index. Records are written as plain files in the
//! `LocalDirStore` layout (`accounts/<tenant>/<user>.json`): one fsync per file would make
//! seeding, not the benchmark, take minutes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use stepup::calendar::EnforcementStatus;
use stepup::detect::model::{Owner, OwnerRule, Severity, Signal};
use stepup::detect::records::User;
use stepup::ids::{ObjectId, TenantId};
use stepup::lifecycle::record::{StoredTicket, TicketContent, Transition};
use stepup::lifecycle::snapshot::WeeklySnapshot;
use stepup::lifecycle::{save_report, AccountRecord, AccountState};
use stepup::report::model::{rfc3339, AccountReport, EvidenceReport, ScanReport, Summary};
use stepup::state::LocalDirStore;
use stepup::teams::chat::PeopleIndex;

/// The benchmark tenant.
pub const TENANT: &str = "5e7a3c1d-0b2f-4c6e-9a8d-1f2e3d4c5b6a";
/// Accounts per owner.
pub const PER_OWNER: usize = 50;

/// Account `i`'s object id.
pub fn user_id(i: usize) -> ObjectId {
    ObjectId::parse(&format!("00000000-0000-4000-8000-{i:012}")).expect("a GUID")
}

/// Account `i`'s UPN.
pub fn upn(i: usize) -> String {
    format!("user{i:06}@contoso.com")
}

/// Owner `o`'s UPN.
pub fn owner(o: usize) -> String {
    format!("owner{o:04}@contoso.com")
}

/// Owner `o`'s object id (in the people index).
pub fn owner_id(o: usize) -> ObjectId {
    ObjectId::parse(&format!("00000000-0000-4000-9000-{o:012}")).expect("a GUID")
}

fn severity(i: usize) -> (Severity, Vec<Signal>) {
    match i % 10 {
        0 => (
            Severity::Critical,
            vec![Signal::SingleFactorArmWrite, Signal::Ropc],
        ),
        1..=3 => (Severity::High, vec![Signal::SingleFactorArmWrite]),
        4..=8 => (Severity::Medium, vec![Signal::SingleFactorSignin]),
        _ => (Severity::Low, vec![Signal::OutdatedClient]),
    }
}

fn report(tenant: TenantId, accounts: usize, at: DateTime<Utc>) -> ScanReport {
    let mut by_severity: BTreeMap<Severity, usize> =
        Severity::DESCENDING.iter().map(|s| (*s, 0)).collect();
    let mut list = Vec::with_capacity(accounts);
    for i in 0..accounts {
        let (sev, signals) = severity(i);
        *by_severity.entry(sev).or_default() += 1;
        list.push(AccountReport {
            user_id: user_id(i),
            user_principal_name: Some(upn(i)),
            severity: sev,
            evidence: signals
                .iter()
                .map(|s| EvidenceReport {
                    signal: *s,
                    at: rfc3339(at - Duration::hours((i % 48) as i64)),
                    detail: format!(
                        "{s} by Azure CLI 2.61.0 from 10.{}.{}.{} | Microsoft.Compute/virtualMachines/write",
                        i % 200,
                        i % 250,
                        i % 100
                    ),
                })
                .collect(),
            signals,
            owner: Some(owner(i / PER_OWNER)),
        });
    }
    list.sort_by_key(|a| std::cmp::Reverse(a.severity));
    ScanReport {
        tenant_id: Some(tenant),
        generated_at: rfc3339(at),
        complete: true,
        enforcement: EnforcementStatus::on(
            chrono::NaiveDate::from_ymd_opt(2025, 10, 1).expect("date"),
            at.date_naive(),
        ),
        summary: Summary {
            accounts_scanned: accounts * 4,
            at_risk: accounts,
            by_severity,
        },
        accounts: list,
        problems: vec![],
        disabled_with_credentials: vec![],
    }
}

fn record(tenant: TenantId, i: usize, now: DateTime<Utc>) -> AccountRecord {
    let (sev, signals) = severity(i);
    let signals: BTreeSet<Signal> = signals.into_iter().collect();
    let who = owner(i / PER_OWNER);
    let since = now - Duration::days(30 + (i % 60) as i64);
    let state = if i % 100 == 7 {
        AccountState::Resolved {
            at: now - Duration::days((i % 10) as i64),
        }
    } else {
        AccountState::AtRisk
    };
    AccountRecord {
        tenant,
        user_id: user_id(i),
        upn: Some(upn(i)),
        first_seen: since,
        last_seen: now,
        at_risk_since: since,
        last_scan: now,
        owner: Some(Owner {
            who: who.clone(),
            rule: OwnerRule::OwnershipMap,
            team: None,
            ticket_project: None,
        }),
        state,
        ticket: Some(StoredTicket {
            system: "github".into(),
            id: (i + 1).to_string(),
            url: Some(format!("https://github.com/contoso/infra/issues/{}", i + 1)),
            resolved: matches!(state, AccountState::Resolved { .. }),
            content: TicketContent {
                signals: signals.clone(),
                severity: sev,
                owner: Some(who),
            },
        }),
        pending: None,
        due: Some((since + Duration::days(14 + (i % 40) as i64)).date_naive()),
        notices: vec![],
        quiet: None,
        remediation: None,
        history: vec![Transition {
            at: since,
            event: "opened".into(),
        }],
        signals,
        severity: sev,
    }
}

/// Seeds `state` with `accounts` at-risk accounts of [`TENANT`] scanned at `now`.
pub async fn seed(state: &Path, accounts: usize, now: DateTime<Utc>) {
    let tenant = TenantId::parse(TENANT).expect("tenant");
    let store = LocalDirStore::new(state);
    let before = report(tenant, accounts - accounts / 50, now - Duration::days(1));
    save_report(&store, &tenant, &before)
        .await
        .expect("previous report");
    let latest = report(tenant, accounts, now);
    save_report(&store, &tenant, &latest)
        .await
        .expect("latest report");
    for weeks in [3, 2, 1, 0] {
        let mut s = WeeklySnapshot::of(tenant, &latest, now - Duration::weeks(weeks));
        s.by_severity
            .values_mut()
            .for_each(|n| *n += weeks as usize * 500);
        s.save(&store).await.expect("snapshot");
    }

    let dir = state.join(format!("accounts/{tenant}"));
    std::fs::create_dir_all(&dir).expect("accounts dir");
    for i in 0..accounts {
        let body = serde_json::to_vec(&record(tenant, i, now)).expect("record JSON");
        std::fs::write(dir.join(format!("{}.json", user_id(i))), body).expect("record");
    }

    let owners = accounts.div_ceil(PER_OWNER);
    let users: Vec<User> = (0..accounts)
        .map(|i| (user_id(i), upn(i)))
        .chain((0..owners).map(|o| (owner_id(o), owner(o))))
        .map(|(id, upn)| {
            serde_json::from_value(serde_json::json!({"id": id, "userPrincipalName": upn}))
                .expect("a user")
        })
        .collect();
    PeopleIndex::from_users(tenant, now, &users)
        .save(&store)
        .await
        .expect("people index");
}
