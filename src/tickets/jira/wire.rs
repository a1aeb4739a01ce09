//! Jira Cloud REST v3 shapes stepup sends and reads, and the mapping of a ticket draft onto
//! them: labels holding the key, JQL, priorities, the ADF description.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::adf;
use crate::detect::model::Severity;
use crate::tickets::{TicketDraft, TicketKey, TicketState};

/// The label every stepup issue carries.
pub const STEPUP_LABEL: &str = "stepup";

/// Issues asked for per search page.
pub const PAGE_SIZE: u32 = 50;

/// The label holding a key. Labels cannot contain spaces or `:`, so the key's `:` become
/// `-`: `stepup-<tenantId>-<userId>` (GUIDs keep their own hyphens, the form is fixed-width
/// so it stays unambiguous).
pub fn key_label(key: &TicketKey) -> String {
    format!("{STEPUP_LABEL}-{}-{}", key.tenant, key.user)
}

/// The JQL that finds the issues of a key.
pub fn key_jql(key: &TicketKey) -> String {
    format!("labels = \"{}\" ORDER BY created ASC", key_label(key))
}

/// Jira's default priority scheme names for a severity.
pub fn priority(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Highest",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
    }
}

/// The description: the draft's body, the owner when not assigned in Jira, and the key.
pub fn description(draft: &TicketDraft, assigned: bool) -> Value {
    let mut text = draft.body.trim_end().to_owned();
    if let (Some(owner), false) = (&draft.assignee, assigned) {
        text.push_str(&format!(
            "\n\nOwner: {owner} (not assigned in Jira: no accountId for this owner in STEPUP_JIRA_ACCOUNT_IDS)"
        ));
    }
    text.push_str(&format!("\n\nstepup key: {}", draft.key));
    adf::document(&text)
}

/// `{"name": …}` (issue type, priority).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    /// The name.
    pub name: String,
}

/// `{"key": …}` (project).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keyed {
    /// The key.
    pub key: String,
}

/// `{"id": …}` (transition).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identified {
    /// The id.
    pub id: String,
}

/// `{"accountId": …}` (assignee).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The Atlassian accountId.
    #[serde(rename = "accountId")]
    pub account_id: String,
}

/// The `fields` of `POST /rest/api/3/issue` and `PUT /rest/api/3/issue/{key}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssueFields {
    /// Project (create only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<Keyed>,
    /// Issue type (create only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuetype: Option<Named>,
    /// Title.
    pub summary: String,
    /// ADF description.
    pub description: Value,
    /// Labels (create only; edits leave them alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// Priority by name (left out when `STEPUP_JIRA_PRIORITIES=off`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Named>,
    /// Due date, `YYYY-MM-DD`.
    pub duedate: String,
    /// Assignee, when an accountId is configured for the owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Account>,
}

/// Body of create and edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssueRequest {
    /// The fields.
    pub fields: IssueFields,
}

/// Answer of `POST /rest/api/3/issue` (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedIssue {
    /// Numeric id.
    pub id: String,
    /// Issue key, `OPS-12`.
    pub key: String,
    /// REST URL of the issue.
    #[serde(rename = "self", default)]
    pub self_url: Option<String>,
}

/// Body of `POST /rest/api/3/search/jql`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// The query.
    pub jql: String,
    /// Fields to return.
    pub fields: Vec<String>,
    /// Page size.
    #[serde(rename = "maxResults")]
    pub max_results: u32,
    /// The token of the page to read (absent for the first).
    #[serde(rename = "nextPageToken", skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// Answer of `POST /rest/api/3/search/jql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    /// The page's issues.
    #[serde(default)]
    pub issues: Vec<FoundIssue>,
    /// The token of the next page, absent on the last.
    #[serde(rename = "nextPageToken", default)]
    pub next_page_token: Option<String>,
    /// Whether this is the last page.
    #[serde(rename = "isLast", default)]
    pub is_last: Option<bool>,
}

/// One issue of a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoundIssue {
    /// Numeric id.
    pub id: String,
    /// Issue key.
    pub key: String,
    /// The requested fields.
    #[serde(default)]
    pub fields: FoundFields,
}

/// The fields stepup asks a search for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FoundFields {
    /// Current status.
    #[serde(default)]
    pub status: Option<Status>,
}

/// A status (or a transition's target status).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its category: `new`, `indeterminate` or `done`.
    #[serde(rename = "statusCategory")]
    pub status_category: Keyed,
}

impl FoundIssue {
    /// Open unless the status category is `done`.
    pub fn state(&self) -> TicketState {
        match &self.fields.status {
            Some(s) if s.status_category.key == "done" => TicketState::Resolved,
            _ => TicketState::Open,
        }
    }
}

/// Answer of `GET /rest/api/3/issue/{key}/transitions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transitions {
    /// The transitions possible from the current status.
    #[serde(default)]
    pub transitions: Vec<Transition>,
}

/// One workflow transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// Its id, posted to perform it.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// The status it leads to.
    pub to: Status,
    /// Whether the caller may perform it now.
    #[serde(rename = "isAvailable", default)]
    pub is_available: Option<bool>,
}

impl Transitions {
    /// The first available transition into one of the categories, in order of preference.
    pub fn leading_to(&self, categories: &[&str]) -> Option<&Transition> {
        categories.iter().find_map(|category| {
            self.transitions
                .iter()
                .find(|t| t.is_available != Some(false) && t.to.status_category.key == *category)
        })
    }
}

