//! A Microsoft Graph sign-in (`GET /beta/auditLogs/signIns`, also the v1.0 shape).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::de::{self, Fold, Wire};
use crate::detect::model::UserKind;
use crate::ids::{AppId, ObjectId};

/// One sign-in event, reduced to what detection reads. Unknown fields are ignored; every
/// field but `createdDateTime` may be missing.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    /// The sign-in's id (a GUID).
    #[serde(default, deserialize_with = "de::opt_guid")]
    pub id: Option<Uuid>,
    /// When the sign-in happened.
    pub created_date_time: DateTime<Utc>,
    /// The user's object id (empty for service principal sign-ins).
    #[serde(default, deserialize_with = "de::opt_guid")]
    pub user_id: Option<ObjectId>,
    /// The user's UPN in this directory.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub user_principal_name: Option<String>,
    /// The user's display name.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub user_display_name: Option<String>,
    /// Member or guest (beta only).
    #[serde(default, deserialize_with = "de::opt_wire")]
    pub user_type: Option<UserKind>,
    /// The client application.
    #[serde(default, deserialize_with = "de::opt_guid")]
    pub app_id: Option<AppId>,
    /// The client application's name.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub app_display_name: Option<String>,
    /// The resource signed in to (the Service Management API for ARM).
    #[serde(default, deserialize_with = "de::opt_guid")]
    pub resource_id: Option<AppId>,
    /// Single- or multi-factor requirement (beta).
    #[serde(default, deserialize_with = "de::opt_wire")]
    pub authentication_requirement: Option<AuthRequirement>,
    /// The protocol or grant used (`ropc`, `deviceCode`, `none`, …; beta).
    #[serde(default, deserialize_with = "de::opt_wire")]
    pub authentication_protocol: Option<AuthProtocol>,
    /// Whether the sign-in was interactive.
    #[serde(default)]
    pub is_interactive: Option<bool>,
    /// The event types (beta): interactive, non-interactive, service principal, managed
    /// identity.
    #[serde(default, deserialize_with = "de::fold_list")]
    pub sign_in_event_types: SignInEventTypes,
    /// Outcome.
    #[serde(default, deserialize_with = "de::null_default")]
    pub status: SignInStatus,
    /// The client's user agent.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub user_agent: Option<String>,
    /// The client's IP address.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub ip_address: Option<String>,
    /// The service principal that signed in, for workload sign-ins.
    #[serde(default, deserialize_with = "de::opt_guid")]
    pub service_principal_id: Option<ObjectId>,
}

/// The `status` of a sign-in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInStatus {
    /// `0` for success.
    #[serde(default, deserialize_with = "de::opt_integer")]
    pub error_code: Option<i64>,
    /// Whether `additionalDetails` says the MFA requirement was satisfied (by a claim in the
    /// token, by an external provider, …): federated or earlier MFA.
    #[serde(
        default,
        rename = "additionalDetails",
        deserialize_with = "mfa_satisfied_detail"
    )]
    pub mfa_satisfied: bool,
}

fn mfa_satisfied_detail<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(de::opt_wire::<_, MfaSatisfied>(d)?.is_some())
}

/// The `additionalDetails` phrase that means MFA was done.
struct MfaSatisfied;

impl Wire for MfaSatisfied {
    fn from_wire(text: &str) -> Option<Self> {
        de::contains_ignore_case(text, "mfa requirement satisfied").then_some(MfaSatisfied)
    }
}

/// `authenticationRequirement`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthRequirement {
    /// `singleFactorAuthentication`: no MFA was required.
    SingleFactor,
    /// `multiFactorAuthentication`: MFA was required (and, on success, done).
    MultiFactor,
    /// Anything else.
    Other,
}

impl Wire for AuthRequirement {
    fn from_wire(text: &str) -> Option<Self> {
        Some(if text.eq_ignore_ascii_case("singleFactorAuthentication") {
            AuthRequirement::SingleFactor
        } else if text.eq_ignore_ascii_case("multiFactorAuthentication") {
            AuthRequirement::MultiFactor
        } else {
            AuthRequirement::Other
        })
    }
}

