//! The activity-log event's shape, as serde types.
//! Field names are the wire format's (serde renames them to camelCase or to claim URIs);
//! they need no further description.

use std::net::Ipv4Addr;

use serde::Serialize;
use uuid::Uuid;

use super::super::time::Stamp;

/// A `{value, localizedValue}` pair.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Localized<'a> {
    pub(super) value: &'a str,
    pub(super) localized_value: &'a str,
}

/// A pair whose localized value is the value.
pub(super) const fn loc(value: &str) -> Localized<'_> {
    Localized {
        value,
        localized_value: value,
    }
}

/// `authorization`.
#[derive(Serialize)]
pub(super) struct Authorization<'a> {
    pub(super) action: &'a str,
    pub(super) scope: &'a str,
}

/// Token claims, with the URI keys ARM prints.
#[derive(Serialize)]
pub(super) struct Claims<'a> {
    pub(super) aud: &'a str,
    pub(super) iss: String,
    pub(super) iat: String,
    pub(super) nbf: String,
    pub(super) exp: String,
    #[serde(
        rename = "http://schemas.microsoft.com/claims/authnclassreference",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) acr: Option<&'a str>,
    pub(super) aio: String,
    #[serde(
        rename = "http://schemas.microsoft.com/claims/authnmethodsreferences",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) amr: Option<&'a str>,
    pub(super) appid: Uuid,
    pub(super) appidacr: &'a str,
    #[serde(
        rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        skip_serializing_if = "str::is_empty"
    )]
    pub(super) surname: &'a str,
    #[serde(
        rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        skip_serializing_if = "str::is_empty"
    )]
    pub(super) given_name: &'a str,
    #[serde(
        rename = "http://schemas.microsoft.com/identity/claims/identityprovider",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) idp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) idtyp: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) ipaddr: Option<Ipv4Addr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) name: Option<&'a str>,
    #[serde(rename = "http://schemas.microsoft.com/identity/claims/objectidentifier")]
    pub(super) oid: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) puid: Option<String>,
    pub(super) rh: String,
    #[serde(
        rename = "http://schemas.microsoft.com/identity/claims/scope",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) scope: Option<&'a str>,
    #[serde(rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier")]
    pub(super) sub: String,
    #[serde(rename = "http://schemas.microsoft.com/identity/claims/tenantid")]
    pub(super) tid: Uuid,
    #[serde(
        rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) unique_name: Option<&'a str>,
    #[serde(
        rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) upn: Option<&'a str>,
    pub(super) uti: String,
    pub(super) ver: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) xms_mirid: Option<&'a str>,
}

/// `httpRequest`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct HttpRequest<'a> {
    pub(super) client_request_id: Uuid,
    pub(super) client_ip_address: Ipv4Addr,
    pub(super) method: &'a str,
}

/// `properties`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Properties<'a> {
    pub(super) event_category: &'a str,
    pub(super) entity: &'a str,
    pub(super) message: &'a str,
    pub(super) hierarchy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) status_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) service_request_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) status_message: Option<String>,
}

/// A whole activity-log event.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Event<'a> {
    pub(super) authorization: Authorization<'a>,
    pub(super) caller: String,
    pub(super) channels: &'a str,
    pub(super) claims: Claims<'a>,
    pub(super) correlation_id: Uuid,
    pub(super) description: &'a str,
    pub(super) event_data_id: Uuid,
    pub(super) event_name: Localized<'a>,
    pub(super) category: Localized<'a>,
    pub(super) event_timestamp: Stamp,
    pub(super) id: String,
    pub(super) level: &'a str,
    pub(super) operation_id: Uuid,
    pub(super) operation_name: Localized<'a>,
    pub(super) resource_group_name: &'a str,
    pub(super) resource_provider_name: Localized<'a>,
    pub(super) resource_type: Localized<'a>,
    pub(super) resource_id: &'a str,
    pub(super) status: Localized<'a>,
    pub(super) sub_status: Localized<'a>,
    pub(super) submission_timestamp: Stamp,
    pub(super) subscription_id: Uuid,
    pub(super) tenant_id: Uuid,
    pub(super) properties: Properties<'a>,
    pub(super) related_events: [(); 0],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) http_request: Option<HttpRequest<'a>>,
}
