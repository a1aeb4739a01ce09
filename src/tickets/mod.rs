//! Ticket systems behind one trait: Azure DevOps Boards, GitHub Issues, Jira Cloud,
//! ServiceNow and a file outbox. One ticket per (tenant, account), found again by its key in
//! the ticket system itself, so a crash between "created" and "saved" never duplicates.
//!
//! - [`http`]: the HTTP layer every remote sink shares (retries, `Retry-After`, error mapping).
//! - [`settings`]: `STEPUP_TICKETS` and the errors of sink settings; [`setting_values`]:
//!   boolean and `name=value;…` settings.
//! - Sinks: [`file`] (the default), [`azure_devops`], [`github`], [`jira`], [`servicenow`].
//! - [`markdown`]: Markdown to HTML for systems whose fields take HTML.
//! - [`draft`]: what a ticket says ([`draft::draft_for`]: title, body, due date, key marker).

use std::fmt;

use async_trait::async_trait;
use chrono::NaiveDate;

use crate::detect::model::Severity;
use crate::ids::{ObjectId, TenantId};

pub mod azure_devops;
pub mod draft;
pub mod factory;
pub mod file;
pub mod github;
pub mod http;
pub mod jira;
pub mod markdown;
pub mod servicenow;
pub mod setting_values;
pub mod settings;

/// The key stored in the ticket system: `stepup:<tenantId>:<userId>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketKey {
    /// The tenant.
    pub tenant: TenantId,
    /// The account.
    pub user: ObjectId,
}

impl fmt::Display for TicketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "stepup:{}:{}", self.tenant, self.user)
    }
}

/// What a ticket says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketDraft {
    /// The key, stored where the system lets us search for it.
    pub key: TicketKey,
    /// One-line title.
    pub title: String,
    /// Markdown body: account, severity, evidence, owner, migration steps, unblock.
    pub body: String,
    /// Severity (mapped to the system's priority).
    pub severity: Severity,
    /// The owner, as assignee (UPN / e-mail), when known.
    pub assignee: Option<String>,
    /// Due date: the enforcement date, or today + `STEPUP_TICKET_DUE_DAYS` once enforced.
    pub due: NaiveDate,
    /// Project / repository / queue override from the ownership map.
    pub project: Option<String>,
}

/// A ticket in a system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRef {
    /// The system (`azure-devops`, `github`, `jira`, `servicenow`, `file`).
    pub system: &'static str,
    /// The system's id (work item id, issue number, issue key, sys_id, file name).
    pub id: String,
    /// A link for people, when the system has one.
    pub url: Option<String>,
}

/// Open or resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketState {
    /// Work to do.
    Open,
    /// Closed / resolved / done.
    Resolved,
}

/// A ticket found by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundTicket {
    /// Where it is.
    pub reference: TicketRef,
    /// Its state.
    pub state: TicketState,
}

/// A ticket system failure, never carrying a token.
#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    /// 401/403: the credential is wrong or lacks permission.
    #[error("{system}: not authorised: {message}")]
    Unauthorized {
        /// The system.
        system: &'static str,
        /// What it said.
        message: String,
    },
    /// 429 or 503 with `Retry-After`, still failing after the retries.
    #[error("{system}: throttled")]
    Throttled {
        /// The system.
        system: &'static str,
    },
    /// Any other failure.
    #[error("{system}: {message}")]
    Failed {
        /// The system.
        system: &'static str,
        /// What happened.
        message: String,
    },
}

/// A ticket system.
#[async_trait]
pub trait TicketSink: Send + Sync {
    /// The system's name (`azure-devops`, …).
    fn system(&self) -> &'static str;
    /// Finds the ticket of a key, open or resolved.
    async fn find(&self, key: &TicketKey) -> Result<Option<FoundTicket>, TicketError>;
    /// Creates a ticket (the caller has checked [`TicketSink::find`] first).
    async fn create(&self, draft: &TicketDraft) -> Result<TicketRef, TicketError>;
    /// Updates fields and adds a comment / work note.
    async fn update(
        &self,
        ticket: &TicketRef,
        draft: &TicketDraft,
        note: &str,
    ) -> Result<(), TicketError>;
    /// Resolves with a note.
    async fn resolve(&self, ticket: &TicketRef, note: &str) -> Result<(), TicketError>;
    /// Reopens with a note.
    async fn reopen(&self, ticket: &TicketRef, note: &str) -> Result<(), TicketError>;
}
