//! The fake ServiceNow's Table API endpoints: encoded queries, writes checked as data
//! policies would, answers in the documented `{"result": …}` / `{"error": …}` shapes.

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::super::fake_server::{FakeRequest, FakeResponse};
use super::{Incident, State, CLOSE_CODES, PASSWORD, TOKEN, USER, USERS, WRITABLE};

fn failure(status: u16, message: &str, detail: &str) -> FakeResponse {
    FakeResponse::json(
        status,
        &json!({ "error": { "message": message, "detail": detail }, "status": "failure" }),
    )
}

fn authorised(req: &FakeRequest) -> bool {
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    let bearer = format!("Bearer {TOKEN}");
    matches!(req.header("authorization"), Some(h) if h == basic || h == bearer)
}

pub(super) fn handle(st: &mut State, req: &FakeRequest) -> FakeResponse {
    if !authorised(req) {
        return failure(
            401,
            "User Not Authenticated",
            "Required to provide Auth information",
        );
    }
    let path = req.path();
    match (req.method.as_str(), path.as_slice()) {
        ("GET", ["api", "now", "table", "incident"]) => {
            let rows: Vec<Map<String, Value>> =
                st.incidents.iter().map(|i| i.fields.clone()).collect();
            list(rows, req)
        }
        ("GET", ["api", "now", "table", "sys_user"]) => {
            let rows = USERS
                .iter()
                .map(|(id, mail, active)| {
                    let v = json!({ "sys_id": id, "email": mail, "active": active.to_string(),
                                    "sys_created_on": "2024-01-01 00:00:00" });
                    v.as_object().cloned().unwrap_or_default()
                })
                .collect();
            list(rows, req)
        }
        ("POST", ["api", "now", "table", "incident"]) => create(st, req),
        ("PATCH" | "PUT", ["api", "now", "table", "incident", sys_id]) => update(st, sys_id, req),
        _ => failure(
            400,
            "Invalid table or path",
            "The fake does not serve this path",
        ),
    }
}

/// Applies `sysparm_query`, `sysparm_limit` and `sysparm_fields`.
fn list(mut rows: Vec<Map<String, Value>>, req: &FakeRequest) -> FakeResponse {
    let query = req
        .query
        .get("sysparm_query")
        .map(String::as_str)
        .unwrap_or("");
    for condition in query.split('^').filter(|c| !c.is_empty()) {
        if let Some(field) = condition.strip_prefix("ORDERBYDESC") {
            rows.sort_by(|a, b| {
                b.get(field)
                    .map(Value::to_string)
                    .cmp(&a.get(field).map(Value::to_string))
            });
        } else if let Some(field) = condition.strip_prefix("ORDERBY") {
            rows.sort_by(|a, b| {
                a.get(field)
                    .map(Value::to_string)
                    .cmp(&b.get(field).map(Value::to_string))
            });
        } else if let Some((field, values)) = condition.split_once("NOT IN") {
            let values: Vec<&str> = values.split(',').collect();
            rows.retain(|r| !values.contains(&r.get(field).and_then(Value::as_str).unwrap_or("")));
        } else if let Some((field, value)) = condition.split_once('=') {
            if !rows.iter().all(|r| r.contains_key(field)) && !WRITABLE.contains(&field) {
                return failure(400, "Invalid query", &format!("unknown field {field}"));
            }
            rows.retain(|r| r.get(field).and_then(Value::as_str).unwrap_or("") == value);
        } else {
            return failure(
                400,
                "Invalid query",
                &format!("unsupported condition {condition}"),
            );
        }
    }
    if let Some(limit) = req.query.get("sysparm_limit") {
        match limit.parse::<usize>() {
            Ok(n) => rows.truncate(n),
            Err(_) => return failure(400, "Invalid sysparm_limit", limit),
        }
    }
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|r| Value::Object(select(&r, req)))
        .collect();
    let total = rows.len().to_string();
    FakeResponse::json(200, &json!({ "result": rows })).with_header("X-Total-Count", &total)
}

/// The record limited to `sysparm_fields`, when given.
fn select(record: &Map<String, Value>, req: &FakeRequest) -> Map<String, Value> {
    match req.query.get("sysparm_fields") {
        None => record.clone(),
        Some(fields) => fields
            .split(',')
            .filter_map(|f| {
                record
                    .get(f.trim())
                    .map(|v| (f.trim().to_owned(), v.clone()))
            })
            .collect(),
    }
}

