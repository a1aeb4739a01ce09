//! A fake GitHub REST API (2022-11-28) for one repository: issues list with `labels`,
//! `state` (default `open`), `per_page`/`page` and a `Link` header (pages are capped small so
//! paging is exercised), create, get, edit (labels and assignees replace; `state_reason`
//! checked), comments; pull requests appear in the issues list, as on GitHub; Bearer auth,
//! `X-GitHub-Api-Version` required.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use stepup::tickets::{TicketKey, TicketRef, TicketState};

use super::conformance::{FakeControl, FakeTicket};
use super::fake_server::{FakeRequest, FakeResponse, FakeServer, Fault, Route};
use super::file::severity;

/// The repository owner in the fake.
pub const OWNER: &str = "contoso";
/// The repository.
pub const REPO: &str = "identity";
/// The token the fake accepts.
pub const TOKEN: &str = "github_pat_fake";
/// The fake's default largest page, smaller than GitHub's 100 so paging happens.
pub const MAX_PER_PAGE: usize = 2;

/// One stored issue (or pull request).
#[derive(Debug, Clone)]
pub struct Issue {
    /// The issue as the API returns it.
    pub json: Value,
    /// Comment bodies, oldest first.
    pub comments: Vec<String>,
}

/// The fake repository.
pub struct FakeGitHub {
    /// The server.
    pub server: FakeServer,
    store: Arc<Mutex<Vec<Issue>>>,
    max_per_page: Arc<std::sync::atomic::AtomicUsize>,
}

impl FakeGitHub {
    /// Starts the fake with one labelled pull request already there (it must be ignored).
    pub async fn start() -> Self {
        let pr = Issue {
            json: json!({
                "number": 1, "state": "open", "title": "A pull request", "state_reason": null,
                "body": "mentions stepup", "labels": [{ "name": "stepup" }], "assignees": [],
                "pull_request": { "url": "https://example.invalid/pulls/1" },
            }),
            comments: Vec::new(),
        };
        let store = Arc::new(Mutex::new(vec![pr]));
        let s = store.clone();
        let max_per_page = Arc::new(std::sync::atomic::AtomicUsize::new(MAX_PER_PAGE));
        let m = max_per_page.clone();
        let server = FakeServer::start(Arc::new(move |req| {
            let mut store = s.lock().unwrap_or_else(|e| e.into_inner());
            handle(&mut store, req, m.load(std::sync::atomic::Ordering::SeqCst))
        }))
        .await;
        Self {
            server,
            store,
            max_per_page,
        }
    }

    /// Sets the largest page (GitHub's is 100; the default [`MAX_PER_PAGE`] forces paging).
    pub fn set_max_per_page(&self, n: usize) {
        self.max_per_page
            .store(n.max(1), std::sync::atomic::Ordering::SeqCst);
    }

    /// A copy of every issue.
    pub fn issues(&self) -> Vec<Issue> {
        self.store.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn issue(&self, number: &str) -> Option<Issue> {
        self.issues()
            .into_iter()
            .find(|i| number_is(&i.json, number))
    }
}

/// Whether an issue has the number written in `n`.
fn number_is(issue: &Value, n: &str) -> bool {
    issue["number"].as_u64().is_some() && n.parse::<u64>().ok() == issue["number"].as_u64()
}

fn labels(names: &Value) -> Value {
    Value::Array(
        names
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(|n| json!({ "name": n }))
                    .collect()
            })
            .unwrap_or_default(),
    )
}

fn assignees(logins: &Value) -> Value {
    Value::Array(
        logins
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(|l| json!({ "login": l }))
                    .collect()
            })
            .unwrap_or_default(),
    )
}

fn has_label(issue: &Value, name: &str) -> bool {
    issue["labels"]
        .as_array()
        .is_some_and(|ls| ls.iter().any(|l| l["name"] == name))
}

