//! A fake ServiceNow instance (Table API) on loopback, following the documented shapes:
//!
//! - `GET /api/now/table/{incident|sys_user}?sysparm_query=…&sysparm_limit=…&sysparm_fields=…`
//!   → 200 `{"result": [...]}` (encoded queries of `field=value` and `fieldNOT INa,b`
//!   conditions joined by `^`, plus `ORDERBY…` / `ORDERBYDESC…`; an unknown field is a 400 here, to catch typos);
//! - `POST /api/now/table/incident` → 201 `{"result": {...}}`;
//! - `PATCH /api/now/table/incident/{sys_id}` → 200 `{"result": {...}}`, 404 when absent;
//! - errors as `{"error": {"message", "detail"}, "status": "failure"}`;
//! - Basic `user:password` or `Bearer <token>`, else 401.
//!
//! Writes are checked as an instance's data policies would: urgency/impact 1–3, a
//! `due_date` of `YYYY-MM-DD HH:MM:SS`, `assigned_to` a known user, and resolving (state 6)
//! needs `close_code` (a known choice) and `close_notes`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Map, Value};
use stepup::detect::model::Severity;
use stepup::tickets::{TicketKey, TicketRef, TicketState};

mod api;

use super::conformance::{FakeControl, FakeTicket};
use super::fake_server::{FakeRequest, FakeServer, Fault, Route};

/// The integration user the fake accepts.
pub const USER: &str = "stepup.integration";
/// Its password.
pub const PASSWORD: &str = "servicenow-password";
/// The OAuth token the fake accepts instead.
pub const TOKEN: &str = "servicenow-oauth-token";

/// `sys_user`: (sys_id, email, active).
pub const USERS: &[(&str, &str, bool)] = &[
    (
        "62826bf03710200044e0bfc8bcbe5df1",
        "alice@contoso.example",
        true,
    ),
    (
        "46d44a5dc0a8010e0000b6e2d3de3f3b",
        "bob@contoso.example",
        true,
    ),
    (
        "a8f98bb0eb32010045e1a5115206fe3a",
        "carol@contoso.example",
        false,
    ),
];

/// Close codes of the out-of-the-box `incident.close_code` choice list (current releases).
const CLOSE_CODES: &[&str] = &[
    "Duplicate",
    "Known error",
    "No resolution provided",
    "Resolved by caller",
    "Resolved by change",
    "Resolved by problem",
    "Resolved by request",
    "Solution provided",
    "User error",
    "Workaround provided",
];

/// Fields a client may write.
const WRITABLE: &[&str] = &[
    "short_description",
    "description",
    "correlation_id",
    "correlation_display",
    "urgency",
    "impact",
    "due_date",
    "assignment_group",
    "assigned_to",
    "work_notes",
    "state",
    "close_code",
    "close_notes",
];

/// One stored incident: its fields, and the work-note / close-note journal.
#[derive(Debug, Clone)]
pub struct Incident {
    /// Field values (strings), `sys_id`, `number` and `state` included.
    pub fields: Map<String, Value>,
    /// Work notes and close notes, oldest first.
    pub journal: Vec<String>,
}

impl Incident {
    /// A field as text ("" when unset).
    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).and_then(Value::as_str).unwrap_or("")
    }
}

#[derive(Debug, Default)]
struct State {
    incidents: Vec<Incident>,
}

/// The fake instance.
pub struct FakeServiceNow {
    /// The server.
    pub server: FakeServer,
    state: Arc<Mutex<State>>,
}

impl FakeServiceNow {
    /// Starts an empty instance.
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let s = state.clone();
        let server = FakeServer::start(Arc::new(move |req: &FakeRequest| {
            let mut st = s.lock().unwrap_or_else(|e| e.into_inner());
            api::handle(&mut st, req)
        }))
        .await;
        Self { server, state }
    }

    /// The settings of a sink using Basic auth against this fake.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("STEPUP_SERVICENOW_URL", self.server.base_url()),
            ("STEPUP_SERVICENOW_USER", USER.to_owned()),
            ("STEPUP_SERVICENOW_PASSWORD", PASSWORD.to_owned()),
            (
                "STEPUP_SERVICENOW_ASSIGNMENT_GROUP",
                "Cloud Platform".to_owned(),
            ),
        ]
    }

    /// The settings as a lookup closure, with `extra` pairs winning.
    pub fn lookup(&self, extra: &[(&'static str, &str)]) -> impl Fn(&str) -> Option<String> {
        let mut map: HashMap<&'static str, String> = self.settings().into_iter().collect();
        for (k, v) in extra {
            map.insert(k, (*v).to_owned());
        }
        move |name| map.get(name).cloned()
    }

    /// A copy of a stored incident.
    pub fn incident(&self, sys_id: &str) -> Option<Incident> {
        self.lock()
            .incidents
            .iter()
            .find(|i| i.get("sys_id") == sys_id)
            .cloned()
    }

    /// Sets an incident's state directly (as an agent or an auto-close job would).
    pub fn set_state(&self, sys_id: &str, state: &str) {
        if let Some(i) = self
            .lock()
            .incidents
            .iter_mut()
            .find(|i| i.get("sys_id") == sys_id)
        {
            i.fields.insert("state".into(), json!(state));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl FakeControl for FakeServiceNow {
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
        let k = key.to_string();
        self.lock()
            .incidents
            .iter()
            .filter(|i| i.get("correlation_id") == k)
            .count()
    }

    fn ticket(&self, reference: &TicketRef) -> Option<FakeTicket> {
        let i = self.incident(&reference.id)?;
        Some(FakeTicket {
            state: match i.get("state") {
                "6" | "7" | "8" => TicketState::Resolved,
                _ => TicketState::Open,
            },
            severity: match (i.get("urgency"), i.get("impact")) {
                ("1", _) => Some(Severity::Critical),
                ("2", "2") => Some(Severity::High),
                ("2", "3") => Some(Severity::Medium),
                ("3", _) => Some(Severity::Low),
                _ => None,
            },
            assignee: USERS
                .iter()
                .find(|(id, _, _)| *id == i.get("assigned_to"))
                .map(|(_, mail, _)| (*mail).to_owned()),
            notes: i.journal.clone(),
        })
    }
}
