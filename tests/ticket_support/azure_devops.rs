//! A fake Azure DevOps organisation following the Boards REST 7.1 shapes: JSON Patch work
//! item create/update (`application/json-patch+json` required), WIQL by tag (`CONTAINS`
//! matches whole tags), `workitems?ids=`, Basic PAT auth (a bad PAT gets 203 + HTML, as the
//! real service does).

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::{json, Map, Value};
use stepup::detect::model::Severity;
use stepup::tickets::{TicketKey, TicketRef, TicketState};

use super::conformance::{FakeControl, FakeTicket};
use super::fake_server::{FakeRequest, FakeResponse, FakeServer, Fault, Route};

/// The organisation name in the fake's URLs.
pub const ORG: &str = "contoso";
/// The PAT the fake accepts.
pub const PAT: &str = "fake-ado-pat";

/// One stored work item.
#[derive(Debug, Clone)]
pub struct Item {
    /// The id.
    pub id: u64,
    /// The project it was created in.
    pub project: String,
    /// The fields.
    pub fields: Map<String, Value>,
    /// `System.History` comments, oldest first.
    pub history: Vec<String>,
}

#[derive(Default)]
struct Store {
    items: Vec<Item>,
}

/// The fake organisation.
pub struct FakeAzureDevOps {
    /// The server.
    pub server: FakeServer,
    store: Arc<Mutex<Store>>,
}

impl FakeAzureDevOps {
    /// Starts the fake.
    pub async fn start() -> Self {
        let store = Arc::new(Mutex::new(Store::default()));
        let s = store.clone();
        let server = FakeServer::start(Arc::new(move |req| {
            let mut store = s.lock().unwrap_or_else(|e| e.into_inner());
            handle(&mut store, req)
        }))
        .await;
        Self { server, store }
    }

    /// `http://127.0.0.1:<port>/contoso`.
    pub fn org_url(&self) -> String {
        format!("{}/{ORG}", self.server.base_url())
    }

    /// A copy of every work item.
    pub fn items(&self) -> Vec<Item> {
        self.store
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .items
            .clone()
    }
}

fn authorised(req: &FakeRequest) -> bool {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(":{PAT}"))
    );
    req.header("authorization") == Some(expected.as_str())
}

fn tags_hold(tags: &str, tag: &str) -> bool {
    tags.split(';').any(|t| t.trim().eq_ignore_ascii_case(tag))
}

fn item_json(item: &Item, base: &str) -> Value {
    json!({
        "id": item.id,
        "rev": item.history.len() + 1,
        "fields": item.fields,
        "url": format!("{base}/_apis/wit/workItems/{}", item.id),
        "_links": { "html": { "href": format!("{base}/{}/_workitems/edit/{}", item.project, item.id) } },
    })
}

/// Applies JSON Patch operations on `/fields/…`.
fn apply(item: &mut Item, ops: &Value) -> Result<(), FakeResponse> {
    let ops = ops
        .as_array()
        .ok_or_else(|| FakeResponse::error(400, "body must be a JSON Patch array"))?;
    for op in ops {
        let kind = op["op"].as_str().unwrap_or_default();
        let path = op["path"].as_str().unwrap_or_default();
        let name = path
            .strip_prefix("/fields/")
            .filter(|_| matches!(kind, "add" | "replace"))
            .ok_or_else(|| FakeResponse::error(400, &format!("unsupported op {op}")))?;
        let value = op["value"].clone();
        match name {
            "System.History" => item
                .history
                .push(value.as_str().unwrap_or_default().to_string()),
            "System.AssignedTo" => {
                let upn = value.as_str().unwrap_or_default();
                item.fields.insert(
                    name.into(),
                    json!({ "displayName": upn, "uniqueName": upn }),
                );
            }
            "Microsoft.VSTS.Common.Priority" if !(1..=4).contains(&value.as_u64().unwrap_or(0)) => {
                return Err(FakeResponse::error(400, "TF401326: invalid priority"));
            }
            _ => {
                item.fields.insert(name.into(), value);
            }
        }
    }
    Ok(())
}

