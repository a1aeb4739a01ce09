//! GitHub Issues (REST, API version 2022-11-28; github.com or GHES): an issue per account,
//! labelled `stepup` and `severity:<level>`, its key in a hidden body marker
//! `<!-- stepup:<tenant>:<user> -->`, found again by listing `labels=stepup&state=all` (the
//! list API is consistent, unlike search, so a fresh issue is never missed) with `Link`
//! paging; comments for notes; closed with `state_reason: completed`, reopened with
//! `state: open`. The owner is assigned when it is a GitHub login; an e-mail owner is
//! written in the body instead (GitHub cannot assign by e-mail).

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::http::{Auth, HttpClient, RequestSpec, RetryPolicy};
use super::settings::{optional, required, TicketSettingError};
use super::{FoundTicket, TicketDraft, TicketError, TicketKey, TicketRef, TicketSink, TicketState};
use crate::secret::Secret;

const SYSTEM: &str = "github";
/// The label every stepup issue carries.
pub const LABEL: &str = "stepup";
/// The prefix of the severity label (`severity:high`).
pub const SEVERITY_LABEL_PREFIX: &str = "severity:";
/// The most pages `find` reads (100 issues each).
const MAX_PAGES: usize = 50;

/// Settings of the GitHub sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHubConfig {
    /// `STEPUP_GITHUB_API_URL` (default `https://api.github.com`; GHES:
    /// `https://<host>/api/v3`).
    pub api_url: String,
    /// `STEPUP_GITHUB_REPO`: the owner.
    pub owner: String,
    /// `STEPUP_GITHUB_REPO`: the repository.
    pub repo: String,
    /// `STEPUP_GITHUB_TOKEN`: a fine-grained token with Issues read & write on the repository.
    pub token: Secret,
}

impl GitHubConfig {
    /// Reads the `STEPUP_GITHUB_*` settings through `lookup`.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, TicketSettingError> {
        let full = required(&lookup, SYSTEM, "STEPUP_GITHUB_REPO")?;
        let (owner, repo) = parse_repo(&full).ok_or_else(|| TicketSettingError::Invalid {
            setting: "STEPUP_GITHUB_REPO",
            why: format!("{full:?} is not owner/repository"),
        })?;
        Ok(Self {
            api_url: optional(&lookup, "STEPUP_GITHUB_API_URL")
                .unwrap_or_else(|| "https://api.github.com".into()),
            owner,
            repo,
            token: Secret::new(required(&lookup, SYSTEM, "STEPUP_GITHUB_TOKEN")?),
        })
    }
}

/// Splits `owner/repo`, both made of GitHub's name characters.
fn parse_repo(full: &str) -> Option<(String, String)> {
    let (owner, repo) = full.trim().split_once('/')?;
    let ok = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    (ok(owner) && ok(repo)).then(|| (owner.to_string(), repo.to_string()))
}

/// Whether an owner is a GitHub login (assignable) rather than an e-mail or UPN.
fn login(owner: &str) -> Option<&str> {
    let ok = !owner.is_empty()
        && owner.len() <= 39
        && !owner.starts_with('-')
        && owner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    ok.then_some(owner)
}

/// The hidden marker that carries the key in the issue body.
pub fn marker(key: &TicketKey) -> String {
    format!("<!-- {key} -->")
}

/// The GitHub Issues sink.
#[derive(Debug, Clone)]
pub struct GitHubSink {
    http: HttpClient,
    owner: String,
    repo: String,
}

#[derive(Debug, Deserialize)]
struct Issue {
    number: u64,
    html_url: Option<String>,
    state: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    labels: Vec<Label>,
    #[serde(default)]
    pull_request: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Label {
    name: String,
}

impl GitHubSink {
    /// A sink for the repository of `config`.
    pub fn new(config: &GitHubConfig, policy: RetryPolicy) -> Result<Self, TicketError> {
        let auth = Auth::Bearer {
            token: config.token.clone(),
            setting: "STEPUP_GITHUB_TOKEN",
        };
        Ok(Self {
            http: HttpClient::new(
                SYSTEM,
                &config.api_url,
                "STEPUP_GITHUB_API_URL",
                auth,
                policy,
            )?,
            owner: config.owner.clone(),
            repo: config.repo.clone(),
        })
    }

    /// GitHub's headers on a request.
    fn github<'a>(&self, req: RequestSpec<'a>) -> RequestSpec<'a> {
        req.header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28")
    }

    fn issues(&self, method: Method, tail: &[&str]) -> RequestSpec<'_> {
        let mut segments = vec!["repos", &self.owner, &self.repo, "issues"];
        segments.extend_from_slice(tail);
        self.github(self.http.request(method, &segments))
    }

    fn reference(&self, issue: &Issue) -> TicketRef {
        TicketRef {
            system: SYSTEM,
            id: issue.number.to_string(),
            url: issue.html_url.clone(),
        }
    }

    fn number(&self, ticket: &TicketRef) -> Result<String, TicketError> {
        match ticket.id.parse::<u64>() {
            Ok(n) if ticket.system == SYSTEM => Ok(n.to_string()),
            _ => Err(self
                .http
                .failed(format!("not an issue number: {:?}", ticket.id))),
        }
    }

    async fn comment(&self, number: &str, note: &str) -> Result<(), TicketError> {
        self.issues(Method::POST, &[number, "comments"])
            .json(&json!({ "body": note }))
            .send()
            .await?;
        Ok(())
    }

    async fn edit(&self, number: &str, fields: &Value) -> Result<Issue, TicketError> {
        self.issues(Method::PATCH, &[number])
            .json(fields)
            .send()
            .await?
            .json()
    }
}