/// Body of `POST /rest/api/3/issue/{key}/transitions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionRequest {
    /// The transition to perform.
    pub transition: Identified,
}

/// Body of `POST /rest/api/3/issue/{key}/comment`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentRequest {
    /// ADF body.
    pub body: Value,
}

/// Answer of `GET /rest/api/3/issue/{key}?fields=status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssueStatus {
    /// Issue key.
    pub key: String,
    /// The status field.
    #[serde(default)]
    pub fields: FoundFields,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ObjectId, TenantId};
    use chrono::NaiveDate;
    use std::str::FromStr;

    fn key() -> TicketKey {
        TicketKey {
            tenant: TenantId::from_str("11111111-2222-3333-4444-555555555555").unwrap(),
            user: ObjectId::from_str("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee").unwrap(),
        }
    }

    fn draft(assignee: Option<&str>) -> TicketDraft {
        TicketDraft {
            key: key(),
            title: "t".into(),
            body: "Body line\n".into(),
            severity: Severity::High,
            assignee: assignee.map(str::to_owned),
            due: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            project: None,
        }
    }

    #[test]
    fn the_label_holds_the_key_without_colons_or_spaces() {
        let label = key_label(&key());
        assert_eq!(
            label,
            "stepup-11111111-2222-3333-4444-555555555555-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
        );
        assert!(!label.contains(':') && !label.contains(' '));
        assert_eq!(
            key_jql(&key()),
            format!("labels = \"{label}\" ORDER BY created ASC")
        );
    }

    #[test]
    fn description_carries_key_and_unassigned_owner() {
        let text = adf::plain_text(&description(&draft(Some("ann@contoso.com")), false));
        assert!(text.starts_with("Body line"));
        assert!(text.contains("Owner: ann@contoso.com"));
        assert!(text.contains(&format!("stepup key: {}", key())));
        let assigned = adf::plain_text(&description(&draft(Some("ann@contoso.com")), true));
        assert!(!assigned.contains("Owner:"));
    }

    #[test]
    fn search_pages_parse_with_and_without_a_next_token() {
        let page: SearchResponse = serde_json::from_str(
            r#"{"issues":[{"id":"10001","key":"OPS-1","self":"x","fields":{"status":{"name":"Done","statusCategory":{"id":3,"key":"done","name":"Done"}}}}],"nextPageToken":"abc","isLast":false}"#,
        )
        .unwrap();
        assert_eq!(page.next_page_token.as_deref(), Some("abc"));
        assert_eq!(page.issues[0].state(), TicketState::Resolved);
        let last: SearchResponse = serde_json::from_str(
            r#"{"issues":[{"id":"1","key":"OPS-2","fields":{}}],"isLast":true}"#,
        )
        .unwrap();
        assert_eq!(last.next_page_token, None);
        assert_eq!(last.issues[0].state(), TicketState::Open);
    }

    #[test]
    fn transitions_are_picked_by_target_category_in_preference_order() {
        let t: Transitions = serde_json::from_str(
            r#"{"transitions":[
                {"id":"11","name":"Start","to":{"name":"In Progress","statusCategory":{"key":"indeterminate"}},"isAvailable":true},
                {"id":"21","name":"Reopen","to":{"name":"To Do","statusCategory":{"key":"new"}},"isAvailable":false},
                {"id":"31","name":"Done","to":{"name":"Done","statusCategory":{"key":"done"}}}
            ]}"#,
        )
        .unwrap();
        assert_eq!(t.leading_to(&["done"]).map(|t| t.id.as_str()), Some("31"));
        assert_eq!(
            t.leading_to(&["new", "indeterminate"])
                .map(|t| t.id.as_str()),
            Some("11")
        );
        assert!(t.leading_to(&["other"]).is_none());
    }

    #[test]
    fn create_body_has_the_documented_field_names() {
        let body = IssueRequest {
            fields: IssueFields {
                project: Some(Keyed { key: "OPS".into() }),
                issuetype: Some(Named {
                    name: "Task".into(),
                }),
                summary: "s".into(),
                description: adf::document("d"),
                labels: Some(vec![STEPUP_LABEL.into()]),
                priority: Some(Named {
                    name: priority(Severity::Critical).into(),
                }),
                duedate: "2026-12-01".into(),
                assignee: Some(Account {
                    account_id: "5b10".into(),
                }),
            },
        };
        let v = serde_json::to_value(&body).unwrap();
        assert_eq!(v["fields"]["project"]["key"], "OPS");
        assert_eq!(v["fields"]["issuetype"]["name"], "Task");
        assert_eq!(v["fields"]["priority"]["name"], "Highest");
        assert_eq!(v["fields"]["assignee"]["accountId"], "5b10");
        assert_eq!(v["fields"]["duedate"], "2026-12-01");
        let edit = IssueFields {
            priority: None,
            project: None,
            issuetype: None,
            labels: None,
            assignee: None,
            ..body.fields
        };
        let v = serde_json::to_value(&edit).unwrap();
        assert!(
            v.get("project").is_none() && v.get("labels").is_none() && v.get("assignee").is_none()
        );
        assert!(v.get("priority").is_none());
    }
}
