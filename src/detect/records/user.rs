//! A Microsoft Graph user (`GET /users`, optionally `$expand=manager,sponsors`).

use serde::Deserialize;

use super::de;
use crate::detect::model::UserKind;
use crate::ids::ObjectId;

/// One directory user, with the owner hints detection uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The object id.
    #[serde(deserialize_with = "de::guid")]
    pub id: ObjectId,
    /// The directory UPN (a guest's is the `#EXT#` form).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub user_principal_name: Option<String>,
    /// Display name.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub display_name: Option<String>,
    /// Mail address.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub mail: Option<String>,
    /// `false` for a disabled account.
    #[serde(default)]
    pub account_enabled: Option<bool>,
    /// Member or guest.
    #[serde(default, deserialize_with = "de::opt_wire")]
    pub user_type: Option<UserKind>,
    /// The manager, from `$expand=manager`.
    #[serde(default)]
    pub manager: Option<DirectoryContact>,
    /// Sponsors, from `$expand=sponsors`.
    #[serde(default, deserialize_with = "de::null_default")]
    pub sponsors: Vec<DirectoryContact>,
}

/// A manager or sponsor: a user (or a group, for sponsors).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryContact {
    /// The object id.
    #[serde(default, deserialize_with = "de::opt_guid")]
    pub id: Option<ObjectId>,
    /// The UPN.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub user_principal_name: Option<String>,
    /// The mail address.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub mail: Option<String>,
}

impl DirectoryContact {
    /// Where to reach the contact: the mail address, else the UPN.
    pub fn address(&self) -> Option<&str> {
        self.mail.as_deref().or(self.user_principal_name.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_expansions() {
        let u: User = serde_json::from_str(
            r##"{"id":"2e1e3bd4-7b6c-4f7c-9a4e-0d0b3c4f5a61",
                "userPrincipalName":"alice_fabrikam.com#EXT#@contoso.onmicrosoft.com",
                "displayName":"Alice","mail":"alice@fabrikam.com","accountEnabled":false,"userType":"Guest",
                "manager":{"@odata.type":"#microsoft.graph.user","id":"8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d",
                           "userPrincipalName":"bob@contoso.com","mail":null},
                "sponsors":[{"id":"1b2c3d4e-5f60-4718-9a0b-1c2d3e4f5a6b","mail":"carol@contoso.com"}]}"##,
        )
        .unwrap();
        assert_eq!(u.account_enabled, Some(false));
        assert_eq!(u.user_type, Some(UserKind::Guest));
        assert_eq!(
            u.manager.as_ref().and_then(|m| m.address()),
            Some("bob@contoso.com")
        );
        assert_eq!(u.sponsors[0].address(), Some("carol@contoso.com"));
        let bare: User = serde_json::from_str(
            r#"{"id":"2e1e3bd4-7b6c-4f7c-9a4e-0d0b3c4f5a61","sponsors":null}"#,
        )
        .unwrap();
        assert!(bare.sponsors.is_empty() && bare.manager.is_none());
    }
}
