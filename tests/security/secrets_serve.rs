//! No secret leaves `stepup serve`: the binary runs behind the emulated host with a
//! recognisable value in every secret setting (the Teams webhook URL and its `sig`, the
//! outgoing-webhook token, every ticket credential, the client secret) and debug logging,
//! while real flows run — the digest timer and the notify worker against a webhook that
//! fails with 500, 503 and 401 before it takes cards, chat commands signed and unsigned,
//! Service Health alerts with valid and invalid bearer tokens. Its stdout and stderr, every
//! invocation's answer (with its Logs), every HTTP answer, every file it wrote to the state
//! folder and every card the webhook received are searched for each secret.

use chrono::Utc;
use stepup::jobs::{Broadcast, DigestRequest, NoticeRef, NotifyMessage};

use crate::activity::{bytes, message, sign, TOKEN};
use crate::keys::{claims, Issuer, KeyServer, AUDIENCE};
use crate::leaks::Secrets;
use crate::support::chat_state::seed;
use crate::support::emulator::{HostEmulator, FUNCTION_KEY};
use crate::teams_support::fake_webhook::{FakeWebhook, Fault, Kind};

/// The secret settings every leak test sets, with recognisable values.
pub const SECRET_SETTINGS: [(&str, &str); 7] = [
    ("STEPUP_ADO_PAT", "ado-pat-7f3c9e1d2b4a6f8e0c1d3b5a"),
    (
        "STEPUP_GITHUB_TOKEN",
        "ghp_LeakCanaryGitHubToken0123456789ab",
    ),
    ("STEPUP_JIRA_API_TOKEN", "ATATT3xLeakCanaryJiraApiToken0123"),
    (
        "STEPUP_SERVICENOW_PASSWORD",
        "sn-password-LeakCanary-0123456789",
    ),
    (
        "STEPUP_SERVICENOW_TOKEN",
        "sn-oauth-LeakCanary-0123456789abcd",
    ),
    (
        "AZURE_CLIENT_SECRET",
        "azure~client~secret~LeakCanary~01234",
    ),
    ("STEPUP_TEAMS_HMAC_SECRET", TOKEN),
];

/// The other settings that go with them (so that each secret is actually read).
pub const COMPANION_SETTINGS: [(&str, &str); 6] = [
    ("STEPUP_TICKETS", "github"),
    ("STEPUP_GITHUB_REPO", "contoso/identity"),
    ("STEPUP_JIRA_EMAIL", "bot@contoso.example"),
    ("STEPUP_SERVICENOW_USER", "stepup.integration"),
    ("AZURE_CLIENT_ID", "5b0c6a0e-1c2d-4e3f-8a9b-0c1d2e3f4a5b"),
    ("RUST_LOG", "debug"),
];

/// The watch list for a webhook `url`: the configured secrets, the URL and its `sig`.
pub fn secrets_with_webhook(url: &str) -> Secrets {
    let mut secrets = Secrets::new();
    for (name, value) in SECRET_SETTINGS {
        secrets.add(name, value);
    }
    secrets.add("the decoded HMAC key", "stepup-hmac-secret-never-logged");
    secrets.add("STEPUP_TEAMS_WEBHOOK", url);
    let sig = url::Url::parse(url)
        .expect("webhook URL")
        .query_pairs()
        .find(|(k, _)| k == "sig")
        .map(|(_, v)| v.into_owned())
        .expect("a Workflows URL has a sig");
    secrets.add("the webhook sig", &sig);
    secrets
}

