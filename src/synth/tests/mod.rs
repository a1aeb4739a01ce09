//! Tests of the generator: determinism, layout, coverage of the personas, and agreement
//! of the generated records with the labels under an independent reading of the contract.

mod oracle;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::*;
use crate::detect::model::{Severity, Signal};
use crate::settings::TenantSettings;

const FILES: [&str; 9] = [
    SIGN_INS,
    ACTIVITY_LOG,
    "users.json",
    "userRegistrationDetails.json",
    "roleAssignments.json",
    "roleDefinitions.json",
    "subscriptions.json",
    "stepup.toml",
    EXPECTED,
];

fn small(seed: u64) -> (tempfile::TempDir, SynthSummary) {
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(&SynthOptions::new(200, 7, seed), dir.path()).unwrap();
    (dir, summary)
}

fn json_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}: {l}", path.display())))
        .collect()
}

fn page(path: &Path) -> Vec<Value> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["value"].as_array().unwrap().clone()
}

fn expected(dir: &Path) -> ExpectedReport {
    ExpectedReport::load(&dir.join(EXPECTED)).unwrap()
}

#[test]
fn same_options_give_identical_bytes_and_seeds_differ() {
    let (a, sa) = small(7);
    let (b, sb) = small(7);
    let (c, _) = small(8);
    assert_eq!(sa, sb);
    let names: Vec<&str> = sa.files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, FILES);
    for name in FILES {
        let x = std::fs::read(a.path().join(name)).unwrap();
        let y = std::fs::read(b.path().join(name)).unwrap();
        assert!(x == y, "{name} differs between identical runs");
    }
    for name in [SIGN_INS, ACTIVITY_LOG, "users.json", EXPECTED] {
        let x = std::fs::read(a.path().join(name)).unwrap();
        let z = std::fs::read(c.path().join(name)).unwrap();
        assert!(x != z, "{name} is the same for seeds 7 and 8");
    }
}

#[test]
fn every_file_parses_in_its_layout() {
    let (dir, summary) = small(1);
    let d = dir.path();
    let signins = json_lines(&d.join(SIGN_INS));
    let events = json_lines(&d.join(ACTIVITY_LOG));
    assert!(signins
        .iter()
        .all(|r| r["id"].is_string() && r["status"]["errorCode"].is_u64()));
    assert!(events
        .iter()
        .all(|e| e["authorization"]["action"].is_string() && e["claims"].is_object()));
    let users: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(d.join("users.json")).unwrap()).unwrap();
    assert_eq!(users.len(), 200);
    let reg: Value = serde_json::from_str(
        &std::fs::read_to_string(d.join("userRegistrationDetails.json")).unwrap(),
    )
    .unwrap();
    assert!(reg["@odata.context"]
        .as_str()
        .unwrap()
        .contains("userRegistrationDetails"));
    assert_eq!(reg["value"].as_array().unwrap().len(), 200);
    let assignments = page(&d.join("roleAssignments.json"));
    assert!(assignments
        .iter()
        .all(|a| a["properties"]["principalId"].is_string()));
    let definitions = page(&d.join("roleDefinitions.json"));
    let custom: Vec<&Value> = definitions
        .iter()
        .filter(|r| r["properties"]["type"] == "CustomRole")
        .collect();
    assert_eq!(custom.len(), 2);
    let actions: Vec<&str> = custom
        .iter()
        .flat_map(|r| {
            r["properties"]["permissions"][0]["actions"]
                .as_array()
                .unwrap()
        })
        .filter_map(Value::as_str)
        .collect();
    assert!(actions.contains(&"Microsoft.Consumption/*/read"));
    assert!(actions.contains(&"Microsoft.Network/dnsZones/A/*"));
    let subs = page(&d.join("subscriptions.json"));
    assert_eq!(subs.len(), 3);
    assert!(subs.iter().all(|s| s["tags"]["env"].is_string()));
    assert!(subs.iter().any(|s| s["tags"]["owner"].is_string()));
    assert!(subs.iter().any(|s| s["tags"].get("owner").is_none()));

    let settings = TenantSettings::load(&d.join("stepup.toml")).unwrap();
    assert_eq!(
        settings.effective_enforcement_date().to_string(),
        "2025-10-01"
    );
    assert_eq!(settings.break_glass.len(), 2);
    assert!(settings.default_owner.is_some());
    assert!(settings
        .owner_rule_for(Some("svc-backup-cron01@contoso.com"), "x")
        .is_some());

    let exp = expected(d);
    assert_eq!(exp.accounts.len(), summary.expected_at_risk);
    let records = signins.len()
        + events.len()
        + users.len()
        + 200
        + assignments.len()
        + definitions.len()
        + subs.len()
        + 2;
    assert_eq!(summary.records, records as u64);
    for (name, bytes) in &summary.files {
        assert_eq!(
            std::fs::metadata(d.join(name)).unwrap().len(),
            *bytes,
            "{name}"
        );
    }
}

