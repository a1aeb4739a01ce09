//! `roleAssignments.json`, `roleDefinitions.json` and `subscriptions.json`, each one ARM
//! API page.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use uuid::Uuid;

use super::catalog::roles::Role;
use super::population::{Grant, Population};
use super::sink::{Sink, Written};
use super::time::{Stamp, DAY_MS};
use super::SynthError;

/// File name of the role assignments export.
pub(crate) const ROLE_ASSIGNMENTS: &str = "roleAssignments.json";
/// File name of the role definitions export.
pub(crate) const ROLE_DEFINITIONS: &str = "roleDefinitions.json";
/// File name of the subscriptions export.
pub(crate) const SUBSCRIPTIONS: &str = "subscriptions.json";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AssignmentProperties<'a> {
    role_definition_id: String,
    principal_id: Uuid,
    principal_type: &'a str,
    scope: String,
    condition: Option<&'a str>,
    condition_version: Option<&'a str>,
    created_on: Stamp,
    updated_on: Stamp,
    created_by: Uuid,
    updated_by: Uuid,
    delegated_managed_identity_resource_id: Option<&'a str>,
    description: Option<&'a str>,
}

#[derive(Serialize)]
struct Assignment<'a> {
    properties: AssignmentProperties<'a>,
    id: String,
    #[serde(rename = "type")]
    kind: &'a str,
    name: Uuid,
}

/// Writes `roleAssignments.json`: users', groups' and workload identities' assignments.
pub(crate) fn write_role_assignments(dir: &Path, pop: &Population) -> Result<Written, SynthError> {
    let mut sink = Sink::array(dir, ROLE_ASSIGNMENTS, "{\"value\":[", "]}".to_string())?;
    let users = pop.users.iter().map(|u| (u.id, "User", &u.grants));
    let groups = pop.groups.iter().map(|g| (g.id, "Group", &g.grants));
    let workloads = pop
        .workloads
        .iter()
        .map(|w| (w.id, "ServicePrincipal", &w.grants));
    for (principal, kind, grants) in users.chain(groups).chain(workloads) {
        for g in grants.iter() {
            sink.record(&assignment(pop, principal, kind, g))?;
        }
    }
    sink.finish()
}

fn assignment<'a>(
    pop: &'a Population,
    principal: Uuid,
    kind: &'a str,
    g: &Grant,
) -> Assignment<'a> {
    let scope = pop.scope(g);
    let sub = pop.subs[g.sub as usize].id;
    let role_definition_id = format!(
        "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{}",
        pop.role_guid(g.role)
    );
    let id = format!(
        "{scope}/providers/Microsoft.Authorization/roleAssignments/{}",
        g.id
    );
    let created = Stamp::seconds(g.created_ms);
    Assignment {
        properties: AssignmentProperties {
            role_definition_id,
            principal_id: principal,
            principal_type: kind,
            scope,
            condition: None,
            condition_version: None,
            created_on: created,
            updated_on: created,
            created_by: pop.admin,
            updated_by: pop.admin,
            delegated_managed_identity_resource_id: None,
            description: None,
        },
        id,
        kind: "Microsoft.Authorization/roleAssignments",
        name: g.id,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Permission<'a> {
    actions: &'a [&'a str],
    not_actions: &'a [&'a str],
    data_actions: [(); 0],
    not_data_actions: [(); 0],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DefinitionProperties<'a> {
    role_name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    description: &'a str,
    assignable_scopes: Vec<String>,
    permissions: [Permission<'a>; 1],
    created_on: Stamp,
    updated_on: Stamp,
    created_by: Option<Uuid>,
    updated_by: Option<Uuid>,
}

#[derive(Serialize)]
struct RoleDefinition<'a> {
    properties: DefinitionProperties<'a>,
    id: String,
    #[serde(rename = "type")]
    kind: &'a str,
    name: Uuid,
}

/// Writes `roleDefinitions.json`: the built-in roles the tenant assigns and its two custom
/// roles (a read-only cost role and a write-capable DNS role). The deleted role is absent.
pub(crate) fn write_role_definitions(
    dir: &Path,
    pop: &Population,
    end_ms: i64,
) -> Result<Written, SynthError> {
    let mut sink = Sink::array(dir, ROLE_DEFINITIONS, "{\"value\":[", "]}".to_string())?;
    let first_sub = pop.subs.first().map(|s| s.id).unwrap_or_default();
    for role in Role::LISTED {
        let Some(def) = role.definition() else {
            continue;
        };
        let guid = pop.role_guid(role);
        let builtin = def.builtin_guid.is_some();
        let (id, scopes, created, by) = if builtin {
            (
                format!("/providers/Microsoft.Authorization/roleDefinitions/{guid}"),
                vec!["/".to_string()],
                Stamp::seconds(end_ms - 3000 * DAY_MS),
                None,
            )
        } else {
            (
                format!("/subscriptions/{first_sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}"),
                pop.subs.iter().map(|s| format!("/subscriptions/{}", s.id)).collect(),
                Stamp::seconds(end_ms - 400 * DAY_MS),
                Some(pop.admin),
            )
        };
        sink.record(&RoleDefinition {
            properties: DefinitionProperties {
                role_name: def.name,
                kind: if builtin { "BuiltInRole" } else { "CustomRole" },
                description: def.description,
                assignable_scopes: scopes,
                permissions: [Permission {
                    actions: def.actions,
                    not_actions: def.not_actions,
                    data_actions: [],
                    not_data_actions: [],
                }],
                created_on: created,
                updated_on: created,
                created_by: by,
                updated_by: by,
            },
            id,
            kind: "Microsoft.Authorization/roleDefinitions",
            name: guid,
        })?;
    }
    sink.finish()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionPolicies<'a> {
    location_placement_id: &'a str,
    quota_id: &'a str,
    spending_limit: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Subscription<'a> {
    id: String,
    authorization_source: &'a str,
    managed_by_tenants: [(); 0],
    tags: BTreeMap<&'a str, String>,
    subscription_id: Uuid,
    tenant_id: Uuid,
    display_name: &'a str,
    state: &'a str,
    subscription_policies: SubscriptionPolicies<'a>,
}

/// Writes `subscriptions.json`, with `env`, `workload` and `costCenter` tags and, on every
/// other subscription, an `owner` tag.
pub(crate) fn write_subscriptions(dir: &Path, pop: &Population) -> Result<Written, SynthError> {
    let close = format!(
        "],\"count\":{{\"type\":\"Total\",\"value\":{}}}}}",
        pop.subs.len()
    );
    let mut sink = Sink::array(dir, SUBSCRIPTIONS, "{\"value\":[", close)?;
    for s in &pop.subs {
        let mut tags = BTreeMap::new();
        tags.insert("env", s.env.to_string());
        tags.insert("workload", s.workload.to_string());
        tags.insert("costCenter", format!("CC-{}", s.cost_center));
        if let Some(owner) = s.owner {
            tags.insert("owner", owner.to_string());
        }
        sink.record(&Subscription {
            id: format!("/subscriptions/{}", s.id),
            authorization_source: "RoleBased",
            managed_by_tenants: [],
            tags,
            subscription_id: s.id,
            tenant_id: pop.tenant,
            display_name: &s.name,
            state: "Enabled",
            subscription_policies: SubscriptionPolicies {
                location_placement_id: "Public_2014-09-01",
                quota_id: "EnterpriseAgreement_2014-09-01",
                spending_limit: "Off",
            },
        })?;
    }
    sink.finish()
}