/// `authenticationProtocol`. (Its serde form is the persisted one; records parse the wire
/// text.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AuthProtocol {
    /// The API's `none`: no special protocol (the usual OAuth code or refresh flows).
    Unspecified,
    /// Resource-owner password credentials: a username and password in a script.
    Ropc,
    /// The device-code flow.
    DeviceCode,
    /// Any other protocol (`oAuth2`, `saml20`, `wsFederation`, …).
    Other,
}

impl AuthProtocol {
    /// The API's name for the protocol (`ropc`, `deviceCode`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthProtocol::Unspecified => "none",
            AuthProtocol::Ropc => "ropc",
            AuthProtocol::DeviceCode => "deviceCode",
            AuthProtocol::Other => "other",
        }
    }
}

impl Wire for AuthProtocol {
    fn from_wire(text: &str) -> Option<Self> {
        Some(if text.eq_ignore_ascii_case("ropc") {
            AuthProtocol::Ropc
        } else if text.eq_ignore_ascii_case("deviceCode") {
            AuthProtocol::DeviceCode
        } else if text.eq_ignore_ascii_case("none") {
            AuthProtocol::Unspecified
        } else {
            AuthProtocol::Other
        })
    }
}

/// `signInEventTypes` as a small set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SignInEventTypes(u8);

impl SignInEventTypes {
    /// `interactiveUser`.
    pub const INTERACTIVE_USER: Self = Self(1);
    /// `nonInteractiveUser`.
    pub const NON_INTERACTIVE_USER: Self = Self(2);
    /// `servicePrincipal`.
    pub const SERVICE_PRINCIPAL: Self = Self(4);
    /// `managedIdentity`.
    pub const MANAGED_IDENTITY: Self = Self(8);

    /// Whether every type in `other` is in the set.
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// The union of two sets.
    pub fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether the set is empty (the v1.0 shape, which has no event types).
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl Fold for SignInEventTypes {
    fn add(&mut self, item: &str) {
        let t = if item.eq_ignore_ascii_case("interactiveUser") {
            Self::INTERACTIVE_USER
        } else if item.eq_ignore_ascii_case("nonInteractiveUser") {
            Self::NON_INTERACTIVE_USER
        } else if item.eq_ignore_ascii_case("servicePrincipal") {
            Self::SERVICE_PRINCIPAL
        } else if item.eq_ignore_ascii_case("managedIdentity") {
            Self::MANAGED_IDENTITY
        } else {
            Self(0)
        };
        *self = self.with(t);
    }
}

impl SignIn {
    /// A service principal or managed identity sign-in (never reported).
    pub fn is_workload(&self) -> bool {
        self.sign_in_event_types
            .contains(SignInEventTypes::SERVICE_PRINCIPAL)
            || self
                .sign_in_event_types
                .contains(SignInEventTypes::MANAGED_IDENTITY)
            || (self.user_id.is_none() && self.service_principal_id.is_some())
    }

    /// Whether the sign-in succeeded (`status.errorCode == 0`).
    pub fn succeeded(&self) -> bool {
        self.status.error_code == Some(0)
    }

    /// Whether MFA satisfied the sign-in (required and done, or satisfied by a claim).
    pub fn mfa_satisfied(&self) -> bool {
        self.authentication_requirement == Some(AuthRequirement::MultiFactor)
            || self.status.mfa_satisfied
    }

    /// Whether the sign-in is known to be single-factor.
    pub fn single_factor(&self) -> bool {
        self.authentication_requirement == Some(AuthRequirement::SingleFactor)
            && !self.status.mfa_satisfied
    }

