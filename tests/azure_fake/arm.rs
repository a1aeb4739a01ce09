//! Azure Resource Manager: subscriptions, the activity log, role assignments and role
//! definitions; `api-version` checks, ARM tokens, per-subscription read budgets with
//! `x-ms-ratelimit-remaining-subscription-reads` on every answer.

use hyper::Method;

use super::arm_lists;
use super::auth::{authenticate, AuthError};
use super::counters::Endpoint;
use super::odata::is_guid;
use super::reply::{arm_error, Reply};
use super::request::FakeRequest;
use super::state::State;
use super::tenant::TenantData;
use super::throttle::{retry_after_secs, Admission};
use super::tokens::{Audience, TokenInfo};

/// Which ARM endpoint a request is for.
pub(crate) fn classify(req: &FakeRequest) -> Endpoint {
    let segs: Vec<String> = req
        .segments
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    match segs.as_slice() {
        ["subscriptions"] | ["subscriptions", _] => Endpoint::Subscriptions,
        ["subscriptions", _, "providers", "microsoft.insights", "eventtypes", "management", "values"] => {
            Endpoint::Activity
        }
        ["subscriptions", _, .., "providers", "microsoft.authorization", "roleassignments"] => {
            Endpoint::RoleAssignments
        }
        ["subscriptions", _, .., "providers", "microsoft.authorization", "roledefinitions"] => {
            Endpoint::RoleDefinitions
        }
        _ => Endpoint::Other,
    }
}

/// The api-versions each endpoint accepts.
fn versions(endpoint: Endpoint) -> &'static [&'static str] {
    match endpoint {
        Endpoint::Subscriptions => &[
            "2022-12-01",
            "2021-01-01",
            "2020-01-01",
            "2019-06-01",
            "2016-06-01",
        ],
        Endpoint::Activity => &["2015-04-01"],
        Endpoint::RoleAssignments => &[
            "2022-04-01",
            "2020-10-01-preview",
            "2020-04-01-preview",
            "2015-07-01",
        ],
        _ => &[
            "2022-05-01-preview",
            "2022-04-01",
            "2018-01-01-preview",
            "2015-07-01",
        ],
    }
}

/// What a request is about once checked: its token, tenant and subscription.
pub(crate) struct ArmCx<'a> {
    /// The token.
    pub token: TokenInfo,
    /// The token's tenant.
    pub tenant: &'a TenantData,
    /// The subscription in the path (lowercase), if any.
    pub subscription: Option<String>,
}

/// Answers an ARM request.
pub(crate) fn handle(state: &State, req: &FakeRequest, endpoint: Endpoint) -> Reply {
    if endpoint == Endpoint::Other {
        return arm_error(
            404,
            "NotFound",
            &format!(
                "No HTTP resource was found that matches the request URI '{}'.",
                req.path
            ),
        );
    }
    if req.method != Method::GET {
        return arm_error(
            405,
            "MethodNotAllowed",
            &format!(
                "The requested resource does not support http method '{}'.",
                req.method
            ),
        );
    }
    let versions = versions(endpoint);
    match req.param("api-version") {
        None => {
            return arm_error(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        }
        Some(v) if !versions.contains(&v) => {
            let list = versions.join(",");
            return if endpoint == Endpoint::Subscriptions {
                arm_error(
                    400,
                    "InvalidApiVersionParameter",
                    &format!(
                        "The api-version '{v}' is invalid. The supported versions are '{list}'."
                    ),
                )
            } else {
                arm_error(400, "NoRegisteredProviderFound", &format!("No registered resource provider found for location 'global' and API version '{v}' for type '{}'. The supported api-versions are '{list}'.", req.segments.last().map_or("", String::as_str)))
            };
        }
        Some(_) => {}
    }
    let token = match authenticate(state, req, Audience::Arm) {
        Ok(t) => t,
        Err(e) => return unauthorized(&e),
    };
    let Some(tenant) = state.tenants.get(&token.tenant) else {
        return arm_error(
            401,
            "InvalidAuthenticationToken",
            "The access token is invalid.",
        );
    };
    let subscription = match req.segments.get(1) {
        None => None,
        Some(s) if !is_guid(s) => {
            return arm_error(
                400,
                "InvalidSubscriptionId",
                &format!("The provided subscription identifier '{s}' is malformed or invalid."),
            )
        }
        Some(s) => Some(s.to_ascii_lowercase()),
    };
    if let Some(sub) = &subscription {
        match state.tenant_of_subscription(sub) {
            None => {
                return arm_error(
                    404,
                    "SubscriptionNotFound",
                    &format!("The subscription '{sub}' could not be found."),
                )
            }
            Some(owner) if owner.id != tenant.id => {
                return arm_error(401, "InvalidAuthenticationTokenTenant", &format!("The access token is from the wrong issuer 'https://sts.windows.net/{}/'. It must match the tenant 'https://sts.windows.net/{}/' associated with this subscription.", tenant.id, owner.id));
            }
            Some(_) => {}
        }
    }
    let (header, key) = match &subscription {
        Some(sub) => (
            "x-ms-ratelimit-remaining-subscription-reads",
            format!("sub|{sub}"),
        ),
        None => (
            "x-ms-ratelimit-remaining-tenant-reads",
            format!("tenant|{}", tenant.id),
        ),
    };
    let remaining = match state.arm_reads.admit(&key) {
        Admission::Admitted { remaining } => remaining,
        Admission::Rejected { retry_after } => {
            let secs = retry_after_secs(retry_after);
            let who = subscription.as_deref().unwrap_or(&tenant.id);
            return arm_error(429, "SubscriptionRequestsThrottled", &format!("Number of 'read' requests for subscription '{who}' actor '{}' exceeded. Please try again after '{secs}' seconds after the last request.", token.client_id))
                .header("Retry-After", secs.to_string())
                .header(header, "0");
        }
    };
    let cx = ArmCx {
        token,
        tenant,
        subscription,
    };
    let reply = match endpoint {
        Endpoint::Subscriptions => arm_lists::subscriptions(state, req, &cx),
        Endpoint::Activity => arm_lists::activity(state, req, &cx),
        Endpoint::RoleAssignments => arm_lists::role_assignments(state, req, &cx),
        _ => arm_lists::role_definitions(state, req, &cx),
    };
    reply.header(header, remaining.to_string())
}

fn unauthorized(e: &AuthError) -> Reply {
    let (code, message) = match e {
        AuthError::Missing => ("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.".to_string()),
        AuthError::Unknown => ("InvalidAuthenticationToken", "The access token is invalid.".to_string()),
        AuthError::Expired(_) => ("ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current UTC time.".to_string()),
        AuthError::WrongAudience(t) => ("InvalidAuthenticationTokenAudience", format!("The access token has been obtained for wrong audience or resource '{}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.", t.audience.claim())),
    };
    arm_error(401, code, &message).header(
        "WWW-Authenticate",
        format!("Bearer authorization_uri=\"https://login.windows.net/\", error=\"invalid_token\", error_description=\"{message}\""),
    )
}
