//! The chat service against a real local store seeded by the lifecycle: every command's
//! answer, the ack/snooze rights and bounds, and what is recorded.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::Value;

use crate::app::{ScanRequest, ScanTrigger, TriggerError};
use crate::detect::model::Detection;
use crate::ids::ObjectId;
use crate::lifecycle::testkit::{critical, day, scan, tenant, user, MemorySink};
use crate::lifecycle::{apply, save_report, AccountRecord, QuietKind};
use crate::report::model::ScanReport;
use crate::state::{get_json, LocalDirStore, StateStore};

use super::activity::{Activity, Sender};
use super::directory::MemoryDirectory;
use super::service::{ChatDeps, ChatService};
use super::settings::{Admins, ChatSettings};

const OWNER: &str = "platform-team@contoso.com";

fn person(n: u8) -> ObjectId {
    ObjectId::parse(&format!("10000000-0000-4000-8000-0000000000{n:02x}")).unwrap()
}

#[derive(Default)]
struct Recorder(Mutex<Vec<ScanRequest>>);

#[async_trait]
impl ScanTrigger for Recorder {
    async fn request_scan(&self, request: ScanRequest) -> Result<(), TriggerError> {
        self.0.lock().unwrap().push(request);
        Ok(())
    }
}

struct World {
    _dir: tempfile::TempDir,
    store: Arc<dyn StateStore>,
    chat: ChatService,
    scans: Arc<Recorder>,
}

fn now() -> DateTime<Utc> {
    day(0) + Duration::hours(1)
}

/// A store with the report of a scan on day 0 (accounts 1 and 2 critical, owned by
/// [`OWNER`]) and the lifecycle's records; people 10 (the owner), 11 (an admin), 12 (nobody).
async fn world(seeded: bool) -> World {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(dir.path()));
    if seeded {
        let findings = vec![critical(1), critical(2)];
        let detection = Detection {
            accounts_scanned: 10,
            findings: findings.clone(),
            ..Detection::default()
        };
        let date = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
        let report = ScanReport::build(&detection, Some(tenant()), date, day(0), vec![]);
        save_report(store.as_ref(), &tenant(), &report)
            .await
            .unwrap();
        apply(
            store.as_ref(),
            &MemorySink::default(),
            &findings,
            &scan(0, true),
        )
        .await
        .unwrap();
    }
    let directory = MemoryDirectory::new()
        .with(person(10), Some(OWNER), None)
        .with(person(11), Some("root@contoso.com"), None)
        .with(person(12), Some("bob@contoso.com"), Some("bob@contoso.com"));
    let scans = Arc::new(Recorder::default());
    let settings = ChatSettings {
        hmac_keys: Vec::new(),
        admins: Admins {
            names: vec!["root@contoso.com".into()],
            ids: vec![],
        },
        max_snooze_days: 30,
    };
    let chat = ChatService::new(ChatDeps {
        store: store.clone(),
        clock: Arc::new(now),
        scans: scans.clone(),
        tenant: tenant(),
        settings,
        directory: Arc::new(directory),
    });
    World {
        _dir: dir,
        store,
        chat,
        scans,
    }
}

fn message(from: Option<ObjectId>, text: &str) -> Activity {
    Activity {
        kind: "message".into(),
        id: Some("1".into()),
        text: format!("<at>stepup</at> {text}"),
        timestamp: Some(now()),
        from: Sender {
            id: Some("29:x".into()),
            name: Some("Someone".into()),
            aad_object_id: from,
        },
        conversation_id: None,
        tenant: Some(tenant()),
    }
}

