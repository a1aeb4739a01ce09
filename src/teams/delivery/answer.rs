//! What a webhook's answer means. The two kinds of Teams webhook answer differently:
//!
//! - Workflows ("When a Teams webhook request is received"): `202 Accepted` with an empty
//!   body; a flow with a Response action may answer `200`. Power Automate throttles with
//!   `429` and `Retry-After`; a disabled or deleted flow answers 401/403/404.
//! - Legacy incoming webhooks (Office 365 connectors): `200` with the body `1`, or (since
//!   2023) a JSON blob with `"isSuccessStatusCode": true`. Their errors often come as a
//!   `200` too, with a text body: `Webhook message delivery failed with error: Microsoft
//!   Teams endpoint returned HTTP error 429 with ContextId …` (MicrosoftDocs/msteams-docs
//!   #1810, #7425), or a `System.Net.Http.HttpRequestException` text; sometimes a real 429.
//!
//! A `200` whose body is none of these is taken as delivered (retrying it could post twice).

use std::time::Duration;

/// The meaning of one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Delivered.
    Accepted,
    /// Throttled: wait `retry_after` (when given) and try again.
    Throttled {
        /// The server's hint.
        retry_after: Option<Duration>,
    },
    /// A server-side failure worth retrying.
    ServerError {
        /// The status (the one inside a legacy text answer, when there is one).
        status: u16,
        /// The server's hint.
        retry_after: Option<Duration>,
    },
    /// 401/403/404: the webhook is not (or no longer) valid.
    Unauthorized {
        /// The status.
        status: u16,
    },
    /// This message is refused (400, 413, …).
    Rejected {
        /// The status.
        status: u16,
        /// What the server said, one line.
        message: String,
    },
}

impl Answer {
    /// Whether another attempt may help.
    pub fn retryable(&self) -> bool {
        matches!(self, Answer::Throttled { .. } | Answer::ServerError { .. })
    }

    /// The server's `Retry-After`, when it gave one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Answer::Throttled { retry_after } | Answer::ServerError { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }
}

/// Reads an answer: its status, `Retry-After` and body.
pub fn classify(status: u16, retry_after: Option<Duration>, body: &[u8]) -> Answer {
    match status {
        200..=299 => classify_success(body),
        _ => by_status(status, retry_after, snippet(body)),
    }
}

fn by_status(status: u16, retry_after: Option<Duration>, message: String) -> Answer {
    match status {
        200..=299 => Answer::Accepted,
        429 => Answer::Throttled { retry_after },
        401 | 403 | 404 | 410 => Answer::Unauthorized { status },
        500..=599 => Answer::ServerError {
            status,
            retry_after,
        },
        _ => Answer::Rejected { status, message },
    }
}

/// A 2xx answer: delivered, unless the body is a legacy connector's error text.
fn classify_success(body: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() || text == "1" {
        return Answer::Accepted;
    }
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(text) {
        if let Some(ok) = json.get("isSuccessStatusCode").and_then(|v| v.as_bool()) {
            if ok {
                return Answer::Accepted;
            }
            let status = json
                .get("statusCode")
                .and_then(|v| v.as_u64())
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(500);
            return by_status(status, None, snippet(text.as_bytes()));
        }
        return Answer::Accepted;
    }
    if let Some(status) = embedded_status(text) {
        return by_status(status, None, snippet(text.as_bytes()));
    }
    if text.contains("delivery failed") || text.starts_with("System.") {
        return Answer::ServerError {
            status: 502,
            retry_after: None,
        };
    }
    Answer::Accepted
}

/// The status in `… returned HTTP error 429 with ContextId …`.
fn embedded_status(text: &str) -> Option<u16> {
    let rest = &text[text.find("HTTP error ")? + "HTTP error ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|s| (100..600).contains(s))
}

/// The first 200 characters of a body, on one line.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEGACY_429: &str = "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=deadbeef.0..";

    #[test]
    fn successes_of_both_kinds() {
        assert_eq!(classify(202, None, b""), Answer::Accepted, "Workflows");
        assert_eq!(classify(200, None, b"1"), Answer::Accepted, "legacy");
        let blob = br#"{"version":"1.1","content":{"headers":[]},"statusCode":200,"reasonPhrase":"OK","isSuccessStatusCode":true}"#;
        assert_eq!(classify(200, None, blob), Answer::Accepted, "legacy JSON");
        assert_eq!(classify(200, None, b"ok, thanks"), Answer::Accepted);
    }

    #[test]
    fn legacy_errors_inside_a_200() {
        assert_eq!(
            classify(200, None, LEGACY_429.as_bytes()),
            Answer::Throttled { retry_after: None }
        );
        let too_big = LEGACY_429.replace("429", "413");
        assert!(matches!(
            classify(200, None, too_big.as_bytes()),
            Answer::Rejected { status: 413, .. }
        ));
        let server = LEGACY_429.replace("429", "500");
        assert!(classify(200, None, server.as_bytes()).retryable());
        assert!(classify(
            200,
            None,
            b"System.Net.Http.HttpRequestException: Error while copying content"
        )
        .retryable());
        let blob = br#"{"statusCode":429,"isSuccessStatusCode":false}"#;
        assert!(matches!(
            classify(200, None, blob),
            Answer::Throttled { .. }
        ));
    }

    #[test]
    fn statuses() {
        let wait = Some(Duration::from_secs(3));
        assert_eq!(
            classify(429, wait, b"{}"),
            Answer::Throttled { retry_after: wait }
        );
        assert_eq!(classify(429, wait, b"").retry_after(), wait);
        assert!(classify(503, None, b"").retryable());
        assert!(matches!(
            classify(401, None, b""),
            Answer::Unauthorized { status: 401 }
        ));
        assert!(matches!(
            classify(404, None, b""),
            Answer::Unauthorized { .. }
        ));
        let bad = classify(
            400,
            None,
            b"{\"error\":{\"code\":\"InvalidRequestContent\"}}",
        );
        assert!(!bad.retryable());
        assert!(
            matches!(bad, Answer::Rejected { status: 400, ref message } if message.contains("InvalidRequestContent"))
        );
    }
}
