//! `/api/teams` through the emulated host and the real binary: every way an activity can be
//! unauthenticated, stale, for another tenant or unreadable gets a 4xx with a one-line
//! reason, and a correctly signed fresh one (the control) gets its card. Chat arguments
//! that look like paths are answered from the in-memory index, never looked up as files.

use chrono::{Duration, Utc};
use serde_json::Value;

use crate::activity::{bytes, message, sign, sign_with, OTHER_TOKEN, TOKEN};
use crate::support::chat_state::seed;
use crate::support::emulator::HostEmulator;
use crate::support::replies::HttpReply;

const JSON: (&str, &str) = ("Content-Type", "application/json; charset=utf-8");

async fn post(host: &HostEmulator, headers: &[(&str, &str)], body: Vec<u8>) -> HttpReply {
    host.http("POST", "teams", headers, body).await
}

/// Asserts a refusal by the handler: the status and a one-line reason containing `words`.
pub fn assert_refused(reply: &HttpReply, status: u16, words: &str, case: &str) {
    assert!(reply.from_handler, "{case}: the host answered, not stepup");
    assert_eq!(reply.status, status, "{case}: {}", reply.text());
    let reason = reply
        .reason()
        .unwrap_or_else(|| panic!("{case}: no one-line reason in {:?}", reply.text()));
    assert!(reason.contains(words), "{case}: {reason:?} lacks {words:?}");
}

#[tokio::test]
async fn unauthenticated_stale_or_foreign_activities_are_refused_with_a_reason() {
    let state = tempfile::tempdir().expect("state");
    let now = Utc::now();
    let seeded = seed(state.path(), 100, now).await;
    let tenant = seeded.tenant.to_string();
    let sender = seeded.bystanders(1)[0].id.to_string();
    let host = HostEmulator::start_with_env(&[
        ("STEPUP_STATE_DIR", &state.path().display().to_string()),
        ("STEPUP_TENANT_ID", &tenant),
        ("STEPUP_TEAMS_HMAC_SECRET", TOKEN),
    ])
    .await;

    let fresh = bytes(&message(&tenant, &sender, "status", Utc::now()));
    let good = sign(&fresh);
    let altered = bytes(&message(&tenant, &sender, "scan", Utc::now()));
    // A correctly signed activity captured six minutes ago and sent again.
    let replayed = bytes(&message(
        &tenant,
        &sender,
        "status",
        Utc::now() - Duration::minutes(6),
    ));
    let ahead = bytes(&message(
        &tenant,
        &sender,
        "status",
        Utc::now() + Duration::minutes(10),
    ));
    let mut undated = message(&tenant, &sender, "status", Utc::now());
    if let Some(members) = undated.as_object_mut() {
        members.remove("timestamp");
    }
    let undated = bytes(&undated);
    let mut hostile_tenant = message(&tenant, &sender, "status", Utc::now());
    hostile_tenant["channelData"]["tenant"]["id"] = "../../accounts/%2e%2e".into();
    let hostile_tenant = bytes(&hostile_tenant);
    let foreign = bytes(&message(
        "00000000-0000-0000-0000-0000000000ff",
        &sender,
        "status",
        Utc::now(),
    ));
    let mut tenantless = message(&tenant, &sender, "status", Utc::now());
    tenantless["channelData"] = Value::Null;
    let tenantless = bytes(&tenantless);
    let mut update = message(&tenant, &sender, "status", Utc::now());
    update["type"] = "conversationUpdate".into();
    let update = bytes(&update);
    let garbled = b"{\"type\": \"message\", \"text\": ".to_vec();

    let signed = |body: &[u8]| sign(body);
    type Case = (
        &'static str,
        Vec<(String, String)>,
        Vec<u8>,
        u16,
        &'static str,
    );
    let h = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let cases: Vec<Case> = vec![
        (
            "no Authorization",
            h(&[JSON]),
            fresh.clone(),
            401,
            "missing Authorization",
        ),
        (
            "another scheme",
            h(&[JSON, ("Authorization", "Bearer eyJ0eXAiOiJKV1Qi")]),
            fresh.clone(),
            401,
            "must be HMAC",
        ),
        (
            "a signature that is not base64",
            h(&[JSON, ("Authorization", "HMAC %%%not-base64%%%")]),
            fresh.clone(),
            401,
            "not base64",
        ),
        (
            "signed with another team's token",
            h(&[JSON, ("Authorization", &sign_with(OTHER_TOKEN, &fresh))]),
            fresh.clone(),
            401,
            "does not match",
        ),
        (
            "a valid signature of another body",
            h(&[JSON, ("Authorization", &good)]),
            altered,
            401,
            "does not match",
        ),
        (
            "an old activity replayed",
            h(&[JSON, ("Authorization", &signed(&replayed))]),
            replayed.clone(),
            401,
            "replay",
        ),
        (
            "an activity from the future",
            h(&[JSON, ("Authorization", &signed(&ahead))]),
            ahead.clone(),
            401,
            "ahead of this server's clock",
        ),
        (
            "no timestamp",
            h(&[JSON, ("Authorization", &signed(&undated))]),
            undated.clone(),
            401,
            "no timestamp",
        ),
        (
            "another tenant",
            h(&[JSON, ("Authorization", &signed(&foreign))]),
            foreign.clone(),
            403,
            "answers for tenant",
        ),
        (
            "no tenant",
            h(&[JSON, ("Authorization", &signed(&tenantless))]),
            tenantless.clone(),
            400,
            "names no tenant",
        ),
        (
            "a tenant id that is a path",
            h(&[JSON, ("Authorization", &signed(&hostile_tenant))]),
            hostile_tenant.clone(),
            400,
            "is not a GUID",
        ),
        (
            "not a message",
            h(&[JSON, ("Authorization", &signed(&update))]),
            update.clone(),
            400,
            "only message activities",
        ),
        (
            "malformed JSON, signed",
            h(&[JSON, ("Authorization", &signed(&garbled))]),
            garbled.clone(),
            400,
            "not a Teams activity",
        ),
    ];
    for (case, headers, body, status, words) in cases {
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let reply = post(&host, &headers, body).await;
        assert_refused(&reply, status, words, case);
    }

    // The control: the same activity, signed and fresh, is answered.
    let ok = post(&host, &[JSON, ("Authorization", &good)], fresh).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert!(!host.stderr().contains(TOKEN), "the token is never logged");
    assert!(
        !host.stderr().contains(&good),
        "nor the Authorization header"
    );
}

