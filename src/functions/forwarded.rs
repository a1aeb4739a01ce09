//! HTTP requests the host forwards unchanged (`enableForwardingHttpRequest`), and replies.

use bytes::Bytes;
use serde::Serialize;
use warp::http::{HeaderMap, Method, StatusCode};

/// A request as the client sent it to the function app, forwarded by the host.
#[derive(Debug, Clone)]
pub struct ForwardedRequest {
    /// The HTTP method.
    pub method: Method,
    /// The route below `/api/` (`teams`, `service-health`).
    pub route: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    /// The request headers.
    pub headers: HeaderMap,
    /// The raw body (at most [`crate::functions::MAX_BODY_BYTES`]).
    pub body: Bytes,
}

impl ForwardedRequest {
    /// A header's value as text, when present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The media type of `Content-Type`, lowercased, without parameters.
    pub fn content_type(&self) -> Option<String> {
        self.header("content-type")
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
    }
}

/// A reply to a forwarded request.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpReply {
    /// The status code.
    pub status: StatusCode,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: Bytes,
}

impl HttpReply {
    /// A JSON reply.
    pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => Self {
                status,
                content_type: "application/json",
                body: body.into(),
            },
            Err(e) => Self::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("reply not serialisable: {e}"),
            ),
        }
    }

    /// An error reply: `{"error": "<one-line reason>"}`.
    pub fn error(status: StatusCode, reason: &str) -> Self {
        let one_line: String = reason.replace(['\r', '\n'], " ");
        let body = serde_json::json!({ "error": one_line }).to_string();
        Self {
            status,
            content_type: "application/json",
            body: body.into(),
        }
    }
}
