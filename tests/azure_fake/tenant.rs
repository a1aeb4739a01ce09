//! A tenant's data as the fake serves it, loaded once from an export directory (DESIGN §4)
//! or from records in memory.
//!
//! Records stay JSON bytes (see `records.rs`); sign-ins and activity-log events are sorted
//! newest first, sign-ins are also indexed by event type and events are partitioned by
//! subscription. Users' expanded `manager` and `sponsors` are split off and served by their
//! own endpoints.

use std::collections::HashMap;
use std::path::Path;

use serde_json::value::RawValue;
use serde_json::{Map, Value};
use stepup::ids::TenantId;
use stepup::input::{ExportDir, ExportFile};

use super::error::FakeError;
use super::odata::Schema;
use super::records::{parse_instant, project, RecordSet};
use super::schemas;

/// Sign-in event types, lowercased, in tag order.
pub(crate) const SIGN_IN_TYPES: [&str; 4] = [
    "interactiveuser",
    "noninteractiveuser",
    "serviceprincipal",
    "managedidentity",
];
/// The tag of a sign-in of another (or no) event type.
pub(crate) const OTHER_TYPE: u8 = 4;

/// Records whose keys feed the schemas (besides the documented properties).
const SCHEMA_SAMPLE: usize = 1000;

/// One tenant's data.
#[derive(Debug)]
pub struct FakeTenant {
    pub(crate) data: TenantData,
}

/// Record counts of a tenant, for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TenantCounts {
    /// Sign-ins of every event type.
    pub sign_ins: usize,
    /// Interactive sign-ins.
    pub interactive: usize,
    /// Non-interactive user sign-ins.
    pub non_interactive: usize,
    /// Registration details.
    pub registration: usize,
    /// Users.
    pub users: usize,
    /// Activity-log events over every subscription.
    pub events: usize,
    /// Role assignments.
    pub role_assignments: usize,
    /// Role definitions.
    pub role_definitions: usize,
    /// Subscriptions.
    pub subscriptions: usize,
}

/// Everything served for one tenant.
#[derive(Debug, Default)]
pub(crate) struct TenantData {
    /// The tenant id (lowercase).
    pub id: String,
    /// Sign-ins, newest first.
    pub sign_ins: RecordSet,
    /// Positions of the sign-ins of each event type (in [`SIGN_IN_TYPES`] order).
    pub sign_in_parts: [Vec<u32>; 4],
    /// What a sign-in filter may name.
    pub sign_in_schema: Schema,
    /// Registration details, in file order.
    pub registration: RecordSet,
    /// What a registration filter may name.
    pub registration_schema: Schema,
    /// Users without `manager` / `sponsors`, in file order.
    pub users: RecordSet,
    /// What a user filter may name.
    pub user_schema: Schema,
    /// Lowercased object id and UPN → user position.
    pub user_by_key: HashMap<String, u32>,
    /// User position → the manager object.
    pub managers: HashMap<u32, Vec<u8>>,
    /// User position → the sponsors (a JSON array).
    pub sponsors: HashMap<u32, Vec<u8>>,
    /// Subscriptions, in file order.
    pub subscriptions: RecordSet,
    /// Their ids (lowercase), aligned with `subscriptions`.
    pub sub_ids: Vec<String>,
    /// Activity-log events by subscription (lowercase), newest first.
    pub activity: HashMap<String, RecordSet>,
    /// What an event `$select` may name.
    pub event_schema: Schema,
    /// Role assignments, in file order.
    pub assignments: RecordSet,
    /// Each assignment's scope and principal (lowercase).
    pub assignment_keys: Vec<(String, String)>,
    /// Role definitions, in file order.
    pub definitions: RecordSet,
    /// Each definition's assignable scopes (lowercase).
    pub definition_scopes: Vec<Vec<String>>,
}

impl FakeTenant {
    /// Loads the export directory `dir` (every file optional but one of `signIns.json` or
    /// `activityLog.json`) as tenant `tenant_id`. A malformed record is an error.
    pub fn load(dir: &Path, tenant_id: TenantId) -> Result<Self, FakeError> {
        let export = ExportDir::open(dir)?;
        let mut loader = Loader::new(tenant_id);
        for file in ExportFile::ALL {
            let mut failed = None;
            let stats = export.read::<Box<RawValue>>(file, |raw| {
                if failed.is_none() {
                    failed = loader.add(file, raw.get().as_bytes()).err();
                }
            })?;
            if let Some(e) = failed {
                return Err(e);
            }
            if let Some(first) = stats.problems.first() {
                return Err(FakeError::Malformed {
                    file: dir.join(file.file_name()),
                    problems: stats.problems.len(),
                    first: first.to_string(),
                });
            }
        }
        Ok(Self {
            data: loader.finish(),
        })
    }

