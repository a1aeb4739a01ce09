//! Role ids: the built-in Azure roles in infra/modules/role-ids.bicep and the Microsoft
//! Graph app roles in infra/graph-app-roles.bicep are the right GUIDs for their names,
//! every role definition the templates assign comes from that table, and no other GUID
//! hides in a template.

use std::collections::BTreeSet;

use crate::bicep::{repo_root, Template};

/// Built-in Azure roles: (name, key in role-ids.bicep, role definition id). The ids are
/// the same in every tenant (`az role definition list --name "<name>" --query [].name`).
const BUILT_IN_ROLES: &[(&str, &str, &str)] = &[
    (
        "Storage Blob Data Owner",
        "storageBlobDataOwner",
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    ),
    (
        "Storage Queue Data Contributor",
        "storageQueueDataContributor",
        "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
    ),
    ("Reader", "reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7"),
    (
        "Key Vault Secrets User",
        "keyVaultSecretsUser",
        "4633458b-17de-408a-b874-0445c86b69e6",
    ),
    (
        "Key Vault Secrets Officer",
        "keyVaultSecretsOfficer",
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    ),
    (
        "Monitoring Metrics Publisher",
        "monitoringMetricsPublisher",
        "3913510d-42f4-4e42-8a64-420c390055eb",
    ),
    (
        "Storage Account Contributor",
        "storageAccountContributor",
        "17d1049b-9a84-46fb-8f53-869881c3d3ab",
    ),
    (
        "Contributor",
        "contributor",
        "b24988ac-6180-42a0-ab88-20f7382dd24c",
    ),
    ("Owner", "owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
];

/// The roles stepup's templates assign, and nothing more: adding one is a decision to
/// write down in docs/deploy.md, not a side effect.
const ASSIGNED_ROLES: &[&str] = &[
    "storageBlobDataOwner",
    "storageQueueDataContributor",
    "reader",
    "keyVaultSecretsUser",
    "keyVaultSecretsOfficer",
    "monitoringMetricsPublisher",
];

/// Microsoft Graph application roles (app-only permissions): (value, id).
const GRAPH_APP_ROLES: &[(&str, &str)] = &[
    ("AuditLog.Read.All", "b0afded3-3588-46d8-8b3d-9842eff778da"),
    ("User.Read.All", "df021288-bdef-4463-88db-98f22de89214"),
];

/// Microsoft Graph's application id.
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// What is wrong with (key, id) pairs of a role table.
fn role_table_problems(entries: &[(String, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (key, id) in entries {
        let Some((name, _, expected)) = BUILT_IN_ROLES.iter().find(|(_, k, _)| k == key) else {
            problems.push(format!("`{key}` is not a built-in role this test knows"));
            continue;
        };
        if !id.eq_ignore_ascii_case(expected) {
            let actual = BUILT_IN_ROLES
                .iter()
                .find(|(_, _, i)| i.eq_ignore_ascii_case(id))
                .map(|(n, _, _)| format!(" (that is {n})"))
                .unwrap_or_default();
            problems.push(format!("`{key}` is {id}{actual}, but {name} is {expected}"));
        }
    }
    problems
}

/// (key, id) pairs of an object-valued variable.
fn string_entries(template: &Template, variable: &str) -> Vec<(String, String)> {
    let object = template
        .variable(variable)
        .unwrap_or_else(|| panic!("{} declares no `{variable}`", template.name));
    template
        .object_entries(object)
        .into_iter()
        .map(|(k, v)| (k, template.string_value(v).unwrap_or_default()))
        .collect()
}

fn role_table() -> Vec<(String, String)> {
    string_entries(&Template::infra("modules/role-ids.bicep"), "roleIds")
}

fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Every GUID-shaped word in `text`.
fn guids(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .filter(|w| is_guid(w))
        .map(str::to_ascii_lowercase)
        .collect()
}

#[test]
fn role_ids_match_their_names() {
    let table = role_table();
    assert!(table.len() >= 5, "role-ids.bicep lists only {table:?}");
    let problems = role_table_problems(&table);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_wrong_or_unknown_role_id_is_caught() {
    let entries = [
        ("reader", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"),
        (
            "keyVaultSecretsUser",
            "4633458b-17de-408a-b874-0445c86b69e7",
        ),
        ("storageAdmin", "acdd72a7-3385-48ef-bd42-f606fba81ae7"),
        (
            "monitoringMetricsPublisher",
            "3913510D-42F4-4E42-8A64-420C390055EB",
        ),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()));
    let problems = role_table_problems(&entries).join("\n");
    assert!(problems.contains("`reader` is b7e6dc6d-f1e8-4753-8033-0f276bb0955b (that is Storage Blob Data Owner), but Reader is acdd72a7"), "{problems}");
    assert!(
        problems.contains("`keyVaultSecretsUser` is 4633458b-17de-408a-b874-0445c86b69e7, but"),
        "{problems}"
    );
    assert!(
        problems.contains("`storageAdmin` is not a built-in role"),
        "{problems}"
    );
    assert!(
        !problems.contains("monitoringMetricsPublisher"),
        "{problems}"
    );
}

#[test]
fn every_role_assignment_uses_a_role_from_the_table() {
    let table = role_table();
    let keys: BTreeSet<&str> = table.iter().map(|(k, _)| k.as_str()).collect();
    let mut used = BTreeSet::new();
    for template in Template::all() {
        for function in [
            "subscriptionResourceId",
            "tenantResourceId",
            "managementGroupResourceId",
            "resourceId",
        ] {
            for args in template.calls(function) {
                let is_role = args
                    .first()
                    .and_then(|a| template.string_value(*a))
                    .is_some_and(|t| t == "Microsoft.Authorization/roleDefinitions");
                if !is_role {
                    continue;
                }
                let id = args.get(1).map(|a| template.text(*a)).unwrap_or("");
                let key = id.strip_prefix("roleIds.");
                assert!(
                    key.is_some_and(|k| keys.contains(k)),
                    "{}: role definition `{id}` does not come from roleIds in modules/role-ids.bicep",
                    template.name
                );
                used.extend(key.map(str::to_string));
            }
        }
        for assignment in template
            .resources()
            .into_iter()
            .filter(|(kind, _)| kind.starts_with("Microsoft.Authorization/roleAssignments@"))
        {
            let properties = template.entry(assignment.1, "properties");
            let definition = properties.and_then(|p| template.entry(p, "roleDefinitionId"));
            assert!(
                definition.is_some_and(|d| template.text(d).contains("roleIds.")),
                "{}: a role assignment without a roleIds role definition",
                template.name
            );
        }
    }
    let expected: BTreeSet<String> = ASSIGNED_ROLES.iter().map(|r| r.to_string()).collect();
    assert_eq!(used, expected, "the roles the templates assign");
    let defined: BTreeSet<String> = keys.iter().map(|k| k.to_string()).collect();
    assert_eq!(
        defined, expected,
        "role-ids.bicep defines roles nobody assigns, or misses one"
    );
}

#[test]
fn graph_app_roles_match_their_names() {
    let template = Template::infra("graph-app-roles.bicep");
    let entries = string_entries(&template, "graphAppRoleIds");
    let expected: Vec<(String, String)> = GRAPH_APP_ROLES
        .iter()
        .map(|(n, i)| (n.to_string(), i.to_string()))
        .collect();
    assert_eq!(entries, expected);
    let app_id = template
        .variable("graphAppId")
        .and_then(|v| template.string_value(v));
    assert_eq!(app_id.as_deref(), Some(GRAPH_APP_ID));

    // scripts/deploy grants the same roles by name.
    let script =
        std::fs::read_to_string(repo_root().join("scripts/deploy")).expect("scripts/deploy");
    let granted = script
        .lines()
        .find(|l| l.starts_with("graph_roles=("))
        .expect("scripts/deploy lists graph_roles");
    for (name, _) in GRAPH_APP_ROLES {
        assert!(
            granted.contains(name),
            "scripts/deploy does not grant {name}"
        );
    }
    assert!(script.contains(GRAPH_APP_ID));
}

#[test]
fn no_other_guid_hides_in_the_templates() {
    let mut seen = 0;
    for template in Template::all() {
        for guid in guids(&template.source) {
            seen += 1;
            let role = BUILT_IN_ROLES.iter().any(|(_, _, id)| *id == guid);
            let graph_role = GRAPH_APP_ROLES.iter().any(|(_, id)| *id == guid);
            let allowed = match template.name.as_str() {
                "infra/modules/role-ids.bicep" => role,
                "infra/graph-app-roles.bicep" => graph_role || guid == GRAPH_APP_ID,
                _ => false,
            };
            assert!(
                allowed,
                "{}: GUID {guid} is no id this file may hold (built-in role ids belong in modules/role-ids.bicep, Graph ids in graph-app-roles.bicep; subscription and tenant ids are parameters)",
                template.name
            );
        }
    }
    assert!(seen >= 8, "only {seen} GUIDs found");
    assert_eq!(
        guids("x 'ACDD72A7-3385-48ef-bd42-f606fba81ae7' y-1234"),
        vec!["acdd72a7-3385-48ef-bd42-f606fba81ae7"]
    );
}
