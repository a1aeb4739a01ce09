//! An Azure role definition (`GET {scope}/providers/Microsoft.Authorization/roleDefinitions`,
//! or the flattened `az role definition list` shape).

use serde::Deserialize;
use uuid::Uuid;

use super::de;

/// One role definition.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawRoleDefinition")]
pub struct RoleDefinition {
    /// The role's GUID (`name`, or the last segment of `id`).
    pub id: Uuid,
    /// The role's name (`Contributor`).
    pub role_name: Option<String>,
    /// Whether Microsoft defines the role (`BuiltInRole`) rather than the tenant.
    pub built_in: bool,
    /// The control-plane actions of all permission blocks.
    pub actions: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Fields {
    #[serde(default, deserialize_with = "de::opt_string")]
    role_name: Option<String>,
    #[serde(default, rename = "type", deserialize_with = "de::opt_string")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    role_type: Option<String>,
    #[serde(default, deserialize_with = "de::null_default")]
    permissions: Vec<Permission>,
}

#[derive(Deserialize, Default)]
struct Permission {
    #[serde(default, deserialize_with = "de::null_default")]
    actions: Vec<String>,
}

#[derive(Deserialize)]
struct RawRoleDefinition {
    #[serde(default, deserialize_with = "de::opt_guid")]
    name: Option<Uuid>,
    #[serde(default, deserialize_with = "de::opt_guid_last_segment")]
    id: Option<Uuid>,
    #[serde(default, deserialize_with = "de::null_default")]
    properties: Fields,
    #[serde(flatten)]
    top: Fields,
}

impl TryFrom<RawRoleDefinition> for RoleDefinition {
    type Error = String;
    fn try_from(raw: RawRoleDefinition) -> Result<Self, String> {
        let (p, t) = (raw.properties, raw.top);
        // ARM's own `type` at the top is the resource type; the role's type is inside
        // `properties`, or `roleType` in the flattened form.
        let kind = p.kind.or(p.role_type).or(t.role_type);
        let permissions = if p.permissions.is_empty() {
            t.permissions
        } else {
            p.permissions
        };
        Ok(Self {
            id: raw
                .name
                .or(raw.id)
                .ok_or("role definition without name or id")?,
            role_name: p.role_name.or(t.role_name),
            built_in: kind.is_some_and(|k| k.eq_ignore_ascii_case("BuiltInRole")),
            actions: permissions.into_iter().flat_map(|p| p.actions).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_and_cli_shapes() {
        let arm: RoleDefinition = serde_json::from_str(
            r#"{"id":"/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/4f8fab4f-1852-4a58-a46a-8eaf358af14a",
                "name":"4f8fab4f-1852-4a58-a46a-8eaf358af14a","type":"Microsoft.Authorization/roleDefinitions",
                "properties":{"roleName":"VM Restarter","type":"CustomRole",
                  "permissions":[{"actions":["Microsoft.Compute/virtualMachines/read","Microsoft.Compute/virtualMachines/restart/action"],"notActions":[]}]}}"#,
        )
        .unwrap();
        assert_eq!(arm.role_name.as_deref(), Some("VM Restarter"));
        assert!(!arm.built_in);
        assert_eq!(arm.actions.len(), 2);
        let cli: RoleDefinition = serde_json::from_str(
            r#"{"id":"/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
                "name":"acdd72a7-3385-48ef-bd42-f606fba81ae7","roleName":"Reader","roleType":"BuiltInRole",
                "type":"Microsoft.Authorization/roleDefinitions","permissions":[{"actions":["*/read"]}]}"#,
        )
        .unwrap();
        assert!(cli.built_in);
        assert_eq!(cli.actions, vec!["*/read".to_string()]);
    }
}
