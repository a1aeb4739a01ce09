//! An Azure Resource Manager activity log event
//! (`GET /subscriptions/{id}/providers/Microsoft.Insights/eventtypes/management/values`).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{self as serde_de, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::de::{self, KeyIs, KeyName, Wire};
use crate::ids::{AppId, ObjectId, SubscriptionId};

/// One administrative event, reduced to what detection reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityEvent {
    /// Who called: a UPN or e-mail for people, an object id for workloads.
    #[serde(default, deserialize_with = "caller")]
    pub caller: Caller,
    /// The token's claims.
    #[serde(default, deserialize_with = "de::null_default")]
    pub claims: Claims,
    /// The authorized action and scope.
    #[serde(default, deserialize_with = "de::null_default")]
    pub authorization: Authorization,
    /// The operation (`operationName.value`).
    #[serde(default, deserialize_with = "de::opt_localizable")]
    pub operation_name: Option<String>,
    /// The HTTP request, when ARM recorded it.
    #[serde(default, deserialize_with = "de::null_default")]
    pub http_request: HttpRequest,
    /// `Started`, `Accepted`, `Succeeded`, `Failed`, … (`status.value`).
    #[serde(default, deserialize_with = "de::opt_localizable")]
    pub status: Option<OperationStatus>,
    /// When the event happened.
    pub event_timestamp: DateTime<Utc>,
    /// The subscription.
    #[serde(default, deserialize_with = "de::opt_guid")]
    pub subscription_id: Option<SubscriptionId>,
    /// The event's own id.
    #[serde(default, deserialize_with = "de::opt_guid")]
    pub event_data_id: Option<Uuid>,
    /// The operation's correlation id.
    #[serde(default, deserialize_with = "de::opt_guid")]
    pub correlation_id: Option<Uuid>,
    /// Extra properties; only a user agent is kept, when one is recorded.
    #[serde(default, deserialize_with = "de::null_default")]
    pub properties: EventProperties,
}

/// The kind of `caller`, without keeping the text (never used to name anyone).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Caller {
    /// No caller recorded.
    #[default]
    Missing,
    /// An object id: a service principal or managed identity.
    ObjectId(ObjectId),
    /// A name (UPN or e-mail): a person.
    Name,
}

fn caller<'de, D: Deserializer<'de>>(d: D) -> Result<Caller, D::Error> {
    struct C(Caller);
    impl Wire for C {
        fn from_wire(text: &str) -> Option<Self> {
            Some(C(match ObjectId::parse(text) {
                Ok(id) => Caller::ObjectId(id),
                Err(_) => Caller::Name,
            }))
        }
    }
    Ok(de::opt_wire::<_, C>(d)?.map_or(Caller::Missing, |c| c.0))
}

/// The claims detection reads; the others are skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Claims {
    /// Authentication methods (`pwd`, `pwd,mfa`, …).
    #[serde(
        default,
        rename = "http://schemas.microsoft.com/claims/authnmethodsreferences",
        deserialize_with = "de::opt_string_or_list"
    )]
    pub amr: Option<String>,
    /// The client application.
    #[serde(default, rename = "appid", deserialize_with = "de::opt_guid")]
    pub app_id: Option<AppId>,
    /// How the client application authenticated (`appidacr`).
    #[serde(default, rename = "appidacr", deserialize_with = "de::opt_wire")]
    pub app_id_acr: Option<ClientAuth>,
    /// The caller's object id: the join key.
    #[serde(
        default,
        rename = "http://schemas.microsoft.com/identity/claims/objectidentifier",
        deserialize_with = "de::opt_guid"
    )]
    pub object_id: Option<ObjectId>,
    /// The UPN claim (members only).
    #[serde(
        default,
        rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
        deserialize_with = "de::opt_string"
    )]
    pub upn: Option<String>,
    /// The IP address the token was issued to.
    #[serde(default, rename = "ipaddr", deserialize_with = "de::opt_string")]
    pub ip_addr: Option<String>,
    /// `app` or `user`, when the token says.
    #[serde(default, rename = "idtyp", deserialize_with = "de::opt_wire")]
    pub id_type: Option<IdType>,
}

