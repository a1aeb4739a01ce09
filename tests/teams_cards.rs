//! Every Teams card kind, built from a synthetic tenant, parses and validates cleanly with
//! Microsoft's `adaptivecards` SDK (tests/node/validate-cards.js) and fits in 28 KB.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{Duration, NaiveDate, Utc};
use serde_json::Value;
use stepup::calendar::EnforcementStatus;
use stepup::detect::model::{Finding, Owner, OwnerRule};
use stepup::ids::ObjectId;
use stepup::input::ExportDir;
use stepup::lifecycle::snapshot::WeeklySnapshot;
use stepup::offline::{scan_dir, settings_for};
use stepup::teams::cards::{
    broadcast, chat_reply, digest, envelope, fits, owner_notice, DigestInput, MAX_WORST,
};
use stepup::tickets::TicketRef;

fn node_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node")
}

/// Runs tests/node/validate-cards.js over `files`.
fn run_validator(files: &[PathBuf]) -> std::process::Output {
    let dir = node_dir();
    assert!(
        dir.join("node_modules/adaptivecards").is_dir(),
        "the adaptivecards SDK is not installed: run `npm ci --prefix tests/node` (scripts/test does)"
    );
    Command::new("node")
        .arg(dir.join("validate-cards.js"))
        .args(files)
        .output()
        .expect("run node (is Node.js installed?)")
}

