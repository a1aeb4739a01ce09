//! Record builders for the detection tests: a typical record of each kind, to be adjusted
//! field by field.

use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

use crate::calendar::{AZURE_CLI, SERVICE_MANAGEMENT_API};
use crate::detect::records::de::Fold;
use crate::detect::records::{
    activity::{Authorization, HttpRequest},
    ActivityEvent, AuthProtocol, AuthRequirement, Caller, Claims, HttpMethod, MethodSet,
    OperationStatus, PrincipalType, RegistrationDetails, RoleAssignment, SignIn, SignInEventTypes,
    SignInStatus, Subscription, User,
};
use crate::ids::{ObjectId, SubscriptionId};

/// Role GUIDs used in tests.
pub const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
/// Reader.
pub const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

/// `n` minutes after 2026-11-01T00:00Z (after the default enforcement date).
pub fn at(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap() + Duration::minutes(n)
}

/// The object id of test user `n`.
pub fn oid(n: u8) -> ObjectId {
    ObjectId::from_uuid(Uuid::from_u128(
        0x1000_0000_0000_4000_8000_0000_0000_0000 | n as u128,
    ))
}

/// The UPN of test user `n`.
pub fn upn(n: u8) -> String {
    format!("user{n}@contoso.com")
}

/// Subscription `n`.
pub fn sub(n: u8) -> SubscriptionId {
    SubscriptionId::from_uuid(Uuid::from_u128(
        0x5000_0000_0000_4000_8000_0000_0000_0000 | n as u128,
    ))
}

fn record_id(salt: u128, user: u8, when: DateTime<Utc>) -> Uuid {
    let mins = when.timestamp() as u128 / 60;
    Uuid::from_u128((salt << 120) | ((user as u128) << 64) | mins)
}

/// A successful single-factor interactive Azure CLI sign-in to ARM from 203.0.113.1.
pub fn sign_in(user: u8, when: DateTime<Utc>) -> SignIn {
    SignIn {
        id: Some(record_id(1, user, when)),
        created_date_time: when,
        user_id: Some(oid(user)),
        user_principal_name: Some(upn(user)),
        user_display_name: Some(format!("User {user}")),
        user_type: None,
        app_id: Some(AZURE_CLI),
        app_display_name: Some("Microsoft Azure CLI".into()),
        resource_id: Some(SERVICE_MANAGEMENT_API),
        authentication_requirement: Some(AuthRequirement::SingleFactor),
        authentication_protocol: Some(AuthProtocol::Unspecified),
        is_interactive: Some(true),
        sign_in_event_types: SignInEventTypes::INTERACTIVE_USER,
        status: SignInStatus {
            error_code: Some(0),
            mfa_satisfied: false,
        },
        user_agent: None,
        ip_address: Some("203.0.113.1".into()),
        service_principal_id: None,
    }
}

/// Makes a sign-in non-interactive.
pub fn non_interactive(mut s: SignIn) -> SignIn {
    s.is_interactive = Some(false);
    s.sign_in_event_types = SignInEventTypes::NON_INTERACTIVE_USER;
    s
}

/// A successful PUT `Microsoft.Compute/virtualMachines/write` through Azure CLI with amr
/// `pwd`, in subscription 1, from 198.51.100.1.
pub fn write(user: u8, when: DateTime<Utc>) -> ActivityEvent {
    ActivityEvent {
        caller: Caller::Name,
        claims: Claims {
            amr: Some("pwd".into()),
            app_id: Some(AZURE_CLI),
            app_id_acr: Some(crate::detect::records::activity::ClientAuth::Public),
            object_id: Some(oid(user)),
            upn: Some(upn(user)),
            ip_addr: None,
            id_type: None,
        },
        authorization: Authorization {
            action: Some("Microsoft.Compute/virtualMachines/write".into()),
            scope: Some(format!(
                "/subscriptions/{}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
                sub(1)
            )),
        },
        operation_name: Some("Microsoft.Compute/virtualMachines/write".into()),
        http_request: HttpRequest {
            method: Some(HttpMethod::Put),
            client_ip_address: Some("198.51.100.1".into()),
        },
        status: Some(OperationStatus::Succeeded),
        event_timestamp: when,
        subscription_id: Some(sub(1)),
        event_data_id: Some(record_id(2, user, when)),
        correlation_id: None,
        properties: Default::default(),
    }
}

/// A registration record.
pub fn registration(user: u8, mfa_registered: bool, methods: &[&str]) -> RegistrationDetails {
    let mut set = MethodSet::default();
    for m in methods {
        set.add(m);
    }
    RegistrationDetails {
        id: oid(user),
        user_principal_name: Some(upn(user)),
        user_display_name: Some(format!("User {user}")),
        is_mfa_registered: Some(mfa_registered),
        methods_registered: set,
        is_admin: Some(false),
        user_type: None,
        last_updated_date_time: Some(at(-60)),
    }
}

/// An enabled member.
pub fn user(n: u8) -> User {
    User {
        id: oid(n),
        user_principal_name: Some(upn(n)),
        display_name: Some(format!("User {n}")),
        mail: Some(upn(n)),
        account_enabled: Some(true),
        user_type: Some(crate::detect::model::UserKind::Member),
        manager: None,
        sponsors: Vec::new(),
    }
}

/// A role assignment to a user at subscription 1.
pub fn assignment(user: u8, role: &str) -> RoleAssignment {
    RoleAssignment {
        principal_id: oid(user),
        principal_type: Some(PrincipalType::User),
        role_definition_id: Uuid::parse_str(role).unwrap(),
        scope: Some(format!("/subscriptions/{}", sub(1))),
    }
}

/// A subscription with tags.
pub fn subscription(n: u8, tags: &[(&str, &str)]) -> Subscription {
    Subscription {
        subscription_id: sub(n),
        display_name: Some(format!("sub {n}")),
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}
