//! Typed invocations of non-HTTP triggers, as the Functions host sends them to a custom
//! handler, and the response it reads back.

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Why an invocation's payload could not be understood.
#[derive(Debug, thiserror::Error)]
pub enum InvocationError {
    /// The body was not the host's invocation envelope.
    #[error("malformed invocation: {0}")]
    Envelope(String),
    /// A binding the function needs is absent from `Data`.
    #[error("invocation has no {0:?} binding in Data")]
    MissingBinding(String),
    /// A binding's value has the wrong shape.
    #[error("binding {binding:?}: {message}")]
    Binding {
        /// The binding name.
        binding: String,
        /// What is wrong.
        message: String,
    },
}

/// The host's request for a non-HTTP invocation: `{"Data": {…}, "Metadata": {…}}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct InvocationRequest {
    /// Trigger and input binding values, by binding name.
    #[serde(rename = "Data", default)]
    pub data: Map<String, Value>,
    /// Trigger metadata (`DequeueCount`, `Id`, `InsertionTime`, `sys`, …).
    #[serde(rename = "Metadata", default)]
    pub metadata: Map<String, Value>,
}

impl InvocationRequest {
    /// Parses the host's envelope. Anything but a JSON object with optional object-valued
    /// `Data` and `Metadata` is an error.
    pub fn parse(body: &[u8]) -> Result<Self, InvocationError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(InvocationError::Envelope(
                "empty body; expected {\"Data\": …, \"Metadata\": …}".into(),
            ));
        }
        serde_json::from_slice(body).map_err(|e| InvocationError::Envelope(e.to_string()))
    }

    /// The one binding of a trigger whose name the handler does not want to hard-code: the
    /// value under `name`, or the only entry of `Data` when `name` is absent.
    fn binding(&self, name: &str) -> Result<&Value, InvocationError> {
        if let Some(v) = self.data.get(name) {
            return Ok(v);
        }
        let mut values = self.data.values();
        match (values.next(), values.next()) {
            (Some(v), None) => Ok(v),
            _ => Err(InvocationError::MissingBinding(name.to_string())),
        }
    }

    /// The timer trigger's value.
    pub fn timer(&self, binding: &str) -> Result<TimerInfo, InvocationError> {
        let value = self.binding(binding)?;
        let value = match value {
            // Some host versions send the timer object serialised as a string.
            Value::String(s) => serde_json::from_str(s),
            other => serde_json::from_value(other.clone()),
        };
        value.map_err(|e| InvocationError::Binding {
            binding: binding.to_string(),
            message: format!("not a timer: {e}"),
        })
    }

    /// The queue trigger's message with its metadata.
    pub fn queue(&self, binding: &str) -> Result<QueueMessage, InvocationError> {
        let text = match self.binding(binding)? {
            // The host serialises the message to JSON text once more: a JSON string literal
            // holding the message. The documented older form is the message itself.
            Value::String(s) => match serde_json::from_str::<String>(s) {
                Ok(inner) => inner,
                Err(_) => s.clone(),
            },
            // The host may hand over a JSON message already parsed.
            other @ (Value::Object(_) | Value::Array(_)) => other.to_string(),
            other => {
                return Err(InvocationError::Binding {
                    binding: binding.to_string(),
                    message: format!("a queue message must be a string, got {other}"),
                })
            }
        };
        let mut metadata: QueueMetadata =
            serde_json::from_value(Value::Object(self.metadata.clone())).map_err(|e| {
                InvocationError::Binding {
                    binding: "Metadata".into(),
                    message: e.to_string(),
                }
            })?;
        // String metadata arrives JSON-quoted from the host (`"\"abc\""`).
        metadata.id = metadata
            .id
            .map(|id| serde_json::from_str::<String>(&id).unwrap_or(id));
        Ok(QueueMessage { text, metadata })
    }
}

/// A timer trigger's value.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct TimerInfo {
    /// The schedule object (`{"AdjustForDST": true}`); its content is the host's.
    #[serde(rename = "Schedule", default)]
    pub schedule: Value,
    /// Last and next occurrences; `null` when the host keeps no schedule monitor.
    #[serde(rename = "ScheduleStatus", default)]
    pub schedule_status: Option<ScheduleStatus>,
    /// Whether this invocation is later than scheduled (for instance after a restart).
    #[serde(rename = "IsPastDue", default)]
    pub is_past_due: bool,
}