/// The issue body: the draft's Markdown, the owner and due date, and the key marker.
fn body(draft: &TicketDraft) -> String {
    let mut out = draft.body.trim_end().to_string();
    out.push_str("\n\n---\n");
    if let Some(owner) = &draft.assignee {
        out.push_str(&format!("**Owner:** {owner}  \n"));
    }
    out.push_str(&format!(
        "**Due:** {}\n\n{}\n",
        draft.due,
        marker(&draft.key)
    ));
    out
}

fn severity_label(draft: &TicketDraft) -> String {
    format!("{SEVERITY_LABEL_PREFIX}{}", draft.severity.as_str())
}

#[async_trait]
impl TicketSink for GitHubSink {
    fn system(&self) -> &'static str {
        SYSTEM
    }

    async fn find(&self, key: &TicketKey) -> Result<Option<FoundTicket>, TicketError> {
        let marker = marker(key);
        let mut hits: Vec<Issue> = Vec::new();
        let mut response = self
            .issues(Method::GET, &[])
            .query(&[("labels", LABEL), ("state", "all"), ("per_page", "100")])
            .send()
            .await?;
        for _ in 0..MAX_PAGES {
            let page: Vec<Issue> = response.json()?;
            hits.extend(page.into_iter().filter(|i| {
                i.pull_request.is_none() && i.body.as_deref().is_some_and(|b| b.contains(&marker))
            }));
            let Some(next) = response.next_link() else {
                break;
            };
            response = self
                .github(self.http.request_url(Method::GET, next))
                .send()
                .await?;
        }
        // An open issue first, then the oldest.
        hits.sort_by_key(|i| (i.state != "open", i.number));
        Ok(hits.first().map(|i| FoundTicket {
            reference: self.reference(i),
            state: if i.state == "open" {
                TicketState::Open
            } else {
                TicketState::Resolved
            },
        }))
    }

    async fn create(&self, draft: &TicketDraft) -> Result<TicketRef, TicketError> {
        let mut fields = json!({
            "title": draft.title,
            "body": body(draft),
            "labels": [LABEL, severity_label(draft)],
        });
        if let Some(login) = draft.assignee.as_deref().and_then(login) {
            fields["assignees"] = json!([login]);
        }
        let issue: Issue = self
            .issues(Method::POST, &[])
            .json(&fields)
            .send()
            .await?
            .json()?;
        Ok(self.reference(&issue))
    }

    async fn update(
        &self,
        ticket: &TicketRef,
        draft: &TicketDraft,
        note: &str,
    ) -> Result<(), TicketError> {
        let number = self.number(ticket)?;
        let current: Issue = self.issues(Method::GET, &[&number]).send().await?.json()?;
        // Keep the labels people added; replace only ours.
        let mut labels: Vec<String> = current
            .labels
            .into_iter()
            .map(|l| l.name)
            .filter(|l| l != LABEL && !l.starts_with(SEVERITY_LABEL_PREFIX))
            .collect();
        labels.push(LABEL.into());
        labels.push(severity_label(draft));
        let mut fields = json!({ "title": draft.title, "body": body(draft), "labels": labels });
        if let Some(login) = draft.assignee.as_deref().and_then(login) {
            fields["assignees"] = json!([login]);
        }
        self.edit(&number, &fields).await?;
        self.comment(&number, note).await
    }

    async fn resolve(&self, ticket: &TicketRef, note: &str) -> Result<(), TicketError> {
        let number = self.number(ticket)?;
        self.comment(&number, note).await?;
        self.edit(
            &number,
            &json!({ "state": "closed", "state_reason": "completed" }),
        )
        .await?;
        Ok(())
    }

    async fn reopen(&self, ticket: &TicketRef, note: &str) -> Result<(), TicketError> {
        let number = self.number(ticket)?;
        self.comment(&number, note).await?;
        self.edit(
            &number,
            &json!({ "state": "open", "state_reason": "reopened" }),
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_reads_repo_and_defaults_the_api() {
        let lookup = |k: &str| match k {
            "STEPUP_GITHUB_REPO" => Some("contoso/identity".to_string()),
            "STEPUP_GITHUB_TOKEN" => Some("t".to_string()),
            _ => None,
        };
        let c = GitHubConfig::from_lookup(lookup).unwrap();
        assert_eq!(c.api_url, "https://api.github.com");
        assert_eq!((c.owner.as_str(), c.repo.as_str()), ("contoso", "identity"));
        let err = GitHubConfig::from_lookup(|k| {
            (k == "STEPUP_GITHUB_REPO").then(|| "no-slash".to_string())
        })
        .unwrap_err();
        assert!(err.to_string().contains("STEPUP_GITHUB_REPO"), "{err}");
        let err =
            GitHubConfig::from_lookup(|k| (k == "STEPUP_GITHUB_REPO").then(|| "a/b".to_string()))
                .unwrap_err();
        assert!(err.to_string().contains("STEPUP_GITHUB_TOKEN"), "{err}");
    }

    #[test]
    fn repo_and_login_shapes() {
        assert!(parse_repo("a/../b").is_none());
        assert!(parse_repo("a/..").is_none());
        assert!(parse_repo("/b").is_none());
        assert_eq!(login("octo-cat"), Some("octo-cat"));
        assert_eq!(login("alice@contoso.example"), None);
        assert_eq!(login("-x"), None);
    }
}