/// Runs the SDK validator over `files`; panics with its output when any card is invalid.
fn validate(files: &[PathBuf]) {
    let out = run_validator(files);
    assert!(
        out.status.success(),
        "card validation failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let ok = String::from_utf8_lossy(&out.stdout).matches("ok ").count();
    assert_eq!(ok, files.len(), "every file validated");
}

fn write(dir: &Path, name: &str, card: Value) -> PathBuf {
    assert!(fits(&card), "{name} is over 28 KB");
    let path = dir.join(format!("{name}.json"));
    std::fs::write(
        &path,
        serde_json::to_vec_pretty(&envelope(card)).expect("json"),
    )
    .expect("write");
    path
}

fn name(f: &Finding) -> String {
    f.upn.clone().unwrap_or_else(|| f.user_id.to_string())
}

/// Where the cards go: `STEPUP_CARDS_OUT` when set (scripts/render-cards keeps them), else
/// the test's temporary directory.
fn cards_dir(temp: &Path) -> PathBuf {
    let dir =
        std::env::var_os("STEPUP_CARDS_OUT").map_or_else(|| temp.join("cards"), PathBuf::from);
    std::fs::create_dir_all(&dir).expect("cards dir");
    dir
}

#[test]
fn every_card_kind_validates_with_the_adaptivecards_sdk() {
    let temp = tempfile::tempdir().expect("temp dir");
    let tenant_dir = temp.path().join("tenant");
    let out = cards_dir(temp.path());
    stepup::synth::generate(&stepup::synth::SynthOptions::new(100, 7, 7), &tenant_dir)
        .expect("synth");
    let export = ExportDir::open(&tenant_dir).expect("export");
    let settings = settings_for(&export, None, &Default::default()).expect("settings");
    let (scan, _) = scan_dir(&export, &settings, Utc::now()).expect("scan");
    let report = &scan.report;
    let findings = &scan.detection.findings;
    assert!(
        !findings.is_empty(),
        "the synthetic tenant has accounts at risk"
    );
    let tenant = report.tenant_id.expect("synth names its tenant");
    let enforced = report.enforcement;
    let upcoming = EnforcementStatus::on(
        NaiveDate::from_ymd_opt(2026, 12, 14).expect("date"),
        NaiveDate::from_ymd_opt(2026, 11, 22).expect("date"),
    );
    let mut files = Vec::new();

    // Owner notices: per owner, with tickets (one with a link, one without).
    let mut by_owner: BTreeMap<String, (Owner, Vec<Finding>)> = BTreeMap::new();
    for f in findings {
        let owner = f.owner.clone().unwrap_or(Owner {
            who: "default-owner@contoso.com".into(),
            rule: OwnerRule::Default,
            team: None,
            ticket_project: None,
        });
        by_owner
            .entry(owner.who.clone())
            .or_insert((owner, Vec::new()))
            .1
            .push(f.clone());
    }
    for (i, (owner, owned)) in by_owner.values().enumerate().take(5) {
        let tickets: Vec<(ObjectId, Option<TicketRef>)> = owned
            .iter()
            .enumerate()
            .map(|(j, f)| {
                let url =
                    (j % 2 == 0).then(|| format!("https://github.com/contoso/infra/issues/{j}"));
                (
                    f.user_id,
                    Some(TicketRef {
                        system: "github",
                        id: j.to_string(),
                        url,
                    }),
                )
            })
            .collect();
        let status = if i % 2 == 0 { &enforced } else { &upcoming };
        for (k, card) in owner_notice(owned, owner, status, &tickets, tenant)
            .into_iter()
            .enumerate()
        {
            files.push(write(&out, &format!("owner-{i}-{k}"), card));
        }
    }

    // A split owner notice: 300 accounts made from the synthetic findings.
    let many: Vec<Finding> = (0..300)
        .map(|n| {
            let mut f = findings[n % findings.len()].clone();
            f.user_id = ObjectId::parse(&format!("00000000-0000-4000-8000-{n:012}")).expect("id");
            f.upn = Some(format!("copy-{n:03}-{}", name(&f)));
            f
        })
        .collect();
    let (owner, _) = by_owner.values().next().expect("an owner");
    let split = owner_notice(&many, owner, &enforced, &[], tenant);
    assert!(split.len() > 1, "300 accounts need more than one message");
    for (k, card) in split.into_iter().enumerate() {
        files.push(write(&out, &format!("owner-many-{k}"), card));
    }

    // Broadcast.
    let worst: Vec<Finding> = findings.iter().take(MAX_WORST).cloned().collect();
    files.push(write(
        &out,
        "broadcast",
        broadcast(report, &enforced, &worst),
    ));
    files.push(write(
        &out,
        "broadcast-upcoming",
        broadcast(report, &upcoming, &worst),
    ));

    // Digest: this week, last week with more at risk, and an older week.
    let now = Utc::now();
    let current = WeeklySnapshot::of(tenant, report, now);
    let mut previous = WeeklySnapshot::of(tenant, report, now - Duration::days(7));
    previous.by_severity.values_mut().for_each(|n| *n += 2);
    let older = WeeklySnapshot::of(tenant, report, now - Duration::days(14));
    let top_owners: Vec<(String, usize)> = by_owner
        .iter()
        .map(|(who, (_, f))| (who.clone(), f.len()))
        .collect();
    let names: Vec<String> = findings.iter().map(name).collect();
    let disabled: Vec<String> = scan
        .detection
        .disabled
        .iter()
        .map(|d| d.upn.clone().unwrap_or_else(|| d.user_id.to_string()))
        .collect();
    for (label, status) in [("digest", &enforced), ("digest-upcoming", &upcoming)] {
        let input = DigestInput {
            current: &current,
            previous: Some(&previous),
            history: &[older.clone(), previous.clone()],
            enforcement: status,
            top_owners: &top_owners,
            newly_remediated: &names[..names.len().min(3)],
            overdue: &names[names.len().saturating_sub(2)..],
            disabled_with_credentials: &disabled,
        };
        files.push(write(&out, label, digest(&input)));
    }

    // Chat replies.
    files.push(write(&out, "chat-status", chat_reply("Status", &names)));
    files.push(write(
        &out,
        "chat-help",
        chat_reply("Commands", &["help".into(), "status <upn|me>".into()]),
    ));

    validate(&files);
}

/// Every chat answer — each command, refusals, errors and the state before any scan — as
/// the service builds it from a state folder seeded by a real scan.
#[tokio::test]
async fn every_chat_answer_validates_with_the_adaptivecards_sdk() {
    use std::sync::Arc;
    use stepup::app::{system_clock, StateScanTrigger};
    use stepup::ids::ObjectId;
    use stepup::state::{LocalDirStore, StateStore};
    use stepup::teams::chat::activity::{Activity, Sender};
    use stepup::teams::chat::{Admins, ChatDeps, ChatService, ChatSettings, StateDirectory};
    use support::chat_state::{seed, OWNER, OWNER_ID};

    let temp = tempfile::tempdir().expect("temp dir");
    let out = cards_dir(temp.path());
    let service = |state: &Path, tenant, admin: ObjectId| {
        let store: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(state));
        ChatService::new(ChatDeps {
            store: store.clone(),
            clock: system_clock(),
            scans: Arc::new(StateScanTrigger::new(store.clone())),
            tenant,
            settings: ChatSettings {
                admins: Admins {
                    names: vec![],
                    ids: vec![admin],
                },
                ..ChatSettings::default()
            },
            directory: Arc::new(StateDirectory::new(store, &tenant)),
        })
    };
    let seeded_dir = temp.path().join("state");
    let seeded = seed(&seeded_dir, 150, Utc::now()).await;
    let people = seeded.bystanders(2);
    let (admin, stranger) = (people[0].id, people[1].id);
    let owner = ObjectId::parse(OWNER_ID).expect("id");
    let chat = service(&seeded_dir, seeded.tenant, admin);
    let empty = service(&temp.path().join("empty"), seeded.tenant, admin);
    let target = seeded.owned_upn();
    let message = |from: ObjectId, text: &str| Activity {
        kind: "message".into(),
        id: None,
        text: format!("<at>stepup</at> {text}"),
        timestamp: Some(Utc::now()),
        from: Sender {
            id: None,
            name: Some("Someone".into()),
            aad_object_id: Some(from),
        },
        conversation_id: None,
        tenant: Some(seeded.tenant),
    };
    let asks: Vec<(&str, &ChatService, ObjectId, String)> = vec![
        ("help", &chat, stranger, "help".into()),
        (
            "not-understood",
            &chat,
            stranger,
            "deploy <b>now</b>".into(),
        ),
        ("status", &chat, stranger, "status".into()),
        (
            "status-account",
            &chat,
            stranger,
            format!("status {target}"),
        ),
        ("status-me", &chat, stranger, "status me".into()),
        ("owner", &chat, stranger, format!("owner {OWNER}")),
        ("owner-none", &chat, stranger, "owner me".into()),
        ("digest", &chat, stranger, "digest".into()),
        ("scan", &chat, stranger, "scan".into()),
        ("scan-again", &chat, stranger, "scan".into()),
        (
            "snooze-refused",
            &chat,
            stranger,
            format!("snooze {target} 3"),
        ),
        (
            "snooze-too-long",
            &chat,
            owner,
            format!("snooze {target} 365"),
        ),
        (
            "snooze",
            &chat,
            owner,
            format!("snooze {target} 7 change [freeze] <at>x</at>"),
        ),
        ("ack-admin", &chat, admin, format!("ack {target} on it")),
        (
            "ack-not-at-risk",
            &chat,
            admin,
            "ack nobody@contoso.com".into(),
        ),
        ("no-scan-yet", &empty, stranger, "status".into()),
    ];
    let mut files = Vec::new();
    for (label, service, from, text) in asks {
        let answer = service.answer(&message(from, &text)).await;
        files.push(write(&out, &format!("chat-{label}"), answer.card()));
    }
    validate(&files);
}

#[test]
fn the_validator_rejects_a_broken_card() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = serde_json::json!({
        "type": "AdaptiveCard", "version": "1.5",
        "body": [{ "type": "TextBlock", "text": "x", "size": "Enormous" }, { "type": "Nonsense" }],
    });
    let path = dir.path().join("bad.json");
    std::fs::write(&path, serde_json::to_vec(&envelope(bad)).expect("json")).expect("write");
    let out = run_validator(&[path]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Enormous") && err.contains("Nonsense"),
        "{err}"
    );
}