/// A timer's schedule status.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct ScheduleStatus {
    /// The previous occurrence.
    #[serde(rename = "Last", default, deserialize_with = "lenient_time")]
    pub last: Option<DateTime<Utc>>,
    /// The next occurrence.
    #[serde(rename = "Next", default, deserialize_with = "lenient_time")]
    pub next: Option<DateTime<Utc>>,
    /// When the status was last updated.
    #[serde(rename = "LastUpdated", default, deserialize_with = "lenient_time")]
    pub last_updated: Option<DateTime<Utc>>,
}

/// A queue trigger's metadata.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct QueueMetadata {
    /// How many times the message has been dequeued (1 on the first delivery).
    #[serde(rename = "DequeueCount", default, deserialize_with = "lenient_u32")]
    pub dequeue_count: u32,
    /// The message id.
    #[serde(rename = "Id", default)]
    pub id: Option<String>,
    /// When the message was enqueued.
    #[serde(rename = "InsertionTime", default, deserialize_with = "lenient_time")]
    pub insertion_time: Option<DateTime<Utc>>,
    /// When the message expires.
    #[serde(rename = "ExpirationTime", default, deserialize_with = "lenient_time")]
    pub expiration_time: Option<DateTime<Utc>>,
    /// The host's system metadata (`MethodName`, `UtcNow`, `RandGuid`).
    #[serde(rename = "sys", default)]
    pub sys: Option<Value>,
}

/// Times arrive as RFC 3339 with any offset (`WEBSITE_TIME_ZONE`), JSON-quoted once more, or
/// without a zone (taken as UTC).
fn lenient_time<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    let text = serde_json::from_str::<String>(&text).unwrap_or(text);
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .map(|t| Some(t.and_utc()))
        .map_err(|e| serde::de::Error::custom(format!("not a time: {text:?}: {e}")))
}

/// `DequeueCount` arrives as a number, or as a string from some host versions.
fn lenient_u32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| serde::de::Error::custom("DequeueCount out of range")),
        Value::String(s) => s.trim().parse().map_err(serde::de::Error::custom),
        Value::Null => Ok(0),
        other => Err(serde::de::Error::custom(format!(
            "DequeueCount must be a number, got {other}"
        ))),
    }
}

/// A queue message as delivered to a queue-triggered function.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueMessage {
    /// The message text, as the host decoded it.
    pub text: String,
    /// The trigger metadata.
    pub metadata: QueueMetadata,
}

impl QueueMessage {
    /// Decodes the message as JSON. With `messageEncoding: none` the host hands over the text
    /// as stored; a producer that still base64-encoded its message is tolerated: when the
    /// text is not JSON but is base64 of JSON, the decoded form is used.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, InvocationError> {
        let direct = serde_json::from_str::<T>(&self.text);
        match direct {
            Ok(v) => Ok(v),
            Err(first) => {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(self.text.trim())
                    .ok()
                    .and_then(|bytes| serde_json::from_slice::<T>(&bytes).ok());
                decoded.ok_or_else(|| InvocationError::Binding {
                    binding: "queue message".into(),
                    message: format!("not the expected JSON: {first}"),
                })
            }
        }
    }
}

/// The response the host reads back: `{"Outputs": …, "Logs": […], "ReturnValue": …}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct InvocationResponse {
    /// Output binding values, by binding name.
    #[serde(rename = "Outputs")]
    pub outputs: Map<String, Value>,
    /// Log lines the host writes to its own log for this invocation.
    #[serde(rename = "Logs")]
    pub logs: Vec<String>,
    /// The `$return` binding's value.
    #[serde(rename = "ReturnValue")]
    pub return_value: Value,
}

