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

use base64::Engine as _;
use serde_json::{json, Value};
use stepup::detect::model::Severity;
use stepup::tickets::{TicketKey, TicketRef, TicketState};

use super::conformance::{FakeControl, FakeTicket};
use super::fake_server::{FakeRequest, FakeResponse, FakeServer, Fault, Route};

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
            handle(&mut st, req)
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

fn errors(status: u16, messages: &[&str], fields: Value) -> FakeResponse {
    FakeResponse::json(
        status,
        &json!({ "errorMessages": messages, "errors": fields }),
    )
}

fn not_found() -> FakeResponse {
    errors(
        404,
        &["Issue does not exist or you do not have permission to see it."],
        json!({}),
    )
}

fn authorised(req: &FakeRequest) -> bool {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{EMAIL}:{TOKEN}"))
    );
    req.header("authorization") == Some(expected.as_str())
}

fn handle(st: &mut State, req: &FakeRequest) -> FakeResponse {
    if !authorised(req) {
        return FakeResponse::error(401, "Client must be authenticated to access this resource.");
    }
    let path = req.path();
    match (req.method.as_str(), path.as_slice()) {
        ("POST", ["rest", "api", "3", "issue"]) => create(st, &req.json()),
        ("POST", ["rest", "api", "3", "search", "jql"]) => search(st, &req.json()),
        ("GET", ["rest", "api", "3", "issue", key]) => match find(st, key) {
            Some(i) => FakeResponse::json(
                200,
                &json!({ "id": i.id, "key": i.key, "fields": { "status": status(i.status) } }),
            ),
            None => not_found(),
        },
        ("PUT", ["rest", "api", "3", "issue", key]) => edit(st, key, &req.json()),
        ("POST", ["rest", "api", "3", "issue", key, "comment"]) => comment(st, key, &req.json()),
        ("GET", ["rest", "api", "3", "issue", key, "transitions"]) => match find(st, key) {
            Some(i) => {
                let list: Vec<Value> = WORKFLOW
                    .iter()
                    .enumerate()
                    .filter(|(n, _)| *n != i.status)
                    .map(|(n, (id, name, _))| {
                        json!({ "id": id, "name": name, "to": status(n), "isAvailable": true,
                                "hasScreen": false, "isGlobal": true })
                    })
                    .collect();
                FakeResponse::json(200, &json!({ "transitions": list }))
            }
            None => not_found(),
        },
        ("POST", ["rest", "api", "3", "issue", key, "transitions"]) => {
            transition(st, key, &req.json())
        }
        _ => errors(404, &["No such endpoint in the fake."], json!({})),
    }
}

fn status(n: usize) -> Value {
    let (_, name, category) = WORKFLOW[n];
    json!({ "name": name, "statusCategory": { "key": category, "name": name } })
}

fn find<'a>(st: &'a mut State, key: &str) -> Option<&'a mut Issue> {
    st.issues.iter_mut().find(|i| i.key == key)
}

fn is_doc(v: &Value) -> bool {
    v["type"] == "doc" && v["version"] == 1 && v["content"].is_array() && !has_empty_text(v)
}

fn has_empty_text(v: &Value) -> bool {
    match v {
        Value::Object(m) => {
            (m.get("type") == Some(&json!("text"))
                && m.get("text")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty))
                || m.values().any(has_empty_text)
        }
        Value::Array(a) => a.iter().any(has_empty_text),
        _ => false,
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::Object(m) if m.get("type") == Some(&json!("text")) => m
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        Value::Object(m) => m.get("content").map(plain).unwrap_or_default(),
        Value::Array(a) => a.iter().map(plain).collect::<Vec<_>>().join("\n"),
        _ => String::new(),
    }
}