/// The `appidacr` claim: how the client application authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `0`: a public client (Azure CLI, PowerShell, …) — no client secret.
    Public,
    /// `1`: a client secret.
    Secret,
    /// `2`: a certificate or client assertion.
    Certificate,
    /// Anything else.
    Other,
}

impl ClientAuth {
    /// Whether the client authenticated itself (a confidential client).
    pub fn is_confidential(self) -> bool {
        matches!(self, ClientAuth::Secret | ClientAuth::Certificate)
    }
}

impl Wire for ClientAuth {
    fn from_wire(text: &str) -> Option<Self> {
        Some(match text.trim() {
            "0" => ClientAuth::Public,
            "1" => ClientAuth::Secret,
            "2" => ClientAuth::Certificate,
            _ => ClientAuth::Other,
        })
    }
}

/// The `idtyp` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdType {
    /// An application token (service principal, managed identity).
    App,
    /// A user token.
    User,
    /// Anything else.
    Other,
}

impl Wire for IdType {
    fn from_wire(text: &str) -> Option<Self> {
        Some(if text.eq_ignore_ascii_case("app") {
            IdType::App
        } else if text.eq_ignore_ascii_case("user") {
            IdType::User
        } else {
            IdType::Other
        })
    }
}

impl Claims {
    /// Whether the amr claim lists `mfa`; `None` when there is no amr claim.
    pub fn has_mfa(&self) -> Option<bool> {
        self.amr.as_deref().map(|amr| {
            amr.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|t| t.eq_ignore_ascii_case("mfa"))
        })
    }
}

/// `authorization`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Authorization {
    /// The RBAC action checked (`Microsoft.Compute/virtualMachines/write`).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub action: Option<String>,
    /// The resource the action was on.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub scope: Option<String>,
}

/// `httpRequest`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRequest {
    /// The HTTP method.
    #[serde(default, deserialize_with = "de::opt_wire")]
    pub method: Option<HttpMethod>,
    /// The caller's IP address.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub client_ip_address: Option<String>,
}

/// An HTTP method. (Its serde form is the persisted one; records parse the wire text.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum HttpMethod {
    /// GET.
    Get,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// POST.
    Post,
    /// DELETE.
    Delete,
    /// Anything else.
    Other,
}

impl HttpMethod {
    /// Whether the method creates, updates or deletes.
    pub fn is_write(self) -> bool {
        matches!(
            self,
            HttpMethod::Put | HttpMethod::Patch | HttpMethod::Delete
        )
    }

    /// The method name.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Other => "other",
        }
    }
}

impl Wire for HttpMethod {
    fn from_wire(text: &str) -> Option<Self> {
        Some(
            [
                HttpMethod::Get,
                HttpMethod::Put,
                HttpMethod::Patch,
                HttpMethod::Post,
                HttpMethod::Delete,
            ]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(text.trim()))
            .unwrap_or(HttpMethod::Other),
        )
    }
}

/// An operation's status. (Its serde form is the persisted one; records parse the wire text.)
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OperationStatus {
    /// Started.
    Started,
    /// Accepted.
    Accepted,
    /// Succeeded.
    Succeeded,
    /// Failed.
    Failed,
    /// Canceled.
    Canceled,
    /// Anything else, as written.
    Other(String),
}

impl OperationStatus {
    /// The status as ARM writes it.
    pub fn as_str(&self) -> &str {
        match self {
            OperationStatus::Started => "Started",
            OperationStatus::Accepted => "Accepted",
            OperationStatus::Succeeded => "Succeeded",
            OperationStatus::Failed => "Failed",
            OperationStatus::Canceled => "Canceled",
            OperationStatus::Other(s) => s,
        }
    }
}

