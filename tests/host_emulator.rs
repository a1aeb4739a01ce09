//! `stepup serve` behind an emulated Functions host: every function answers the host's
//! requests the way the host needs, and bad requests get a status with a one-line reason.

mod support;

use serde_json::{json, Value};
use support::emulator::{HostEmulator, FUNCTION_KEY};
use support::payloads::QueueWire;
use support::replies::{queue_messages, Invocation};

/// A scan job as the `scan` timer would enqueue it (`stepup::jobs::JobMessage::Plan`).
const SCAN_JOB: &str = r#"{"kind":"plan","runId":"20261122T060000Z-0a1b2c3d","tenant":"00000000-0000-0000-0000-000000000001","reason":"timer","requestedBy":"timer:scan"}"#;

/// A host whose state already holds the ledger of [`SCAN_JOB`]'s run, so that the scan
/// worker takes the plan as a redelivery (it queues the run's unfinished jobs again) without
/// reaching Graph or ARM: these tests are about the wire form, tests/orchestration.rs about
/// scans.
async fn host_with_planned_run() -> (HostEmulator, tempfile::TempDir) {
    let state = tempfile::tempdir().expect("temp dir");
    let store = stepup::state::LocalDirStore::new(state.path());
    stepup::jobs::open_run(
        &store,
        &stepup::jobs::RunId::parse("20261122T060000Z-0a1b2c3d").expect("run id"),
        stepup::ids::TenantId::parse("00000000-0000-0000-0000-000000000001").expect("tenant"),
        "timer",
        ["signIns".to_string()],
        chrono::Utc::now(),
    )
    .await
    .expect("open run");
    let dir = state.path().display().to_string();
    let host = HostEmulator::start_with_env(&[("STEPUP_STATE_DIR", &dir)]).await;
    (host, state)
}

/// A notice as a scan worker would enqueue it.
const NOTICE: &str = r#"{"kind":"ownerNotice","runId":"20261122T060000Z-0a1b2c3d","tenant":"00000000-0000-0000-0000-000000000001","owner":"platform-team@contoso.com","accounts":[]}"#;

/// A Teams outgoing-webhook activity, without its `Authorization: HMAC …` header.
fn teams_activity() -> Vec<u8> {
    json!({
        "type": "message",
        "id": "1700000000000",
        "text": "<at>stepup</at> status",
        "from": { "id": "29:1abc", "name": "Ada" },
        "channelData": { "tenant": { "id": "00000000-0000-0000-0000-000000000001" } }
    })
    .to_string()
    .into_bytes()
}

/// An Azure Monitor common-alert-schema Service Health alert.
fn service_health_alert() -> Vec<u8> {
    json!({
        "schemaId": "azureMonitorCommonAlertSchema",
        "data": {
            "essentials": { "monitoringService": "ServiceHealth", "signalType": "Activity Log" },
            "alertContext": { "properties": { "title": "Mandatory MFA for Azure Resource Manager" } }
        }
    })
    .to_string()
    .into_bytes()
}

/// Asserts the host would accept the invocation, and that everything it returns lands in a
/// binding of the function; returns the parsed outputs.
fn assert_host_accepts(emulator: &HostEmulator, invocation: &Invocation) -> Value {
    let result = invocation
        .result()
        .unwrap_or_else(|e| panic!("{e}\n--- stderr ---\n{}", emulator.stderr()));
    let body = invocation.json().unwrap_or_default();
    assert!(
        body["Outputs"].is_object(),
        "Outputs is not an object: {body}"
    );
    assert!(body["Logs"].is_array(), "Logs is not an array: {body}");
    let (_, function) = emulator
        .layout()
        .function(&invocation.function)
        .unwrap_or_else(|| panic!("no function {}", invocation.function));
    for (name, value) in &result.outputs {
        let binding = function
            .outputs()
            .find(|b| &b.name == name)
            .unwrap_or_else(|| panic!("{}: output {name:?} has no binding", invocation.function));
        if binding.is("queue") {
            queue_messages(value).unwrap_or_else(|e| panic!("{}: {e}", invocation.function));
        }
    }
    body["Outputs"].clone()
}

