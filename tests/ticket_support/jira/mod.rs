//! A fake Jira Cloud site (REST v3) on loopback, following the documented shapes:
//!
//! - `POST /rest/api/3/issue` → 201 `{id, key, self}`; 400 `{errorMessages, errors}` on bad
//!   fields (unknown project, priority or accountId, a label with a space, a description
//!   that is not an ADF `doc`);
//! - `POST /rest/api/3/search/jql` with `{jql, fields, maxResults, nextPageToken}` → 200
//!   `{issues, nextPageToken?, isLast}` (only `labels = "…"` queries are understood);
//! - `GET|PUT /rest/api/3/issue/{key}`, `POST …/comment` (ADF body, 201),
//!   `GET|POST …/transitions` (a To Do / In Progress / Done workflow, 204);
//! - every call needs `Authorization: Basic base64(email:token)`, else 401.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use stepup::detect::model::Severity;
use stepup::tickets::{TicketKey, TicketRef, TicketState};

mod api;

use super::conformance::{FakeControl, FakeTicket};
use super::fake_server::{FakeRequest, FakeServer, Fault, Route};

/// The project the fake knows.
pub const PROJECT: &str = "OPS";
/// The account e-mail the fake accepts.
pub const EMAIL: &str = "stepup-bot@contoso.example";
/// The API token the fake accepts.
pub const TOKEN: &str = "jira-api-token";

/// Jira users: accountId → e-mail (what the user directory would say).
pub const USERS: &[(&str, &str)] = &[
    ("5b10a2844c20165700ede21g", "alice@contoso.example"),
    ("5b10ac8d82e05b22cc7d4ef5", "bob@contoso.example"),
];

/// The workflow: (transition id, status name, status category key).
const WORKFLOW: &[(&str, &str, &str)] = &[
    ("11", "To Do", "new"),
    ("21", "In Progress", "indeterminate"),
    ("31", "Done", "done"),
];

/// One stored issue.
#[derive(Debug, Clone)]
pub struct Issue {
    /// Numeric id.
    pub id: String,
    /// `OPS-1`.
    pub key: String,
    /// Title.
    pub summary: String,
    /// ADF description.
    pub description: Value,
    /// Labels.
    pub labels: Vec<String>,
    /// Priority name.
    pub priority: String,
    /// `YYYY-MM-DD`.
    pub duedate: Option<String>,
    /// accountId.
    pub assignee: Option<String>,
    /// Index into the workflow.
    pub status: usize,
    /// Comment bodies as plain text.
    pub comments: Vec<String>,
}

#[derive(Debug, Default)]
struct State {
    issues: Vec<Issue>,
    /// Largest page the search returns, whatever `maxResults` asks.
    page_cap: usize,
}

/// The fake site.
pub struct FakeJira {
    /// The server.
    pub server: FakeServer,
    state: Arc<Mutex<State>>,
}

impl FakeJira {
    /// Starts an empty site.
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State {
            issues: Vec::new(),
            page_cap: 50,
        }));
        let s = state.clone();
        let server = FakeServer::start(Arc::new(move |req: &FakeRequest| {
            let mut st = s.lock().unwrap_or_else(|e| e.into_inner());
            api::handle(&mut st, req)
        }))
        .await;
        Self { server, state }
    }

    /// The settings a sink needs to talk to this fake.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        let ids = USERS
            .iter()
            .map(|(id, mail)| format!("{mail}={id}"))
            .collect::<Vec<_>>()
            .join(";");
        vec![
            ("STEPUP_JIRA_URL", self.server.base_url()),
            ("STEPUP_JIRA_PROJECT", PROJECT.to_owned()),
            ("STEPUP_JIRA_EMAIL", EMAIL.to_owned()),
            ("STEPUP_JIRA_API_TOKEN", TOKEN.to_owned()),
            ("STEPUP_JIRA_ACCOUNT_IDS", ids),
        ]
    }

    /// The settings as a lookup closure (what `from_lookup` takes).
    pub fn lookup(&self) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<&'static str, String> = self.settings().into_iter().collect();
        move |name| map.get(name).cloned()
    }

    /// Caps search pages at `n` issues (to exercise `nextPageToken` paging).
    pub fn cap_pages(&self, n: usize) {
        self.lock().page_cap = n.max(1);
    }

    /// Stores an issue directly (as if created by hand or by an older run).
    pub fn seed(&self, key: &TicketKey, done: bool) -> String {
        let mut st = self.lock();
        let n = st.issues.len() + 1;
        let issue = Issue {
            id: (10000 + n).to_string(),
            key: format!("{PROJECT}-{n}"),
            summary: "seeded".into(),
            description: json!({"type": "doc", "version": 1, "content": []}),
            labels: vec!["stepup".into(), label(key)],
            priority: "Medium".into(),
            duedate: None,
            assignee: None,
            status: if done { 2 } else { 0 },
            comments: Vec::new(),
        };
        let k = issue.key.clone();
        st.issues.push(issue);
        k
    }

    /// A copy of a stored issue.
    pub fn issue(&self, key: &str) -> Option<Issue> {
        self.lock().issues.iter().find(|i| i.key == key).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The label of a key, as the contract says: the key with `:` turned into `-`.
pub fn label(key: &TicketKey) -> String {
    format!("stepup-{}-{}", key.tenant, key.user)
}

impl FakeControl for FakeJira {
    fn requests(&self) -> usize {
        self.server.requests()
    }

    fn inject(&self, route: Route, faults: &[Fault]) -> bool {
        self.server.faults.push(route, faults);
        true
    }

    fn clear_faults(&self) {
        self.server.faults.clear();
    }

    fn count(&self, key: &TicketKey) -> usize {
        let l = label(key);
        self.lock()
            .issues
            .iter()
            .filter(|i| i.labels.contains(&l))
            .count()
    }

    fn ticket(&self, reference: &TicketRef) -> Option<FakeTicket> {
        let issue = self.issue(&reference.id)?;
        Some(FakeTicket {
            state: if WORKFLOW[issue.status].2 == "done" {
                TicketState::Resolved
            } else {
                TicketState::Open
            },
            severity: match issue.priority.as_str() {
                "Highest" => Some(Severity::Critical),
                "High" => Some(Severity::High),
                "Medium" => Some(Severity::Medium),
                "Low" => Some(Severity::Low),
                _ => None,
            },
            assignee: issue.assignee.as_deref().and_then(|id| {
                USERS
                    .iter()
                    .find(|(u, _)| *u == id)
                    .map(|(_, mail)| (*mail).to_owned())
            }),
            notes: issue.comments.clone(),
        })
    }
}

impl Issue {
    /// The description as plain text.
    pub fn description_text(&self) -> String {
        api::plain(&self.description)
    }

    /// The status category key.
    pub fn category(&self) -> &'static str {
        WORKFLOW[self.status].2
    }
}
