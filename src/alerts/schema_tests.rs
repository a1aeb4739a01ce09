//! Both webhook schemas, from payloads shaped like the published samples.

use serde_json::{json, Value};

use super::*;

const COMMON_TEST: &str =
    include_str!("../../tests/fixtures/alerts/common_service_health_test.json");
const LEGACY_INCIDENT: &str =
    include_str!("../../tests/fixtures/alerts/activity_log_service_health_incident.json");
const COMMON_MFA: &str = include_str!("../../tests/fixtures/alerts/common_mfa_notice.json");
const LEGACY_MFA: &str = include_str!("../../tests/fixtures/alerts/activity_log_mfa_notice.json");
const METRIC: &str = include_str!("../../tests/fixtures/alerts/common_metric_alert.json");

fn parse(text: &str) -> ServiceHealthEvent {
    parse_alert(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_common_schema_sends_integers_that_read_as_names() {
    let e = parse(COMMON_TEST);
    assert_eq!(e.schema, AlertSchema::Common);
    assert!(e.alert_id.ends_with("0a1b2c3d4e5f60718293a4b5c6d7e8f9"));
    assert_eq!(
        e.subscription_id.map(|s| s.to_string()).as_deref(),
        Some("11111111-2222-3333-4444-555555555555")
    );
    assert_eq!(e.channels.as_deref(), Some("Admin"));
    assert_eq!(e.event_source.as_deref(), Some("ServiceHealth"));
    assert_eq!(e.level.as_deref(), Some("Warning"));
    assert_eq!(e.tracking_id.as_deref(), Some("TEST-TTT"));
    assert_eq!(e.communication_id.as_deref(), Some("11223344556677"));
    assert_eq!(e.incident_type.as_deref(), Some("Incident"));
    assert_eq!(e.stage.as_deref(), Some("Resolved"));
    assert_eq!(e.title, "Test Action Group - Test Service Health Alert");
    assert!(e.communication.starts_with("<p>"));
    assert_eq!(
        e.text(),
        "Test Action Group - Test Service Health Alert\nThis is a test from the Service Health alert of the action group."
    );
    assert_eq!(
        e.event_time.map(|t| t.to_rfc3339()).as_deref(),
        Some("2025-04-15T18:20:36.256+00:00")
    );
}

#[test]
fn the_legacy_schema_sends_strings_and_us_dates() {
    let e = parse(LEGACY_INCIDENT);
    assert_eq!(e.schema, AlertSchema::ActivityLog);
    assert_eq!(e.alert_id, "5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716");
    assert_eq!(e.channels.as_deref(), Some("Admin"));
    assert_eq!(e.event_source.as_deref(), Some("ServiceHealth"));
    assert_eq!(e.level.as_deref(), Some("Informational"));
    assert_eq!(e.tracking_id.as_deref(), Some("4KTP-QR8"));
    assert_eq!(
        e.impact_start.map(|t| t.to_rfc3339()).as_deref(),
        Some("2025-06-02T08:40:00+00:00")
    );
    assert_eq!(
        e.last_update.map(|t| t.to_rfc3339()).as_deref(),
        Some("2025-06-02T09:15:31.221100100+00:00")
    );
    assert!(e.text().contains("\"deallocated\""), "{}", e.text());
}

#[test]
fn the_same_event_reads_the_same_in_both_schemas() {
    let common = parse(COMMON_MFA);
    let mut legacy: Value = serde_json::from_str(LEGACY_MFA).unwrap();
    // Re-wrap the common payload's context as a legacy payload: the fields must agree.
    let context =
        serde_json::from_str::<Value>(COMMON_MFA).unwrap()["data"]["alertContext"].clone();
    let mut log = context.clone();
    log["channels"] = json!("Admin");
    log["eventSource"] = json!("ServiceHealth");
    log["level"] = json!("Informational");
    log["subscriptionId"] = json!("11111111-2222-3333-4444-555555555555");
    legacy["data"]["context"]["activityLog"] = log;
    let converted = parse(&legacy.to_string());
    assert_eq!(converted.channels, common.channels);
    assert_eq!(converted.event_source, common.event_source);
    assert_eq!(converted.level, common.level);
    assert_eq!(converted.tracking_id, common.tracking_id);
    assert_eq!(converted.communication_id, common.communication_id);
    assert_eq!(converted.title, common.title);
    assert_eq!(converted.subscription_id, common.subscription_id);
    assert_eq!(converted.event_time, common.event_time);
}

#[test]
fn anything_else_is_refused_with_a_reason() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"{not json".to_vec(), "not valid JSON"),
        (b"[1]".to_vec(), "no schemaId"),
        (b"{}".to_vec(), "no schemaId"),
        (br#"{"schemaId": "AzureMonitorMetricAlert", "data": {}}"#.to_vec(), "unsupported alert schema"),
        (br#"{"schemaId": "azureMonitorCommonAlertSchema"}"#.to_vec(), "data is missing"),
        (br#"{"schemaId": "azureMonitorCommonAlertSchema", "data": {"essentials": {"monitoringService": "ServiceHealth"}}}"#.to_vec(), "alertId is missing"),
        (br#"{"schemaId": "Microsoft.Insights/activityLogs", "data": {"context": {}}}"#.to_vec(), "activityLog is missing"),
        (br#"{"schemaId": "Microsoft.Insights/activityLogs", "data": {"context": {"activityLog": {"eventSource": "Administrative"}}}}"#.to_vec(), "eventSource \"Administrative\""),
        (METRIC.as_bytes().to_vec(), "monitoringService \"Platform\""),
    ];
    for (body, reason) in cases {
        let err = parse_alert(&body).expect_err(reason).to_string();
        assert!(err.contains(reason), "{err} lacks {reason}");
        assert!(!err.contains('\n'), "{err}");
    }
}

#[test]
fn enforcement_notices_are_recognised_by_text_or_tracking_id() {
    let matcher = NoticeMatcher::default();
    assert_eq!(
        matcher.recognise(&parse(COMMON_MFA)),
        Some(Recognition::Text)
    );
    assert_eq!(
        matcher.recognise(&parse(LEGACY_MFA)),
        Some(Recognition::Text)
    );
    assert_eq!(matcher.recognise(&parse(COMMON_TEST)), None);
    assert_eq!(matcher.recognise(&parse(LEGACY_INCIDENT)), None);

    let configured = NoticeMatcher::new(&["test-ttt".to_string()]);
    assert_eq!(
        configured.recognise(&parse(COMMON_TEST)),
        Some(Recognition::TrackingId("TEST-TTT".into()))
    );
}

#[test]
fn recognition_needs_mfa_the_control_plane_and_a_requirement() {
    for (text, expected) in [
        (
            "Azure will require multi-factor authentication for Azure CLI sign-ins",
            true,
        ),
        (
            "Mandatory MFA enforcement for Azure PowerShell and Azure Resource Manager",
            true,
        ),
        ("MFA is now required for the Azure portal", false),
        (
            "Azure Resource Manager - degraded performance in West Europe, required restarts",
            false,
        ),
        ("MFA for Azure CLI: new sign-in experience", false),
        ("Arm-based virtual machines will require MFA", false),
    ] {
        assert_eq!(is_enforcement_text(text), expected, "{text}");
    }
    // An outage of MFA is an incident, not a notice, whatever its words.
    let mut outage = parse(COMMON_MFA);
    outage.incident_type = Some("Incident".into());
    assert_eq!(NoticeMatcher::default().recognise(&outage), None);
}

#[test]
fn notices_carry_their_date() {
    assert_eq!(
        enforcement_date(&parse(COMMON_MFA).text())
            .map(|d| d.to_string())
            .as_deref(),
        Some("2025-10-01")
    );
    assert_eq!(
        enforcement_date(&parse(LEGACY_MFA).text())
            .map(|d| d.to_string())
            .as_deref(),
        Some("2026-03-15")
    );
    assert_eq!(enforcement_date(&parse(COMMON_TEST).text()), None);
}

#[test]
fn a_retry_has_the_dedupe_id_of_the_first_delivery() {
    let first = parse(COMMON_MFA);
    let retry = parse(COMMON_MFA);
    assert_eq!(dedupe_id(&first), dedupe_id(&retry));
    assert_eq!(dedupe_id(&first).len(), 64);
    let mut update = parse(COMMON_MFA);
    update.communication_id = Some("0x8DDD1A2B3C4D5E7".into());
    assert_ne!(dedupe_id(&first), dedupe_id(&update));
}