/// Asserts a 4xx (never a 5xx) with a one-line reason.
fn assert_refused(status: u16, reason: Option<String>, what: &str) {
    assert!((400..500).contains(&status), "{what}: status {status}");
    assert!(reason.is_some(), "{what}: no one-line reason");
}

#[tokio::test]
async fn the_scan_timer_answers_what_the_host_reads() {
    let host = HostEmulator::start().await;
    let invocation = host.invoke_timer("scan", false).await;
    assert_eq!(invocation.status, 200, "{}", invocation.body);
    assert_host_accepts(&host, &invocation);
}

#[tokio::test]
async fn timers_run_on_time_late_and_for_the_first_time() {
    let host = HostEmulator::start().await;
    for invocation in [
        host.invoke_timer("digest", false).await,
        host.invoke_timer("scan", true).await,
        host.invoke_timer("digest", true).await,
        host.invoke_timer_first_run("scan").await,
    ] {
        assert_eq!(
            invocation.status, 200,
            "{}: {}",
            invocation.function, invocation.body
        );
        assert_host_accepts(&host, &invocation);
    }
}

#[tokio::test]
async fn queue_workers_take_messages_as_the_host_encodes_them() {
    let (host, _state) = host_with_planned_run().await;
    for (function, message) in [("scan-worker", SCAN_JOB), ("notify-worker", NOTICE)] {
        let invocation = host.invoke_queue(function, message, 1).await;
        assert_eq!(invocation.status, 200, "{function}: {}", invocation.body);
        assert_host_accepts(&host, &invocation);
        if function == "scan-worker" {
            // The run's unfinished job, queued again through the `jobs` output binding.
            let outputs = invocation.result().expect("result").outputs;
            let jobs = queue_messages(&outputs["jobs"]).expect("queue messages");
            assert_eq!(jobs.len(), 1, "{}", invocation.body);
            let job: Value = serde_json::from_str(&jobs[0]).expect("job JSON");
            assert_eq!(job["kind"], "source");
            assert_eq!(job["source"]["name"], "signIns");
        }
    }
}

#[tokio::test]
async fn queue_workers_take_messages_as_the_documentation_shows_them() {
    let (host, _state) = host_with_planned_run().await;
    for (function, message) in [("scan-worker", SCAN_JOB), ("notify-worker", NOTICE)] {
        let invocation = host
            .invoke_queue_as(function, message, 2, QueueWire::Documented)
            .await;
        assert_eq!(invocation.status, 200, "{function}: {}", invocation.body);
        assert_host_accepts(&host, &invocation);
    }
}

#[tokio::test]
async fn http_functions_refuse_requests_without_credentials() {
    let host = HostEmulator::start().await;
    let json_type = ("Content-Type", "application/json");

    // Anonymous at the host: the handler itself must refuse an unsigned Teams request.
    let teams = host
        .http("POST", "teams", &[json_type], teams_activity())
        .await;
    assert!(teams.from_handler);
    assert_refused(teams.status, teams.reason(), "POST /api/teams without HMAC");

    // Function level: without the key the host answers 401 and never calls the handler.
    let keyless = host
        .http(
            "POST",
            "service-health",
            &[json_type],
            service_health_alert(),
        )
        .await;
    assert_eq!((keyless.status, keyless.from_handler), (401, false));

    // With the key, what is not an alert is the handler's to refuse.
    let code = format!("service-health?code={FUNCTION_KEY}");
    let not_an_alert = host.http("POST", &code, &[json_type], "{}").await;
    assert!(not_an_alert.from_handler);
    assert_refused(
        not_an_alert.status,
        not_an_alert.reason(),
        "POST /api/service-health with a body that is no alert",
    );
}

