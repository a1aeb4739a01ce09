//! What went wrong with one API call, said so that an operator can act on it: which call
//! (method, service and path, never the query with its skip tokens), and why (the status and
//! the service's own error code and message, a timeout, a transport failure).

use std::fmt;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The service answered with an error status.
    Status {
        /// The HTTP status.
        status: u16,
        /// The service's error code (`Authorization_RequestDenied`, `AuthorizationFailed`).
        code: Option<String>,
        /// The service's error message, one line, shortened.
        message: Option<String>,
    },
    /// No answer within the attempt's time limit.
    Timeout,
    /// The connection failed.
    Transport(String),
    /// The answer was not the JSON page the API documents.
    Body(String),
    /// No access token could be had for the service.
    Token(String),
    /// A `nextLink` pointed at another origin (the token is never sent there).
    ForeignLink(String),
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Status {
                status,
                code,
                message,
            } => {
                write!(f, "HTTP {status}")?;
                if let Some(code) = code {
                    write!(f, " {code}")?;
                }
                if let Some(message) = message {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
            Reason::Timeout => f.write_str("timed out"),
            Reason::Transport(e) => write!(f, "connection failed: {e}"),
            Reason::Body(e) => write!(f, "unexpected answer: {e}"),
            Reason::Token(e) => write!(f, "no access token: {e}"),
            Reason::ForeignLink(origin) => {
                write!(f, "the next page link points to another origin ({origin})")
            }
        }
    }
}

impl Reason {
    /// Whether another attempt may succeed: throttling, 5xx, timeouts and connection
    /// failures are transient; 4xx answers and malformed bodies are not (a 401 is retried
    /// once with a fresh token by the client itself).
    pub fn transient(&self) -> bool {
        match self {
            Reason::Status { status, .. } => *status == 429 || *status == 408 || *status >= 500,
            Reason::Timeout | Reason::Transport(_) => true,
            Reason::Body(_) | Reason::Token(_) | Reason::ForeignLink(_) => false,
        }
    }

    /// Whether the service throttled the call (429, or 503 with `Retry-After`).
    pub fn throttled(&self) -> bool {
        matches!(self, Reason::Status { status: 429, .. })
    }
}

/// One failed call, after its retries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{call} failed after {attempts} attempt(s): {reason}")]
pub struct CallError {
    /// `GET graph.microsoft.com/beta/auditLogs/signIns`.
    pub call: String,
    /// Attempts made.
    pub attempts: u32,
    /// The last attempt's failure.
    pub reason: Reason,
}

/// Names a call: method, host and path, without the query.
pub fn call_name(method: &str, url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(port) => format!("{method} {host}:{port}{}", url.path()),
        None => format!("{method} {host}{}", url.path()),
    }
}

/// The `error.code` and `error.message` of a Graph or ARM error body (both use
/// `{"error": {"code": …, "message": …}}`), the message on one line and shortened.
pub fn service_error(body: &[u8]) -> (Option<String>, Option<String>) {
    #[derive(serde::Deserialize)]
    struct Envelope {
        error: Option<Inner>,
    }
    #[derive(serde::Deserialize)]
    struct Inner {
        code: Option<String>,
        message: Option<String>,
    }
    match serde_json::from_slice::<Envelope>(body) {
        Ok(Envelope {
            error: Some(Inner { code, message }),
        }) => (code, message.map(|m| one_line(&m))),
        _ => {
            let text = String::from_utf8_lossy(body);
            let text = one_line(&text);
            (None, (!text.is_empty()).then_some(text))
        }
    }
}

/// One line of at most 300 characters.
fn one_line(text: &str) -> String {
    let flat: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(300)
        .collect();
    flat
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_call_without_its_query() {
        let url = url::Url::parse(
            "https://graph.microsoft.com/beta/auditLogs/signIns?$skiptoken=abc&$filter=x",
        )
        .unwrap();
        assert_eq!(
            call_name("GET", &url),
            "GET graph.microsoft.com/beta/auditLogs/signIns"
        );
        let url = url::Url::parse("http://127.0.0.1:8080/subscriptions?api-version=1").unwrap();
        assert_eq!(call_name("GET", &url), "GET 127.0.0.1:8080/subscriptions");
    }

    #[test]
    fn reads_graph_and_arm_error_bodies() {
        let (code, message) = service_error(
            br#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges\n to complete the operation."}}"#,
        );
        assert_eq!(code.as_deref(), Some("Authorization_RequestDenied"));
        assert_eq!(
            message.as_deref(),
            Some("Insufficient privileges to complete the operation.")
        );
        let (code, message) = service_error(b"<html>Bad gateway</html>");
        assert_eq!(code, None);
        assert_eq!(message.as_deref(), Some("<html>Bad gateway</html>"));
        let err = CallError {
            call: "GET graph.microsoft.com/v1.0/users".into(),
            attempts: 1,
            reason: Reason::Status {
                status: 403,
                code: Some("Authorization_RequestDenied".into()),
                message: Some("Insufficient privileges".into()),
            },
        };
        assert_eq!(
            err.to_string(),
            "GET graph.microsoft.com/v1.0/users failed after 1 attempt(s): HTTP 403 Authorization_RequestDenied: Insufficient privileges"
        );
    }

    #[test]
    fn transient_failures_are_retried_and_others_are_not() {
        let status = |status| Reason::Status {
            status,
            code: None,
            message: None,
        };
        assert!(status(429).transient() && status(429).throttled());
        assert!(status(500).transient() && status(503).transient());
        assert!(!status(400).transient() && !status(403).transient());
        assert!(Reason::Timeout.transient());
        assert!(!Reason::Body("x".into()).transient());
    }
}