fn handle(store: &mut Store, req: &FakeRequest) -> FakeResponse {
    if !authorised(req) {
        return FakeResponse {
            status: 203,
            headers: vec![("content-type".into(), "text/html".into())],
            body: b"<html>Sign in</html>".to_vec(),
        };
    }
    if req.query.get("api-version").map(String::as_str) != Some("7.1") {
        return FakeResponse::error(400, "api-version 7.1 expected");
    }
    let path = req.path();
    let Some((&ORG, rest)) = path.split_first() else {
        return FakeResponse::error(404, "no such organisation");
    };
    let base = format!("http://{}/{ORG}", req.header("host").unwrap_or_default());
    let is_patch = req.header("content-type") == Some("application/json-patch+json");
    match (req.method.as_str(), rest) {
        ("POST", [project, "_apis", "wit", "workitems", kind]) if kind.starts_with('$') => {
            if !is_patch {
                return FakeResponse::error(415, "json-patch expected");
            }
            let mut item = Item {
                id: store.items.len() as u64 + 1,
                project: project.to_string(),
                fields: Map::new(),
                history: Vec::new(),
            };
            item.fields
                .insert("System.WorkItemType".into(), json!(&kind[1..]));
            item.fields
                .insert("System.TeamProject".into(), json!(project));
            item.fields.insert("System.State".into(), json!("To Do"));
            if let Err(e) = apply(&mut item, &req.json()) {
                return e;
            }
            if !item.fields.contains_key("System.Title") {
                return FakeResponse::error(400, "System.Title is required");
            }
            let out = item_json(&item, &base);
            store.items.push(item);
            FakeResponse::json(200, &out)
        }
        ("PATCH", [.., "_apis", "wit", "workitems", id]) => {
            if !is_patch {
                return FakeResponse::error(415, "json-patch expected");
            }
            let ops = req.json();
            let Some(item) = store.items.iter_mut().find(|i| i.id.to_string() == *id) else {
                return FakeResponse::error(404, "TF401232: work item does not exist");
            };
            if let Err(e) = apply(item, &ops) {
                return e;
            }
            FakeResponse::json(200, &item_json(item, &base))
        }
        ("POST", [.., "_apis", "wit", "wiql"]) => {
            let query = req.json()["query"].as_str().unwrap_or_default().to_string();
            let Some(tag) = query
                .split_once("[System.Tags] CONTAINS '")
                .and_then(|(_, r)| r.split_once('\''))
                .map(|(t, _)| t.to_string())
            else {
                return FakeResponse::error(400, "the fake only answers tag queries");
            };
            let hits: Vec<Value> = store
                .items
                .iter()
                .filter(|i| tags_hold(i.fields.get("System.Tags").and_then(Value::as_str).unwrap_or(""), &tag))
                .map(|i| json!({ "id": i.id, "url": format!("{base}/_apis/wit/workItems/{}", i.id) }))
                .collect();
            FakeResponse::json(
                200,
                &json!({ "queryType": "flat", "asOf": "2026-11-22T00:00:00Z", "workItems": hits }),
            )
        }
        ("GET", [.., "_apis", "wit", "workitems"]) => {
            let ids: Vec<&str> = req
                .query
                .get("ids")
                .map(|s| s.split(',').collect())
                .unwrap_or_default();
            let value: Vec<Value> = store
                .items
                .iter()
                .filter(|i| ids.contains(&i.id.to_string().as_str()))
                .map(|i| item_json(i, &base))
                .collect();
            FakeResponse::json(200, &json!({ "count": value.len(), "value": value }))
        }
        _ => FakeResponse::error(404, "no such route in the fake"),
    }
}

impl FakeControl for FakeAzureDevOps {
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
        let key = key.to_string();
        self.items()
            .iter()
            .filter(|i| {
                tags_hold(
                    i.fields
                        .get("System.Tags")
                        .and_then(Value::as_str)
                        .unwrap_or(""),
                    &key,
                )
            })
            .count()
    }

    fn ticket(&self, reference: &TicketRef) -> Option<FakeTicket> {
        let item = self
            .items()
            .into_iter()
            .find(|i| i.id.to_string() == reference.id)?;
        let state = match item.fields.get("System.State")?.as_str()? {
            "To Do" | "Doing" | "New" | "Active" => TicketState::Open,
            _ => TicketState::Resolved,
        };
        let severity = match item
            .fields
            .get("Microsoft.VSTS.Common.Priority")?
            .as_u64()?
        {
            1 => Severity::Critical,
            2 => Severity::High,
            3 => Severity::Medium,
            _ => Severity::Low,
        };
        Some(FakeTicket {
            state,
            severity: Some(severity),
            assignee: item
                .fields
                .get("System.AssignedTo")
                .and_then(|a| a["uniqueName"].as_str())
                .map(str::to_string),
            notes: item.history,
        })
    }
}
