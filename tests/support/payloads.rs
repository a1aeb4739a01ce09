//! Invocation bodies for timer and queue triggers, as the Functions host (4.x) posts them to
//! a custom handler at `/<FunctionName>`: `{"Data": {<binding>: …}, "Metadata": {…}}`.
//!
//! The host converts each trigger value and each metadata entry
//! (`ScriptInvocationContextExtensions.GetHttpScriptInvocationContextValue`):
//! - dates become ISO 8601 strings (to the second for queue metadata);
//! - objects (the timer's `TimerInfo`, `sys`) become JSON objects;
//! - everything else, strings and numbers included, is serialised to JSON *text* and sent as
//!   a string. A queue message `{"a":1}` therefore arrives as the JSON string
//!   `"{\"a\":1}"` *with* its quotes, `DequeueCount` as `"1"` and `Id` as `"\"<guid>\""`.
//!
//! [`QueueWire::Host`] is that form. [`QueueWire::Documented`] is the sample of Microsoft's
//! custom-handler article (message as a plain JSON string, `DequeueCount` a number), which
//! older hosts sent. A handler should accept both.

use base64::Engine;
use chrono::{DateTime, Duration, SecondsFormat, Timelike, Utc};
use cron::Schedule;
use serde_json::{json, Value};
use uuid::Uuid;

/// How a queue invocation's values are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueWire {
    /// As the current host serialises them (scalars as JSON text inside strings).
    Host,
    /// As the custom-handler documentation shows them.
    Documented,
}

/// A timer's schedule status as the host keeps it (`useMonitor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleStatus {
    /// The previous occurrence.
    pub last: DateTime<Utc>,
    /// The next occurrence.
    pub next: DateTime<Utc>,
    /// When the host last wrote the status.
    pub last_updated: DateTime<Utc>,
}

/// A random (version 4) UUID.
pub fn random_uuid() -> Uuid {
    uuid::Builder::from_random_bytes(rand::random()).into_uuid()
}

/// A .NET `DateTime` of kind UTC as Json.NET writes it: up to 7 fractional digits, trailing
/// zeros dropped, `Z`.
pub fn dotnet_utc(t: DateTime<Utc>) -> String {
    let base = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let ticks = t.timestamp_subsec_nanos() / 100;
    let fraction = format!("{ticks:07}");
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        format!("{base}Z")
    } else {
        format!("{base}.{fraction}Z")
    }
}

/// A date with offset as the host writes timer and queue dates (`+00:00`).
pub fn dotnet_offset(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// The host's `sys` metadata entry.
pub fn sys(function: &str, now: DateTime<Utc>) -> Value {
    json!({
        "MethodName": function,
        "UtcNow": dotnet_utc(now),
        "RandGuid": random_uuid().to_string(),
    })
}

/// The schedule status the host would hand over at `now`: on time, the invocation happens
/// at an occurrence, `Last` is the one before and `Next` the one after; past due, the
/// occurrence that was missed is still `Next`.
pub fn schedule_status(schedule: &Schedule, now: DateTime<Utc>, past_due: bool) -> ScheduleStatus {
    let previous = schedule
        .after(&now)
        .next_back()
        .unwrap_or(now - Duration::days(1));
    let following = schedule
        .after(&now)
        .next()
        .unwrap_or(now + Duration::days(1));
    if past_due {
        let before = schedule
            .after(&previous)
            .next_back()
            .unwrap_or(previous - Duration::days(1));
        ScheduleStatus {
            last: before,
            next: previous,
            last_updated: before,
        }
    } else {
        ScheduleStatus {
            last: previous,
            next: following,
            last_updated: previous,
        }
    }
}

/// A timer invocation body: `TimerInfo` under the trigger's binding name, `sys` in metadata.
pub fn timer_request(
    function: &str,
    binding: &str,
    status: Option<ScheduleStatus>,
    past_due: bool,
    now: DateTime<Utc>,
) -> Value {
    let status = status.map_or(Value::Null, |s| {
        json!({
            "Last": dotnet_offset(s.last),
            "Next": dotnet_offset(s.next),
            "LastUpdated": dotnet_offset(s.last_updated),
        })
    });
    json!({
        "Data": {
            binding: {
                "Schedule": { "AdjustForDST": true },
                "ScheduleStatus": status,
                "IsPastDue": past_due,
            }
        },
        "Metadata": { "sys": sys(function, now) },
    })
}

/// One delivery of a queue message.
#[derive(Debug, Clone)]
pub struct QueueDelivery<'a> {
    /// The queue-triggered function.
    pub function: &'a str,
    /// The trigger's binding name.
    pub binding: &'a str,
    /// The message text as stored (with `messageEncoding: none`, exactly what was enqueued).
    pub message: &'a str,
    /// 1 on the first delivery.
    pub dequeue_count: u32,
}

/// Json.NET's serialisation of a .NET string (JSON text, quotes included).
fn json_text_of_string(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// A queue invocation body in the given wire form, with made-up metadata.
pub fn queue_request(delivery: &QueueDelivery<'_>, wire: QueueWire, now: DateTime<Utc>) -> Value {
    let inserted = now - Duration::seconds(2);
    let metadata = QueueMessageMetadata {
        id: random_uuid().to_string(),
        pop_receipt: base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 12]>()),
        insertion_time: inserted,
        expiration_time: inserted + Duration::days(7),
        next_visible_time: now + Duration::minutes(10),
    };
    queue_request_with(delivery, &metadata, wire, now)
}

/// A queue message's metadata as the queue service reports it on receive.
#[derive(Debug, Clone)]
pub struct QueueMessageMetadata {
    /// `MessageId`.
    pub id: String,
    /// `PopReceipt`.
    pub pop_receipt: String,
    /// `InsertionTime`.
    pub insertion_time: DateTime<Utc>,
    /// `ExpirationTime`.
    pub expiration_time: DateTime<Utc>,
    /// `TimeNextVisible`.
    pub next_visible_time: DateTime<Utc>,
}

/// A queue invocation body for a message received from a queue, with its real metadata.
pub fn queue_request_with(
    delivery: &QueueDelivery<'_>,
    metadata: &QueueMessageMetadata,
    wire: QueueWire,
    now: DateTime<Utc>,
) -> Value {
    let (message, dequeue_count, id, pop_receipt) = match wire {
        QueueWire::Host => (
            Value::String(json_text_of_string(delivery.message)),
            Value::String(delivery.dequeue_count.to_string()),
            Value::String(json_text_of_string(&metadata.id)),
            Value::String(json_text_of_string(&metadata.pop_receipt)),
        ),
        QueueWire::Documented => (
            Value::String(delivery.message.to_string()),
            json!(delivery.dequeue_count),
            Value::String(metadata.id.clone()),
            Value::String(metadata.pop_receipt.clone()),
        ),
    };
    json!({
        "Data": { delivery.binding: message },
        "Metadata": {
            "DequeueCount": dequeue_count,
            "ExpirationTime": dotnet_offset(whole_seconds(metadata.expiration_time)),
            "Id": id,
            "InsertionTime": dotnet_offset(whole_seconds(metadata.insertion_time)),
            "NextVisibleTime": dotnet_offset(whole_seconds(metadata.next_visible_time)),
            "PopReceipt": pop_receipt,
            "sys": sys(delivery.function, now),
        },
    })
}

/// Drops sub-second digits, as the host's round trip of queue dates through text does.
fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_nanosecond(0).unwrap_or(t)
}