#[tokio::test]
async fn malformed_invocations_are_400_with_a_reason() {
    let host = HostEmulator::start().await;
    for function in ["scan", "scan-worker"] {
        for body in ["{not json", "", "[1, 2]"] {
            let invocation = host.invoke_raw(function, body).await;
            assert_eq!(invocation.status, 400, "{function} with {body:?}");
            assert!(
                invocation.reason().is_some(),
                "{function}: {}",
                invocation.body
            );
        }
    }
}

#[tokio::test]
async fn unknown_functions_are_404_with_a_reason() {
    let host = HostEmulator::start().await;
    let body = json!({"Data": {}, "Metadata": {}}).to_string();
    let invocation = host.invoke_raw("no-such-function", body).await;
    assert_eq!(invocation.status, 404, "{}", invocation.body);
    assert!(invocation.reason().is_some(), "{}", invocation.body);
}

#[tokio::test]
async fn bodies_over_256_kib_are_413() {
    let host = HostEmulator::start().await;
    let big = "x".repeat(256 * 1024 + 1);
    let invocation = host
        .invoke_queue(
            "scan-worker",
            &json!({ "kind": "plan", "pad": big }).to_string(),
            1,
        )
        .await;
    assert_eq!(invocation.status, 413, "{}", invocation.body);
    let forwarded = host
        .http(
            "POST",
            "teams",
            &[("Content-Type", "application/json")],
            big,
        )
        .await;
    assert_eq!(forwarded.status, 413, "{}", forwarded.text());
}

#[tokio::test]
async fn every_function_has_a_handler() {
    let host = HostEmulator::start().await;
    let functions: Vec<(String, String, Vec<String>)> = host
        .layout()
        .functions
        .iter()
        .map(|(name, f)| {
            let trigger = f.trigger().unwrap_or_else(|| panic!("{name}: no trigger"));
            (
                name.clone(),
                trigger.kind.clone(),
                trigger.route.iter().cloned().collect(),
            )
        })
        .collect();
    assert_eq!(functions.len(), 6);
    for (name, kind, route) in functions {
        let status = match kind.as_str() {
            "timerTrigger" => host.invoke_timer(&name, false).await.status,
            "queueTrigger" => host.invoke_queue(&name, SCAN_JOB, 1).await.status,
            "httpTrigger" => {
                let key = [("x-functions-key", FUNCTION_KEY)];
                let reply = host.http("POST", &route.concat(), &key, Vec::new()).await;
                assert!(reply.from_handler, "{name}: no route matched");
                reply.status
            }
            other => panic!("{name}: unexpected trigger {other}"),
        };
        assert_ne!(status, 404, "{name} has no handler");
        assert!(status < 500, "{name} failed with {status}");
    }
}

#[test]
fn the_host_sends_queue_scalars_as_json_text() {
    use support::payloads::{queue_request, QueueDelivery};
    let delivery = QueueDelivery {
        function: "scan-worker",
        binding: "job",
        message: SCAN_JOB,
        dequeue_count: 3,
    };
    let now = chrono::Utc::now();

    let host = queue_request(&delivery, QueueWire::Host, now);
    let text = host["Data"]["job"].as_str().expect("a string");
    let unquoted: String = serde_json::from_str(text).expect("JSON text of a string");
    assert_eq!(unquoted, SCAN_JOB);
    assert_eq!(host["Metadata"]["DequeueCount"], json!("3"));
    let id = host["Metadata"]["Id"].as_str().expect("Id");
    assert!(id.starts_with('"') && id.ends_with('"'), "{id}");
    assert_eq!(host["Metadata"]["sys"]["MethodName"], json!("scan-worker"));
    let inserted = host["Metadata"]["InsertionTime"]
        .as_str()
        .expect("InsertionTime");
    chrono::DateTime::parse_from_rfc3339(inserted).expect("an RFC 3339 date");

    let documented = queue_request(&delivery, QueueWire::Documented, now);
    assert_eq!(documented["Data"]["job"], json!(SCAN_JOB));
    assert_eq!(documented["Metadata"]["DequeueCount"], json!(3));
}
