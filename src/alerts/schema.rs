//! Parses an action-group webhook body into a [`ServiceHealthEvent`].
//!
//! Two payloads carry Service Health events:
//! - the common alert schema: `{"schemaId": "azureMonitorCommonAlertSchema", "data":
//!   {"essentials": {"alertId", "monitoringService": "ServiceHealth", "alertTargetIDs", …},
//!   "alertContext": {"channels": 1, "eventSource": 2, "level": 3, "eventTimestamp",
//!   "properties": {"title", "communication" (HTML), "trackingId", "communicationId",
//!   "impactStartTime", "incidentType", "stage", …}, …}}}`;
//! - the legacy activity-log alert: `{"schemaId": "Microsoft.Insights/activityLogs", "data":
//!   {"status": "Activated", "context": {"activityLog": {"channels": "Admin", "eventSource":
//!   "ServiceHealth", "level": "Informational", "eventDataId", "subscriptionId",
//!   "properties": {…the same names…}}}}}`.

use serde_json::{Map, Value};

use super::event::{AlertSchema, ServiceHealthEvent};
use super::lenient;
use crate::ids::SubscriptionId;

/// Why a body is not an alert stepup takes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlertError {
    /// The body is not JSON.
    #[error("body is not valid JSON: {0}")]
    NotJson(String),
    /// No `schemaId`.
    #[error("not an alert: no schemaId (expected azureMonitorCommonAlertSchema or Microsoft.Insights/activityLogs)")]
    NoSchema,
    /// A `schemaId` stepup does not read.
    #[error("unsupported alert schema {0:?} (expected azureMonitorCommonAlertSchema or Microsoft.Insights/activityLogs)")]
    UnknownSchema(String),
    /// The schema is known but a required part is missing or has the wrong type.
    #[error("malformed {schema} alert: {message}")]
    Malformed {
        /// The schema.
        schema: &'static str,
        /// What is missing or wrong.
        message: String,
    },
    /// A well-formed alert that is not a Service Health event (a metric alert, say).
    #[error("not a Service Health event ({0}); only Service Health alerts are handled here")]
    NotServiceHealth(String),
}

/// Parses a webhook body.
pub fn parse_alert(body: &[u8]) -> Result<ServiceHealthEvent, AlertError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| AlertError::NotJson(e.to_string()))?;
    parse_value(&value)
}

/// Parses a webhook payload already read as JSON.
pub fn parse_value(value: &Value) -> Result<ServiceHealthEvent, AlertError> {
    let Some(root) = value.as_object() else {
        return Err(AlertError::NoSchema);
    };
    match root.get("schemaId").and_then(Value::as_str).map(str::trim) {
        None | Some("") => Err(AlertError::NoSchema),
        Some(id) if id == AlertSchema::Common.id() => common(root),
        Some(id) if id == AlertSchema::ActivityLog.id() => activity_log(root),
        Some(other) => Err(AlertError::UnknownSchema(other.chars().take(100).collect())),
    }
}

/// An object member, or a malformed-alert error naming its path.
fn object<'a>(
    parent: &'a Map<String, Value>,
    name: &str,
    path: &str,
    schema: AlertSchema,
) -> Result<&'a Map<String, Value>, AlertError> {
    parent
        .get(name)
        .and_then(Value::as_object)
        .ok_or_else(|| AlertError::Malformed {
            schema: schema.id(),
            message: format!("{path} is missing or not an object"),
        })
}

