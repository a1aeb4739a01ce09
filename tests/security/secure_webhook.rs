//! `/api/service-health` with `STEPUP_ALERT_AUDIENCE` set, through the emulated host and the
//! real binary, against a loopback Entra ID serving the tenant's signing keys: a missing,
//! malformed, expired, early, foreign-audience, foreign-tenant, role-less, wrongly issued or
//! wrongly signed token is a 401 with a one-line reason; a valid one is accepted.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use serde_json::{json, Value};

use crate::chat_hmac::assert_refused;
use crate::keys::{claims, Issuer, KeyServer, AUDIENCE};
use crate::support::emulator::{HostEmulator, FUNCTION_KEY};

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SECOND_TENANT: &str = "00000000-0000-4000-8000-0000000000aa";
const STRANGER: &str = "00000000-0000-4000-8000-0000000000bb";
const ALERT: &str = include_str!("../fixtures/alerts/common_service_health_test.json");

/// A hand-made token with `header` and `claims` and a junk signature.
fn unsigned(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(b"not a signature")
    )
}

#[tokio::test]
async fn every_bad_token_is_a_401_with_a_reason_and_a_good_one_passes() {
    let issuer = Issuer::new("key-1");
    let keys = KeyServer::start(vec![issuer.jwk(TENANT)]).await;
    let state = tempfile::tempdir().expect("state");
    let host = HostEmulator::start_with_env(&[
        ("STEPUP_TENANT_ID", TENANT),
        ("STEPUP_TENANTS", SECOND_TENANT),
        ("STEPUP_ALERT_AUDIENCE", AUDIENCE),
        ("AZURE_AUTHORITY_HOST", &keys.authority),
        ("STEPUP_STATE_DIR", &state.path().display().to_string()),
    ])
    .await;
    let now = Utc::now().timestamp();
    let good = claims(TENANT, now);
    let with = |change: &dyn Fn(&mut Value)| {
        let mut c = good.clone();
        change(&mut c);
        c
    };
    let impostor = Issuer::new("key-1"); // the tenant's key id, another key
    let stranger_key = Issuer::new("key-9"); // a key id the tenant does not have
    let bearer = |token: String| Some(format!("Bearer {token}"));
    let cases: Vec<(&str, Option<String>, &str)> = vec![
        ("no token", None, "missing Authorization"),
        (
            "another scheme",
            Some("Basic dXNlcjpwYXNz".into()),
            "must be Bearer",
        ),
        ("garbage", bearer("not.a.jwt".into()), "malformed"),
        ("an empty bearer", Some("Bearer ".into()), "must be Bearer"),
        (
            "alg none",
            bearer(unsigned(
                &json!({"alg": "none", "typ": "JWT", "kid": "key-1"}),
                &good,
            )),
            "malformed",
        ),
        (
            "alg HS256",
            bearer(unsigned(
                &json!({"alg": "HS256", "typ": "JWT", "kid": "key-1"}),
                &good,
            )),
            "expected RS256",
        ),
        (
            "expired",
            bearer(issuer.sign(&with(&|c| c["exp"] = json!(now - 3600)))),
            "expired",
        ),
        (
            "not valid yet",
            bearer(issuer.sign(&with(&|c| c["nbf"] = json!(now + 3600)))),
            "not valid yet",
        ),
        (
            "another audience",
            bearer(issuer.sign(&with(&|c| c["aud"] = json!("api://someone-else")))),
            "another audience",
        ),
        (
            "a tenant that is not configured",
            bearer(issuer.sign(&with(&|c| c["tid"] = json!(STRANGER)))),
            "not a configured tenant",
        ),
        (
            "a tenant that is a path",
            bearer(issuer.sign(&with(&|c| c["tid"] = json!("../../keys")))),
            "not a configured tenant",
        ),
        (
            "another tenant's issuer",
            bearer(issuer.sign(&with(&|c| {
                c["iss"] = json!(format!("https://sts.windows.net/{STRANGER}/"))
            }))),
            "issuer",
        ),
        (
            "no role",
            bearer(issuer.sign(&with(&|c| {
                if let Some(m) = c.as_object_mut() {
                    m.remove("roles");
                }
            }))),
            "ActionGroupsSecureWebhook",
        ),
        (
            "another role",
            bearer(issuer.sign(&with(&|c| c["roles"] = json!(["Reader"])))),
            "ActionGroupsSecureWebhook",
        ),
        (
            "signed by another key under the tenant's key id",
            bearer(impostor.sign(&good)),
            "signature does not verify",
        ),
        (
            "signed by a key the tenant does not have",
            bearer(stranger_key.sign(&good)),
            "not among the tenant's keys",
        ),
    ];
    let route = format!("service-health?code={FUNCTION_KEY}");
    let mut sent = Vec::new();
    for (case, authorization, words) in cases {
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(a) = &authorization {
            headers.push(("Authorization", a.as_str()));
            sent.push(a.clone());
        }
        let reply = host.http("POST", &route, &headers, ALERT).await;
        assert_refused(&reply, 401, words, case);
    }

    // The control: a valid token is accepted (this test event is acknowledged).
    let valid = format!("Bearer {}", issuer.sign(&good));
    let headers = [
        ("Content-Type", "application/json"),
        ("Authorization", valid.as_str()),
    ];
    let reply = host.http("POST", &route, &headers, ALERT).await;
    assert_eq!(reply.status, 202, "{}", reply.text());
    // A valid token may not name another configured tenant in ?tenant=.
    let other = format!("{route}&tenant={SECOND_TENANT}");
    let reply = host.http("POST", &other, &headers, ALERT).await;
    assert_refused(
        &reply,
        403,
        "not the tenant named in ?tenant",
        "?tenant mismatch",
    );
    let hostile = format!("{route}&tenant=..%2F..%2Faccounts");
    let reply = host.http("POST", &hostile, &headers, ALERT).await;
    assert_refused(&reply, 400, "?tenant", "?tenant that is a path");

    let stderr = host.stderr();
    sent.push(valid);
    for token in sent.iter().filter(|t| t.len() > 40) {
        let secret = token.trim_start_matches("Bearer ");
        assert!(!stderr.contains(secret), "a bearer token was logged");
    }
    assert!(
        !stderr.contains(FUNCTION_KEY),
        "the function key was logged"
    );
}