impl Wire for OperationStatus {
    fn from_wire(text: &str) -> Option<Self> {
        let known = [
            OperationStatus::Started,
            OperationStatus::Accepted,
            OperationStatus::Succeeded,
            OperationStatus::Failed,
            OperationStatus::Canceled,
        ];
        Some(
            known
                .into_iter()
                .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
                .unwrap_or_else(|| OperationStatus::Other(text.trim().to_owned())),
        )
    }
}

impl fmt::Display for OperationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `properties`: only a user agent is kept, when the event has one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventProperties {
    /// The client's user agent (`userAgent`, any case).
    pub user_agent: Option<String>,
}

struct UserAgentKey;

impl KeyName for UserAgentKey {
    fn matches(key: &str) -> bool {
        ["useragent", "user-agent", "user_agent"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(key))
    }
}

impl<'de> Deserialize<'de> for EventProperties {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EventProperties;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = EventProperties::default();
                while let Some(key) = map.next_key::<KeyIs<UserAgentKey>>()? {
                    if key.0 {
                        out.user_agent = map.next_value::<AnyString>()?.0.or(out.user_agent);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

/// A value kept when it is a non-empty string, skipped otherwise.
struct AnyString(Option<String>);

impl<'de> Deserialize<'de> for AnyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AnyString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: serde_de::Error>(self, v: &str) -> Result<AnyString, E> {
                Ok(AnyString(String::from_wire(v)))
            }
            fn visit_bool<E>(self, _: bool) -> Result<AnyString, E> {
                Ok(AnyString(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<AnyString, E> {
                Ok(AnyString(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<AnyString, E> {
                Ok(AnyString(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<AnyString, E> {
                Ok(AnyString(None))
            }
            fn visit_unit<E>(self) -> Result<AnyString, E> {
                Ok(AnyString(None))
            }
            fn visit_seq<A: serde_de::SeqAccess<'de>>(
                self,
                mut s: A,
            ) -> Result<AnyString, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(AnyString(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<AnyString, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(AnyString(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl ActivityEvent {
    /// The action: `authorization.action`, else `operationName`.
    pub fn action(&self) -> Option<&str> {
        self.authorization
            .action
            .as_deref()
            .or(self.operation_name.as_deref())
    }

    /// A create/update/delete: the action ends in `/write` or `/delete` and the HTTP method,
    /// where recorded, is PUT, PATCH or DELETE.
    pub fn is_write(&self) -> bool {
        let Some(action) = self.action() else {
            return false;
        };
        let a = action.trim().as_bytes();
        let ends = |suffix: &[u8]| {
            a.len() >= suffix.len() && a[a.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
        };
        (ends(b"/write") || ends(b"/delete"))
            && self.http_request.method.is_none_or(HttpMethod::is_write)
    }

    /// Whether the caller is a service principal or managed identity: an `app` token, or
    /// no `upn` claim and either an object-id caller or a confidential client (`appidacr`
    /// `1`/`2`) with no person's name as caller.
    pub fn is_workload(&self) -> bool {
        match self.claims.id_type {
            Some(IdType::App) => return true,
            Some(IdType::User) => return false,
            _ => {}
        }
        if self.claims.upn.is_some() {
            return false;
        }
        match self.caller {
            Caller::ObjectId(_) => true,
            Caller::Name => false,
            Caller::Missing => self
                .claims
                .app_id_acr
                .is_some_and(ClientAuth::is_confidential),
        }
    }

    /// The caller's IP: `httpRequest.clientIpAddress`, else the `ipaddr` claim.
    pub fn ip(&self) -> Option<&str> {
        self.http_request
            .client_ip_address
            .as_deref()
            .or(self.claims.ip_addr.as_deref())
    }

    /// The operation's id: the correlation id (shared by an operation's Started and
    /// Succeeded/Failed events), else the event's own id.
    pub fn operation_id(&self) -> Option<Uuid> {
        self.correlation_id.or(self.event_data_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(extra: &str) -> ActivityEvent {
        let json = format!(
            r#"{{"eventTimestamp":"2026-11-20T10:00:00Z","subscriptionId":"089bd33f-d4ec-47fe-8ba5-0753aa5c5b33"{extra}}}"#
        );
        serde_json::from_str(&json).unwrap()
    }

    #[test]
    fn writes_need_a_write_action_and_method() {
        let put = event(
            r#","authorization":{"action":"Microsoft.Compute/virtualMachines/write"},"httpRequest":{"method":"PUT"}"#,
        );
        assert!(put.is_write());
        let no_method =
            event(r#","operationName":{"value":"Microsoft.Network/dnsZones/A/DELETE"}"#);
        assert!(
            no_method.is_write(),
            "operationName stands in; case-insensitive"
        );
        let post = event(
            r#","authorization":{"action":"Microsoft.Compute/virtualMachines/write"},"httpRequest":{"method":"POST"}"#,
        );
        assert!(!post.is_write());
        let action = event(
            r#","authorization":{"action":"Microsoft.Compute/virtualMachines/restart/action"},"httpRequest":{"method":"POST"}"#,
        );
        assert!(!action.is_write());
        let read = event(r#","authorization":{"action":"Microsoft.Resources/subscriptions/read"}"#);
        assert!(!read.is_write());
    }

    #[test]
    fn workloads_and_people() {
        let sp = event(
            r#","caller":"7d2a5c8e-1f3b-4e6a-9c0d-2b4f6a8c0e1f","claims":{"appidacr":"2",
                "http://schemas.microsoft.com/identity/claims/objectidentifier":"7d2a5c8e-1f3b-4e6a-9c0d-2b4f6a8c0e1f"}"#,
        );
        assert!(sp.is_workload());
        let mi = event(r#","claims":{"idtyp":"app","appidacr":"2"}"#);
        assert!(mi.is_workload());
        let portal_user = event(
            r#","caller":"admin@contoso.com","claims":{"appidacr":"2",
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":"admin@contoso.com"}"#,
        );
        assert!(
            !portal_user.is_workload(),
            "a person through the portal (a confidential client)"
        );
        let guest = event(r#","caller":"alice@fabrikam.com","claims":{"appidacr":"0"}"#);
        assert!(!guest.is_workload());
    }

    #[test]
    fn amr_forms() {
        let with = |amr: &str| {
            event(&format!(
                r#","claims":{{"http://schemas.microsoft.com/claims/authnmethodsreferences":{amr}}}"#
            ))
        };
        assert_eq!(with(r#""pwd""#).claims.has_mfa(), Some(false));
        assert_eq!(with(r#""pwd,mfa""#).claims.has_mfa(), Some(true));
        assert_eq!(with(r#""rsa, MFA""#).claims.has_mfa(), Some(true));
        assert_eq!(with(r#"["fed","mfa"]"#).claims.has_mfa(), Some(true));
        assert_eq!(with(r#""wia""#).claims.has_mfa(), Some(false));
        assert_eq!(
            with(r#""ngcmfa""#).claims.has_mfa(),
            Some(false),
            "only the mfa token counts"
        );
        assert_eq!(event("").claims.has_mfa(), None);
    }

    #[test]
    fn keeps_a_user_agent_from_properties() {
        let e = event(
            r#","properties":{"statusCode":"Created","UserAgent":"AZURECLI/2.60.0 (DEB)","requestbody":"{\"a\":1}","n":3}"#,
        );
        assert_eq!(
            e.properties.user_agent.as_deref(),
            Some("AZURECLI/2.60.0 (DEB)")
        );
        let e = event(r#","properties":{"userAgent":{"nested":true}}"#);
        assert!(e.properties.user_agent.is_none());
    }

    #[test]
    fn status_and_localizable_strings() {
        let e = event(r#","status":{"value":"Failed","localizedValue":"Échec"}"#);
        assert_eq!(e.status, Some(OperationStatus::Failed));
        let e = event(r#","status":"Conflict""#);
        assert_eq!(e.status, Some(OperationStatus::Other("Conflict".into())));
    }
}