/// Validates the common fields; `Err` is a 400.
fn check_fields(f: &Value) -> Result<(), FakeResponse> {
    let mut bad = serde_json::Map::new();
    if let Some(p) = f.get("priority") {
        if !matches!(
            p["name"].as_str(),
            Some("Highest" | "High" | "Medium" | "Low" | "Lowest")
        ) {
            bad.insert("priority".into(), json!("Specify a valid priority name."));
        }
    }
    if let Some(d) = f.get("description") {
        if !is_doc(d) {
            bad.insert("description".into(), json!("Operation value must be an Atlassian Document (see the Atlassian Document Format)."));
        }
    }
    if let Some(d) = f.get("duedate") {
        if d.as_str()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .is_none()
        {
            bad.insert("duedate".into(), json!("Error parsing date string."));
        }
    }
    if let Some(a) = f.get("assignee").filter(|a| !a.is_null()) {
        let id = a["accountId"].as_str().unwrap_or("");
        if !USERS.iter().any(|(u, _)| *u == id) {
            bad.insert(
                "assignee".into(),
                json!(format!("User '{id}' does not exist.")),
            );
        }
    }
    if let Some(s) = f.get("summary") {
        let s = s.as_str().unwrap_or("");
        if s.is_empty() || s.contains('\n') || s.chars().count() > 255 {
            bad.insert(
                "summary".into(),
                json!("Summary must be one line of at most 255 characters."),
            );
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(errors(400, &[], Value::Object(bad)))
    }
}

fn create(st: &mut State, body: &Value) -> FakeResponse {
    let f = &body["fields"];
    if f["project"]["key"] != PROJECT {
        return errors(400, &[], json!({ "project": "valid project is required" }));
    }
    if f["issuetype"]["name"] != "Task" {
        return errors(
            400,
            &[],
            json!({ "issuetype": "valid issue type is required" }),
        );
    }
    if f["summary"].is_null() {
        return errors(
            400,
            &[],
            json!({ "summary": "You must specify a summary of the issue." }),
        );
    }
    if let Err(resp) = check_fields(f) {
        return resp;
    }
    let labels: Vec<String> = f["labels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l.as_str().map(str::to_owned))
        .collect();
    if labels
        .iter()
        .any(|l| l.contains(' ') || l.is_empty() || l.len() > 255)
    {
        return errors(
            400,
            &[],
            json!({ "labels": "The label can't contain spaces." }),
        );
    }
    let n = st.issues.len() + 1;
    let issue = Issue {
        id: (10000 + n).to_string(),
        key: format!("{PROJECT}-{n}"),
        summary: f["summary"].as_str().unwrap_or("").to_owned(),
        description: f["description"].clone(),
        labels,
        priority: f["priority"]["name"]
            .as_str()
            .unwrap_or("Medium")
            .to_owned(),
        duedate: f["duedate"].as_str().map(str::to_owned),
        assignee: f["assignee"]["accountId"].as_str().map(str::to_owned),
        status: 0,
        comments: Vec::new(),
    };
    let answer = json!({
        "id": issue.id,
        "key": issue.key,
        "self": format!("https://fake.atlassian.net/rest/api/3/issue/{}", issue.id),
    });
    st.issues.push(issue);
    FakeResponse::json(201, &answer)
}

/// The request properties `POST /rest/api/3/search/jql` accepts; any other (`startAt`…)
/// is a 400, as on a real site.
const SEARCH_PROPERTIES: &[&str] = &[
    "jql",
    "fields",
    "maxResults",
    "nextPageToken",
    "expand",
    "properties",
    "fieldsByKeys",
    "failFast",
    "reconcileIssues",
];

fn search(st: &State, body: &Value) -> FakeResponse {
    let valid = body
        .as_object()
        .is_some_and(|m| m.keys().all(|k| SEARCH_PROPERTIES.contains(&k.as_str())));
    if !valid {
        return errors(
            400,
            &["Invalid request payload. Refer to the REST API documentation and try again."],
            json!({}),
        );
    }
    let jql = body["jql"].as_str().unwrap_or("");
    let Some(wanted) = jql
        .strip_prefix("labels = \"")
        .and_then(|rest| rest.split_once('"'))
        .map(|(label, _)| label)
    else {
        return errors(
            400,
            &[&format!("The fake understands only labels = \"…\": {jql}")],
            json!({}),
        );
    };
    let max = body["maxResults"].as_u64().unwrap_or(50).clamp(1, 5000) as usize;
    let size = max.min(st.page_cap);
    let start = match body["nextPageToken"].as_str() {
        None => 0,
        Some(t) => match t
            .strip_prefix("page-")
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(n) => n,
            None => return errors(400, &["Invalid nextPageToken."], json!({})),
        },
    };
    let wants_status = body["fields"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == "status" || x == "*all"));
    let matching: Vec<&Issue> = st
        .issues
        .iter()
        .filter(|i| i.labels.iter().any(|l| l == wanted))
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(size)
        .map(|i| {
            let fields = if wants_status {
                json!({ "status": status(i.status) })
            } else {
                json!({})
            };
            json!({ "id": i.id, "key": i.key, "fields": fields })
        })
        .collect();
    let end = start + page.len();
    let mut answer = json!({ "issues": page, "isLast": end >= matching.len() });
    if end < matching.len() {
        answer["nextPageToken"] = json!(format!("page-{end}"));
    }
    FakeResponse::json(200, &answer)
}

