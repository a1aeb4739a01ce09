//! Jira Cloud (REST v3) ticket sink.
//!
//! - create: `POST /rest/api/3/issue` with labels `stepup` and `stepup-<tenant>-<user>` (the
//!   key; labels cannot hold `:`), the key also in the ADF description, priority from the
//!   severity (names from `STEPUP_JIRA_PRIORITIES`), due date, and the owner's accountId as
//!   assignee when `STEPUP_JIRA_ACCOUNT_IDS` knows it (otherwise the owner is named in the
//!   description);
//! - find: `POST /rest/api/3/search/jql` by label, paging with `nextPageToken`, an open
//!   issue preferred;
//! - update: `PUT /rest/api/3/issue/{key}` and a comment;
//! - resolve / reopen: a comment, then the transition whose target status category is
//!   `done` / `new` (or `indeterminate`).

pub mod adf;
pub mod config;
pub mod wire;

use async_trait::async_trait;

use self::config::JiraConfig;
use self::wire::{
    Account, CommentRequest, CreatedIssue, FoundIssue, Identified, IssueFields, IssueRequest,
    IssueStatus, Keyed, Named, SearchRequest, SearchResponse, TransitionRequest, Transitions,
};
use super::http::{Auth, HttpClient, RetryPolicy};
use super::{FoundTicket, TicketDraft, TicketError, TicketKey, TicketRef, TicketSink, TicketState};

/// The system name.
pub const SYSTEM: &str = "jira";

/// Search pages read at most (one key has one issue; this only bounds a broken paging).
const MAX_PAGES: usize = 20;

/// Jira's limit on a summary.
const SUMMARY_MAX_CHARS: usize = 255;

/// Categories a resolve moves to.
const DONE: &[&str] = &["done"];
/// Categories a reopen moves to, in order of preference.
const OPEN: &[&str] = &["new", "indeterminate"];

/// A Jira Cloud site.
#[derive(Debug, Clone)]
pub struct JiraSink {
    http: HttpClient,
    config: JiraConfig,
}

impl JiraSink {
    /// A sink for the site of `config`; tests pass [`RetryPolicy::fast`].
    pub fn new(config: &JiraConfig, policy: RetryPolicy) -> Result<Self, TicketError> {
        let auth = Auth::Basic {
            user: config.email.clone(),
            password: config.api_token.clone(),
            setting: "STEPUP_JIRA_EMAIL / STEPUP_JIRA_API_TOKEN",
        };
        let http = HttpClient::new(SYSTEM, &config.base_url, config::URL, auth, policy)?;
        Ok(Self {
            http,
            config: config.clone(),
        })
    }

    fn reference(&self, key: &str) -> TicketRef {
        TicketRef {
            system: SYSTEM,
            id: key.to_owned(),
            url: Some(self.http.url(&["browse", key]).to_string()),
        }
    }

    /// The fields a draft sets; `create` adds project, type and labels.
    fn fields(&self, draft: &TicketDraft) -> IssueFields {
        let account = draft
            .assignee
            .as_deref()
            .and_then(|owner| self.config.account_id(owner));
        IssueFields {
            project: None,
            issuetype: None,
            summary: summary(&draft.title),
            description: wire::description(draft, account.is_some()),
            labels: None,
            priority: self.config.priority(draft.severity).map(|name| Named {
                name: name.to_owned(),
            }),
            duedate: draft.due.format("%Y-%m-%d").to_string(),
            assignee: account.map(|id| Account {
                account_id: id.to_owned(),
            }),
        }
    }

    async fn comment(&self, issue: &str, note: &str) -> Result<(), TicketError> {
        if note.trim().is_empty() {
            return Ok(());
        }
        let body = CommentRequest {
            body: adf::document(note),
        };
        self.http
            .post(&["rest", "api", "3", "issue", issue, "comment"])
            .json(&body)
            .send()
            .await?;
        Ok(())
    }

