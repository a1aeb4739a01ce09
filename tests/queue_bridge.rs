//! The emulated host's queues on Azurite: a Service Health notice posted to
//! `/api/service-health` is queued by `stepup serve` itself (its managed identity through
//! the real `azure_identity` credential); the host's pump delivers the queued broadcast to
//! `notify-worker` in the host's wire form and the plan job waits for `scan-worker`
//! (tests/orchestration.rs runs scans against the Graph/ARM fake). The `scan` timer's plan
//! jobs go through its queue output binding. A message that keeps failing is
//! retried `maxDequeueCount` times, lands in the poison queue and is recorded for the digest.

mod support;

use serde_json::Value;
use stepup::jobs::{dead_letters_since, JobMessage, NotifyMessage};
use stepup::state::LocalDirStore;
use support::azurite::Azurite;
use support::emulator::{HostEmulator, FUNCTION_KEY};
use support::identity_endpoint::{IdentityEndpoint, IDENTITY_HEADER};
use support::queue_bridge::{Disposition, QueueBridge};

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const NOTICE: &str = include_str!("fixtures/alerts/common_mfa_notice.json");

#[tokio::test]
async fn a_notice_reaches_the_workers_through_azurite() {
    let azurite = Azurite::start_with_queues();
    let identity = IdentityEndpoint::start().await;
    let state = tempfile::tempdir().unwrap();
    let queue_url = azurite.queue_url().to_string();
    let cert = azurite.cert_path().display().to_string();
    let state_dir = state.path().display().to_string();
    let host = HostEmulator::start_with_env(&[
        ("STEPUP_TENANT_ID", TENANT),
        ("STEPUP_STATE_DIR", &state_dir),
        ("STEPUP_STORAGE_QUEUE_URL", &queue_url),
        ("IDENTITY_ENDPOINT", &identity.url),
        ("IDENTITY_HEADER", IDENTITY_HEADER),
        // The handler's HTTP client trusts Azurite's self-signed certificate.
        ("SSL_CERT_FILE", &cert),
    ])
    .await;
    let bridge = QueueBridge::new(&azurite, host.layout());

    let reply = host
        .http(
            "POST",
            &format!("service-health?code={FUNCTION_KEY}"),
            &[("Content-Type", "application/json")],
            NOTICE,
        )
        .await;
    let answer: Value = serde_json::from_slice(&reply.body).unwrap_or_default();
    assert_eq!(
        reply.status,
        202,
        "{answer}\n--- stderr ---\n{}",
        host.stderr()
    );
    assert_eq!(answer["action"], "enforcement-notice");
    assert!(
        identity.requests() >= 1,
        "the handler got its token from the identity endpoint"
    );

    let jobs = bridge.peek("stepup-jobs").await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let JobMessage::Plan(plan) = serde_json::from_str(&jobs[0]).unwrap() else {
        panic!("{}", jobs[0]);
    };
    assert_eq!(plan.tenant.to_string(), TENANT);
    let notices = bridge.peek("stepup-notify").await;
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(matches!(
        serde_json::from_str::<NotifyMessage>(&notices[0]).unwrap(),
        NotifyMessage::Broadcast(_)
    ));

    // The broadcast goes to the notify-worker; the plan job stays for a scan-worker (whose
    // runs go against Graph and ARM: tests/orchestration.rs pumps them against the fakes).
    let deliveries = bridge.drain(&host, &["stepup-notify"], 10).await;
    assert_eq!(deliveries.len(), 1);
    let worker = &deliveries[0];
    assert_eq!(
        (worker.function.as_str(), worker.dequeue_count),
        ("notify-worker", 1)
    );
    assert_eq!(worker.disposition, Disposition::Deleted);
    assert_eq!(worker.text, notices[0], "the worker got the stored text");
    assert_eq!(bridge.peek("stepup-jobs").await, jobs);
    assert!(bridge.peek("stepup-notify").await.is_empty());
}

#[tokio::test]
async fn the_scan_timer_plans_one_run_per_tenant_through_its_output_binding() {
    let azurite = Azurite::start_with_queues();
    let other = "00000000-0000-0000-0000-0000000000aa";
    let host = HostEmulator::start_with_env(&[
        ("STEPUP_TENANT_ID", TENANT),
        ("STEPUP_TENANTS", &format!("{other},{TENANT}")),
    ])
    .await;
    let bridge = QueueBridge::new(&azurite, host.layout());
    let timer = host.invoke_timer("scan", false).await;
    assert_eq!(bridge.put_outputs(&host, &timer).await, 2);
    let planned: Vec<String> = bridge
        .peek("stepup-jobs")
        .await
        .iter()
        .map(
            |text| match serde_json::from_str::<JobMessage>(text).unwrap() {
                JobMessage::Plan(p) => p.tenant.to_string(),
                other => panic!("{other:?}"),
            },
        )
        .collect();
    assert_eq!(planned, vec![TENANT.to_string(), other.to_string()]);
}

#[tokio::test]
async fn a_failing_message_is_retried_then_poisoned() {
    let azurite = Azurite::start_with_queues();
    let state = tempfile::tempdir().unwrap();
    let state_dir = state.path().display().to_string();
    let host = HostEmulator::start_with_env(&[("STEPUP_STATE_DIR", &state_dir)]).await;
    let bridge = QueueBridge::new(&azurite, host.layout());
    bridge.send("stepup-jobs", r#"{"kind":"tenant"}"#).await;

    let deliveries = bridge.drain(&host, &["stepup-jobs"], 10).await;
    let seen: Vec<(u32, Disposition, u16)> = deliveries
        .iter()
        .map(|d| (d.dequeue_count, d.disposition, d.invocation.status))
        .collect();
    assert_eq!(
        seen,
        vec![
            (1, Disposition::Released, 400),
            (2, Disposition::Released, 400),
            (3, Disposition::Released, 400),
            (4, Disposition::Released, 400),
            (5, Disposition::Poisoned, 400),
        ]
    );
    assert!(deliveries[0]
        .invocation
        .reason()
        .unwrap()
        .contains("not a stepup-jobs message"));
    assert_eq!(
        bridge.peek("stepup-jobs-poison").await,
        vec![r#"{"kind":"tenant"}"#]
    );
    assert!(bridge.peek("stepup-jobs").await.is_empty());
    // The last failed delivery was recorded for the digest.
    let store = LocalDirStore::new(state.path());
    let letters = dead_letters_since(&store, "2026-01-01".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!(letters[0].queue, "stepup-jobs");
    assert_eq!(letters[0].dequeue_count, 5);
    assert_eq!(letters[0].text, r#"{"kind":"tenant"}"#);
    assert!(
        letters[0].reason.contains("not a stepup-jobs message"),
        "{}",
        letters[0].reason
    );
}