#[test]
fn every_persona_signal_and_severity_is_present() {
    let (dir, _) = small(2);
    let exp = expected(dir.path());
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &exp.accounts {
        *seen.entry(a.persona.as_str()).or_default() += 1;
    }
    for e in &exp.excluded {
        *seen.entry(e.persona.as_str()).or_default() += 1;
    }
    for p in Persona::ALL {
        if p == Persona::Noise {
            continue;
        }
        let n = seen.get(p.name()).copied().unwrap_or(0);
        let wanted = if p.count() == Count::One { 1 } else { 2 };
        assert!(n >= wanted, "{} appears {n} times", p.name());
    }
    let labelled: BTreeSet<_> = exp
        .accounts
        .iter()
        .map(|a| a.user_id)
        .chain(exp.excluded.iter().map(|e| e.user_id))
        .collect();
    let users_labelled = exp.accounts.len()
        + exp
            .excluded
            .iter()
            .filter(|e| e.persona != "service_principal" && e.persona != "managed_identity")
            .count();
    assert!(users_labelled < labelled.len() + 1);
    assert!(
        exp.accounts_scanned - users_labelled > exp.accounts_scanned / 2,
        "noise is the majority"
    );

    let signals: BTreeSet<Signal> = exp
        .accounts
        .iter()
        .flat_map(|a| a.signals.iter().copied())
        .collect();
    assert_eq!(signals, Signal::ALL.into_iter().collect());
    let severities: BTreeSet<Severity> = exp.accounts.iter().map(|a| a.severity).collect();
    assert_eq!(severities, Severity::DESCENDING.into_iter().collect());
    let order: Vec<(Severity, &str)> = exp
        .accounts
        .iter()
        .map(|a| (a.severity, a.user_principal_name.as_str()))
        .collect();
    let mut sorted = order.clone();
    sorted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    assert_eq!(order, sorted, "accounts are sorted by severity, then UPN");
    for a in &exp.accounts {
        let mut s = a.signals.clone();
        s.sort_unstable();
        assert_eq!(s, a.signals, "{} signals in contract order", a.persona);
    }
    let disabled: BTreeSet<_> = exp.disabled.iter().map(|d| d.user_id).collect();
    let disabled_personas: BTreeSet<_> = exp
        .excluded
        .iter()
        .filter(|e| disabled.contains(&e.user_id))
        .map(|e| e.reason.as_str())
        .collect();
    assert_eq!(disabled_personas, BTreeSet::from(["disabled"]));
    assert!(disabled.len() >= 4);
}

#[test]
fn workload_identities_are_never_accounts() {
    let (dir, _) = small(3);
    let d = dir.path();
    let exp = expected(d);
    let accounts: BTreeSet<String> = exp.accounts.iter().map(|a| a.user_id.to_string()).collect();
    let users: BTreeSet<String> =
        serde_json::from_str::<Vec<Value>>(&std::fs::read_to_string(d.join("users.json")).unwrap())
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_string())
            .collect();
    let mut workloads = BTreeSet::new();
    for r in json_lines(&d.join(SIGN_INS)) {
        let types = r["signInEventTypes"].to_string();
        if types.contains("servicePrincipal") || types.contains("managedIdentity") {
            assert_eq!(r["userId"], "");
            workloads.insert(r["servicePrincipalId"].as_str().unwrap().to_string());
        } else {
            assert!(
                users.contains(r["userId"].as_str().unwrap()),
                "sign-in of a user missing from users.json"
            );
        }
    }
    let mut guid_callers = 0;
    for e in json_lines(&d.join(ACTIVITY_LOG)) {
        let caller = e["caller"].as_str().unwrap();
        if uuid::Uuid::parse_str(caller).is_ok() {
            guid_callers += 1;
            let acr = e["claims"]["appidacr"].as_str().unwrap();
            assert!(acr == "1" || acr == "2");
            assert!(e["claims"]
                .get("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn")
                .is_none());
            workloads.insert(caller.to_string());
        } else {
            assert_eq!(e["claims"]["appidacr"], "0");
            let oid = e["claims"]["http://schemas.microsoft.com/identity/claims/objectidentifier"]
                .as_str()
                .unwrap();
            assert!(users.contains(oid));
        }
    }
    assert!(guid_callers > 0 && workloads.len() >= 7);
    assert!(workloads.is_disjoint(&accounts));
    assert!(workloads.is_disjoint(&users));
    let excluded: BTreeSet<String> = exp
        .excluded
        .iter()
        .filter(|e| e.persona == "service_principal" || e.persona == "managed_identity")
        .map(|e| e.user_id.to_string())
        .collect();
    assert_eq!(workloads, excluded);
    assert_eq!(exp.accounts_scanned, users.len());
}

