//! The handler's answers, read the way the Functions host reads them.
//!
//! For a non-HTTP invocation the host calls `EnsureSuccessStatusCode` (any non-2xx fails the
//! invocation: a queue message is retried, then moved to `<queue>-poison`), then reads the body
//! with a JSON media-type formatter into `{"Outputs": {…}, "Logs": […], "ReturnValue": …}`. It
//! keeps only outputs named like one of the function's output bindings, and for every
//! non-binary output it first tries `Convert.FromBase64String` on a string value: a string
//! that happens to be valid base64 is written as the decoded bytes.

use serde_json::{Map, Value};

/// A reply to a non-HTTP invocation.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The function invoked.
    pub function: String,
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body as text.
    pub body: String,
}

/// What the host takes from a successful invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct InvocationResult {
    /// Output values by binding name.
    pub outputs: Map<String, Value>,
    /// Lines the host writes to the function's log.
    pub logs: Vec<String>,
    /// The `$return` value.
    pub return_value: Value,
}

impl Invocation {
    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// The one-line reason of a failed invocation (see [`reason_of`]).
    pub fn reason(&self) -> Option<String> {
        reason_of(self.body.as_bytes())
    }

    /// The invocation as the host reads it, or why the host would fail it.
    pub fn result(&self) -> Result<InvocationResult, String> {
        let context = || format!("{} answered {}: {}", self.function, self.status, self.body);
        if !(200..300).contains(&self.status) {
            return Err(format!("non-success status; {}", context()));
        }
        let media = self
            .content_type
            .as_deref()
            .and_then(|c| c.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase());
        if !matches!(media.as_deref(), Some("application/json" | "text/json")) {
            return Err(format!(
                "Content-Type {:?} is not JSON, the host cannot read it; {}",
                self.content_type,
                context()
            ));
        }
        let Some(Value::Object(body)) = self.json() else {
            return Err(format!("body is not a JSON object; {}", context()));
        };
        let outputs = match body.get("Outputs") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(o)) => o.clone(),
            Some(other) => return Err(format!("Outputs is {other}, not an object; {}", context())),
        };
        let logs = match body.get("Logs") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(lines)) => lines
                .iter()
                .map(|l| match l {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(format!(
                        "a log line is {other}, not a string; {}",
                        context()
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(other) => return Err(format!("Logs is {other}, not an array; {}", context())),
        };
        Ok(InvocationResult {
            outputs,
            logs,
            return_value: body.get("ReturnValue").cloned().unwrap_or(Value::Null),
        })
    }
}

/// A reply to a forwarded HTTP request, or the host's own answer (no function matched, or
/// the function key was missing).
#[derive(Debug, Clone)]
pub struct HttpReply {
    /// The HTTP status.
    pub status: u16,
    /// The response headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
    /// Whether the handler produced it (false: the host answered without calling it).
    pub from_handler: bool,
}

impl HttpReply {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The one-line reason of an error reply (see [`reason_of`]).
    pub fn reason(&self) -> Option<String> {
        reason_of(&self.body)
    }
}

/// A reason as the shim gives it: the `error` string of a JSON object, or a body of one
/// non-empty line of text. `None` when the body is neither.
pub fn reason_of(body: &[u8]) -> Option<String> {
    if let Ok(Value::Object(o)) = serde_json::from_slice::<Value>(body) {
        return o
            .get("error")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|r| !r.is_empty() && !r.contains('\n'))
            .map(str::to_string);
    }
    let text = std::str::from_utf8(body).ok()?.trim();
    (!text.is_empty() && !text.contains('\n')).then(|| text.to_string())
}

/// Whether .NET's `Convert.FromBase64String` accepts `s` (whitespace ignored, length a
/// multiple of 4, at most two `=` at the end).
pub fn dotnet_accepts_base64(s: &str) -> bool {
    let chars: Vec<char> = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
        .collect();
    if !chars.len().is_multiple_of(4) {
        return false;
    }
    let padding = chars.iter().rev().take_while(|&&c| c == '=').count();
    padding <= 2
        && chars[..chars.len() - padding]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/'))
}

/// The messages the host enqueues for a queue output binding's value: one per array item,
/// objects as JSON text, strings as they are. A string .NET would take for base64 is an
/// error: the host would enqueue its decoded bytes instead of the text.
pub fn queue_messages(value: &Value) -> Result<Vec<String>, String> {
    let one = |v: &Value| -> Result<String, String> {
        match v {
            Value::String(s) if dotnet_accepts_base64(s) => Err(format!(
                "queue message {s:?} looks like base64; the host would enqueue its decoded bytes"
            )),
            Value::String(s) => Ok(s.clone()),
            other => Ok(other.to_string()),
        }
    };
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items.iter().map(one).collect(),
        other => Ok(vec![one(other)?]),
    }
}
