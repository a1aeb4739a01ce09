//! `users.json` (a JSON array of Graph users) and `userRegistrationDetails.json` (one Graph
//! API page).

use std::path::Path;

use serde::Serialize;
use uuid::Uuid;

use super::population::{AccountKind, Population, UserSpec};
use super::sink::{Sink, Written};
use super::time::{Stamp, DAY_MS};
use super::SynthError;

/// File name of the users export.
pub(crate) const USERS: &str = "users.json";
/// File name of the registration export.
pub(crate) const REGISTRATION: &str = "userRegistrationDetails.json";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GraphUser<'a> {
    id: Uuid,
    account_enabled: bool,
    business_phones: [(); 0],
    created_date_time: Stamp,
    creation_type: Option<&'a str>,
    department: Option<&'a str>,
    display_name: &'a str,
    employee_id: Option<String>,
    external_user_state: Option<&'a str>,
    given_name: Option<&'a str>,
    job_title: Option<&'a str>,
    mail: Option<&'a str>,
    mail_nickname: &'a str,
    mobile_phone: Option<&'a str>,
    office_location: Option<&'a str>,
    on_premises_sync_enabled: Option<bool>,
    other_mails: Vec<&'a str>,
    preferred_language: Option<&'a str>,
    surname: Option<&'a str>,
    usage_location: Option<&'a str>,
    user_principal_name: &'a str,
    user_type: &'a str,
}

fn nonempty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn graph_user(u: &UserSpec) -> GraphUser<'_> {
    let person = matches!(u.kind, AccountKind::Person);
    let guest = u.kind == AccountKind::Guest;
    let local = u.upn.split('@').next().unwrap_or(&u.upn);
    GraphUser {
        id: u.id,
        account_enabled: u.enabled,
        business_phones: [],
        created_date_time: Stamp::seconds(u.created_ms),
        creation_type: guest.then_some("Invitation"),
        department: person.then_some(u.department),
        display_name: &u.display_name,
        employee_id: person.then(|| format!("E{:06}", u.id.as_u64_pair().0 % 1_000_000)),
        external_user_state: guest.then_some("Accepted"),
        given_name: nonempty(&u.given_name),
        job_title: person.then_some(u.job_title),
        mail: match (&u.home_email, u.kind) {
            (Some(e), _) => Some(e.as_str()),
            (None, AccountKind::Person | AccountKind::Service) => Some(u.upn.as_str()),
            _ => None,
        },
        mail_nickname: local,
        mobile_phone: None,
        office_location: person.then_some(u.city.office),
        on_premises_sync_enabled: person.then_some(true),
        other_mails: u.home_email.iter().map(String::as_str).collect(),
        preferred_language: person.then_some("en-US"),
        surname: nonempty(&u.surname),
        usage_location: (!guest).then_some(u.city.country),
        user_principal_name: &u.upn,
        user_type: if guest { "Guest" } else { "Member" },
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Registration<'a> {
    id: Uuid,
    user_principal_name: &'a str,
    user_display_name: &'a str,
    user_type: &'a str,
    is_admin: bool,
    is_sspr_registered: bool,
    is_sspr_enabled: bool,
    is_sspr_capable: bool,
    is_mfa_registered: bool,
    is_mfa_capable: bool,
    is_passwordless_capable: bool,
    methods_registered: &'a [&'a str],
    is_system_preferred_authentication_method_enabled: bool,
    system_preferred_authentication_methods: Vec<&'a str>,
    user_preferred_method_for_secondary_authentication: &'a str,
    last_updated_date_time: Stamp,
}

fn registration(u: &UserSpec, end_ms: i64) -> Registration<'_> {
    let first = u.methods.first().copied().unwrap_or("");
    let (preferred, system) = match first {
        "microsoftAuthenticatorPush" => ("push", "Push"),
        "softwareOneTimePasscode" => ("oath", "Oath"),
        "mobilePhone" => ("sms", "Sms"),
        "fido2SecurityKey" => ("push", "Fido2"),
        "windowsHelloForBusiness" => ("push", "Push"),
        _ => ("none", ""),
    };
    let passwordless = u
        .methods
        .iter()
        .any(|m| matches!(*m, "fido2SecurityKey" | "windowsHelloForBusiness"));
    Registration {
        id: u.id,
        user_principal_name: &u.upn,
        user_display_name: &u.display_name,
        user_type: if u.kind == AccountKind::Guest {
            "guest"
        } else {
            "member"
        },
        is_admin: u.is_admin,
        is_sspr_registered: u.mfa_registered,
        is_sspr_enabled: true,
        is_sspr_capable: u.mfa_registered && u.enabled,
        is_mfa_registered: u.mfa_registered,
        is_mfa_capable: u.mfa_registered && u.enabled,
        is_passwordless_capable: passwordless,
        methods_registered: u.methods,
        is_system_preferred_authentication_method_enabled: true,
        system_preferred_authentication_methods: if system.is_empty() {
            Vec::new()
        } else {
            vec![system]
        },
        user_preferred_method_for_secondary_authentication: preferred,
        last_updated_date_time: Stamp::seconds(end_ms - DAY_MS / 2),
    }
}

/// Writes `users.json`.
pub(crate) fn write_users(dir: &Path, pop: &Population) -> Result<Written, SynthError> {
    let mut sink = Sink::array(dir, USERS, "[", "]".to_string())?;
    for u in &pop.users {
        sink.record(&graph_user(u))?;
    }
    sink.finish()
}

/// Writes `userRegistrationDetails.json`.
pub(crate) fn write_registration(
    dir: &Path,
    pop: &Population,
    end_ms: i64,
) -> Result<Written, SynthError> {
    let open = "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#reports/authenticationMethods/userRegistrationDetails\",\"value\":[";
    let mut sink = Sink::array(dir, REGISTRATION, open, "]}".to_string())?;
    for u in &pop.users {
        sink.record(&registration(u, end_ms))?;
    }
    sink.finish()
}