impl InvocationResponse {
    /// Adds messages to a queue output binding.
    ///
    /// Each message is a JSON value that is never a bare string: the host base64-decodes
    /// string outputs that look like base64, which would corrupt a plain string. Objects are
    /// serialised by the host as JSON text. Several messages become an array.
    pub fn push_queue_messages<T: Serialize>(
        &mut self,
        binding: &str,
        messages: impl IntoIterator<Item = T>,
    ) -> Result<(), serde_json::Error> {
        let mut values = Vec::new();
        for m in messages {
            let v = serde_json::to_value(m)?;
            if !(v.is_object() || v.is_array()) {
                return Err(serde::ser::Error::custom(
                    "queue messages must be JSON objects or arrays (the host base64-decodes base64-looking strings)",
                ));
            }
            values.push(v);
        }
        let slot = self
            .outputs
            .entry(binding.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(existing) = slot {
            existing.extend(values);
        } else {
            let previous = slot.take();
            let mut all = vec![previous];
            all.extend(values);
            *slot = Value::Array(all);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_timer_invocation() {
        let body = br#"{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":true}},"Metadata":{"sys":{"MethodName":"scan","UtcNow":"2026-11-22T06:00:00.0012Z","RandGuid":"1d0e3d4e-3a09-4b3c-9a8f-5f8a3f6c3b2a"}}}"#;
        let req = InvocationRequest::parse(body).unwrap();
        let t = req.timer("timer").unwrap();
        assert!(t.is_past_due);
        assert!(t.schedule_status.is_none());
    }

    #[test]
    fn timer_with_status_and_unknown_binding_name() {
        let body = br#"{"Data":{"myTimer":{"Schedule":{},"ScheduleStatus":{"Last":"2026-11-21T06:00:00Z","Next":"2026-11-22T06:00:00Z","LastUpdated":"2026-11-21T06:00:00Z"},"IsPastDue":false}},"Metadata":{}}"#;
        let req = InvocationRequest::parse(body).unwrap();
        let t = req.timer("timer").unwrap();
        assert_eq!(
            t.schedule_status.unwrap().next.unwrap().to_rfc3339(),
            "2026-11-22T06:00:00+00:00"
        );
    }

    #[test]
    fn queue_message_and_metadata() {
        let body = br#"{"Data":{"job":"{\"kind\":\"signins\"}"},"Metadata":{"DequeueCount":"3","Id":"abc","InsertionTime":"2026-11-22T06:00:01+00:00","sys":{"MethodName":"scan-worker"}}}"#;
        let req = InvocationRequest::parse(body).unwrap();
        let q = req.queue("job").unwrap();
        assert_eq!(q.metadata.dequeue_count, 3);
        assert_eq!(q.metadata.id.as_deref(), Some("abc"));
        let v: Value = q.json().unwrap();
        assert_eq!(v["kind"], "signins");
    }

    #[test]
    fn the_hosts_double_encoded_form_is_unwrapped() {
        let body = br#"{"Data":{"job":"\"{\\\"kind\\\":\\\"signins\\\"}\""},"Metadata":{"DequeueCount":"1","Id":"\"abc\"","InsertionTime":"2026-11-22T07:00:01+01:00"}}"#;
        let req = InvocationRequest::parse(body).unwrap();
        let q = req.queue("job").unwrap();
        assert_eq!(q.text, r#"{"kind":"signins"}"#);
        assert_eq!(q.metadata.id.as_deref(), Some("abc"));
        assert_eq!(
            q.metadata.insertion_time.unwrap().to_rfc3339(),
            "2026-11-22T06:00:01+00:00"
        );
    }

    #[test]
    fn timer_times_without_zone_are_utc() {
        let body = br#"{"Data":{"timer":{"Schedule":{},"ScheduleStatus":{"Last":"2026-11-21T06:00:00","Next":"2026-11-22T06:00:00.000"},"IsPastDue":false}}}"#;
        let t = InvocationRequest::parse(body)
            .unwrap()
            .timer("timer")
            .unwrap();
        assert_eq!(
            t.schedule_status.unwrap().last.unwrap().to_rfc3339(),
            "2026-11-21T06:00:00+00:00"
        );
    }

    #[test]
    fn base64_queue_messages_are_tolerated() {
        let msg = QueueMessage {
            text: "eyJraW5kIjoic2lnbmlucyJ9".into(), // {"kind":"signins"}
            metadata: QueueMetadata::default(),
        };
        let v: Value = msg.json().unwrap();
        assert_eq!(v["kind"], "signins");
        let bad = QueueMessage {
            text: "not json".into(),
            metadata: QueueMetadata::default(),
        };
        assert!(bad.json::<Value>().is_err());
    }

    #[test]
    fn malformed_envelopes_are_errors() {
        for body in [&b""[..], b"  ", b"[1]", b"{\"Data\": 3}", b"{not json"] {
            assert!(InvocationRequest::parse(body).is_err(), "{body:?}");
        }
        let req = InvocationRequest::parse(b"{}").unwrap();
        assert!(matches!(
            req.timer("timer"),
            Err(InvocationError::MissingBinding(_))
        ));
    }

    #[test]
    fn queue_outputs_refuse_bare_strings() {
        let mut r = InvocationResponse::default();
        r.push_queue_messages("jobs", [serde_json::json!({"a": 1})])
            .unwrap();
        r.push_queue_messages("jobs", [serde_json::json!({"b": 2})])
            .unwrap();
        assert_eq!(r.outputs["jobs"].as_array().unwrap().len(), 2);
        assert!(r.push_queue_messages("jobs", ["aGVsbG8="]).is_err());
    }
}
