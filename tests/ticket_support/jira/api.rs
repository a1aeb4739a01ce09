//! The fake Jira's endpoints: request checks and answers in Jira's documented shapes.

use base64::Engine as _;
use serde_json::{json, Value};

use super::super::fake_server::{FakeRequest, FakeResponse};
use super::{Issue, State, EMAIL, PROJECT, TOKEN, USERS, WORKFLOW};

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

pub(super) fn handle(st: &mut State, req: &FakeRequest) -> FakeResponse {
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

pub(super) fn status(n: usize) -> Value {
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

pub(super) fn plain(v: &Value) -> String {
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
