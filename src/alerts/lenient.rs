//! The two webhook schemas spell the same fields differently: the common schema sends
//! `channels`, `eventSource` and `level` of Service Health events as integers (`1`, `2`, `3`)
//! where the legacy schema sends names (`"Admin"`, `"ServiceHealth"`, `"Informational"`), and
//! times come as RFC 3339, as ISO 8601 without a zone, or as .NET's US form
//! (`3/29/2017 3:43:21 PM`). These helpers read either.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

/// `EventChannels` flags of the activity log.
const CHANNELS: &[(i64, &str)] = &[
    (1, "Admin"),
    (2, "Operation"),
    (4, "Debug"),
    (8, "Analytics"),
];

/// `eventSource` values of the activity log that the common schema sends as integers. Only
/// Service Health's (`2`) is documented by the published sample payloads.
const EVENT_SOURCES: &[(i64, &str)] = &[(2, "ServiceHealth")];

/// `level` as integers: `System.Diagnostics.Tracing.EventLevel`, which the activity log's
/// event levels follow (`Critical` 1 … `Verbose` 5).
const LEVELS: &[(i64, &str)] = &[
    (0, "LogAlways"),
    (1, "Critical"),
    (2, "Error"),
    (3, "Warning"),
    (4, "Informational"),
    (5, "Verbose"),
];

/// A field as text: strings as they are (trimmed), numbers and booleans written out; `null`,
/// empty strings, arrays and objects are absent.
pub fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `channels` by name; combined flags (`3`) become `Admin, Operation`.
pub fn channels(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Number(n) => {
            let bits = n.as_i64()?;
            let names: Vec<&str> = CHANNELS
                .iter()
                .filter(|(bit, _)| bits & bit != 0)
                .map(|(_, name)| *name)
                .collect();
            if names.is_empty() {
                Some(bits.to_string())
            } else {
                Some(names.join(", "))
            }
        }
        other => text(Some(other)),
    }
}

/// `eventSource` by name.
pub fn event_source(value: Option<&Value>) -> Option<String> {
    named(value, EVENT_SOURCES)
}

/// `level` by name.
pub fn level(value: Option<&Value>) -> Option<String> {
    named(value, LEVELS)
}

/// An enumeration sent as a name or as its integer.
fn named(value: Option<&Value>, names: &[(i64, &str)]) -> Option<String> {
    match value? {
        Value::Number(n) => {
            let number = n.as_i64();
            let name = names.iter().find(|(k, _)| Some(*k) == number);
            Some(name.map_or_else(|| n.to_string(), |(_, name)| (*name).to_string()))
        }
        other => text(Some(other)),
    }
}

/// A time in any of the forms the payloads use; `None` when absent or unreadable (times
/// only order notices, so an unreadable one is not worth refusing the alert for).
pub fn time(value: Option<&Value>) -> Option<DateTime<Utc>> {
    let text = text(value)?;
    if let Ok(t) = DateTime::parse_from_rfc3339(&text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&text, format) {
            return Some(t.and_utc());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_and_names_read_the_same() {
        assert_eq!(channels(Some(&json!(1))).as_deref(), Some("Admin"));
        assert_eq!(channels(Some(&json!("Admin"))).as_deref(), Some("Admin"));
        assert_eq!(
            channels(Some(&json!(3))).as_deref(),
            Some("Admin, Operation")
        );
        assert_eq!(channels(Some(&json!(64))).as_deref(), Some("64"));
        assert_eq!(
            event_source(Some(&json!(2))).as_deref(),
            Some("ServiceHealth")
        );
        assert_eq!(
            event_source(Some(&json!("ServiceHealth"))).as_deref(),
            Some("ServiceHealth")
        );
        assert_eq!(event_source(Some(&json!(7))).as_deref(), Some("7"));
        assert_eq!(level(Some(&json!(4))).as_deref(), Some("Informational"));
        assert_eq!(level(Some(&json!("Warning"))).as_deref(), Some("Warning"));
        assert_eq!(level(Some(&Value::Null)), None);
        assert_eq!(text(Some(&json!("  "))), None);
        assert_eq!(text(Some(&json!(false))).as_deref(), Some("false"));
    }

    #[test]
    fn times_in_every_form() {
        for (input, expected) in [
            (
                "2021-11-17T05:34:44.5778226Z",
                "2021-11-17T05:34:44.577822600Z",
            ),
            (
                "2017-10-18T23:49:25.3736084+00:00",
                "2017-10-18T23:49:25.373608400Z",
            ),
            ("2017-10-18T02:48:00.0000000Z", "2017-10-18T02:48:00Z"),
            ("2025-08-01T10:00:00", "2025-08-01T10:00:00Z"),
            ("3/29/2017 3:43:21 PM", "2017-03-29T15:43:21Z"),
            ("03/29/2017 15:43:21", "2017-03-29T15:43:21Z"),
        ] {
            let t = time(Some(&json!(input))).unwrap_or_else(|| panic!("{input}"));
            assert_eq!(
                t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                expected
            );
        }
        assert_eq!(time(Some(&json!("soon"))), None);
        assert_eq!(time(None), None);
    }
}
