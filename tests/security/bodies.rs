//! What every endpoint of the real binary does with bodies it should not take: larger than
//! 256 KiB (declared, or streamed in chunks without a length) is a 413; a content type that
//! is not JSON is a 415; malformed JSON is a 400; the wrong method a 405; an unknown path a
//! 404 — each with a one-line reason, on the HTTP routes and on the invocation routes the
//! host calls.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::activity::TOKEN;
use crate::chat_hmac::assert_refused;
use crate::support::emulator::{HostEmulator, FUNCTION_KEY};
use crate::support::replies::{reason_of, HttpReply};

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const LIMIT: usize = 256 * 1024;
const FUNCTIONS: [&str; 4] = ["scan", "digest", "scan-worker", "notify-worker"];

async fn start(state: &tempfile::TempDir) -> HostEmulator {
    HostEmulator::start_with_env(&[
        ("STEPUP_TENANT_ID", TENANT),
        ("STEPUP_TEAMS_HMAC_SECRET", TOKEN),
        ("STEPUP_STATE_DIR", &state.path().display().to_string()),
    ])
    .await
}

/// The HTTP routes as the host exposes them (service-health needs the function key).
fn routes() -> [String; 2] {
    [
        "teams".to_string(),
        format!("service-health?code={FUNCTION_KEY}"),
    ]
}

/// A request straight to the handler (as only the host could send it).
async fn direct(
    host: &HostEmulator,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (u16, String) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = reqwest::Client::new()
        .request(method, format!("http://127.0.0.1:{}{path}", host.port()))
        .header(
            "X-Azure-Functions-InvocationId",
            "3f1c0c56-5b1e-4c1e-9d5e-000000000001",
        )
        .body(body);
    if let Some(c) = content_type {
        request = request.header("Content-Type", c);
    }
    let response = request.send().await.expect("the handler answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

fn assert_reason(status: u16, want: u16, body: &str, words: &str, case: &str) {
    assert_eq!(status, want, "{case}: {body}");
    let reason = reason_of(body.as_bytes())
        .unwrap_or_else(|| panic!("{case}: no one-line reason in {body:?}"));
    assert!(reason.contains(words), "{case}: {reason:?} lacks {words:?}");
}

#[tokio::test]
async fn oversized_bodies_are_413_on_every_route() {
    let state = tempfile::tempdir().expect("state");
    let host = start(&state).await;
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(LIMIT));
    for route in routes() {
        let reply: HttpReply = host
            .http(
                "POST",
                &route,
                &[("Content-Type", "application/json")],
                big.clone(),
            )
            .await;
        assert_refused(&reply, 413, "exceeds 262144 bytes", &route);
    }
    for function in FUNCTIONS {
        let invocation = host.invoke_raw(function, big.clone()).await;
        assert_reason(
            invocation.status,
            413,
            &invocation.body,
            "exceeds 262144 bytes",
            function,
        );
    }
    // Exactly at the limit is read (and refused for what it is, not for its size).
    let at_limit = format!("{{\"p\":\"{}\"}}", "x".repeat(LIMIT - 8));
    assert_eq!(at_limit.len(), LIMIT);
    let invocation = host.invoke_raw("scan", at_limit).await;
    assert_ne!(invocation.status, 413, "{}", invocation.body);
}

/// Sends `total` bytes of body in 64 KiB chunks, without a length, and reads the answer.
async fn chunked(port: u16, path: &str, total: usize) -> String {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent < total {
        let frame = [
            format!("{:x}\r\n", chunk.len()).into_bytes(),
            chunk.clone(),
            b"\r\n".to_vec(),
        ]
        .concat();
        if stream.write_all(&frame).await.is_err() {
            break; // the server answered and closed early: fine, the answer is read below
        }
        sent += chunk.len();
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer));
    let _ = read.await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn bodies_without_a_length_are_cut_at_the_limit() {
    let state = tempfile::tempdir().expect("state");
    let host = start(&state).await;
    for path in ["/api/teams", "/api/service-health", "/scan"] {
        let answer = chunked(host.port(), path, LIMIT + 64 * 1024).await;
        assert!(
            answer.starts_with("HTTP/1.1 413"),
            "{path}: {}",
            answer.lines().next().unwrap_or_default()
        );
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        assert!(body.contains("exceeds 262144 bytes"), "{path}: {body}");
    }
}

#[tokio::test]
async fn content_types_that_are_not_json_are_415() {
    let state = tempfile::tempdir().expect("state");
    let host = start(&state).await;
    let json = b"{\"type\":\"message\"}".to_vec();
    for route in routes() {
        for content_type in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=xyz"),
            Some("application/xml"),
            Some("application/jsonp"),
            None,
        ] {
            let headers: Vec<(&str, &str)> =
                content_type.iter().map(|c| ("Content-Type", *c)).collect();
            let reply = host.http("POST", &route, &headers, json.clone()).await;
            let case = format!("{route} as {content_type:?}");
            assert_refused(&reply, 415, "application/json", &case);
        }
        // JSON with parameters or in another case is JSON.
        let reply = host
            .http(
                "POST",
                &route,
                &[("Content-Type", "Application/JSON; charset=utf-8")],
                json.clone(),
            )
            .await;
        assert_ne!(reply.status, 415, "{route}: {}", reply.text());
    }
    let envelope = b"{\"Data\":{},\"Metadata\":{}}".to_vec();
    for function in FUNCTIONS {
        let path = format!("/{function}");
        for content_type in [Some("text/plain"), Some("application/octet-stream"), None] {
            let (status, body) = direct(&host, "POST", &path, content_type, envelope.clone()).await;
            let case = format!("{function} as {content_type:?}");
            assert_reason(status, 415, &body, "application/json", &case);
        }
    }
}

#[tokio::test]
async fn malformed_json_methods_and_paths_get_a_reason() {
    let state = tempfile::tempdir().expect("state");
    let host = start(&state).await;
    let route = format!("service-health?code={FUNCTION_KEY}");
    for (body, words) in [
        ("{not json", "not valid JSON"),
        ("", "not valid JSON"),
        ("[1,2]", "schemaId"),
        ("{\"schemaId\": 42}", "schema"),
    ] {
        let reply = host
            .http(
                "POST",
                &route,
                &[("Content-Type", "application/json")],
                body,
            )
            .await;
        assert!(
            (400..500).contains(&reply.status),
            "{body:?}: {}",
            reply.text()
        );
        let reason = reply.reason().unwrap_or_default();
        assert!(reason.contains(words), "{body:?}: {reason}");
    }
    for function in FUNCTIONS {
        for body in ["{not json", "", "[1]", "{\"Data\": 3}"] {
            let invocation = host.invoke_raw(function, body).await;
            assert_reason(invocation.status, 400, &invocation.body, "", function);
        }
    }
    // Methods the host would never forward or use, straight to the handler.
    for path in ["/api/teams", "/api/service-health"] {
        let (status, body) = direct(&host, "GET", path, None, Vec::new()).await;
        assert_reason(status, 405, &body, "only POST", path);
    }
    let (status, body) = direct(&host, "GET", "/scan", None, Vec::new()).await;
    assert_reason(status, 405, &body, "POSTed", "GET /scan");
    for path in [
        "/api/nope",
        "/api/..%2Fscan",
        "/nope",
        "/a/b/c",
        "/..%2F..%2Fetc%2Fpasswd",
    ] {
        let (status, body) = direct(
            &host,
            "POST",
            path,
            Some("application/json"),
            b"{}".to_vec(),
        )
        .await;
        assert_reason(status, 404, &body, "", path);
    }
}