    /// A tenant from records in memory, each tagged with the export file it belongs to.
    pub fn from_records(
        tenant_id: TenantId,
        records: impl IntoIterator<Item = (ExportFile, Value)>,
    ) -> Result<Self, FakeError> {
        let mut loader = Loader::new(tenant_id);
        for (file, record) in records {
            let raw = serde_json::to_vec(&record).unwrap_or_default();
            loader.add(file, &raw)?;
        }
        Ok(Self {
            data: loader.finish(),
        })
    }

    /// The tenant id.
    pub fn tenant_id(&self) -> &str {
        &self.data.id
    }

    /// The subscription ids (lowercase), in `subscriptions.json` order.
    pub fn subscription_ids(&self) -> Vec<String> {
        self.data.sub_ids.clone()
    }

    /// How many records of each kind the tenant has.
    pub fn counts(&self) -> TenantCounts {
        let d = &self.data;
        TenantCounts {
            sign_ins: d.sign_ins.len(),
            interactive: d.sign_in_parts[0].len(),
            non_interactive: d.sign_in_parts[1].len(),
            registration: d.registration.len(),
            users: d.users.len(),
            events: d.activity.values().map(RecordSet::len).sum(),
            role_assignments: d.assignments.len(),
            role_definitions: d.definitions.len(),
            subscriptions: d.subscriptions.len(),
        }
    }
}

impl TenantData {
    /// Whether `sub` (lowercase) is one of the tenant's subscriptions.
    pub(crate) fn has_subscription(&self, sub: &str) -> bool {
        self.sub_ids.iter().any(|s| s == sub) || self.activity.contains_key(sub)
    }
}

/// Builds a [`TenantData`] record by record.
struct Loader {
    data: TenantData,
    counts: HashMap<ExportFile, usize>,
}

fn text<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str)
}

fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The subscription id in an ARM resource id (`/subscriptions/{id}/…`), lowercased.
pub(crate) fn subscription_of(resource_id: &str) -> Option<String> {
    let mut parts = resource_id.split('/').filter(|s| !s.is_empty());
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case("subscriptions") {
            return parts.next().map(str::to_ascii_lowercase);
        }
    }
    None
}

impl Loader {
    fn new(tenant_id: TenantId) -> Self {
        Self {
            data: TenantData {
                id: tenant_id.to_string(),
                sign_in_schema: schemas::sign_in(),
                registration_schema: schemas::registration(),
                user_schema: schemas::user(),
                event_schema: schemas::event(),
                ..TenantData::default()
            },
            counts: HashMap::new(),
        }
    }

