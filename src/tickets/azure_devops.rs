//! Azure DevOps Boards (REST 7.1): a work item per account, created with JSON Patch and
//! tagged with its key (`stepup:<tenant>:<user>`), found again by tag with WIQL across the
//! organisation (so a per-owner project override is found too), updated with a
//! `System.History` comment, resolved and reopened through `System.State`.
//! Auth: a PAT (Basic with an empty user) or an Entra access token (Bearer).

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{json, Value};

use super::http::{Auth, HttpClient, RetryPolicy};
use super::markdown::to_html;
use super::settings::{optional, required, TicketSettingError};
use super::{FoundTicket, TicketDraft, TicketError, TicketKey, TicketRef, TicketSink, TicketState};
use crate::detect::model::Severity;
use crate::secret::Secret;

const SYSTEM: &str = "azure-devops";
const API_VERSION: (&str, &str) = ("api-version", "7.1");
const JSON_PATCH: &str = "application/json-patch+json";
/// The tag every stepup work item carries, besides its key.
const TAG: &str = "stepup";
/// States that mean "finished" in the stock processes, whatever `done_state` says.
const FINISHED_STATES: [&str; 5] = ["Done", "Closed", "Resolved", "Removed", "Completed"];

/// Settings of the Azure DevOps sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureDevOpsConfig {
    /// `STEPUP_ADO_ORG_URL`: `https://dev.azure.com/<org>`.
    pub org_url: String,
    /// `STEPUP_ADO_PROJECT`: the project new work items go to (unless overridden per owner).
    pub project: String,
    /// `STEPUP_ADO_WORK_ITEM_TYPE` (default `Issue`, the Basic process; `Bug`, `Task`, …).
    pub work_item_type: String,
    /// `STEPUP_ADO_DONE_STATE` (default `Done`; `Closed` or `Resolved` in other processes).
    pub done_state: String,
    /// `STEPUP_ADO_OPEN_STATE` (default `To Do`; `New` or `Active` in other processes).
    pub open_state: String,
    /// `STEPUP_ADO_PAT`: a personal access token (Work Items read & write). Absent: the
    /// caller supplies an Entra token ([`AzureDevOpsSink::with_entra_token`]).
    pub pat: Option<Secret>,
}

impl AzureDevOpsConfig {
    /// Reads the `STEPUP_ADO_*` settings through `lookup`.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, TicketSettingError> {
        Ok(Self {
            org_url: required(&lookup, SYSTEM, "STEPUP_ADO_ORG_URL")?,
            project: required(&lookup, SYSTEM, "STEPUP_ADO_PROJECT")?,
            work_item_type: optional(&lookup, "STEPUP_ADO_WORK_ITEM_TYPE")
                .unwrap_or_else(|| "Issue".into()),
            done_state: optional(&lookup, "STEPUP_ADO_DONE_STATE").unwrap_or_else(|| "Done".into()),
            open_state: optional(&lookup, "STEPUP_ADO_OPEN_STATE")
                .unwrap_or_else(|| "To Do".into()),
            pat: optional(&lookup, "STEPUP_ADO_PAT").map(Secret::new),
        })
    }
}

/// The Azure DevOps Boards sink.
#[derive(Debug, Clone)]
pub struct AzureDevOpsSink {
    http: HttpClient,
    project: String,
    work_item_type: String,
    done_state: String,
    open_state: String,
}

impl AzureDevOpsSink {
    /// A sink authenticating with the PAT of `config` (an error when there is none).
    pub fn new(config: &AzureDevOpsConfig, policy: RetryPolicy) -> Result<Self, TicketError> {
        let pat = config.pat.clone().ok_or(TicketError::Unauthorized {
            system: SYSTEM,
            message: "no credential: set STEPUP_ADO_PAT or use the function app's identity".into(),
        })?;
        let auth = Auth::Basic {
            user: String::new(),
            password: pat,
            setting: "STEPUP_ADO_PAT",
        };
        Self::with_auth(config, auth, policy)
    }

    /// A sink authenticating with an Entra access token for Azure DevOps
    /// (resource `499b84ac-1321-427f-aa17-267ca6975798`).
    pub fn with_entra_token(
        config: &AzureDevOpsConfig,
        token: Secret,
        policy: RetryPolicy,
    ) -> Result<Self, TicketError> {
        let auth = Auth::Bearer {
            token,
            setting: "STEPUP_ADO_ORG_URL (add the function app's identity to the organisation)",
        };
        Self::with_auth(config, auth, policy)
    }