#[tokio::test]
async fn no_secret_reaches_logs_answers_state_or_cards() {
    let state = tempfile::tempdir().expect("state");
    let seeded = seed(state.path(), 120, Utc::now()).await;
    let tenant = seeded.tenant.to_string();
    let sender = seeded.bystanders(1)[0].id.to_string();
    let fake = FakeWebhook::start(100).await;
    let url = fake.add(Kind::Workflows, "default");
    let issuer = Issuer::new("key-1");
    let keys = KeyServer::start(vec![issuer.jwk(&tenant)]).await;

    let state_dir = state.path().display().to_string();
    let mut env: Vec<(&str, &str)> = vec![
        ("STEPUP_STATE_DIR", &state_dir),
        ("STEPUP_TENANT_ID", &tenant),
        ("AZURE_TENANT_ID", &tenant),
        ("STEPUP_TEAMS_WEBHOOK", &url),
        ("STEPUP_ALERT_AUDIENCE", AUDIENCE),
        ("AZURE_AUTHORITY_HOST", &keys.authority),
    ];
    env.extend(SECRET_SETTINGS);
    env.extend(COMPANION_SETTINGS);
    let host = HostEmulator::start_with_env(&env).await;
    let mut secrets = secrets_with_webhook(&url);
    secrets.add("the function key", FUNCTION_KEY);
    let mut seen: Vec<(String, String)> = Vec::new();

    // The digest timer: two server errors, then the card is taken.
    fake.inject(
        "default",
        &[Fault::Status(500, Some(0)), Fault::Status(503, Some(0))],
    );
    let digest = host.invoke_timer("digest", false).await;
    assert_eq!(digest.status, 200, "{}", digest.body);
    seen.push(("the digest invocation".into(), digest.body));

    // A broadcast the webhook refuses (401): the invocation fails with a reason.
    fake.inject("default", &[Fault::Status(401, None)]);
    let broadcast = NotifyMessage::Broadcast(Broadcast {
        tenant: seeded.tenant,
        enforcement_date: None,
        notice: NoticeRef {
            tracking_id: Some("LEAK-TST".into()),
            communication_id: None,
            title: "Mandatory MFA for Azure Resource Manager".into(),
            published_at: None,
        },
        dedupe_key: "LEAK-TST".into(),
    });
    let text = serde_json::to_string(&broadcast).expect("json");
    let refused = host.invoke_queue("notify-worker", &text, 1).await;
    assert_eq!(refused.status, 500, "{}", refused.body);
    assert!(
        refused.body.contains("the default channel"),
        "{}",
        refused.body
    );
    seen.push(("the refused broadcast".into(), refused.body));
    let retried = host.invoke_queue("notify-worker", &text, 2).await;
    assert_eq!(retried.status, 200, "{}", retried.body);
    seen.push(("the retried broadcast".into(), retried.body));

    let requested = NotifyMessage::Digest(DigestRequest {
        tenant: Some(seeded.tenant),
        requested_by: format!("teams:{sender}"),
        at: Utc::now(),
    });
    let text = serde_json::to_string(&requested).expect("json");
    let on_demand = host.invoke_queue("notify-worker", &text, 1).await;
    assert_eq!(on_demand.status, 200, "{}", on_demand.body);
    seen.push(("the requested digest".into(), on_demand.body));

    // Chat commands, signed and not.
    let json = ("Content-Type", "application/json");
    for command in ["status", "digest", "scan", "help"] {
        let body = bytes(&message(&tenant, &sender, command, Utc::now()));
        let auth = sign(&body);
        secrets.add(
            &format!("the signature of {command:?}"),
            &auth["HMAC ".len()..],
        );
        let reply = host
            .http(
                "POST",
                "teams",
                &[json, ("Authorization", &auth)],
                body.clone(),
            )
            .await;
        assert_eq!(reply.status, 200, "{command}: {}", reply.text());
        seen.push((format!("the answer to {command}"), reply.text()));
        let unsigned = host.http("POST", "teams", &[json], body).await;
        assert_eq!(unsigned.status, 401);
        seen.push((format!("the refusal of {command}"), unsigned.text()));
    }

    // Service Health alerts with a valid and an expired bearer token.
    let alert = include_str!("../fixtures/alerts/common_mfa_notice.json");
    let now = Utc::now().timestamp();
    let valid = issuer.sign(&claims(&tenant, now));
    let mut old = claims(&tenant, now);
    old["exp"] = (now - 3600).into();
    let expired = issuer.sign(&old);
    secrets.add("a valid bearer token", &valid);
    secrets.add("an expired bearer token", &expired);
    let route = format!("service-health?code={FUNCTION_KEY}");
    for (token, status) in [(&valid, 202), (&expired, 401)] {
        let bearer = format!("Bearer {token}");
        let reply = host
            .http("POST", &route, &[json, ("Authorization", &bearer)], alert)
            .await;
        assert_eq!(reply.status, status, "{}", reply.text());
        seen.push(("a Service Health answer".into(), reply.text()));
    }

    let cards = fake.received("default");
    assert!(
        cards.len() >= 3,
        "digests and the broadcast were delivered: {}",
        cards.len()
    );
    for (i, card) in cards.iter().enumerate() {
        seen.push((format!("card {i} the webhook received"), card.to_string()));
    }
    seen.push(("stepup's stdout".into(), host.stdout()));
    seen.push(("stepup's stderr".into(), host.stderr()));
    assert!(
        host.stderr().lines().count() > 10,
        "debug logging ran: {}",
        host.stderr()
    );
    for (place, text) in &seen {
        secrets.assert_absent(place, text);
    }
    let files = secrets.assert_absent_below(state.path());
    assert!(
        files > 50,
        "the state folder holds what the flows wrote: {files} files"
    );
}