    /// Interactive or not: the beta event types first, then `isInteractive`.
    pub fn interactive(&self) -> Option<bool> {
        let t = self.sign_in_event_types;
        if t.contains(SignInEventTypes::INTERACTIVE_USER) {
            Some(true)
        } else if t.contains(SignInEventTypes::NON_INTERACTIVE_USER) {
            Some(false)
        } else {
            self.is_interactive
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BETA: &str = r#"{
        "id": "66ea54eb-6301-4ee5-be62-ff5a759b0100",
        "createdDateTime": "2026-11-20T08:15:41.6195833Z",
        "userDisplayName": "Build Bot", "userPrincipalName": "build@contoso.com",
        "userId": "26be570a-ae82-4189-b4e2-a37c6808512d", "userType": "Member",
        "appId": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "appDisplayName": "Microsoft Azure CLI",
        "resourceId": "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "authenticationRequirement": "singleFactorAuthentication",
        "authenticationProtocol": "ropc", "isInteractive": true,
        "signInEventTypes": ["interactiveUser"],
        "status": {"errorCode": 0, "failureReason": "Other.", "additionalDetails": null},
        "userAgent": "python-requests/2.31.0", "ipAddress": "203.0.113.7",
        "servicePrincipalId": "", "servicePrincipalName": null,
        "location": {"city": "Redmond", "geoCoordinates": {"latitude": 47.6}},
        "appliedConditionalAccessPolicies": [{"id": "x", "result": "notApplied"}]
    }"#;

    #[test]
    fn parses_the_beta_shape() {
        let s: SignIn = serde_json::from_str(BETA).unwrap();
        assert_eq!(
            s.id.unwrap().to_string(),
            "66ea54eb-6301-4ee5-be62-ff5a759b0100"
        );
        assert_eq!(s.user_principal_name.as_deref(), Some("build@contoso.com"));
        assert_eq!(s.user_type, Some(UserKind::Member));
        assert_eq!(s.authentication_protocol, Some(AuthProtocol::Ropc));
        assert!(s.succeeded() && s.single_factor() && !s.mfa_satisfied());
        assert_eq!(s.interactive(), Some(true));
        assert!(!s.is_workload());
        assert!(s.service_principal_id.is_none(), "\"\" is no id");
        assert_eq!(s.ip_address.as_deref(), Some("203.0.113.7"));
    }

    #[test]
    fn claim_satisfied_mfa_and_case_of_requirement() {
        let s: SignIn = serde_json::from_str(
            r#"{"createdDateTime":"2026-01-01T00:00:00Z","authenticationRequirement":"MultifactorAuthentication",
                "status":{"errorCode":0}}"#,
        )
        .unwrap();
        assert!(s.mfa_satisfied() && !s.single_factor());
        let s: SignIn = serde_json::from_str(
            r#"{"createdDateTime":"2026-01-01T00:00:00Z","authenticationRequirement":"singleFactorAuthentication",
                "status":{"errorCode":0,"additionalDetails":"MFA requirement satisfied by claim in the token"}}"#,
        )
        .unwrap();
        assert!(s.mfa_satisfied() && !s.single_factor());
    }

    #[test]
    fn workload_and_v1_shapes() {
        let s: SignIn = serde_json::from_str(
            r#"{"createdDateTime":"2026-01-01T00:00:00Z","userId":"","signInEventTypes":["servicePrincipal"],
                "servicePrincipalId":"9b3c1d57-1c1a-4b5e-9a3a-0e1c5b6a7d11"}"#,
        )
        .unwrap();
        assert!(s.is_workload());
        let s: SignIn = serde_json::from_str(
            r#"{"createdDateTime":"2026-01-01T00:00:00Z","userId":"26be570a-ae82-4189-b4e2-a37c6808512d",
                "isInteractive":false,"status":{"errorCode":"50126"}}"#,
        )
        .unwrap();
        assert_eq!(s.interactive(), Some(false));
        assert!(!s.succeeded());
        assert!(
            !s.single_factor(),
            "no requirement field: not known single-factor"
        );
    }

    #[test]
    fn malformed_records_are_errors() {
        let err =
            serde_json::from_str::<SignIn>(r#"{"userId":"26be570a-ae82-4189-b4e2-a37c6808512d"}"#)
                .unwrap_err()
                .to_string();
        assert!(err.contains("createdDateTime"), "{err}");
        let err = serde_json::from_str::<SignIn>(
            r#"{"createdDateTime":"2026-01-01T00:00:00Z","userId":"jdoe@contoso.com"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("\"jdoe@contoso.com\" is not a GUID"), "{err}");
    }
}
