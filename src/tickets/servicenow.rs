//! ServiceNow (Table API, `incident`) ticket sink.
//!
//! - create: `POST /api/now/table/incident` with `correlation_id` = the key, urgency and
//!   impact from the severity, due date, the assignment group, and `assigned_to` = the
//!   owner's `sys_user` (looked up by e-mail unless `STEPUP_SERVICENOW_ASSIGN_OWNER=false`);
//! - find: `GET /api/now/table/incident?sysparm_query=correlation_id=<key>…`, newest first,
//!   Closed and Canceled incidents left out (they are read-only: a regression opens a new one);
//! - update: `PATCH …/incident/{sys_id}` with the fields and a `work_notes` entry;
//! - resolve: state 6 with `close_code` and `close_notes`;
//! - reopen: state 2 (In Progress) with a work note.

pub mod config;
pub mod wire;

use async_trait::async_trait;

use self::config::{ServiceNowAuth, ServiceNowConfig};
use self::wire::{Envelope, IncidentFields, IncidentRecord, UserRecord};
use super::http::{Auth, HttpClient, RetryPolicy};
use super::{FoundTicket, TicketDraft, TicketError, TicketKey, TicketRef, TicketSink};

/// The system name.
pub const SYSTEM: &str = "servicenow";

/// `…/api/now/table/incident` as path segments.
const INCIDENT: [&str; 4] = ["api", "now", "table", "incident"];
/// `…/api/now/table/sys_user` as path segments.
const SYS_USER: [&str; 4] = ["api", "now", "table", "sys_user"];

/// A ServiceNow instance.
#[derive(Debug, Clone)]
pub struct ServiceNowSink {
    http: HttpClient,
    config: ServiceNowConfig,
}

impl ServiceNowSink {
    /// A sink for the instance of `config`; tests pass [`RetryPolicy::fast`].
    pub fn new(config: &ServiceNowConfig, policy: RetryPolicy) -> Result<Self, TicketError> {
        let setting = config.credential_settings();
        let auth = match &config.auth {
            ServiceNowAuth::Basic { user, password } => Auth::Basic {
                user: user.clone(),
                password: password.clone(),
                setting,
            },
            ServiceNowAuth::Bearer(token) => Auth::Bearer {
                token: token.clone(),
                setting,
            },
        };
        let http = HttpClient::new(SYSTEM, &config.base_url, config::URL, auth, policy)?;
        Ok(Self {
            http,
            config: config.clone(),
        })
    }

    fn reference(&self, sys_id: &str) -> TicketRef {
        let mut url = self.http.url(&["incident.do"]);
        url.query_pairs_mut().append_pair("sys_id", sys_id);
        TicketRef {
            system: SYSTEM,
            id: sys_id.to_owned(),
            url: Some(url.to_string()),
        }
    }

    /// The `sys_user` of an owner's e-mail, when enabled and found.
    async fn user_of(&self, owner: Option<&str>) -> Result<Option<String>, TicketError> {
        let query = match owner.and_then(wire::user_query) {
            Some(q) if self.config.assign_owner => q,
            _ => return Ok(None),
        };
        let users: Envelope<Vec<UserRecord>> = self
            .http
            .get(&SYS_USER)
            .query(&[
                ("sysparm_query", query.as_str()),
                ("sysparm_limit", "1"),
                ("sysparm_fields", "sys_id"),
            ])
            .send()
            .await?
            .json()?;
        Ok(users.result.into_iter().next().map(|u| u.sys_id))
    }

    async fn patch(&self, sys_id: &str, fields: &IncidentFields) -> Result<(), TicketError> {
        if sys_id.is_empty() {
            return Err(self.http.failed("empty incident sys_id"));
        }
        let segments = [INCIDENT[0], INCIDENT[1], INCIDENT[2], INCIDENT[3], sys_id];
        self.http
            .patch(&segments)
            .query(&[("sysparm_fields", wire::INCIDENT_FIELDS)])
            .json(fields)
            .send()
            .await?;
        Ok(())
    }
}

/// `Some(note)` unless it is blank.
fn note_of(note: &str) -> Option<String> {
    (!note.trim().is_empty()).then(|| note.to_owned())
}

#[async_trait]
impl TicketSink for ServiceNowSink {
    fn system(&self) -> &'static str {
        SYSTEM
    }

    async fn find(&self, key: &TicketKey) -> Result<Option<FoundTicket>, TicketError> {
        let query = wire::key_query(key);
        let found: Envelope<Vec<IncidentRecord>> = self
            .http
            .get(&INCIDENT)
            .query(&[
                ("sysparm_query", query.as_str()),
                ("sysparm_limit", "1"),
                ("sysparm_fields", wire::INCIDENT_FIELDS),
            ])
            .send()
            .await?
            .json()?;
        Ok(found.result.into_iter().next().map(|r| FoundTicket {
            reference: self.reference(&r.sys_id),
            state: wire::state_of(r.state.as_deref()),
        }))
    }

    async fn create(&self, draft: &TicketDraft) -> Result<TicketRef, TicketError> {
        let fields = IncidentFields {
            correlation_id: Some(draft.key.to_string()),
            correlation_display: Some(wire::CORRELATION_DISPLAY.to_owned()),
            assignment_group: draft
                .project
                .clone()
                .or_else(|| self.config.assignment_group.clone()),
            assigned_to: self.user_of(draft.assignee.as_deref()).await?,
            ..IncidentFields::of_draft(draft)
        };
        let created: Envelope<IncidentRecord> = self
            .http
            .post(&INCIDENT)
            .query(&[("sysparm_fields", wire::INCIDENT_FIELDS)])
            .json(&fields)
            .send()
            .await?
            .json()?;
        Ok(self.reference(&created.result.sys_id))
    }

    async fn update(
        &self,
        ticket: &TicketRef,
        draft: &TicketDraft,
        note: &str,
    ) -> Result<(), TicketError> {
        let fields = IncidentFields {
            // The group only moves when the ownership map says so; people may reassign.
            assignment_group: draft.project.clone(),
            assigned_to: self.user_of(draft.assignee.as_deref()).await?,
            work_notes: note_of(note),
            ..IncidentFields::of_draft(draft)
        };
        self.patch(&ticket.id, &fields).await
    }

    async fn resolve(&self, ticket: &TicketRef, note: &str) -> Result<(), TicketError> {
        let fields = IncidentFields {
            state: Some(wire::STATE_RESOLVED.to_owned()),
            close_code: Some(self.config.close_code.clone()),
            close_notes: Some(note_of(note).unwrap_or_else(|| "Resolved by stepup.".to_owned())),
            ..IncidentFields::default()
        };
        self.patch(&ticket.id, &fields).await
    }

    async fn reopen(&self, ticket: &TicketRef, note: &str) -> Result<(), TicketError> {
        let fields = IncidentFields {
            state: Some(wire::STATE_IN_PROGRESS.to_owned()),
            work_notes: Some(note_of(note).unwrap_or_else(|| "Reopened by stepup.".to_owned())),
            ..IncidentFields::default()
        };
        self.patch(&ticket.id, &fields).await
    }
}