    fn add(&mut self, file: ExportFile, raw: &[u8]) -> Result<(), FakeError> {
        let index = *self.counts.get(&file).unwrap_or(&0);
        self.counts.insert(file, index + 1);
        let sample = index < SCHEMA_SAMPLE;
        let missing = |field| FakeError::MissingField {
            file: file.file_name(),
            index,
            field,
        };
        let d = &mut self.data;
        match file {
            ExportFile::SignIns => {
                let m = project(
                    raw,
                    Some(&keys(&[
                        "createdDateTime",
                        "signInEventTypes",
                        "isInteractive",
                    ])),
                );
                let time = text(&m, "createdDateTime")
                    .and_then(parse_instant)
                    .ok_or_else(|| missing("createdDateTime"))?;
                let kind = m
                    .get("signInEventTypes")
                    .and_then(Value::as_array)
                    .and_then(|a| a.first())
                    .and_then(Value::as_str)
                    .map(str::to_ascii_lowercase)
                    .or_else(|| {
                        m.get("isInteractive").and_then(Value::as_bool).map(|i| {
                            if i {
                                "interactiveuser"
                            } else {
                                "noninteractiveuser"
                            }
                            .to_string()
                        })
                    });
                let tag = kind
                    .and_then(|k| SIGN_IN_TYPES.iter().position(|t| *t == k))
                    .map_or(OTHER_TYPE, |p| p as u8);
                d.sign_ins.push(raw, time, tag);
                if sample {
                    learn(&mut d.sign_in_schema, raw);
                }
            }
            ExportFile::RegistrationDetails => {
                d.registration.push(raw, 0, 0);
                if sample {
                    learn(&mut d.registration_schema, raw);
                }
            }
            ExportFile::Users => self.add_user(raw, index)?,
            ExportFile::ActivityLog => {
                let m = project(
                    raw,
                    Some(&keys(&["eventTimestamp", "subscriptionId", "id"])),
                );
                let time = text(&m, "eventTimestamp")
                    .and_then(parse_instant)
                    .ok_or_else(|| missing("eventTimestamp"))?;
                let sub = text(&m, "subscriptionId")
                    .map(str::to_ascii_lowercase)
                    .or_else(|| text(&m, "id").and_then(subscription_of))
                    .ok_or_else(|| missing("subscriptionId"))?;
                d.activity.entry(sub).or_default().push(raw, time, 0);
                if sample {
                    learn(&mut d.event_schema, raw);
                }
            }
            ExportFile::RoleAssignments => {
                let m = project(raw, Some(&keys(&["properties"])));
                let props = m.get("properties").and_then(Value::as_object);
                let scope = props
                    .and_then(|p| text(p, "scope"))
                    .ok_or_else(|| missing("properties.scope"))?;
                let principal = props.and_then(|p| text(p, "principalId")).unwrap_or("");
                d.assignment_keys.push((
                    scope.trim_end_matches('/').to_ascii_lowercase(),
                    principal.to_ascii_lowercase(),
                ));
                d.assignments.push(raw, 0, 0);
            }
            ExportFile::RoleDefinitions => {
                let m = project(raw, Some(&keys(&["properties"])));
                let scopes = m
                    .get("properties")
                    .and_then(|p| p.get("assignableScopes"))
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_ascii_lowercase)
                            .collect()
                    })
                    .unwrap_or_else(|| vec!["/".to_string()]);
                d.definition_scopes.push(scopes);
                d.definitions.push(raw, 0, 0);
            }
            ExportFile::Subscriptions => {
                let m = project(raw, Some(&keys(&["subscriptionId", "id"])));
                let sub = text(&m, "subscriptionId")
                    .map(str::to_ascii_lowercase)
                    .or_else(|| text(&m, "id").and_then(subscription_of))
                    .ok_or_else(|| missing("subscriptionId"))?;
                d.sub_ids.push(sub);
                d.subscriptions.push(raw, 0, 0);
            }
        }
        Ok(())
    }

    /// A user: `manager` and `sponsors` go to their own maps.
    fn add_user(&mut self, raw: &[u8], index: usize) -> Result<(), FakeError> {
        let d = &mut self.data;
        let mut m = project(raw, None);
        let id = text(&m, "id")
            .map(str::to_ascii_lowercase)
            .ok_or(FakeError::MissingField {
                file: ExportFile::Users.file_name(),
                index,
                field: "id",
            })?;
        let pos = d.users.len() as u32;
        if let Some(mut manager) = m.remove("manager").filter(|v| v.is_object()) {
            if let Some(o) = manager.as_object_mut() {
                o.entry("@odata.type")
                    .or_insert_with(|| Value::String("#microsoft.graph.user".into()));
            }
            d.managers
                .insert(pos, serde_json::to_vec(&manager).unwrap_or_default());
        }
        if let Some(sponsors) = m.remove("sponsors").filter(Value::is_array) {
            d.sponsors
                .insert(pos, serde_json::to_vec(&sponsors).unwrap_or_default());
        }
        d.user_by_key.insert(id, pos);
        if let Some(upn) = text(&m, "userPrincipalName") {
            d.user_by_key.insert(upn.to_ascii_lowercase(), pos);
        }
        for k in m.keys() {
            if index < SCHEMA_SAMPLE {
                d.user_schema.add(k);
            }
        }
        d.users
            .push(&serde_json::to_vec(&m).unwrap_or_default(), 0, 0);
        Ok(())
    }

    fn finish(mut self) -> TenantData {
        let d = &mut self.data;
        d.sign_ins.sort_newest_first();
        for i in 0..d.sign_ins.len() {
            let tag = d.sign_ins.tag(i) as usize;
            if let Some(part) = d.sign_in_parts.get_mut(tag) {
                part.push(i as u32);
            }
        }
        for set in d.activity.values_mut() {
            set.sort_newest_first();
            set.shrink();
        }
        for set in [
            &mut d.sign_ins,
            &mut d.registration,
            &mut d.users,
            &mut d.subscriptions,
            &mut d.assignments,
            &mut d.definitions,
        ] {
            set.shrink();
        }
        self.data
    }
}

/// Adds a record's top-level keys to `schema`.
fn learn(schema: &mut Schema, raw: &[u8]) {
    for k in project(raw, None).keys() {
        schema.add(k);
    }
}