#[test]
fn guests_write_as_their_home_address() {
    let (dir, _) = small(4);
    let d = dir.path();
    let exp = expected(d);
    let guests: BTreeMap<String, String> = exp
        .accounts
        .iter()
        .filter(|a| a.persona.starts_with("guest_"))
        .map(|a| (a.user_id.to_string(), a.user_principal_name.clone()))
        .collect();
    assert!(guests.len() >= 4);
    assert!(guests.values().all(|upn| upn.contains("#EXT#@")));
    let mut seen = BTreeSet::new();
    for e in json_lines(&d.join(ACTIVITY_LOG)) {
        let oid = e["claims"]["http://schemas.microsoft.com/identity/claims/objectidentifier"]
            .as_str()
            .unwrap();
        if let Some(upn) = guests.get(oid) {
            let caller = e["caller"].as_str().unwrap();
            assert_ne!(caller, upn);
            assert!(
                caller.contains('@') && !caller.contains("#EXT#"),
                "{caller}"
            );
            seen.insert(oid.to_string());
        }
    }
    assert_eq!(seen.len(), guests.len(), "every guest wrote");
}

#[test]
fn every_event_is_inside_the_window() {
    let opts = SynthOptions::new(200, 5, 5);
    let dir = tempfile::tempdir().unwrap();
    generate(&opts, dir.path()).unwrap();
    let end = opts.end;
    let start = end - chrono::Duration::days(5);
    let at = |v: &Value| v.as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
    let mut previous = end;
    for r in json_lines(&dir.path().join(SIGN_INS)) {
        let t = at(&r["createdDateTime"]);
        assert!(start <= t && t <= end, "{t}");
        assert!(t <= previous, "sign-ins are newest first");
        previous = t;
    }
    let mut previous = end;
    for e in json_lines(&dir.path().join(ACTIVITY_LOG)) {
        let t = at(&e["eventTimestamp"]);
        assert!(start <= t && t <= end, "{t}");
        assert!(at(&e["submissionTimestamp"]) <= end);
        assert!(t <= previous, "events are newest first");
        previous = t;
    }
}

#[test]
fn records_produce_exactly_the_labels() {
    for (users, days, seed) in [(200, 7, 11), (160, 1, 12), (400, 30, 13)] {
        let dir = tempfile::tempdir().unwrap();
        generate(&SynthOptions::new(users, days, seed), dir.path()).unwrap();
        let exp = expected(dir.path());
        let oracle = oracle::evaluate(dir.path());
        let labels: BTreeMap<String, &ExpectedAccount> = exp
            .accounts
            .iter()
            .map(|a| (a.user_id.to_string(), a))
            .collect();
        let disabled: BTreeSet<String> =
            exp.disabled.iter().map(|d| d.user_id.to_string()).collect();
        for (id, verdict) in &oracle.users {
            let got: Vec<Signal> = verdict.signals.iter().copied().collect();
            match labels.get(id) {
                Some(a) => {
                    assert!(verdict.enabled);
                    assert_eq!(
                        got, a.signals,
                        "{} ({}), seed {seed}",
                        a.persona, a.user_principal_name
                    );
                    assert_eq!(
                        oracle::Oracle::severity(verdict),
                        Some(a.severity),
                        "{}",
                        a.persona
                    );
                }
                None if !verdict.enabled => {
                    assert!(!got.is_empty(), "disabled {id} would be reported otherwise");
                    assert!(disabled.contains(id));
                }
                None => {
                    let persona = exp.persona_of(&id.parse().unwrap()).unwrap_or("noise");
                    assert!(got.is_empty(), "{persona} {id} has {got:?}, seed {seed}");
                }
            }
        }
        assert_eq!(oracle.users.len(), exp.accounts_scanned);
        assert!(oracle
            .workloads
            .iter()
            .all(|w| !oracle.users.contains_key(w)));
    }
}

#[test]
fn sizes_are_realistic() {
    let (dir, _) = small(6);
    let d = dir.path();
    let text = std::fs::read_to_string(d.join(SIGN_INS)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let average = text.len() / lines.len();
    assert!(
        (1000..3000).contains(&average),
        "average sign-in is {average} bytes"
    );
    let per_user_month = lines.len() as f64 / 200.0 * 30.0 / 7.0;
    assert!(
        (10.0..60.0).contains(&per_user_month),
        "{per_user_month} sign-ins per user and month"
    );
}

#[test]
fn bad_options_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let few = generate(&SynthOptions::new(20, 7, 1), dir.path()).unwrap_err();
    assert!(few.to_string().contains("at least"), "{few}");
    let none = generate(&SynthOptions::new(200, 0, 1), dir.path()).unwrap_err();
    assert!(none.to_string().contains("days"), "{none}");
    let mut opts = SynthOptions::new(200, 7, 1);
    opts.subscriptions = 0;
    assert!(generate(&opts, dir.path()).is_err());
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing written"
    );
}

#[test]
fn options_default_to_the_documented_values() {
    let o = SynthOptions::new(50_000, 30, 9);
    assert_eq!(o.end.to_rfc3339(), "2026-11-20T00:00:00+00:00");
    assert_eq!(o.subscriptions, 100);
    assert_eq!(SynthOptions::new(10, 1, 9).subscriptions, 3);
    assert_eq!(o.tenant_id, SynthOptions::new(1, 1, 9).tenant_id);
    assert_ne!(o.tenant_id, SynthOptions::new(1, 1, 10).tenant_id);
}
