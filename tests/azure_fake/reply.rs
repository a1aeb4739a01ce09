//! Answers: status, headers, body, how the body is delivered (normally, held, truncated),
//! and the error shapes of Graph, ARM and the Entra token authority.

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};

use super::counters::Outcome;
use super::faults::TruncateMode;

/// How the body reaches the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// All at once.
    Normal,
    /// After waiting this long.
    Hold(Duration),
    /// Cut short.
    Truncate(TruncateMode),
}

/// One answer.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    /// The status.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The body (JSON).
    pub body: Vec<u8>,
    /// How it is delivered.
    pub delivery: Delivery,
    /// How to count it.
    pub outcome: Outcome,
}

impl Reply {
    /// A 200 JSON answer counting `records`.
    pub(crate) fn ok(body: Vec<u8>, records: u64) -> Self {
        Self {
            status: 200,
            headers: Vec::new(),
            body,
            delivery: Delivery::Normal,
            outcome: Outcome::Served(records),
        }
    }

    /// A JSON answer with `status`, counted by status class.
    pub(crate) fn json(status: u16, value: &Value) -> Self {
        let outcome = match status {
            200..=299 => Outcome::Served(0),
            401 => Outcome::Unauthorized,
            429 => Outcome::Throttled,
            500..=599 => Outcome::Fault,
            _ => Outcome::Rejected,
        };
        Self {
            status,
            headers: Vec::new(),
            body: serde_json::to_vec(value).unwrap_or_default(),
            delivery: Delivery::Normal,
            outcome,
        }
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Marks the answer as an injected fault.
    pub(crate) fn fault(mut self) -> Self {
        self.outcome = Outcome::Fault;
        self
    }
}

fn request_id() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Graph's error shape: `{"error":{"code","message","innerError":{…}}}`.
pub(crate) fn graph_error(status: u16, code: &str, message: &str) -> Reply {
    let id = request_id();
    Reply::json(
        status,
        &json!({"error": {"code": code, "message": message,
            "innerError": {"date": now(), "request-id": id, "client-request-id": id}}}),
    )
}

/// ARM's error shape: `{"error":{"code","message"}}`.
pub(crate) fn arm_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        &json!({"error": {"code": code, "message": message}}),
    )
}

/// The token authority's error shape (`error`, `error_description` starting with the
/// AADSTS code, `error_codes`, …).
pub(crate) fn aad_error(status: u16, error: &str, code: u32, description: &str) -> Reply {
    let trace = request_id();
    Reply::json(
        status,
        &json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {description} Trace ID: {trace} Correlation ID: {trace} Timestamp: {}", now()),
            "error_codes": [code],
            "timestamp": now(),
            "trace_id": trace,
            "correlation_id": trace,
            "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
        }),
    )
}

/// Whose error shape an injected status uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Microsoft Graph.
    Graph,
    /// Azure Resource Manager.
    Arm,
    /// The token authority.
    Aad,
    /// The managed-identity endpoint.
    Msi,
}

/// The answer for an injected status in `shape`'s form.
pub(crate) fn injected(shape: Shape, status: u16) -> Reply {
    let (graph_code, arm_code, aad_error_name, text) = match status {
        503 => (
            "serviceNotAvailable",
            "ServiceUnavailable",
            "temporarily_unavailable",
            "The service is temporarily unavailable.",
        ),
        504 => (
            "gatewayTimeout",
            "GatewayTimeout",
            "temporarily_unavailable",
            "The gateway timed out.",
        ),
        429 => (
            "TooManyRequests",
            "TooManyRequests",
            "temporarily_unavailable",
            "Too many requests.",
        ),
        _ => (
            "generalException",
            "InternalServerError",
            "server_error",
            "An internal server error occurred.",
        ),
    };
    let r = match shape {
        Shape::Graph => graph_error(status, graph_code, text),
        Shape::Arm => arm_error(status, arm_code, text),
        Shape::Aad => aad_error(status, aad_error_name, 90033, text),
        Shape::Msi => msi_error(status, text),
    };
    r.fault()
}

/// The App Service managed-identity endpoint's error shape.
pub(crate) fn msi_error(status: u16, message: &str) -> Reply {
    Reply::json(
        status,
        &json!({"statusCode": status, "message": message, "correlationId": request_id()}),
    )
}

/// Applies `action` (an injected fault, if any) to the answer `ok` builds.
pub(crate) fn with_fault(
    action: Option<super::faults::FaultAction>,
    shape: Shape,
    ok: impl FnOnce() -> Reply,
) -> Reply {
    use super::faults::FaultAction;
    match action {
        None => ok(),
        Some(FaultAction::Status(status, retry_after)) => {
            let r = injected(shape, status);
            match retry_after {
                Some(s) => r.header("Retry-After", s.to_string()),
                None => r,
            }
        }
        Some(FaultAction::Hold(d)) => {
            let mut r = ok().fault();
            r.delivery = Delivery::Hold(d);
            r
        }
        Some(FaultAction::Truncate(mode)) => {
            let mut r = ok().fault();
            r.delivery = Delivery::Truncate(mode);
            r
        }
    }
}
