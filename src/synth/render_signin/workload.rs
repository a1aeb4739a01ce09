//! A service principal's or managed identity's sign-in.

use std::net::Ipv4Addr;

use super::super::catalog::people::AZURE_REGIONS;
use super::super::plan::{Place, SignInPlan, Ua};
use super::super::population::{Population, WorkloadKind, WorkloadSpec};
use super::super::rng::salted_guid;
use super::super::time::Stamp;
use super::record::{DeviceDetail, MaybeId, Msi, Record, Status, TokenId};
use super::texts::location;

/// The record of a workload identity's sign-in.
pub(super) fn record<'a>(
    p: &'a SignInPlan,
    pop: &'a Population,
    w: &'a WorkloadSpec,
) -> Record<'a> {
    let at = Stamp::seconds(p.at_ms);
    let tenant = pop.tenant;
    let city = match p.place {
        Place::Azure(i) => &AZURE_REGIONS[usize::from(i) % AZURE_REGIONS.len()],
        Place::Home => &AZURE_REGIONS[0],
    };
    let ua = match &p.ua {
        Ua::Static(s) => *s,
        _ => "",
    };
    let (credential, msi_type, event) = match w.kind {
        WorkloadKind::SecretSp => ("clientSecret", "none", "servicePrincipal"),
        WorkloadKind::CertificateSp => ("certificate", "none", "servicePrincipal"),
        WorkloadKind::SystemMi => ("managedIdentity", "systemAssigned", "managedIdentity"),
        WorkloadKind::UserMi => ("managedIdentity", "userAssigned", "managedIdentity"),
    };
    Record {
        id: salted_guid(p.salt, 1),
        created_date_time: at,
        user_display_name: "",
        user_principal_name: "",
        user_id: MaybeId::Empty,
        user_type: None,
        app_id: MaybeId::Id(w.app_id),
        app_display_name: &w.name,
        ip_address: Ipv4Addr::from(p.ip),
        client_app_used: "",
        user_agent: ua,
        correlation_id: salted_guid(p.salt, 2),
        conditional_access_status: "notApplied",
        original_request_id: salted_guid(p.salt, 3),
        is_interactive: false,
        token_issuer_name: "",
        token_issuer_type: "AzureAD",
        client_credential_type: credential,
        processing_time_in_milliseconds: 20 + (p.salt % 200) as u32,
        risk_detail: "none",
        risk_level_aggregated: "none",
        risk_level_during_sign_in: "none",
        risk_state: "none",
        resource_display_name: p.resource.name,
        resource_id: p.resource.id,
        resource_tenant_id: tenant,
        home_tenant_id: tenant,
        authentication_requirement: "singleFactorAuthentication",
        sign_in_identifier: "",
        service_principal_name: Some(&w.name),
        service_principal_id: MaybeId::Id(w.id),
        service_principal_credential_key_id: (w.kind == WorkloadKind::SecretSp)
            .then(|| salted_guid(w.id.as_u64_pair().1, 9)),
        unique_token_identifier: TokenId(salted_guid(p.salt, 4).into_bytes()),
        incoming_token_type: "none",
        authentication_protocol: "none",
        cross_tenant_access_type: "none",
        session_id: None,
        sign_in_event_types: [event],
        mfa_detail: None,
        status: Status {
            error_code: 0,
            failure_reason: "Other.",
            additional_details: None,
        },
        device_detail: DeviceDetail {
            device_id: "",
            display_name: "",
            operating_system: "",
            browser: "",
            is_compliant: false,
            is_managed: false,
            trust_type: "",
        },
        location: location(city),
        autonomous_system_number: 8075,
        applied_conditional_access_policies: Vec::new(),
        authentication_details: Vec::new(),
        managed_service_identity: Some(Msi {
            msi_type,
            associated_resource_id: (!w.resource_id.is_empty()).then_some(w.resource_id.as_str()),
            federated_token_id: None,
            federated_token_issuer: None,
        }),
    }
}