    fn with_auth(
        config: &AzureDevOpsConfig,
        auth: Auth,
        policy: RetryPolicy,
    ) -> Result<Self, TicketError> {
        Ok(Self {
            http: HttpClient::new(SYSTEM, &config.org_url, "STEPUP_ADO_ORG_URL", auth, policy)?,
            project: config.project.clone(),
            work_item_type: config.work_item_type.clone(),
            done_state: config.done_state.clone(),
            open_state: config.open_state.clone(),
        })
    }

    fn is_finished(&self, state: &str) -> bool {
        state.eq_ignore_ascii_case(&self.done_state)
            || FINISHED_STATES
                .iter()
                .any(|s| s.eq_ignore_ascii_case(state))
    }

    fn reference(&self, item: &WorkItem) -> TicketRef {
        let url = item
            .links
            .as_ref()
            .and_then(|l| l.html.as_ref())
            .map(|h| h.href.clone())
            .or_else(|| {
                let mut url = self.http.url(&[&self.project, "_workitems", "edit"]);
                url.path_segments_mut().ok()?.push(&item.id.to_string());
                Some(url.to_string())
            });
        TicketRef {
            system: SYSTEM,
            id: item.id.to_string(),
            url,
        }
    }

    fn item_id(&self, ticket: &TicketRef) -> Result<String, TicketError> {
        match ticket.id.parse::<u64>() {
            Ok(id) if ticket.system == SYSTEM => Ok(id.to_string()),
            _ => Err(self
                .http
                .failed(format!("not a work item id: {:?}", ticket.id))),
        }
    }

    /// PATCHes a work item with JSON Patch operations.
    async fn patch(&self, ticket: &TicketRef, ops: &[Value]) -> Result<(), TicketError> {
        let id = self.item_id(ticket)?;
        self.http
            .patch(&["_apis", "wit", "workitems", &id])
            .query(&[API_VERSION])
            .json_as(ops, JSON_PATCH)
            .send()
            .await?;
        Ok(())
    }
}

/// The Azure DevOps priority of a severity (1 = most urgent).
pub fn priority(severity: Severity) -> u8 {
    match severity {
        Severity::Critical => 1,
        Severity::High => 2,
        Severity::Medium => 3,
        Severity::Low => 4,
    }
}

fn field(name: &str, value: Value) -> Value {
    json!({ "op": "add", "path": format!("/fields/{name}"), "value": value })
}

/// The fields a draft sets (title, description, priority, due date, assignee).
fn draft_fields(draft: &TicketDraft) -> Vec<Value> {
    let mut ops = vec![
        field("System.Title", json!(draft.title)),
        field("System.Description", json!(to_html(&draft.body))),
        field(
            "Microsoft.VSTS.Common.Priority",
            json!(priority(draft.severity)),
        ),
        field(
            "Microsoft.VSTS.Scheduling.DueDate",
            json!(format!("{}T00:00:00Z", draft.due)),
        ),
    ];
    if let Some(assignee) = &draft.assignee {
        ops.push(field("System.AssignedTo", json!(assignee)));
    }
    ops
}

fn history(note: &str) -> Value {
    field("System.History", json!(to_html(note)))
}

/// Whether a `System.Tags` value (`a; b; c`) holds `tag`.
fn has_tag(tags: &str, tag: &str) -> bool {
    tags.split(';').any(|t| t.trim().eq_ignore_ascii_case(tag))
}

#[derive(Debug, Deserialize)]
struct WorkItem {
    id: u64,
    #[serde(default)]
    fields: serde_json::Map<String, Value>,
    #[serde(rename = "_links")]
    links: Option<Links>,
}

#[derive(Debug, Deserialize)]
struct Links {
    html: Option<Href>,
}

#[derive(Debug, Deserialize)]
struct Href {
    href: String,
}

#[derive(Debug, Deserialize)]
struct WiqlResult {
    #[serde(rename = "workItems", default)]
    work_items: Vec<WiqlItem>,
}

#[derive(Debug, Deserialize)]
struct WiqlItem {
    id: u64,
}

#[derive(Debug, Deserialize)]
struct WorkItems {
    #[serde(default)]
    value: Vec<WorkItem>,
}

impl WorkItem {
    fn text(&self, name: &str) -> &str {
        self.fields.get(name).and_then(Value::as_str).unwrap_or("")
    }
}

