//! A user's sign-in: names, factors, failures, device and place.

use std::net::Ipv4Addr;

use uuid::Uuid;

use super::super::catalog::apps::AZURE_PORTAL;
use super::super::catalog::people::AZURE_REGIONS;
use super::super::plan::{Auth, EventType, Failure, Method, Place, Protocol, SignInPlan, Ua};
use super::super::population::{Population, UserSpec};
use super::super::rng::salted_guid;
use super::super::time::Stamp;
use super::record::{
    AuthDetail, CaPolicy, DeviceDetail, MaybeId, MfaDetail, Record, Status, TokenId, EMPTY,
};
use super::texts::{asn, failure_texts, location, method_texts, os_and_browser};
use super::{CA_POLICY_ID, CA_POLICY_NAME, MFA_SATISFIED_BY_CLAIM};

/// The user agent text a plan refers to.
fn ua_text<'a>(p: &'a SignInPlan, u: &'a UserSpec) -> &'a str {
    match &p.ua {
        Ua::Cli => &u.cli_ua,
        Ua::PowerShell => &u.ps_ua,
        Ua::Browser => u.browser_ua,
        Ua::Static(s) => s,
        Ua::Owned(s) => s,
        Ua::Empty => "",
    }
}

/// The record of a user's sign-in.
pub(super) fn record<'a>(p: &'a SignInPlan, pop: &'a Population, u: &'a UserSpec) -> Record<'a> {
    let at = Stamp::seconds(p.at_ms);
    let interactive = p.event == EventType::Interactive;
    let app = p.app.unwrap_or(&AZURE_PORTAL);
    let ua = ua_text(p, u);
    let (os, browser) = os_and_browser(ua);
    let guest = u.home_email.is_some();
    let sign_in_name = u.home_email.as_deref().unwrap_or(&u.upn);
    let tenant = pop.tenant;
    let city = match p.place {
        Place::Home => u.city,
        Place::Azure(i) => &AZURE_REGIONS[usize::from(i) % AZURE_REGIONS.len()],
    };

    let failed = p.failure.map(failure_texts);
    let (error_code, failure_reason, mut additional) = failed.unwrap_or((0, "Other.", None));
    let mut requirement = "singleFactorAuthentication";
    let mut issuer_type = "AzureAD";
    let mut issuer_name = "";
    let mut mfa_detail = None;
    let mut ca_result = "notApplied";
    let mut details = Vec::with_capacity(2);
    let step = |method, detail, ok, result, requirement| AuthDetail {
        authentication_step_date_time: at,
        authentication_method: method,
        authentication_method_detail: detail,
        succeeded: ok,
        authentication_step_result_detail: result,
        authentication_step_requirement: requirement,
    };
    let primary = "Primary authentication";
    if let Some(f) = p.failure {
        let result = match f {
            Failure::BadPassword => {
                "Invalid username or password or Invalid on-premise username or password."
            }
            Failure::Disabled => "User account is disabled.",
            Failure::MfaRequired | Failure::StrongAuthRequired => "Correct password",
        };
        let ok = matches!(f, Failure::MfaRequired | Failure::StrongAuthRequired);
        details.push(step(
            "Password",
            Some("Password in the cloud"),
            ok,
            result,
            primary,
        ));
        if ok {
            ca_result = "failure";
        }
    } else {
        match p.auth {
            Auth::SingleFactor if interactive => {
                let result = "Correct password";
                details.push(step(
                    "Password",
                    Some("Password in the cloud"),
                    true,
                    result,
                    primary,
                ));
            }
            Auth::SingleFactor => {
                let result = "First factor requirement satisfied by claim in the token";
                details.push(step("Previously satisfied", None, true, result, primary));
            }
            Auth::Mfa(m) => {
                let (method, detail, mfa_method) = method_texts(m);
                requirement = "multiFactorAuthentication";
                additional = Some("MFA completed in Azure AD");
                ca_result = "success";
                mfa_detail = Some(MfaDetail {
                    auth_method: mfa_method,
                    auth_detail: None,
                });
                if matches!(m, Method::Fido2 | Method::Whfb) {
                    details.push(step(method, detail, true, "Correct credential", primary));
                } else {
                    let result = "Correct password";
                    details.push(step(
                        "Password",
                        Some("Password in the cloud"),
                        true,
                        result,
                        primary,
                    ));
                    let mfa = "MFA successfully completed";
                    details.push(step(method, detail, true, mfa, "Secondary authentication"));
                }
            }
            Auth::ClaimMfa | Auth::ClaimSingle => {
                if p.auth == Auth::ClaimMfa {
                    requirement = "multiFactorAuthentication";
                    ca_result = "success";
                }
                additional = Some(MFA_SATISFIED_BY_CLAIM);
                let first = "First factor requirement satisfied by claim in the token";
                details.push(step("Previously satisfied", None, true, first, primary));
                let second = "Secondary authentication";
                details.push(step(
                    "Previously satisfied",
                    None,
                    true,
                    MFA_SATISFIED_BY_CLAIM,
                    second,
                ));
            }
            Auth::Federated => {
                issuer_type = "ADFederationServices";
                issuer_name = "sts.contoso.com";
                additional = Some(MFA_SATISFIED_BY_CLAIM);
                let result = "Redirected to external provider for authentication";
                details.push(step("Federated", None, true, result, primary));
                let second = "Secondary authentication";
                details.push(step(
                    "Previously satisfied",
                    None,
                    true,
                    MFA_SATISFIED_BY_CLAIM,
                    second,
                ));
            }
            Auth::App => {}
        }
    }
    let policies = if ca_result == "notApplied" {
        Vec::new()
    } else {
        vec![CaPolicy {
            id: CA_POLICY_ID,
            display_name: CA_POLICY_NAME,
            enforced_grant_controls: &["Mfa"],
            enforced_session_controls: EMPTY,
            result: ca_result,
        }]
    };
    let incoming = if interactive {
        if matches!(p.auth, Auth::ClaimMfa) {
            "primaryRefreshToken"
        } else {
            "none"
        }
    } else {
        "refreshToken"
    };
    let protocol = match p.protocol {
        Protocol::None => "none",
        Protocol::Ropc => "ropc",
        Protocol::DeviceCode => "deviceCode",
    };
    Record {
        id: salted_guid(p.salt, 1),
        created_date_time: at,
        user_display_name: &u.display_name,
        user_principal_name: sign_in_name,
        user_id: MaybeId::Id(u.id),
        user_type: Some(if guest { "guest" } else { "member" }),
        app_id: MaybeId::Id(Uuid::parse_str(app.id).unwrap_or_default()),
        app_display_name: app.name,
        ip_address: Ipv4Addr::from(p.ip),
        client_app_used: app.client_app_used,
        user_agent: ua,
        correlation_id: salted_guid(p.salt, 2),
        conditional_access_status: ca_result,
        original_request_id: salted_guid(p.salt, 3),
        is_interactive: interactive,
        token_issuer_name: issuer_name,
        token_issuer_type: issuer_type,
        client_credential_type: "none",
        processing_time_in_milliseconds: 40 + (p.salt % 400) as u32,
        risk_detail: "none",
        risk_level_aggregated: "none",
        risk_level_during_sign_in: "none",
        risk_state: "none",
        resource_display_name: p.resource.name,
        resource_id: p.resource.id,
        resource_tenant_id: tenant,
        home_tenant_id: u.home_tenant.unwrap_or(tenant),
        authentication_requirement: requirement,
        sign_in_identifier: if interactive { sign_in_name } else { "" },
        service_principal_name: None,
        service_principal_id: MaybeId::Empty,
        service_principal_credential_key_id: None,
        unique_token_identifier: TokenId(salted_guid(p.salt, 4).into_bytes()),
        incoming_token_type: incoming,
        authentication_protocol: protocol,
        cross_tenant_access_type: if guest { "b2bCollaboration" } else { "none" },
        session_id: Some(salted_guid(u.id.as_u64_pair().0, u64::from(p.seq % 3))),
        sign_in_event_types: [if interactive {
            "interactiveUser"
        } else {
            "nonInteractiveUser"
        }],
        mfa_detail,
        status: Status {
            error_code,
            failure_reason,
            additional_details: additional,
        },
        device_detail: DeviceDetail {
            device_id: "",
            display_name: "",
            operating_system: os,
            browser,
            is_compliant: false,
            is_managed: false,
            trust_type: "",
        },
        location: location(city),
        autonomous_system_number: asn(p.ip),
        applied_conditional_access_policies: policies,
        authentication_details: details,
        managed_service_identity: None,
    }
}
