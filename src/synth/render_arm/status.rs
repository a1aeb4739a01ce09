//! How an event's name, status, sub-status, level and status properties read for each
//! outcome of a call.

use uuid::Uuid;

use super::super::plan::{ArmPlan, ArmStatus};
use super::record::{loc, Localized};

/// The status-dependent parts of an event.
pub(super) struct Outcome<'a> {
    /// `eventName`.
    pub(super) event_name: Localized<'a>,
    /// `status`.
    pub(super) status: Localized<'a>,
    /// `subStatus`.
    pub(super) sub_status: Localized<'a>,
    /// `level`.
    pub(super) level: &'a str,
    /// `properties.statusCode`.
    pub(super) status_code: Option<&'a str>,
    /// `properties.statusMessage`.
    pub(super) message: Option<String>,
}

const BEGIN: Localized<'static> = Localized {
    value: "BeginRequest",
    localized_value: "Begin request",
};
const END: Localized<'static> = Localized {
    value: "EndRequest",
    localized_value: "End request",
};

/// What ARM answers a token without MFA on a create/update/delete since enforcement.
const MFA_MESSAGE: &str = "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"The access token does not satisfy the multifactor authentication requirement for create, update and delete operations. Sign in again with multifactor authentication (az login --claims-challenge, Connect-AzAccount -ClaimsChallenge) and retry.\"}}";

fn ended<'a>(
    status: &'a str,
    code: &'a str,
    text: &'a str,
    level: &'a str,
    message: Option<String>,
) -> Outcome<'a> {
    Outcome {
        event_name: END,
        status: loc(status),
        sub_status: Localized {
            value: code,
            localized_value: text,
        },
        level,
        status_code: Some(code),
        message,
    }
}

/// The outcome of `p`; `caller`, `principal` and `resource` name the call in RBAC denials.
pub(super) fn of(p: &ArmPlan, caller: &str, principal: Uuid, resource: &str) -> Outcome<'static> {
    match p.status {
        ArmStatus::Started => Outcome {
            event_name: BEGIN,
            status: loc("Started"),
            sub_status: loc(""),
            level: "Informational",
            status_code: None,
            message: None,
        },
        ArmStatus::Succeeded if p.op.method == "PUT" && p.salt.is_multiple_of(3) => ended(
            "Succeeded",
            "Created",
            "Created (HTTP Status Code: 201)",
            "Informational",
            None,
        ),
        ArmStatus::Succeeded => ended(
            "Succeeded",
            "OK",
            "OK (HTTP Status Code: 200)",
            "Informational",
            None,
        ),
        ArmStatus::Accepted => ended(
            "Accepted",
            "Accepted",
            "Accepted (HTTP Status Code: 202)",
            "Informational",
            None,
        ),
        ArmStatus::FailedMfa => ended(
            "Failed",
            "Unauthorized",
            "Unauthorized (HTTP Status Code: 401)",
            "Error",
            Some(MFA_MESSAGE.to_string()),
        ),
        ArmStatus::FailedForbidden => ended(
            "Failed",
            "Forbidden",
            "Forbidden (HTTP Status Code: 403)",
            "Error",
            Some(format!(
                "{{\"error\":{{\"code\":\"AuthorizationFailed\",\"message\":\"The client '{caller}' with object id '{principal}' does not have authorization to perform action '{}' over scope '{resource}' or the scope is invalid. If access was recently granted, please refresh your credentials.\"}}}}",
                p.op.action
            )),
        ),
    }
}
