//! Turns one request from the host into one response. Never rejects, never panics: every
//! failure is a status code with a one-line reason.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use bytes::{Buf, Bytes, BytesMut};
use futures_util::{FutureExt, Stream, StreamExt};
use serde_json::json;
use warp::http::{HeaderMap, Method, StatusCode};
use warp::reply::Response;

use super::forwarded::{ForwardedRequest, HttpReply};
use super::invocation::{InvocationRequest, InvocationResponse};
use super::log::InvocationLog;
use super::registry::{HandlerError, Registry};
use super::server::MAX_BODY_BYTES;

/// The header the host sets on every invocation.
pub(crate) const INVOCATION_ID: &str = "x-azure-functions-invocationid";

/// Everything the shim needs from one HTTP request.
pub(crate) struct Incoming<S> {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: S,
}

/// Answers one request.
pub(crate) async fn dispatch<S, B>(registry: Arc<Registry>, incoming: Incoming<S>) -> Response
where
    S: Stream<Item = Result<B, warp::Error>> + Unpin,
    B: Buf,
{
    let invocation_id = incoming
        .headers
        .get(INVOCATION_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let path = incoming.path.trim_end_matches('/').to_string();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();

    match segments.as_slice() {
        ["api", route @ ..] if !route.is_empty() => {
            let route = route.join("/");
            let Some(handler) = registry.find_route(&route) else {
                return error(
                    StatusCode::NOT_FOUND,
                    &format!("no HTTP function is routed at /api/{route}"),
                );
            };
            let body = match read_body(&incoming.headers, incoming.body).await {
                Ok(b) => b,
                Err(reply) => return reply,
            };
            let log = InvocationLog::new(&route, &invocation_id);
            let request = ForwardedRequest {
                method: incoming.method,
                route,
                query: incoming.query,
                headers: incoming.headers,
                body,
            };
            let outcome = AssertUnwindSafe(handler.handle(request, &log))
                .catch_unwind()
                .await;
            match outcome {
                Ok(reply) => http_reply(reply),
                Err(_) => {
                    log.error("handler panicked");
                    error(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "the handler failed unexpectedly",
                    )
                }
            }
        }
        [name] if !name.is_empty() => {
            let name = name.to_string();
            let Some(handler) = registry.find_function(&name) else {
                let known: Vec<&str> = registry.function_names().collect();
                return error(
                    StatusCode::NOT_FOUND,
                    &format!("unknown function {name:?} (known: {})", known.join(", ")),
                );
            };
            if incoming.method != Method::POST {
                return error(
                    StatusCode::METHOD_NOT_ALLOWED,
                    &format!("invocations are POSTed, not {}", incoming.method),
                );
            }
            let body = match read_body(&incoming.headers, incoming.body).await {
                Ok(b) => b,
                Err(reply) => return reply,
            };
            if let Err(reason) = invocation_media_type(&incoming.headers) {
                return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, &reason);
            }
            let request = match InvocationRequest::parse(&body) {
                Ok(r) => r,
                Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
            };
            let log = InvocationLog::new(&name, &invocation_id);
            let outcome = AssertUnwindSafe(handler.invoke(request, &log))
                .catch_unwind()
                .await;
            let (status, mut response, reason) = match outcome {
                Ok(Ok(response)) => (StatusCode::OK, response, None),
                Ok(Err(e @ HandlerError::BadInput(_))) => (
                    StatusCode::BAD_REQUEST,
                    InvocationResponse::default(),
                    Some(e.to_string()),
                ),
                Ok(Err(e)) => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    InvocationResponse::default(),
                    Some(e.to_string()),
                ),
                Err(_) => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    InvocationResponse::default(),
                    Some("the handler failed unexpectedly".to_string()),
                ),
            };
            if let Some(reason) = &reason {
                log.error(reason);
            }
            let mut logs = log.lines();
            logs.append(&mut response.logs);
            response.logs = logs;
            let mut body = match serde_json::to_value(&response) {
                Ok(v) => v,
                Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            };
            if let (Some(reason), Some(obj)) = (reason, body.as_object_mut()) {
                obj.insert("error".into(), json!(one_line(&reason)));
            }
            json_response(status, &body)
        }
        _ => error(
            StatusCode::NOT_FOUND,
            "nothing here: invocations go to /<FunctionName>, HTTP functions to /api/<route>",
        ),
    }
}

/// Invocations are JSON: the host posts them with `Content-Type: application/json;
/// charset=utf-8`. Anything else is refused with the reason.
fn invocation_media_type(headers: &HeaderMap) -> Result<(), String> {
    let media = headers
        .get(warp::http::header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    match media.as_deref() {
        Some("application/json" | "text/json") => Ok(()),
        Some(other) => Err(format!(
            "invocations are JSON: expected Content-Type application/json, got {:?}",
            other.chars().take(80).collect::<String>()
        )),
        None => Err("missing Content-Type: invocations are application/json".into()),
    }
}

/// Reads the body up to the limit; a larger one is a 413 before or while reading.
async fn read_body<S, B>(headers: &HeaderMap, mut body: S) -> Result<Bytes, Response>
where
    S: Stream<Item = Result<B, warp::Error>> + Unpin,
    B: Buf,
{
    let too_large = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("request body exceeds {MAX_BODY_BYTES} bytes"),
        )
    };
    let declared = headers
        .get(warp::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        if declared.is_some_and(|n| n <= DRAIN_BYTES as u64) {
            drain(&mut body, 0).await;
        }
        return Err(too_large());
    }
    let mut buf = BytesMut::with_capacity(declared.unwrap_or(0) as usize);
    while let Some(chunk) = body.next().await {
        let mut chunk = chunk.map_err(|e| {
            error(
                StatusCode::BAD_REQUEST,
                &format!("could not read the request body: {e}"),
            )
        })?;
        if buf.len() + chunk.remaining() > MAX_BODY_BYTES {
            drain(&mut body, buf.len() + chunk.remaining()).await;
            return Err(too_large());
        }
        while chunk.has_remaining() {
            let part = chunk.chunk();
            let n = part.len();
            buf.extend_from_slice(part);
            chunk.advance(n);
        }
    }
    Ok(buf.freeze())
}

/// How much of an oversized body is read and discarded before the 413, so that a client still
/// sending gets the answer instead of a reset connection. Larger bodies are cut off.
const DRAIN_BYTES: usize = 4 * 1024 * 1024;

/// Reads and discards the rest of a body, up to [`DRAIN_BYTES`] in all.
async fn drain<S, B>(body: &mut S, mut seen: usize)
where
    S: Stream<Item = Result<B, warp::Error>> + Unpin,
    B: Buf,
{
    while seen <= DRAIN_BYTES {
        match body.next().await {
            Some(Ok(chunk)) => seen += chunk.remaining(),
            _ => break,
        }
    }
}

fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut response = Response::new(body.to_string().into());
    *response.status_mut() = status;
    response.headers_mut().insert(
        warp::http::header::CONTENT_TYPE,
        warp::http::HeaderValue::from_static("application/json"),
    );
    response
}

fn error(status: StatusCode, reason: &str) -> Response {
    json_response(status, &json!({ "error": one_line(reason) }))
}

fn http_reply(reply: HttpReply) -> Response {
    let mut response = Response::new(reply.body.into());
    *response.status_mut() = reply.status;
    response.headers_mut().insert(
        warp::http::header::CONTENT_TYPE,
        warp::http::HeaderValue::from_static(reply.content_type),
    );
    response
}