/// Checks a write body as data policies would; `Err` is a 400.
fn check(body: &Map<String, Value>, current: Option<&Incident>) -> Result<(), FakeResponse> {
    let bad = |detail: String| Err(failure(400, "Data Policy Exception", &detail));
    for (k, v) in body {
        if !WRITABLE.contains(&k.as_str()) {
            return bad(format!("unknown or read-only field {k}"));
        }
        if !v.is_string() {
            return bad(format!("{k} must be a string"));
        }
    }
    let text = |k: &str| body.get(k).and_then(Value::as_str);
    for k in ["urgency", "impact"] {
        if text(k).is_some_and(|v| !matches!(v, "1" | "2" | "3")) {
            return bad(format!("{k} must be 1, 2 or 3"));
        }
    }
    if let Some(d) = text("due_date") {
        if chrono::NaiveDateTime::parse_from_str(d, "%Y-%m-%d %H:%M:%S").is_err() {
            return bad(format!("due_date {d:?} is not yyyy-MM-dd HH:mm:ss"));
        }
    }
    if let Some(u) = text("assigned_to") {
        if !USERS.iter().any(|(id, _, _)| *id == u) {
            return bad(format!("assigned_to {u} is not a sys_user"));
        }
    }
    if let Some(s) = text("state") {
        if !matches!(s, "1" | "2" | "3" | "6" | "7" | "8") {
            return bad(format!("state {s} is not a choice"));
        }
        if s == "6" {
            let code = text("close_code").or(current.map(|c| c.get("close_code")));
            if !code.is_some_and(|c| CLOSE_CODES.contains(&c)) {
                return bad("Resolution code is mandatory and must be a choice".into());
            }
            if text("close_notes")
                .or(current.map(|c| c.get("close_notes")))
                .is_none_or(str::is_empty)
            {
                return bad("Resolution notes are mandatory".into());
            }
        }
    }
    if text("short_description").is_some_and(str::is_empty) {
        return bad("Short description is mandatory".into());
    }
    Ok(())
}

/// Stores the body's fields; notes go to the journal.
fn apply(incident: &mut Incident, body: &Map<String, Value>) {
    for (k, v) in body {
        match k.as_str() {
            "work_notes" => incident.journal.push(v.as_str().unwrap_or("").to_owned()),
            "close_notes" => {
                incident.journal.push(v.as_str().unwrap_or("").to_owned());
                incident.fields.insert(k.clone(), v.clone());
            }
            _ => {
                incident.fields.insert(k.clone(), v.clone());
            }
        }
    }
}

fn create(st: &mut State, req: &FakeRequest) -> FakeResponse {
    let Value::Object(body) = req.json() else {
        return failure(
            400,
            "Exception while reading request",
            "The payload is not valid JSON.",
        );
    };
    if let Err(resp) = check(&body, None) {
        return resp;
    }
    if body.get("short_description").is_none() {
        return failure(
            400,
            "Data Policy Exception",
            "Short description is mandatory",
        );
    }
    let n = st.incidents.len() + 1;
    let mut incident = Incident {
        fields: Map::new(),
        journal: Vec::new(),
    };
    incident
        .fields
        .insert("sys_id".into(), json!(format!("{n:032x}")));
    incident
        .fields
        .insert("number".into(), json!(format!("INC{:07}", 10000 + n)));
    incident.fields.insert("state".into(), json!("1"));
    incident.fields.insert(
        "sys_created_on".into(),
        json!(format!("2026-11-22 10:{:02}:{:02}", n / 60, n % 60)),
    );
    apply(&mut incident, &body);
    let answer = select(&incident.fields, req);
    st.incidents.push(incident);
    FakeResponse::json(201, &json!({ "result": answer }))
}

fn update(st: &mut State, sys_id: &str, req: &FakeRequest) -> FakeResponse {
    let Value::Object(body) = req.json() else {
        return failure(
            400,
            "Exception while reading request",
            "The payload is not valid JSON.",
        );
    };
    let Some(incident) = st.incidents.iter_mut().find(|i| i.get("sys_id") == sys_id) else {
        return failure(
            404,
            "No Record found",
            "Record doesn't exist or ACL restricts the record retrieval",
        );
    };
    if incident.get("state") == "7" {
        return failure(403, "Operation Failed", "Closed incidents are read-only");
    }
    if let Err(resp) = check(&body, Some(incident)) {
        return resp;
    }
    apply(incident, &body);
    FakeResponse::json(200, &json!({ "result": select(&incident.fields, req) }))
}