/// Every TextBlock of a card, one per line.
fn texts(card: &Value) -> String {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if m.get("type").and_then(Value::as_str) == Some("TextBlock") {
                    if let Some(t) = m.get("text").and_then(Value::as_str) {
                        out.push(t.to_string());
                    }
                }
                m.values().for_each(|v| walk(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(card, &mut out);
    out.join("\n")
}

async fn ask(w: &World, from: Option<ObjectId>, text: &str) -> String {
    texts(&w.chat.answer(&message(from, text)).await.card())
}

async fn record(w: &World, n: u8) -> AccountRecord {
    get_json(
        w.store.as_ref(),
        &AccountRecord::key_of(&tenant(), &user(n)),
    )
    .await
    .unwrap()
    .unwrap()
}

#[tokio::test]
async fn status_answers_for_the_tenant_and_for_one_account() {
    let w = world(true).await;
    let tenant_status = ask(&w, None, "status").await;
    assert!(
        tenant_status.contains(&tenant().to_string()),
        "{tenant_status}"
    );
    assert!(
        tenant_status.contains("2 of 10 accounts at risk"),
        "{tenant_status}"
    );
    assert!(tenant_status.contains("critical 2"), "{tenant_status}");
    assert!(
        tenant_status.contains("enforced since 2025-10-01"),
        "{tenant_status}"
    );

    let one = ask(&w, None, "Status SVC-1@contoso.com").await;
    assert!(one.starts_with("svc-1@contoso.com: critical"), "{one}");
    assert!(
        one.contains("Signals: single_factor_arm_write, ropc"),
        "{one}"
    );
    assert!(one.contains(&format!("Owner: {OWNER}")), "{one}");
    assert!(one.contains("Ticket: memory"), "{one}");
    assert!(one.contains("Reminders: on."), "{one}");

    let unknown = ask(&w, None, "status nobody@contoso.com").await;
    assert!(
        unknown.contains("nobody@contoso.com is not at risk"),
        "{unknown}"
    );
    let me = ask(&w, Some(person(12)), "status me").await;
    assert!(me.contains("Your account is not at risk"), "{me}");
    let anonymous = ask(&w, None, "status me").await;
    assert!(anonymous.contains("no Entra object id"), "{anonymous}");
}

#[tokio::test]
async fn owner_lists_the_owned_accounts() {
    let w = world(true).await;
    let by_name = ask(&w, None, &format!("owner {OWNER}")).await;
    assert!(by_name.contains("2 accounts at risk"), "{by_name}");
    assert!(
        by_name.contains("critical — svc-1@contoso.com"),
        "{by_name}"
    );
    let me = ask(&w, Some(person(10)), "owner me").await;
    assert!(me.starts_with("You: 2 accounts at risk"), "{me}");
    let none = ask(&w, Some(person(12)), "owner me").await;
    assert!(none.contains("nothing at risk"), "{none}");
}

#[tokio::test]
async fn only_the_owner_or_an_admin_may_snooze_and_it_is_recorded() {
    let w = world(true).await;
    let refused = ask(&w, Some(person(12)), "snooze svc-1@contoso.com 7 not mine").await;
    assert!(
        refused.contains("You may not snooze svc-1@contoso.com"),
        "{refused}"
    );
    assert!(refused.contains(OWNER), "{refused}");
    assert!(record(&w, 1).await.quiet.is_none(), "nothing recorded");

    let anonymous = ask(&w, None, "ack svc-1@contoso.com").await;
    assert!(anonymous.contains("no Entra object id"), "{anonymous}");

    let done = ask(
        &w,
        Some(person(10)),
        "snooze svc-1@contoso.com 7d change freeze",
    )
    .await;
    assert!(done.starts_with("Snoozed: svc-1@contoso.com"), "{done}");
    assert!(done.contains("as owner"), "{done}");
    let r = record(&w, 1).await;
    let q = r.quiet.as_ref().unwrap();
    assert_eq!((q.kind, q.by.as_str()), (QuietKind::Snooze, OWNER));
    assert_eq!(q.until, now() + Duration::days(7));
    assert_eq!(q.reason.as_deref(), Some("change freeze"));
    let audit = &r.history.last().unwrap().event;
    assert!(
        audit.starts_with(&format!(
            "snoozed by {OWNER} until 2026-11-08: change freeze"
        )),
        "{audit}"
    );
    assert!(audit.ends_with("(Teams, as owner)"), "{audit}");
    let status = ask(&w, None, "status svc-1@contoso.com").await;
    assert!(
        status.contains(&format!("Reminders: snoozed by {OWNER}")),
        "{status}"
    );

    let admin = ask(
        &w,
        Some(person(11)),
        "ack svc-2@contoso.com rotating the secret",
    )
    .await;
    assert!(admin.contains("as admin"), "{admin}");
    let q = record(&w, 2).await.quiet.unwrap();
    assert_eq!(
        (q.kind, q.by.as_str()),
        (QuietKind::Ack, "root@contoso.com")
    );
}

#[tokio::test]
async fn snoozes_are_bounded_by_the_setting() {
    let w = world(true).await;
    let long = ask(&w, Some(person(10)), "snooze svc-1@contoso.com 31").await;
    assert!(
        long.contains("Snooze for 1 to 30 days (STEPUP_MAX_SNOOZE_DAYS), not 31"),
        "{long}"
    );
    assert!(record(&w, 1).await.quiet.is_none());
    let max = ask(&w, Some(person(10)), "snooze svc-1@contoso.com 30").await;
    assert!(max.contains("(30 days)"), "{max}");
    let not_at_risk = ask(&w, Some(person(10)), "ack nobody@contoso.com").await;
    assert!(not_at_risk.contains("Nothing to quiet"), "{not_at_risk}");
}

#[tokio::test]
async fn scan_is_queued_once_per_cooldown() {
    let w = world(true).await;
    let first = ask(&w, Some(person(12)), "scan").await;
    assert!(first.starts_with("Scan requested"), "{first}");
    let again = ask(&w, Some(person(12)), "scan").await;
    assert!(again.starts_with("Scan already requested"), "{again}");
    let requests = w.scans.0.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].requested_by, format!("teams:{}", person(12)));
    assert_eq!(requests[0].at, now());
}

#[tokio::test]
async fn digest_help_and_the_state_before_any_scan() {
    let w = world(true).await;
    let digest = w.chat.answer(&message(None, "digest")).await;
    assert_eq!(digest.verb, "digest");
    let text = texts(&digest.card());
    assert!(text.contains("Weekly MFA readiness — 2026-W44"), "{text}");
    assert!(text.contains(OWNER), "{text}");

    let help = w.chat.answer(&message(None, "deploy prod")).await;
    assert_eq!(help.verb, "help");
    let text = texts(&help.card());
    assert!(text.contains("\"deploy\" is not a command"), "{text}");
    assert!(
        text.contains("snooze ‹upn› ‹days› (reason) — quiet reminders for 1 to 30 days"),
        "{text}"
    );

    let empty = world(false).await;
    let status = ask(&empty, None, "status").await;
    assert!(status.starts_with("No scan yet"), "{status}");
    let scan = ask(&empty, None, "scan").await;
    assert!(scan.starts_with("Scan requested"), "{scan}");
}