    /// Moves the issue into one of `categories` unless it is already there.
    async fn transition(&self, issue: &str, categories: &[&str]) -> Result<(), TicketError> {
        let current: IssueStatus = self
            .http
            .get(&["rest", "api", "3", "issue", issue])
            .query(&[("fields", "status")])
            .send()
            .await?
            .json()?;
        let category = current
            .fields
            .status
            .as_ref()
            .map(|s| s.status_category.key.as_str());
        if category.is_some_and(|c| categories.contains(&c)) {
            return Ok(());
        }
        let transitions: Transitions = self
            .http
            .get(&["rest", "api", "3", "issue", issue, "transitions"])
            .send()
            .await?
            .json()?;
        let Some(chosen) = transitions.leading_to(categories) else {
            return Err(self.http.failed(format!(
                "{issue}: the workflow offers no transition from status category `{}` to `{}`",
                category.unwrap_or("unknown"),
                categories.join("` or `")
            )));
        };
        let body = TransitionRequest {
            transition: Identified {
                id: chosen.id.clone(),
            },
        };
        self.http
            .post(&["rest", "api", "3", "issue", issue, "transitions"])
            .json(&body)
            .send()
            .await?;
        Ok(())
    }
}

/// A one-line summary within Jira's length limit.
fn summary(title: &str) -> String {
    let line = title.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(SUMMARY_MAX_CHARS) {
        Some((i, _)) => line[..i].to_owned(),
        None => line,
    }
}

#[async_trait]
impl TicketSink for JiraSink {
    fn system(&self) -> &'static str {
        SYSTEM
    }

    async fn find(&self, key: &TicketKey) -> Result<Option<FoundTicket>, TicketError> {
        let mut request = SearchRequest {
            jql: wire::key_jql(key),
            fields: vec!["status".to_owned()],
            max_results: wire::PAGE_SIZE,
            next_page_token: None,
        };
        let mut first_resolved: Option<FoundIssue> = None;
        for _ in 0..MAX_PAGES {
            let page: SearchResponse = self
                .http
                .post(&["rest", "api", "3", "search", "jql"])
                .json(&request)
                .idempotent()
                .send()
                .await?
                .json()?;
            for issue in page.issues {
                if issue.state() == TicketState::Open {
                    return Ok(Some(FoundTicket {
                        reference: self.reference(&issue.key),
                        state: TicketState::Open,
                    }));
                }
                first_resolved.get_or_insert(issue);
            }
            match page.next_page_token {
                Some(token) if page.is_last != Some(true) => request.next_page_token = Some(token),
                _ => break,
            }
        }
        Ok(first_resolved.map(|issue| FoundTicket {
            reference: self.reference(&issue.key),
            state: TicketState::Resolved,
        }))
    }

    async fn create(&self, draft: &TicketDraft) -> Result<TicketRef, TicketError> {
        let project = draft
            .project
            .clone()
            .unwrap_or_else(|| self.config.project.clone());
        let fields = IssueFields {
            project: Some(Keyed { key: project }),
            issuetype: Some(Named {
                name: self.config.issue_type.clone(),
            }),
            labels: Some(vec![
                wire::STEPUP_LABEL.to_owned(),
                wire::key_label(&draft.key),
            ]),
            ..self.fields(draft)
        };
        let created: CreatedIssue = self
            .http
            .post(&["rest", "api", "3", "issue"])
            .json(&IssueRequest { fields })
            .send()
            .await?
            .json()?;
        Ok(self.reference(&created.key))
    }

    async fn update(
        &self,
        ticket: &TicketRef,
        draft: &TicketDraft,
        note: &str,
    ) -> Result<(), TicketError> {
        let body = IssueRequest {
            fields: self.fields(draft),
        };
        self.http
            .put(&["rest", "api", "3", "issue", &ticket.id])
            .json(&body)
            .send()
            .await?;
        self.comment(&ticket.id, note).await
    }

    async fn resolve(&self, ticket: &TicketRef, note: &str) -> Result<(), TicketError> {
        self.comment(&ticket.id, note).await?;
        self.transition(&ticket.id, DONE).await
    }

    async fn reopen(&self, ticket: &TicketRef, note: &str) -> Result<(), TicketError> {
        self.comment(&ticket.id, note).await?;
        self.transition(&ticket.id, OPEN).await
    }
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn summaries_are_one_line_and_bounded() {
        assert_eq!(summary("MFA  for\nARM"), "MFA for ARM");
        let long = "é".repeat(300);
        assert_eq!(summary(&long).chars().count(), 255);
    }
}
