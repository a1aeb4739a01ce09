//! Microsoft's published example payloads (`tests/fixtures/microsoft/`) read by the record
//! types.

use serde::Deserialize;

use super::*;
use crate::calendar::AZURE_PORTAL;
use crate::detect::model::UserKind;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/microsoft/",
            $name
        ))
    };
}

#[derive(Debug, Deserialize)]
struct Page<T> {
    value: Vec<T>,
}

#[test]
fn graph_beta_get_sign_in() {
    let s: SignIn = serde_json::from_str(fixture!("signIn.get.beta.json")).unwrap();
    assert_eq!(
        s.id.map(|i| i.to_string()).as_deref(),
        Some("66ea54eb-6301-4ee5-be62-ff5a759b0100")
    );
    assert_eq!(
        s.user_id.map(|i| i.to_string()).as_deref(),
        Some("26be570a-ae82-4189-b4e2-a37c6808512d")
    );
    assert_eq!(
        s.user_principal_name.as_deref(),
        Some("testaccount1@contoso.com")
    );
    assert_eq!(
        s.authentication_requirement,
        Some(AuthRequirement::MultiFactor),
        "the example writes MultifactorAuthentication"
    );
    assert!(s.succeeded() && s.mfa_satisfied() && !s.single_factor());
    assert_eq!(s.interactive(), Some(true));
    assert!(s.service_principal_id.is_none() && !s.is_workload());
    assert!(s
        .user_agent
        .as_deref()
        .is_some_and(|ua| ua.contains("Edg/80")));
    assert_eq!(
        s.created_date_time.to_rfc3339(),
        "2020-03-13T19:15:41.619583300+00:00"
    );
}

#[test]
fn graph_sign_in_with_the_published_obfuscated_ids_is_rejected() {
    let published = fixture!("signIn.get.beta.json").replace(
        "66ea54eb-6301-4ee5-be62-ff5a759b0100",
        "66ea54eb-blah-4ee5-be62-ff5a759b0100",
    );
    let err = serde_json::from_str::<SignIn>(&published)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("\"66ea54eb-blah-4ee5-be62-ff5a759b0100\" is not a GUID"),
        "{err}"
    );
}

#[test]
fn graph_list_user_registration_details() {
    let page: Page<RegistrationDetails> =
        serde_json::from_str(fixture!("userRegistrationDetails.list.json")).unwrap();
    assert_eq!(page.value.len(), 3);
    let allan = &page.value[1];
    assert_eq!(
        allan.user_principal_name.as_deref(),
        Some("AllanD@Contoso.com")
    );
    assert_eq!(allan.is_mfa_registered, Some(false));
    assert_eq!(allan.user_type, Some(UserKind::Guest));
    assert!(allan.methods_registered.is_empty());
    let bianca = &page.value[2];
    assert_eq!(
        bianca.methods_registered.to_string(),
        "microsoftAuthenticatorPush, softwareOneTimePasscode, mobilePhone"
    );
    assert!(page
        .value
        .iter()
        .all(|r| !r.methods_registered.has_phishing_resistant()));
}

#[test]
fn arm_activity_log_list() {
    let page: Page<ActivityEvent> =
        serde_json::from_str(fixture!("activityLog.list.json")).unwrap();
    let e = &page.value[0];
    assert!(matches!(e.caller, Caller::Name));
    assert_eq!(e.claims.has_mfa(), Some(false), "amr is pwd");
    assert_eq!(e.claims.app_id, Some(AZURE_PORTAL));
    assert_eq!(
        e.claims.object_id.map(|i| i.to_string()).as_deref(),
        Some("2468adf0-8211-44e3-95aa-85137af64708")
    );
    assert_eq!(e.claims.upn.as_deref(), Some("admin@contoso.com"));
    assert!(
        !e.is_workload(),
        "a person via the portal, appidacr 2 notwithstanding"
    );
    assert!(e.is_write(), "PUT microsoft.support/supporttickets/write");
    assert_eq!(e.status, Some(OperationStatus::Succeeded));
    assert_eq!(e.http_request.method, Some(HttpMethod::Put));
    assert_eq!(e.ip(), Some("192.168.35.115"));
    assert_eq!(
        e.subscription_id.map(|s| s.to_string()).as_deref(),
        Some("089bd33f-d4ec-47fe-8ba5-0753aa5c5b33")
    );
}

#[test]
fn arm_event_with_the_published_obfuscated_object_id_is_rejected() {
    let published = fixture!("activityLog.list.json").replace(
        "2468adf0-8211-44e3-95aa-85137af64708",
        "2468adf0-8211-44e3-95xq-85137af64708",
    );
    let err = serde_json::from_str::<Page<ActivityEvent>>(&published)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("\"2468adf0-8211-44e3-95xq-85137af64708\" is not a GUID"),
        "{err}"
    );
}