/// The common alert schema.
fn common(root: &Map<String, Value>) -> Result<ServiceHealthEvent, AlertError> {
    let schema = AlertSchema::Common;
    let data = object(root, "data", "data", schema)?;
    let essentials = object(data, "essentials", "data.essentials", schema)?;
    let monitoring = lenient::text(essentials.get("monitoringService")).unwrap_or_default();
    let empty = Map::new();
    let context = data
        .get("alertContext")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let event_source = lenient::event_source(context.get("eventSource"));
    let is_service_health = monitoring.eq_ignore_ascii_case("ServiceHealth")
        || event_source
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("ServiceHealth"));
    if !is_service_health {
        let what = if monitoring.is_empty() {
            "no monitoringService".to_string()
        } else {
            format!("monitoringService {monitoring:?}")
        };
        return Err(AlertError::NotServiceHealth(what));
    }
    let alert_id = lenient::text(essentials.get("alertId")).ok_or(AlertError::Malformed {
        schema: schema.id(),
        message: "data.essentials.alertId is missing".into(),
    })?;
    let properties = context
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let subscription_id = essentials
        .get("alertTargetIDs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .chain(std::iter::once(alert_id.as_str()))
        .find_map(subscription_of);
    Ok(event(
        schema,
        alert_id,
        subscription_id,
        context,
        properties,
        event_source,
    ))
}

/// The legacy activity-log alert schema.
fn activity_log(root: &Map<String, Value>) -> Result<ServiceHealthEvent, AlertError> {
    let schema = AlertSchema::ActivityLog;
    let data = object(root, "data", "data", schema)?;
    let context = object(data, "context", "data.context", schema)?;
    let log = object(context, "activityLog", "data.context.activityLog", schema)?;
    let event_source = lenient::event_source(log.get("eventSource"));
    let operation = lenient::text(log.get("operationName")).unwrap_or_default();
    let is_service_health = event_source
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("ServiceHealth"))
        || operation
            .to_ascii_lowercase()
            .starts_with("microsoft.servicehealth/");
    if !is_service_health {
        return Err(AlertError::NotServiceHealth(match event_source {
            Some(source) => format!("eventSource {source:?}"),
            None => "no eventSource".into(),
        }));
    }
    let alert_id = lenient::text(log.get("eventDataId"))
        .or_else(|| lenient::text(log.get("correlationId")))
        .ok_or(AlertError::Malformed {
            schema: schema.id(),
            message: "data.context.activityLog has neither eventDataId nor correlationId".into(),
        })?;
    let subscription_id =
        lenient::text(log.get("subscriptionId")).and_then(|s| SubscriptionId::parse(&s).ok());
    let empty = Map::new();
    let properties = log
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    Ok(event(
        schema,
        alert_id,
        subscription_id,
        log,
        properties,
        event_source,
    ))
}

/// The fields both schemas share, from the activity-log object and its `properties`.
fn event(
    schema: AlertSchema,
    alert_id: String,
    subscription_id: Option<SubscriptionId>,
    log: &Map<String, Value>,
    properties: &Map<String, Value>,
    event_source: Option<String>,
) -> ServiceHealthEvent {
    let prop = |name: &str| lenient::text(properties.get(name));
    ServiceHealthEvent {
        schema,
        alert_id,
        subscription_id,
        tracking_id: prop("trackingId"),
        communication_id: prop("communicationId"),
        incident_type: prop("incidentType"),
        stage: prop("stage"),
        title: prop("title")
            .or_else(|| prop("defaultLanguageTitle"))
            .or_else(|| lenient::text(log.get("description")))
            .unwrap_or_default(),
        communication: prop("communication")
            .or_else(|| prop("defaultLanguageContent"))
            .unwrap_or_default(),
        service: prop("service"),
        region: prop("region"),
        channels: lenient::channels(log.get("channels")),
        event_source,
        level: lenient::level(log.get("level")),
        event_time: lenient::time(log.get("eventTimestamp")),
        impact_start: lenient::time(properties.get("impactStartTime")),
        last_update: lenient::time(properties.get("lastUpdateTime"))
            .or_else(|| lenient::time(log.get("submissionTimestamp"))),
    }
}

/// The subscription of an ARM id (`/subscriptions/<id>/…`).
fn subscription_of(resource_id: &str) -> Option<SubscriptionId> {
    let mut parts = resource_id.split('/').filter(|p| !p.is_empty());
    while let Some(part) = parts.next() {
        if part.eq_ignore_ascii_case("subscriptions") {
            return parts.next().and_then(|id| SubscriptionId::parse(id).ok());
        }
    }
    None
}