fn edit(st: &mut State, key: &str, body: &Value) -> FakeResponse {
    let f = &body["fields"];
    if let Err(resp) = check_fields(f) {
        return resp;
    }
    if f.get("project").is_some() || f.get("issuetype").is_some() {
        return errors(
            400,
            &[],
            json!({ "project": "Field cannot be set by an edit." }),
        );
    }
    let Some(issue) = find(st, key) else {
        return not_found();
    };
    if let Some(s) = f["summary"].as_str() {
        issue.summary = s.to_owned();
    }
    if f.get("description").is_some() {
        issue.description = f["description"].clone();
    }
    if let Some(p) = f["priority"]["name"].as_str() {
        issue.priority = p.to_owned();
    }
    if let Some(d) = f["duedate"].as_str() {
        issue.duedate = Some(d.to_owned());
    }
    if let Some(a) = f.get("assignee") {
        issue.assignee = a["accountId"].as_str().map(str::to_owned);
    }
    FakeResponse {
        status: 204,
        headers: Vec::new(),
        body: Vec::new(),
    }
}

fn comment(st: &mut State, key: &str, body: &Value) -> FakeResponse {
    if !is_doc(&body["body"]) {
        return errors(
            400,
            &[],
            json!({ "comment": "Comment body must be an Atlassian Document." }),
        );
    }
    let Some(issue) = find(st, key) else {
        return not_found();
    };
    issue.comments.push(plain(&body["body"]));
    let id = 20000 + issue.comments.len();
    FakeResponse::json(201, &json!({ "id": id.to_string(), "body": body["body"] }))
}

fn transition(st: &mut State, key: &str, body: &Value) -> FakeResponse {
    let Some(issue) = find(st, key) else {
        return not_found();
    };
    let id = body["transition"]["id"].as_str().unwrap_or("");
    match WORKFLOW.iter().position(|(t, _, _)| *t == id) {
        Some(n) if n != issue.status => {
            issue.status = n;
            FakeResponse {
                status: 204,
                headers: Vec::new(),
                body: Vec::new(),
            }
        }
        _ => errors(
            400,
            &[&format!(
                "Transition id '{id}' is not valid for this issue."
            )],
            json!({}),
        ),
    }
}

impl Issue {
    /// The description as plain text.
    pub fn description_text(&self) -> String {
        plain(&self.description)
    }

    /// The status category key.
    pub fn category(&self) -> &'static str {
        WORKFLOW[self.status].2
    }
}