#[tokio::test]
async fn arguments_that_look_like_paths_are_only_names() {
    let state = tempfile::tempdir().expect("state");
    let seeded = seed(state.path(), 100, Utc::now()).await;
    let tenant = seeded.tenant.to_string();
    let sender = seeded.bystanders(1)[0].id.to_string();
    // A file a path argument would reach if it were ever joined to the state folder.
    std::fs::write(state.path().join("secret.json"), "{\"leak\": true}").expect("write");
    let host = HostEmulator::start_with_env(&[
        ("STEPUP_STATE_DIR", &state.path().display().to_string()),
        ("STEPUP_TENANT_ID", &tenant),
        ("STEPUP_TEAMS_HMAC_SECRET", TOKEN),
    ])
    .await;
    let long = "a".repeat(4000);
    for argument in [
        "../../../etc/passwd",
        "..%2f..%2fsecret.json",
        "../secret",
        "accounts/../secret.json",
        "C:\\Windows\\win.ini",
        "nul\u{0}byte@contoso.com",
        "ünïcødé@contoso.com",
        long.as_str(),
    ] {
        for command in ["status", "owner"] {
            let body = bytes(&message(
                &tenant,
                &sender,
                &format!("{command} {argument}"),
                Utc::now(),
            ));
            let reply = post(&host, &[JSON, ("Authorization", &sign(&body))], body).await;
            assert_eq!(
                reply.status,
                200,
                "{command} {argument:.40}: {}",
                reply.text()
            );
            let card = reply.text();
            assert!(!card.contains("leak"), "{command} {argument:.40}: {card}");
            assert!(!card.contains("root:"), "{command} {argument:.40}: {card}");
        }
    }
}
