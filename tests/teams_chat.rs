//! Chat commands end to end: `stepup serve` behind the emulated Functions host, a state
//! folder seeded by a real scan of a synthetic tenant, and activities signed the way a Teams
//! outgoing webhook signs them (the signature computed here with the `hmac` crate).

mod support;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{Duration, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use support::chat_state::{seed, Seeded, OWNER, OWNER_ID};
use support::emulator::HostEmulator;
use support::replies::HttpReply;

/// The webhook's security token, as Teams shows it.
const TOKEN: &str = "q6yp3v1nXg2Q6tW8uJ5o0cWb9eJ4kYh7fV2sL1mN3pE=";

/// `Authorization: HMAC …` for `body`, computed from the decoded token.
fn authorization(body: &[u8]) -> String {
    let key = STANDARD.decode(TOKEN).expect("token");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("key");
    mac.update(body);
    format!("HMAC {}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// A message activity as an outgoing webhook posts it.
fn activity(seeded: &Seeded, from: &str, text: &str, sent: chrono::DateTime<Utc>) -> Vec<u8> {
    json!({
        "type": "message",
        "id": "1700000000000",
        "timestamp": sent.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "localTimestamp": sent.to_rfc3339(),
        "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "channelId": "msteams",
        "from": { "id": "29:1abc", "name": "Someone", "aadObjectId": from },
        "conversation": { "isGroup": true, "id": "19:abc@thread.skype;messageid=1700000000000" },
        "textFormat": "plain",
        "text": format!("<at>stepup</at>&nbsp;{text}"),
        "attachments": [{ "contentType": "text/html", "content": format!("<div>{text}</div>") }],
        "entities": [{ "type": "clientInfo", "locale": "en-US" }],
        "channelData": {
            "teamsChannelId": "19:abc@thread.skype",
            "teamsTeamId": "19:def@thread.skype",
            "tenant": { "id": seeded.tenant.to_string() }
        }
    })
    .to_string()
    .into_bytes()
}

async fn post(host: &HostEmulator, headers: &[(&str, &str)], body: Vec<u8>) -> HttpReply {
    host.http("POST", "teams", headers, body).await
}

/// Sends `text` from `from`, signed; asserts a 200 message with a card; returns the card's
/// text, one TextBlock per line.
async fn ask(host: &HostEmulator, seeded: &Seeded, from: &str, text: &str) -> String {
    let body = activity(seeded, from, text, Utc::now());
    let auth = authorization(&body);
    let reply = post(
        host,
        &[
            ("Content-Type", "application/json; charset=utf-8"),
            ("Authorization", &auth),
        ],
        body,
    )
    .await;
    assert_eq!(
        reply.status,
        200,
        "{text}: {}\n{}",
        reply.text(),
        host.stderr()
    );
    let message: Value = serde_json::from_slice(&reply.body).expect("a JSON answer");
    assert_eq!(message["type"], "message", "{message}");
    let card = &message["attachments"][0]["content"];
    assert_eq!(card["type"], "AdaptiveCard", "{message}");
    texts(card)
}

fn texts(card: &Value) -> String {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let (Some("TextBlock"), Some(t)) = (
                    m.get("type").and_then(Value::as_str),
                    m.get("text").and_then(Value::as_str),
                ) {
                    out.push(t.to_string());
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

async fn start(
    state: &std::path::Path,
    seeded: &Seeded,
    admin: &str,
    secret: Option<&str>,
) -> HostEmulator {
    let tenant = seeded.tenant.to_string();
    let state = state.display().to_string();
    let mut env = vec![
        ("STEPUP_STATE_DIR", state.as_str()),
        ("STEPUP_TENANT_ID", tenant.as_str()),
        ("STEPUP_ADMINS", admin),
        ("STEPUP_MAX_SNOOZE_DAYS", "21"),
    ];
    if let Some(s) = secret {
        env.push(("STEPUP_TEAMS_HMAC_SECRET", s));
    }
    HostEmulator::start_with_env(&env).await
}

fn record_of(state: &std::path::Path, seeded: &Seeded, upn: &str) -> Value {
    let account = seeded
        .report
        .accounts
        .iter()
        .find(|a| a.user_principal_name.as_deref() == Some(upn))
        .expect("the account is in the report");
    let path = state.join(format!(
        "accounts/{}/{}.json",
        seeded.tenant, account.user_id
    ));
    serde_json::from_slice(&std::fs::read(&path).expect("the account record")).expect("JSON")
}

#[tokio::test]
async fn every_command_answers_from_the_stored_scan() {
    let state = tempfile::tempdir().expect("state");
    let seeded = seed(state.path(), 150, Utc::now()).await;
    let people = seeded.bystanders(2);
    let (admin, stranger) = (people[0].id.to_string(), people[1].id.to_string());
    // Two teams' webhooks: either token signs.
    let tokens = format!("c2VjcmV0LWtleS1ieXRlcw==,{TOKEN}");
    let host = start(state.path(), &seeded, &admin, Some(&tokens)).await;
    let target = seeded.owned_upn();
    let summary = &seeded.report.summary;

    let help = ask(&host, &seeded, &stranger, "help").await;
    assert!(
        help.starts_with("stepup — MFA readiness commands"),
        "{help}"
    );
    assert!(
        help.contains("1 to 21 days"),
        "the setting bounds snoozes: {help}"
    );
    let unknown = ask(&host, &seeded, &stranger, "deploy everything").await;
    assert!(unknown.contains("\"deploy\" is not a command"), "{unknown}");

    let status = ask(&host, &seeded, &stranger, "STATUS").await;
    assert!(
        status.contains(&format!(
            "{} of {} accounts at risk",
            summary.at_risk, summary.accounts_scanned
        )),
        "{status}"
    );
    assert!(status.contains("enforced since 2025-10-01"), "{status}");

    let one = ask(&host, &seeded, &stranger, &format!("status {target}")).await;
    let account = seeded
        .report
        .accounts
        .iter()
        .find(|a| a.user_principal_name.as_deref() == Some(target.as_str()))
        .expect("target");
    assert!(
        one.starts_with(&format!("{target}: {}", account.severity.as_str())),
        "{one}"
    );
    assert!(one.contains(&format!("Owner: {OWNER}")), "{one}");
    assert!(
        one.contains("Ticket: file "),
        "the lifecycle's ticket: {one}"
    );
    assert!(one.contains("Reminders: on."), "{one}");
    let me = ask(&host, &seeded, &stranger, "status me").await;
    assert!(me.contains("Your account is not at risk"), "{me}");

    let owned = ask(&host, &seeded, &stranger, &format!("owner {OWNER}")).await;
    let n = seeded.owned_count();
    assert!(
        owned.starts_with(&format!(
            "{OWNER}: {n} account{} at risk",
            if n == 1 { "" } else { "s" }
        )),
        "{owned}"
    );
    assert!(owned.contains(&target), "{owned}");

    let digest = ask(&host, &seeded, &stranger, "digest").await;
    assert!(digest.contains("Weekly MFA readiness"), "{digest}");
    assert!(digest.contains(OWNER), "top owners: {digest}");

    let scan = ask(&host, &seeded, &stranger, "scan").await;
    assert!(scan.starts_with("Scan requested"), "{scan}");
    let requests = std::fs::read_dir(state.path().join("requests"))
        .expect("requests")
        .count();
    assert_eq!(requests, 1);

    // Ack and snooze: only the owner or an admin, bounded, recorded.
    let refused = ask(
        &host,
        &seeded,
        &stranger,
        &format!("snooze {target} 7 not mine"),
    )
    .await;
    assert!(
        refused.contains(&format!("You may not snooze {target}")),
        "{refused}"
    );
    assert!(record_of(state.path(), &seeded, &target)["quiet"].is_null());
    let too_long = ask(&host, &seeded, OWNER_ID, &format!("snooze {target} 22")).await;
    assert!(too_long.contains("Snooze for 1 to 21 days"), "{too_long}");
    let snoozed = ask(
        &host,
        &seeded,
        OWNER_ID,
        &format!("snooze {target} 14d change freeze"),
    )
    .await;
    assert!(
        snoozed.starts_with(&format!("Snoozed: {target}")),
        "{snoozed}"
    );
    let record = record_of(state.path(), &seeded, &target);
    assert_eq!(record["quiet"]["kind"], "snooze");
    assert_eq!(record["quiet"]["by"], OWNER);
    assert_eq!(record["quiet"]["reason"], "change freeze");
    let audit = record["history"]
        .as_array()
        .and_then(|h| h.last())
        .expect("history");
    let line = audit["event"].as_str().expect("event");
    assert!(
        line.starts_with(&format!("snoozed by {OWNER} until ")),
        "{line}"
    );
    assert!(line.ends_with("change freeze (Teams, as owner)"), "{line}");

    let admin_upn = people[0].user_principal_name.clone().expect("upn");
    let acked = ask(
        &host,
        &seeded,
        &admin,
        &format!("ack {target} rotating to a managed identity"),
    )
    .await;
    assert!(acked.contains("as admin"), "{acked}");
    let record = record_of(state.path(), &seeded, &target);
    assert_eq!(record["quiet"]["kind"], "ack");
    assert_eq!(record["quiet"]["by"], admin_upn);
    let status = ask(&host, &seeded, &stranger, &format!("status {target}")).await;
    assert!(
        status.contains(&format!("Reminders: acknowledged by {admin_upn}")),
        "{status}"
    );

    assert!(!host.stderr().contains(TOKEN), "the secret is never logged");
}

/// Headers, body, the status expected and words of its reason.
type Refusal<'a> = (Vec<(&'a str, &'a str)>, Vec<u8>, u16, &'a str);

#[tokio::test]
async fn unsigned_stale_or_malformed_requests_are_refused_with_a_reason() {
    let state = tempfile::tempdir().expect("state");
    let seeded = seed(state.path(), 100, Utc::now()).await;
    let someone = seeded.bystanders(1)[0].id.to_string();
    let host = start(state.path(), &seeded, OWNER, Some(TOKEN)).await;
    let json_type = ("Content-Type", "application/json");
    let body = activity(&seeded, &someone, "status", Utc::now());
    let good = authorization(&body);
    let stale = activity(
        &seeded,
        &someone,
        "status",
        Utc::now() - Duration::minutes(10),
    );
    let stale_auth = authorization(&stale);
    let junk = b"{\"type\": \"message\", ".to_vec();
    let junk_auth = authorization(&junk);

    let cases: Vec<Refusal> = vec![
        (vec![json_type], body.clone(), 401, "missing Authorization"),
        (
            vec![json_type, ("Authorization", "Basic YTpi")],
            body.clone(),
            401,
            "must be HMAC",
        ),
        (
            vec![json_type, ("Authorization", "HMAC bm90IGl0")],
            body.clone(),
            401,
            "does not match",
        ),
        (
            vec![json_type, ("Authorization", good.as_str())],
            [&body[..], b" "].concat(),
            401,
            "does not match",
        ),
        (
            vec![json_type, ("Authorization", stale_auth.as_str())],
            stale,
            401,
            "replay",
        ),
        (
            vec![
                ("Content-Type", "text/plain"),
                ("Authorization", good.as_str()),
            ],
            body.clone(),
            415,
            "application/json",
        ),
        (
            vec![json_type, ("Authorization", junk_auth.as_str())],
            junk,
            400,
            "not a Teams activity",
        ),
    ];
    for (headers, body, status, reason) in cases {
        let reply = post(&host, &headers, body).await;
        assert!(reply.from_handler);
        assert_eq!(reply.status, status, "{reason}: {}", reply.text());
        let said = reply.reason().unwrap_or_default();
        assert!(said.contains(reason), "{status}: {said}");
    }
    let ok = post(&host, &[json_type, ("Authorization", good.as_str())], body).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert!(
        !host.stderr().contains(&good),
        "the Authorization header is never logged"
    );

    // Without a secret, nothing is answered.
    drop(host);
    let unconfigured = start(state.path(), &seeded, OWNER, None).await;
    let body = activity(&seeded, &someone, "status", Utc::now());
    let auth = authorization(&body);
    let reply = post(
        &unconfigured,
        &[json_type, ("Authorization", auth.as_str())],
        body,
    )
    .await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.reason().as_deref(),
        Some("chat commands are not configured (STEPUP_TEAMS_HMAC_SECRET)")
    );
}
