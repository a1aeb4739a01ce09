//! ServiceNow Table API shapes for the `incident` and `sys_user` tables, and the mapping of
//! a ticket draft onto an incident: correlation id, urgency/impact, due date, states.

use serde::{Deserialize, Serialize};

use crate::detect::model::Severity;
use crate::tickets::{TicketDraft, TicketKey, TicketState};

/// The incident table path.
pub const INCIDENT_PATH: &str = "/api/now/table/incident";
/// The user table path.
pub const USER_PATH: &str = "/api/now/table/sys_user";
/// Fields asked back from incident calls.
pub const INCIDENT_FIELDS: &str = "sys_id,number,state";
/// `correlation_display` of stepup incidents (the integration's name).
pub const CORRELATION_DISPLAY: &str = "stepup";

/// Incident state "In Progress".
pub const STATE_IN_PROGRESS: &str = "2";
/// Incident state "Resolved".
pub const STATE_RESOLVED: &str = "6";

/// The encoded query of a key's incidents that can still be worked on, newest first.
/// Closed (7) and Canceled (8) incidents are read-only for the `itil` role, so they are left
/// alone: an account at risk again gets a new incident instead.
pub fn key_query(key: &TicketKey) -> String {
    format!("correlation_id={key}^stateNOT IN7,8^ORDERBYDESCsys_created_on")
}

/// The encoded query of an active user by e-mail. `^` would start a new condition, so an
/// address containing one is refused (`None`).
pub fn user_query(email: &str) -> Option<String> {
    let email = email.trim();
    (!email.is_empty() && !email.contains('^')).then(|| format!("email={email}^active=true"))
}

/// `(urgency, impact)` of a severity. One account is a narrow blast radius, so impact is at
/// most 2 (medium); urgency carries how soon it breaks. Out of the box that gives priorities
/// 2 (critical), 3 (high), 4 (medium) and 5 (low).
pub fn urgency_impact(severity: Severity) -> (&'static str, &'static str) {
    match severity {
        Severity::Critical => ("1", "2"),
        Severity::High => ("2", "2"),
        Severity::Medium => ("2", "3"),
        Severity::Low => ("3", "3"),
    }
}

/// Resolved (6), Closed (7) and Canceled (8) count as resolved; anything else is open.
pub fn state_of(state: Option<&str>) -> TicketState {
    match state {
        Some("6" | "7" | "8") => TicketState::Resolved,
        _ => TicketState::Open,
    }
}

/// The description: the draft's body, the owner and the key.
pub fn description(draft: &TicketDraft) -> String {
    let mut text = draft.body.trim_end().to_owned();
    if let Some(owner) = &draft.assignee {
        text.push_str(&format!("\n\nOwner: {owner}"));
    }
    text.push_str(&format!("\n\nstepup key: {}", draft.key));
    text
}

/// The fields stepup writes to an incident; unset ones are left out of the body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentFields {
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_description: Option<String>,
    /// Text body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The key (create only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// The integration's name (create only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_display: Option<String>,
    /// `1`..`3`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgency: Option<String>,
    /// `1`..`3`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS` (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    /// Group sys_id or name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignment_group: Option<String>,
    /// User sys_id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    /// A work note to add.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub work_notes: Option<String>,
    /// New state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Resolution code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close_code: Option<String>,
    /// Resolution notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close_notes: Option<String>,
}

impl IncidentFields {
    /// The fields a draft sets on create and on update (no key, no assignment).
    pub fn of_draft(draft: &TicketDraft) -> Self {
        let (urgency, impact) = urgency_impact(draft.severity);
        Self {
            short_description: Some(draft.title.clone()),
            description: Some(description(draft)),
            urgency: Some(urgency.to_owned()),
            impact: Some(impact.to_owned()),
            due_date: Some(format!("{} 00:00:00", draft.due.format("%Y-%m-%d"))),
            ..Self::default()
        }
    }
}

/// `{"result": …}`, the envelope of every Table API answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The record or records.
    pub result: T,
}

/// The incident fields stepup reads back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRecord {
    /// Record id.
    pub sys_id: String,
    /// `INC0010001`.
    #[serde(default)]
    pub number: Option<String>,
    /// State code as text.
    #[serde(default)]
    pub state: Option<String>,
}

/// A `sys_user` record (only its id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    /// Record id.
    pub sys_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ObjectId, TenantId};
    use chrono::NaiveDate;
    use std::str::FromStr;

    fn draft() -> TicketDraft {
        TicketDraft {
            key: TicketKey {
                tenant: TenantId::from_str("11111111-2222-3333-4444-555555555555").unwrap(),
                user: ObjectId::from_str("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee").unwrap(),
            },
            title: "MFA for ann".into(),
            body: "Do this.\n".into(),
            severity: Severity::Critical,
            assignee: Some("ann@contoso.com".into()),
            due: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            project: None,
        }
    }

    #[test]
    fn draft_fields_map_severity_due_date_and_text() {
        let f = IncidentFields::of_draft(&draft());
        assert_eq!(f.urgency.as_deref(), Some("1"));
        assert_eq!(f.impact.as_deref(), Some("2"));
        assert_eq!(f.due_date.as_deref(), Some("2026-12-01 00:00:00"));
        let d = f.description.unwrap();
        assert!(d.starts_with("Do this."));
        assert!(d.contains("Owner: ann@contoso.com"));
        assert!(d.ends_with(&format!("stepup key: {}", draft().key)));
        let v = serde_json::to_value(IncidentFields::of_draft(&draft())).unwrap();
        assert!(v.get("correlation_id").is_none() && v.get("state").is_none());
    }

    #[test]
    fn severities_never_decrease_in_urgency() {
        let ranks: Vec<_> = Severity::DESCENDING
            .iter()
            .map(|s| urgency_impact(*s))
            .collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]));
        assert_ne!(ranks[0], ranks[3]);
    }

    #[test]
    fn states_six_to_eight_are_resolved() {
        assert_eq!(state_of(Some("6")), TicketState::Resolved);
        assert_eq!(state_of(Some("7")), TicketState::Resolved);
        assert_eq!(state_of(Some("2")), TicketState::Open);
        assert_eq!(state_of(None), TicketState::Open);
    }

    #[test]
    fn queries_hold_the_key_and_refuse_injection() {
        assert_eq!(
            key_query(&draft().key),
            format!(
                "correlation_id={}^stateNOT IN7,8^ORDERBYDESCsys_created_on",
                draft().key
            )
        );
        assert_eq!(
            user_query(" ann@contoso.com ").as_deref(),
            Some("email=ann@contoso.com^active=true")
        );
        assert_eq!(user_query("a^ORx@y"), None);
    }

    #[test]
    fn list_envelopes_parse() {
        let e: Envelope<Vec<IncidentRecord>> = serde_json::from_str(
            r#"{"result":[{"sys_id":"9d385017c611228701d22104cc95c371","number":"INC0000001","state":"6"}]}"#,
        )
        .unwrap();
        assert_eq!(e.result[0].number.as_deref(), Some("INC0000001"));
        assert_eq!(
            state_of(e.result[0].state.as_deref()),
            TicketState::Resolved
        );
    }
}