#[async_trait]
impl TicketSink for AzureDevOpsSink {
    fn system(&self) -> &'static str {
        SYSTEM
    }

    async fn find(&self, key: &TicketKey) -> Result<Option<FoundTicket>, TicketError> {
        let tag = key.to_string();
        // Keys are GUIDs and `:`; nothing to escape in the WIQL literal.
        let query = format!(
            "SELECT [System.Id] FROM WorkItems WHERE [System.Tags] CONTAINS '{tag}' ORDER BY [System.Id]"
        );
        let hits: WiqlResult = self
            .http
            .post(&["_apis", "wit", "wiql"])
            .query(&[API_VERSION])
            .json(&json!({ "query": query }))
            .idempotent()
            .send()
            .await?
            .json()?;
        if hits.work_items.is_empty() {
            return Ok(None);
        }
        let ids: Vec<String> = hits
            .work_items
            .iter()
            .take(200)
            .map(|w| w.id.to_string())
            .collect();
        let items: WorkItems = self
            .http
            .get(&["_apis", "wit", "workitems"])
            .query(&[
                ("ids", &ids.join(",")),
                ("fields", "System.State,System.Tags"),
                API_VERSION,
            ])
            .send()
            .await?
            .json()?;
        let mut items: Vec<(bool, WorkItem)> = items
            .value
            .into_iter()
            .filter(|w| has_tag(w.text("System.Tags"), &tag))
            .map(|w| (self.is_finished(w.text("System.State")), w))
            .collect();
        // An open item first, then the oldest.
        items.sort_by_key(|(finished, w)| (*finished, w.id));
        Ok(items.first().map(|(finished, w)| FoundTicket {
            reference: self.reference(w),
            state: if *finished {
                TicketState::Resolved
            } else {
                TicketState::Open
            },
        }))
    }

    async fn create(&self, draft: &TicketDraft) -> Result<TicketRef, TicketError> {
        let project = draft.project.as_deref().unwrap_or(&self.project);
        let mut ops = draft_fields(draft);
        ops.push(field("System.Tags", json!(format!("{TAG}; {}", draft.key))));
        let item_type = format!("${}", self.work_item_type);
        let item: WorkItem = self
            .http
            .post(&[project, "_apis", "wit", "workitems", &item_type])
            .query(&[API_VERSION])
            .json_as(&ops, JSON_PATCH)
            .send()
            .await?
            .json()?;
        Ok(self.reference(&item))
    }

    async fn update(
        &self,
        ticket: &TicketRef,
        draft: &TicketDraft,
        note: &str,
    ) -> Result<(), TicketError> {
        let mut ops = draft_fields(draft);
        ops.push(history(note));
        self.patch(ticket, &ops).await
    }

    async fn resolve(&self, ticket: &TicketRef, note: &str) -> Result<(), TicketError> {
        let ops = [field("System.State", json!(self.done_state)), history(note)];
        self.patch(ticket, &ops).await
    }

    async fn reopen(&self, ticket: &TicketRef, note: &str) -> Result<(), TicketError> {
        let ops = [field("System.State", json!(self.open_state)), history(note)];
        self.patch(ticket, &ops).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_defaults_and_required_settings() {
        let lookup = |k: &str| match k {
            "STEPUP_ADO_ORG_URL" => Some("https://dev.azure.com/contoso".to_string()),
            "STEPUP_ADO_PROJECT" => Some("Identity".to_string()),
            _ => None,
        };
        let c = AzureDevOpsConfig::from_lookup(lookup).unwrap();
        assert_eq!(c.work_item_type, "Issue");
        assert_eq!(c.done_state, "Done");
        assert_eq!(c.open_state, "To Do");
        assert!(c.pat.is_none());
        let err = AzureDevOpsSink::new(&c, RetryPolicy::fast()).unwrap_err();
        assert!(err.to_string().contains("STEPUP_ADO_PAT"), "{err}");
        let err = AzureDevOpsConfig::from_lookup(|_| None).unwrap_err();
        assert!(err.to_string().contains("STEPUP_ADO_ORG_URL"), "{err}");
    }

    #[test]
    fn priorities_and_tags() {
        assert_eq!(priority(Severity::Critical), 1);
        assert_eq!(priority(Severity::Low), 4);
        assert!(has_tag("stepup; stepup:a:b", "stepup:a:b"));
        assert!(!has_tag("stepup; stepup:a:bc", "stepup:a:b"));
    }
}
