//! An Azure role assignment (`GET {scope}/providers/Microsoft.Authorization/roleAssignments`,
//! or the flattened `az role assignment list` shape).

use serde::Deserialize;
use uuid::Uuid;

use super::de::{self, Wire};
use crate::ids::ObjectId;

/// One role assignment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawRoleAssignment")]
pub struct RoleAssignment {
    /// The principal's object id.
    pub principal_id: ObjectId,
    /// `User`, `Group`, `ServicePrincipal`, …; `None` in old API versions.
    pub principal_type: Option<PrincipalType>,
    /// The role definition's GUID (the last segment of `roleDefinitionId`).
    pub role_definition_id: Uuid,
    /// Where the role applies.
    pub scope: Option<String>,
}

/// `principalType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalType {
    /// A user.
    User,
    /// A group (membership is not expanded).
    Group,
    /// A service principal or managed identity.
    ServicePrincipal,
    /// Anything else (`ForeignGroup`, `Device`, …).
    Other,
}

impl Wire for PrincipalType {
    fn from_wire(text: &str) -> Option<Self> {
        Some(if text.eq_ignore_ascii_case("User") {
            PrincipalType::User
        } else if text.eq_ignore_ascii_case("Group") {
            PrincipalType::Group
        } else if text.eq_ignore_ascii_case("ServicePrincipal") {
            PrincipalType::ServicePrincipal
        } else {
            PrincipalType::Other
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Fields {
    #[serde(default, deserialize_with = "de::opt_guid")]
    principal_id: Option<ObjectId>,
    #[serde(default, deserialize_with = "de::opt_wire")]
    principal_type: Option<PrincipalType>,
    #[serde(default, deserialize_with = "de::opt_guid_last_segment")]
    role_definition_id: Option<Uuid>,
    #[serde(default, deserialize_with = "de::opt_string")]
    scope: Option<String>,
}

#[derive(Deserialize)]
struct RawRoleAssignment {
    #[serde(default, deserialize_with = "de::null_default")]
    properties: Fields,
    #[serde(flatten)]
    top: Fields,
}

impl TryFrom<RawRoleAssignment> for RoleAssignment {
    type Error = String;
    fn try_from(raw: RawRoleAssignment) -> Result<Self, String> {
        let (p, t) = (raw.properties, raw.top);
        Ok(Self {
            principal_id: p
                .principal_id
                .or(t.principal_id)
                .ok_or("role assignment without principalId")?,
            principal_type: p.principal_type.or(t.principal_type),
            role_definition_id: p
                .role_definition_id
                .or(t.role_definition_id)
                .ok_or("role assignment without roleDefinitionId")?,
            scope: p.scope.or(t.scope),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_and_cli_shapes() {
        let arm: RoleAssignment = serde_json::from_str(
            r#"{"id":"/subscriptions/089bd33f-d4ec-47fe-8ba5-0753aa5c5b33/providers/Microsoft.Authorization/roleAssignments/b0f43c54-e787-4862-89b1-a653fa9cf747",
                "name":"b0f43c54-e787-4862-89b1-a653fa9cf747","type":"Microsoft.Authorization/roleAssignments",
                "properties":{"roleDefinitionId":"/subscriptions/089bd33f-d4ec-47fe-8ba5-0753aa5c5b33/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
                "principalId":"26be570a-ae82-4189-b4e2-a37c6808512d","principalType":"User",
                "scope":"/subscriptions/089bd33f-d4ec-47fe-8ba5-0753aa5c5b33","createdOn":"2026-01-01T00:00:00Z"}}"#,
        )
        .unwrap();
        assert_eq!(arm.principal_type, Some(PrincipalType::User));
        assert_eq!(
            arm.role_definition_id.to_string(),
            "b24988ac-6180-42a0-ab88-20f7382dd24c"
        );
        assert_eq!(
            arm.scope.as_deref(),
            Some("/subscriptions/089bd33f-d4ec-47fe-8ba5-0753aa5c5b33")
        );
        let cli: RoleAssignment = serde_json::from_str(
            r#"{"principalId":"26be570a-ae82-4189-b4e2-a37c6808512d","principalType":"Group",
                "roleDefinitionId":"acdd72a7-3385-48ef-bd42-f606fba81ae7","roleDefinitionName":"Reader","scope":"/"}"#,
        )
        .unwrap();
        assert_eq!(cli.principal_type, Some(PrincipalType::Group));
        assert_eq!(
            cli.role_definition_id.to_string(),
            "acdd72a7-3385-48ef-bd42-f606fba81ae7"
        );
    }

    #[test]
    fn missing_or_bad_ids_are_errors() {
        let err = serde_json::from_str::<RoleAssignment>(
            r#"{"properties":{"principalId":"26be570a-ae82-4189-b4e2-a37c6808512d"}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("without roleDefinitionId"), "{err}");
        let err = serde_json::from_str::<RoleAssignment>(r#"{"properties":{"principalId":"bob","roleDefinitionId":"acdd72a7-3385-48ef-bd42-f606fba81ae7"}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"bob\" is not a GUID"), "{err}");
    }
}