fn handle(store: &mut Vec<Issue>, req: &FakeRequest, max_per_page: usize) -> FakeResponse {
    if req.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
        return FakeResponse::error(401, "Bad credentials");
    }
    if req.header("x-github-api-version") != Some("2022-11-28")
        || req.header("accept") != Some("application/vnd.github+json")
    {
        return FakeResponse::error(400, "missing GitHub API headers");
    }
    let host = req.header("host").unwrap_or_default().to_string();
    let path = req.path();
    let ["repos", OWNER, REPO, "issues", rest @ ..] = path.as_slice() else {
        return FakeResponse::error(404, "Not Found");
    };
    let body = req.json();
    match (req.method.as_str(), rest) {
        ("GET", []) => {
            let wanted: Vec<&str> = req
                .query
                .get("labels")
                .map(|l| l.split(',').collect())
                .unwrap_or_default();
            let state = req.query.get("state").map_or("open", String::as_str);
            let per_page = req
                .query
                .get("per_page")
                .and_then(|p| p.parse::<usize>().ok())
                .unwrap_or(30)
                .clamp(1, max_per_page.max(1));
            let page = req
                .query
                .get("page")
                .and_then(|p| p.parse::<usize>().ok())
                .unwrap_or(1)
                .max(1);
            let all: Vec<&Value> = store
                .iter()
                .map(|i| &i.json)
                .filter(|i| wanted.iter().all(|l| has_label(i, l)))
                .filter(|i| state == "all" || i["state"] == state)
                .collect();
            let chunk: Vec<Value> = all
                .iter()
                .skip((page - 1) * per_page)
                .take(per_page)
                .map(|v| (*v).clone())
                .collect();
            let mut resp = FakeResponse::json(200, &Value::Array(chunk));
            if page * per_page < all.len() {
                let labels = req.query.get("labels").cloned().unwrap_or_default();
                let next = format!(
                    "http://{host}/repos/{OWNER}/{REPO}/issues?labels={labels}&state={state}&per_page={per_page}&page={}",
                    page + 1
                );
                resp = resp.with_header("link", &format!("<{next}>; rel=\"next\""));
            }
            resp
        }
        ("POST", []) => {
            let Some(title) = body["title"].as_str() else {
                return FakeResponse::error(422, "Validation Failed: title");
            };
            let number = store.len() + 1;
            let issue = json!({
                "number": number,
                "html_url": format!("https://github.example/{OWNER}/{REPO}/issues/{number}"),
                "state": "open",
                "state_reason": null,
                "title": title,
                "body": body["body"],
                "labels": labels(&body["labels"]),
                "assignees": assignees(&body["assignees"]),
            });
            store.push(Issue {
                json: issue.clone(),
                comments: Vec::new(),
            });
            FakeResponse::json(201, &issue)
        }
        (method, [number, tail @ ..]) => {
            let Some(issue) = store.iter_mut().find(|i| number_is(&i.json, number)) else {
                return FakeResponse::error(404, "Not Found");
            };
            match (method, tail) {
                ("GET", []) => FakeResponse::json(200, &issue.json),
                ("PATCH", []) => {
                    for field in ["title", "body"] {
                        if body[field].is_string() {
                            issue.json[field] = body[field].clone();
                        }
                    }
                    if body["labels"].is_array() {
                        issue.json["labels"] = labels(&body["labels"]);
                    }
                    if body["assignees"].is_array() {
                        issue.json["assignees"] = assignees(&body["assignees"]);
                    }
                    if let Some(state) = body["state"].as_str() {
                        let reason = body["state_reason"].as_str();
                        let valid = match state {
                            "closed" => matches!(reason, None | Some("completed" | "not_planned")),
                            "open" => matches!(reason, None | Some("reopened")),
                            _ => false,
                        };
                        if !valid {
                            return FakeResponse::error(422, "Validation Failed: state");
                        }
                        issue.json["state"] = json!(state);
                        issue.json["state_reason"] = json!(reason);
                    }
                    FakeResponse::json(200, &issue.json)
                }
                ("POST", ["comments"]) => {
                    let Some(text) = body["body"].as_str() else {
                        return FakeResponse::error(422, "Validation Failed: body");
                    };
                    issue.comments.push(text.to_string());
                    FakeResponse::json(201, &json!({ "id": issue.comments.len(), "body": text }))
                }
                _ => FakeResponse::error(404, "Not Found"),
            }
        }
        _ => FakeResponse::error(404, "Not Found"),
    }
}

impl FakeControl for FakeGitHub {
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
        let marker = format!("<!-- {key} -->");
        self.issues()
            .iter()
            .filter(|i| i.json["body"].as_str().is_some_and(|b| b.contains(&marker)))
            .count()
    }

    fn ticket(&self, reference: &TicketRef) -> Option<FakeTicket> {
        let issue = self.issue(&reference.id)?;
        let j = &issue.json;
        let state = match j["state"].as_str()? {
            "open" => TicketState::Open,
            _ => TicketState::Resolved,
        };
        let severity = j["labels"].as_array()?.iter().find_map(|l| {
            l["name"]
                .as_str()?
                .strip_prefix("severity:")
                .and_then(severity)
        });
        // GitHub assigns logins; an e-mail owner is written in the body.
        let assignee = j["assignees"][0]["login"]
            .as_str()
            .map(str::to_string)
            .or_else(|| {
                j["body"].as_str()?.lines().find_map(|l| {
                    l.strip_prefix("**Owner:** ")
                        .map(|o| o.trim_end().to_string())
                })
            });
        Some(FakeTicket {
            state,
            severity,
            assignee,
            notes: issue.comments,
        })
    }
}
