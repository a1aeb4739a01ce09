//! The Graph beta `signIn` object's shape, as serde types borrowed from plans.
//! Field names are the wire format's (serde renames them to camelCase or to claim URIs);
//! they need no further description.

use std::fmt;
use std::net::Ipv4Addr;

use base64::display::Base64Display;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Serialize, Serializer};
use uuid::Uuid;

use super::super::time::Stamp;

/// A GUID or the empty string Graph prints for a missing one.
pub(super) enum MaybeId {
    /// A GUID.
    Id(Uuid),
    /// `""`.
    Empty,
}

impl Serialize for MaybeId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MaybeId::Id(id) => id.serialize(s),
            MaybeId::Empty => s.serialize_str(""),
        }
    }
}

/// `uniqueTokenIdentifier`: 16 bytes, base64url.
pub(super) struct TokenId(pub(super) [u8; 16]);

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Base64Display::new(&self.0, &URL_SAFE_NO_PAD).fmt(f)
    }
}

impl Serialize for TokenId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `status`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Status<'a> {
    pub(super) error_code: u32,
    pub(super) failure_reason: &'a str,
    pub(super) additional_details: Option<&'a str>,
}

/// `deviceDetail`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct DeviceDetail<'a> {
    pub(super) device_id: &'a str,
    pub(super) display_name: &'a str,
    pub(super) operating_system: &'a str,
    pub(super) browser: &'a str,
    pub(super) is_compliant: bool,
    pub(super) is_managed: bool,
    pub(super) trust_type: &'a str,
}

/// `location.geoCoordinates`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Geo {
    pub(super) latitude: f64,
    pub(super) longitude: f64,
}

/// `location`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Location<'a> {
    pub(super) city: &'a str,
    pub(super) state: &'a str,
    pub(super) country_or_region: &'a str,
    pub(super) geo_coordinates: Geo,
}

/// One step of `authenticationDetails`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AuthDetail<'a> {
    pub(super) authentication_step_date_time: Stamp,
    pub(super) authentication_method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) authentication_method_detail: Option<&'a str>,
    pub(super) succeeded: bool,
    pub(super) authentication_step_result_detail: &'a str,
    pub(super) authentication_step_requirement: &'a str,
}

/// `managedServiceIdentity`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Msi<'a> {
    pub(super) msi_type: &'a str,
    pub(super) associated_resource_id: Option<&'a str>,
    pub(super) federated_token_id: Option<&'a str>,
    pub(super) federated_token_issuer: Option<&'a str>,
}

/// `mfaDetail`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MfaDetail<'a> {
    pub(super) auth_method: &'a str,
    pub(super) auth_detail: Option<&'a str>,
}

/// One of `appliedConditionalAccessPolicies`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CaPolicy<'a> {
    pub(super) id: &'a str,
    pub(super) display_name: &'a str,
    pub(super) enforced_grant_controls: &'a [&'a str],
    pub(super) enforced_session_controls: &'a [&'a str],
    pub(super) result: &'a str,
}

/// An empty list.
pub(super) const EMPTY: &[&str] = &[];

/// A whole `signIn` object, fields in Graph's order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Record<'a> {
    pub(super) id: Uuid,
    pub(super) created_date_time: Stamp,
    pub(super) user_display_name: &'a str,
    pub(super) user_principal_name: &'a str,
    pub(super) user_id: MaybeId,
    pub(super) user_type: Option<&'a str>,
    pub(super) app_id: MaybeId,
    pub(super) app_display_name: &'a str,
    pub(super) ip_address: Ipv4Addr,
    pub(super) client_app_used: &'a str,
    pub(super) user_agent: &'a str,
    pub(super) correlation_id: Uuid,
    pub(super) conditional_access_status: &'a str,
    pub(super) original_request_id: Uuid,
    pub(super) is_interactive: bool,
    pub(super) token_issuer_name: &'a str,
    pub(super) token_issuer_type: &'a str,
    pub(super) client_credential_type: &'a str,
    pub(super) processing_time_in_milliseconds: u32,
    pub(super) risk_detail: &'a str,
    pub(super) risk_level_aggregated: &'a str,
    pub(super) risk_level_during_sign_in: &'a str,
    pub(super) risk_state: &'a str,
    pub(super) resource_display_name: &'a str,
    pub(super) resource_id: &'a str,
    pub(super) resource_tenant_id: Uuid,
    pub(super) home_tenant_id: Uuid,
    pub(super) authentication_requirement: &'a str,
    pub(super) sign_in_identifier: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) service_principal_name: Option<&'a str>,
    pub(super) service_principal_id: MaybeId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) service_principal_credential_key_id: Option<Uuid>,
    pub(super) unique_token_identifier: TokenId,
    pub(super) incoming_token_type: &'a str,
    pub(super) authentication_protocol: &'a str,
    pub(super) cross_tenant_access_type: &'a str,
    pub(super) session_id: Option<Uuid>,
    pub(super) sign_in_event_types: [&'a str; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) mfa_detail: Option<MfaDetail<'a>>,
    pub(super) status: Status<'a>,
    pub(super) device_detail: DeviceDetail<'a>,
    pub(super) location: Location<'a>,
    pub(super) autonomous_system_number: u32,
    pub(super) applied_conditional_access_policies: Vec<CaPolicy<'a>>,
    pub(super) authentication_details: Vec<AuthDetail<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) managed_service_identity: Option<Msi<'a>>,
}
