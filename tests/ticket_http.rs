//! The shared ticket HTTP layer against a loopback fake: retries, `Retry-After`, bounded
//! attempts, error mapping, no secret in errors.

mod ticket_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use stepup::secret::Secret;
use stepup::tickets::http::{Auth, HttpClient, RetryPolicy};
use stepup::tickets::TicketError;
use ticket_support::fake_server::{FakeResponse, FakeServer, Fault, Route};

async fn echo() -> FakeServer {
    FakeServer::start(Arc::new(|req| {
        let auth = req.header("authorization").unwrap_or_default().to_string();
        FakeResponse::json(
            200,
            &serde_json::json!({
                "method": req.method,
                "path": req.segments,
                "query": req.query,
                "auth": auth,
                "body": req.json(),
            }),
        )
    }))
    .await
}

fn client(server: &FakeServer) -> HttpClient {
    HttpClient::new(
        "fake",
        &server.base_url(),
        "STEPUP_FAKE_URL",
        Auth::Bearer {
            token: Secret::new("s3cr3t-token"),
            setting: "STEPUP_FAKE_TOKEN",
        },
        RetryPolicy::fast(),
    )
    .expect("client")
}

#[tokio::test]
async fn sends_auth_query_and_json() {
    let server = echo().await;
    let http = client(&server);
    let resp = http
        .post(&["a b", "c"])
        .query(&[("x", "1 2")])
        .json(&serde_json::json!({"k": "v"}))
        .send()
        .await
        .expect("send");
    let v: serde_json::Value = resp.json().expect("json");
    assert_eq!(v["method"], "POST");
    assert_eq!(v["path"], serde_json::json!(["a b", "c"]));
    assert_eq!(v["query"]["x"], "1 2");
    assert_eq!(v["auth"], "Bearer s3cr3t-token");
    assert_eq!(v["body"]["k"], "v");
}

#[tokio::test]
async fn honours_retry_after_then_succeeds() {
    let server = echo().await;
    let http = client(&server);
    server
        .faults
        .push(Route::new("GET", "items"), &[Fault::retry_after(503, 1)]);
    let start = Instant::now();
    http.get(&["items"]).send().await.expect("second attempt");
    assert!(start.elapsed() >= Duration::from_millis(950));
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn persistent_500_is_bounded_and_a_post_is_not_repeated() {
    let server = echo().await;
    let http = client(&server);
    server.faults.push(Route::any(), &[Fault::status(500); 20]);
    let err = http.get(&["items"]).send().await.expect_err("500");
    assert!(matches!(err, TicketError::Failed { .. }), "{err}");
    assert_eq!(server.requests(), RetryPolicy::fast().max_attempts);
    let err = http.post(&["items"]).send().await.expect_err("500");
    assert!(err.to_string().contains("500"), "{err}");
    assert_eq!(server.requests(), RetryPolicy::fast().max_attempts + 1);
}

#[tokio::test]
async fn unauthorized_names_the_setting_not_the_secret() {
    let server = echo().await;
    let http = client(&server);
    server.faults.push(Route::any(), &[Fault::status(403)]);
    let err = http.get(&["items"]).send().await.expect_err("403");
    assert!(matches!(err, TicketError::Unauthorized { .. }), "{err}");
    let text = format!("{err} {err:?}");
    assert!(text.contains("STEPUP_FAKE_TOKEN"), "{text}");
    assert!(!text.contains("s3cr3t"), "{text}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn exhausted_429_is_throttled() {
    let server = echo().await;
    let http = client(&server);
    server
        .faults
        .push(Route::any(), &[Fault::retry_after(429, 0); 10]);
    let err = http.get(&["items"]).send().await.expect_err("429");
    assert!(matches!(err, TicketError::Throttled { .. }), "{err}");
}

#[tokio::test]
async fn refuses_a_next_link_to_another_origin() {
    let server = echo().await;
    let http = client(&server);
    let url = reqwest::Url::parse("https://evil.example/steal").expect("url");
    let err = http
        .request_url(reqwest::Method::GET, url)
        .send()
        .await
        .expect_err("other origin");
    assert!(err.to_string().contains("another origin"), "{err}");
    assert_eq!(server.requests(), 0);
}
