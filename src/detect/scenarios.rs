//! Detection scenarios: one per signal, exclusion and severity rule of DESIGN.md §3.

use crate::calendar::{AZURE_PORTAL, AZURE_POWERSHELL};
use crate::detect::model::{
    CiSystem, Client, Detection, Finding, OwnerRule, Severity, Signal, UserKind,
};
use crate::detect::records::{
    ActivityEvent, AuthProtocol, AuthRequirement, Caller, HttpMethod, OperationStatus,
    PrincipalType, SignInEventTypes,
};
use crate::detect::testkit::*;
use crate::detect::Aggregator;
use crate::ids::{AppId, ObjectId};
use crate::settings::TenantSettings;

fn run(settings: &TenantSettings, feed: impl FnOnce(&mut Aggregator)) -> Detection {
    let mut agg = Aggregator::new(settings);
    feed(&mut agg);
    agg.finish()
}

fn detect(feed: impl FnOnce(&mut Aggregator)) -> Detection {
    run(&TenantSettings::default(), feed)
}

fn only(d: &Detection) -> &Finding {
    assert_eq!(d.findings.len(), 1, "{:#?}", d.findings);
    &d.findings[0]
}

fn signals(f: &Finding) -> Vec<Signal> {
    f.signals.iter().copied().collect()
}

// ---- single_factor_arm_write -------------------------------------------------------------

#[test]
fn single_factor_write_is_high() {
    let d = detect(|a| a.add_activity(write(1, at(5))));
    let f = only(&d);
    assert_eq!(signals(f), [Signal::SingleFactorArmWrite]);
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.upn.as_deref(), Some("user1@contoso.com"));
    assert_eq!(
        f.clients.iter().copied().collect::<Vec<_>>(),
        [Client::AzureCli]
    );
    assert_eq!(
        f.subscriptions.iter().copied().collect::<Vec<_>>(),
        [sub(1)]
    );
    let e = &f.evidence[0];
    assert!(
        e.detail
            .starts_with("Microsoft.Compute/virtualMachines/write (PUT) on rg/vm1"),
        "{}",
        e.detail
    );
    assert!(e.detail.contains("amr \"pwd\""), "{}", e.detail);
    assert_eq!(e.context.status.as_deref(), Some("Succeeded"));
    assert_eq!(e.context.ip.as_deref(), Some("198.51.100.1"));
    assert_eq!(e.context.subscription, Some(sub(1)));
}

#[test]
fn failed_writes_count_and_are_the_telling_evidence() {
    let d = detect(|a| {
        for n in 0..5 {
            a.add_activity(write(1, at(100 + n)));
        }
        let mut failed = write(1, at(10));
        failed.status = Some(OperationStatus::Failed);
        a.add_activity(failed);
    });
    let f = only(&d);
    assert_eq!(f.evidence.len(), 3, "at most three per signal");
    assert!(
        f.evidence
            .iter()
            .any(|e| e.context.status.as_deref() == Some("Failed")),
        "a failed write after enforcement is kept although older"
    );
    let times: Vec<_> = f.evidence.iter().map(|e| e.at).collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );

    let only_failed = detect(|a| {
        let mut e = write(2, at(1));
        e.status = Some(OperationStatus::Failed);
        a.add_activity(e);
    });
    assert_eq!(signals(only(&only_failed)), [Signal::SingleFactorArmWrite]);
}

#[test]
fn what_is_not_a_single_factor_write() {
    type Change = Box<dyn Fn(&mut ActivityEvent)>;
    let variants: Vec<(&str, Change)> = vec![
        (
            "mfa in amr",
            Box::new(|e| e.claims.amr = Some("pwd,mfa".into())),
        ),
        ("no amr claim", Box::new(|e| e.claims.amr = None)),
        (
            "POST action",
            Box::new(|e| {
                e.authorization.action =
                    Some("Microsoft.Compute/virtualMachines/restart/action".into());
                e.http_request.method = Some(HttpMethod::Post);
            }),
        ),
        (
            "POST to a write action",
            Box::new(|e| e.http_request.method = Some(HttpMethod::Post)),
        ),
        (
            "read",
            Box::new(|e| {
                e.authorization.action = Some("Microsoft.Compute/virtualMachines/read".into());
                e.http_request.method = Some(HttpMethod::Get);
            }),
        ),
    ];
    for (what, change) in variants {
        let d = detect(|a| {
            let mut e = write(1, at(1));
            change(&mut e);
            a.add_activity(e);
        });
        assert!(d.findings.is_empty(), "{what}: {:#?}", d.findings);
        assert_eq!(d.accounts_scanned, 1, "{what}: the person is still scanned");
    }
    let delete = detect(|a| {
        let mut e = write(1, at(1));
        e.authorization.action = Some("Microsoft.Network/dnsZones/A/delete".into());
        e.http_request.method = None;
        a.add_activity(e);
    });
    assert_eq!(signals(only(&delete)), [Signal::SingleFactorArmWrite]);
}

// ---- single_factor_signin ----------------------------------------------------------------

#[test]
fn single_factor_sign_in_is_medium() {
    let d = detect(|a| a.add_sign_in(sign_in(1, at(1))));
    let f = only(&d);
    assert_eq!(signals(f), [Signal::SingleFactorSignin]);
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(
        f.evidence[0].detail,
        "single-factor interactive sign-in to Azure Resource Manager with Azure CLI from 203.0.113.1"
    );
    assert_eq!(f.evidence[0].context.interactive, Some(true));
}

#[test]
fn scope_is_the_app_or_the_arm_resource() {
    let graph_explorer = AppId::parse("de8bc8b5-d9f9-48b1-a8ad-b748da725064").unwrap();
    let graph = AppId::parse("00000003-0000-0000-c000-000000000000").unwrap();
    let out_of_scope = detect(|a| {
        let mut s = sign_in(1, at(1));
        s.app_id = Some(graph_explorer);
        s.resource_id = Some(graph);
        a.add_sign_in(s);
    });
    assert!(out_of_scope.findings.is_empty());
    let sdk_to_arm = detect(|a| {
        let mut s = sign_in(1, at(1));
        s.app_id = Some(graph_explorer);
        a.add_sign_in(s);
    });
    assert_eq!(signals(only(&sdk_to_arm)), [Signal::SingleFactorSignin]);
    let powershell_elsewhere = detect(|a| {
        let mut s = sign_in(1, at(1));
        s.app_id = Some(AZURE_POWERSHELL);
        s.resource_id = Some(graph);
        a.add_sign_in(s);
    });
    assert_eq!(
        only(&powershell_elsewhere)
            .clients
            .iter()
            .copied()
            .collect::<Vec<_>>(),
        [Client::AzurePowerShell]
    );
}

// ---- non_interactive ---------------------------------------------------------------------

#[test]
fn non_interactive_from_a_machine_nobody_signs_in_at_is_critical() {
    let d = detect(|a| {
        a.add_sign_in(sign_in(1, at(1))); // the workstation, 203.0.113.1
        let mut runner = non_interactive(sign_in(1, at(2)));
        runner.ip_address = Some("192.0.2.50".into());
        runner.user_agent = Some("AZURECLI/2.77.0 (DEB) GITHUBACTIONS/AzureLogin@v1_abc".into());
        a.add_sign_in(runner);
    });
    let f = only(&d);
    assert_eq!(
        signals(f),
        [Signal::SingleFactorSignin, Signal::NonInteractive]
    );
    assert_eq!(f.severity, Severity::Critical);
    let ni: Vec<_> = f
        .evidence
        .iter()
        .filter(|e| e.signal == Signal::NonInteractive)
        .collect();
    assert_eq!(ni.len(), 1);
    assert_eq!(ni[0].context.ip.as_deref(), Some("192.0.2.50"));
    assert_eq!(ni[0].context.ci, Some(CiSystem::GitHubActions));
    assert!(f.ci.contains(&CiSystem::GitHubActions));
}

#[test]
fn refreshes_on_the_users_own_workstation_do_not_count() {
    for interactive_first in [true, false] {
        let d = detect(|a| {
            let mut mfa_interactive = sign_in(1, at(1));
            mfa_interactive.authentication_requirement = Some(AuthRequirement::MultiFactor);
            let refresh = non_interactive(sign_in(1, at(2)));
            if interactive_first {
                a.add_sign_in(mfa_interactive);
                a.add_sign_in(refresh);
            } else {
                a.add_sign_in(refresh);
                a.add_sign_in(mfa_interactive);
            }
        });
        let f = only(&d);
        assert_eq!(
            signals(f),
            [Signal::SingleFactorSignin],
            "same IP as an interactive sign-in"
        );
        assert_eq!(f.severity, Severity::Medium);
    }
    let failed_interactive = detect(|a| {
        let mut s = sign_in(1, at(1));
        s.status.error_code = Some(50126);
        a.add_sign_in(s);
        a.add_sign_in(non_interactive(sign_in(1, at(2))));
    });
    assert!(
        only(&failed_interactive)
            .signals
            .contains(&Signal::NonInteractive),
        "a failed interactive sign-in is evidence of nothing"
    );
}

// ---- ropc ----------------------------------------------------------------------------------

#[test]
fn ropc_is_critical() {
    let d = detect(|a| {
        let mut s = sign_in(1, at(1));
        s.authentication_protocol = Some(AuthProtocol::Ropc);
        a.add_sign_in(s);
    });
    let f = only(&d);
    assert_eq!(signals(f), [Signal::SingleFactorSignin, Signal::Ropc]);
    assert_eq!(f.severity, Severity::Critical);
    assert!(f
        .evidence
        .iter()
        .any(|e| e.detail.starts_with("username and password (ROPC)")));
}

// ---- no_mfa_method ---------------------------------------------------------------------------

#[test]
fn no_mfa_method_with_a_write_role_is_medium() {
    let d = detect(|a| {
        a.add_registration(registration(1, false, &[]));
        a.add_role_assignment(assignment(1, CONTRIBUTOR));
        a.add_registration(registration(2, false, &[]));
        a.add_role_assignment(assignment(2, READER));
        a.add_registration(registration(3, true, &["microsoftAuthenticatorPush"]));
        a.add_role_assignment(assignment(3, CONTRIBUTOR));
    });
    let f = only(&d);
    assert_eq!(f.user_id, oid(1));
    assert_eq!(signals(f), [Signal::NoMfaMethod]);
    assert_eq!(f.severity, Severity::Medium);
    assert!(
        f.evidence[0]
            .detail
            .contains("write-capable role Contributor"),
        "{}",
        f.evidence[0].detail
    );
    assert_eq!(f.evidence[0].context.subscription, Some(sub(1)));
    assert_eq!(d.accounts_scanned, 3);
}

#[test]
fn no_mfa_method_with_single_factor_writes_is_critical() {
    let d = detect(|a| {
        a.add_activity(write(1, at(1)));
        a.add_registration(registration(1, false, &[]));
    });
    let f = only(&d);
    assert_eq!(
        signals(f),
        [Signal::SingleFactorArmWrite, Signal::NoMfaMethod]
    );
    assert_eq!(f.severity, Severity::Critical);
}

#[test]
fn unknown_roles_write_groups_are_not_expanded_untyped_assignments_join_users() {
    let unknown_role = "4f8fab4f-1852-4a58-a46a-8eaf358af14a";
    let d = detect(|a| {
        a.add_registration(registration(1, false, &[]));
        a.add_role_assignment(assignment(1, unknown_role));
        a.add_registration(registration(2, false, &[]));
        let mut group = assignment(2, CONTRIBUTOR);
        group.principal_type = Some(PrincipalType::Group);
        a.add_role_assignment(group);
        let mut untyped = assignment(3, CONTRIBUTOR);
        untyped.principal_type = None;
        a.add_role_assignment(untyped);
        a.add_registration(registration(3, false, &[]));
        let mut stranger = assignment(9, CONTRIBUTOR);
        stranger.principal_type = None;
        a.add_role_assignment(stranger);
    });
    let ids: Vec<ObjectId> = d.findings.iter().map(|f| f.user_id).collect();
    assert_eq!(ids, [oid(1), oid(3)]);
    assert!(
        d.findings[0].evidence[0].detail.contains(&format!(
            "write-capable role {unknown_role} (not in the built-in table, so counted as write-capable)"
        )),
        "{}",
        d.findings[0].evidence[0].detail
    );
    assert_eq!(
        d.accounts_scanned, 3,
        "an untyped principal seen nowhere else is not a user"
    );
}

// ---- break_glass_weak_mfa ---------------------------------------------------------------------

#[test]
fn break_glass_without_phishing_resistant_method() {
    let settings = TenantSettings::from_toml(
        &format!("break_glass = [\"USER1@contoso.com\", \"{}\"]", oid(2)),
        "t",
    )
    .unwrap();
    let d = run(&settings, |a| {
        a.add_registration(registration(
            1,
            true,
            &["microsoftAuthenticatorPush", "mobilePhone"],
        ));
        a.add_registration(registration(2, true, &["sms"]));
        a.add_registration(registration(3, true, &["sms"]));
        a.add_registration(registration(4, true, &["fido2"]));
    });
    assert_eq!(d.findings.len(), 2);
    for f in &d.findings {
        assert!(f.break_glass);
        assert_eq!(signals(f), [Signal::BreakGlassWeakMfa]);
        assert_eq!(f.severity, Severity::Medium);
    }
    assert!(d.findings[0].evidence[0]
        .detail
        .contains("registered: microsoftAuthenticatorPush, mobilePhone"));
    let strong = TenantSettings::from_toml("break_glass = [\"user4@contoso.com\"]", "t").unwrap();
    assert!(run(&strong, |a| a.add_registration(registration(
        4,
        true,
        &["fido2"]
    )))
    .findings
    .is_empty());
}

// ---- outdated_client -----------------------------------------------------------------------

#[test]
fn outdated_client_alone_is_low() {
    let d = detect(|a| {
        let mut s = sign_in(1, at(1));
        s.authentication_requirement = None; // v1.0 shape: not known single-factor
        s.user_agent = Some("AzurePowershell/v14.2.0 PSVersion/v7.4.1".into());
        s.app_id = Some(AZURE_POWERSHELL);
        a.add_sign_in(s);
        let mut current = sign_in(2, at(1));
        current.authentication_requirement = None;
        current.user_agent = Some("azure-cli/2.100.0".into());
        a.add_sign_in(current);
    });
    let f = only(&d);
    assert_eq!(f.user_id, oid(1));
    assert_eq!(signals(f), [Signal::OutdatedClient]);
    assert_eq!(f.severity, Severity::Low);
    assert!(
        f.evidence[0]
            .detail
            .starts_with("Azure PowerShell 14.2.0 is older than 14.3"),
        "{}",
        f.evidence[0].detail
    );
}

#[test]
fn an_mfa_user_on_an_old_client_is_outdated_only() {
    let d = detect(|a| {
        let mut s = sign_in(1, at(1));
        s.authentication_requirement = Some(AuthRequirement::MultiFactor);
        s.user_agent = Some("AZURECLI/2.60.0 (DEB) azsdk-python-core/1.28.0".into());
        a.add_sign_in(s);
        let mut by_claim = sign_in(2, at(1));
        by_claim.status.mfa_satisfied = true;
        by_claim.user_agent = Some("AzurePowershell/v14.2.0".into());
        by_claim.app_id = Some(AZURE_POWERSHELL);
        a.add_sign_in(by_claim);
    });
    assert_eq!(d.findings.len(), 2, "{:#?}", d.findings);
    for f in &d.findings {
        assert_eq!(signals(f), [Signal::OutdatedClient]);
        assert_eq!(f.severity, Severity::Low);
    }
}

// ---- exclusions ---------------------------------------------------------------------------

#[test]
fn failed_sign_ins_are_evidence_of_nothing() {
    let d = detect(|a| {
        let mut s = sign_in(1, at(1));
        s.status.error_code = Some(50126);
        s.authentication_protocol = Some(AuthProtocol::Ropc);
        s.user_agent = Some("azure-cli/2.10.0".into());
        a.add_sign_in(s);
    });
    assert!(d.findings.is_empty());
    assert_eq!(d.accounts_scanned, 1);
}

#[test]
fn mfa_satisfied_sign_ins_are_excluded() {
    let d = detect(|a| {
        let mut required = sign_in(1, at(1));
        required.authentication_requirement = Some(AuthRequirement::MultiFactor);
        required.user_agent = Some("azure-cli/2.78.0".into());
        a.add_sign_in(required);
        let mut by_claim = non_interactive(sign_in(2, at(1)));
        by_claim.status.mfa_satisfied = true;
        by_claim.authentication_protocol = Some(AuthProtocol::Ropc);
        a.add_sign_in(by_claim);
    });
    assert!(d.findings.is_empty(), "{:#?}", d.findings);
    assert_eq!(d.accounts_scanned, 2);
}

#[test]
fn workloads_are_never_reported_nor_counted() {
    let d = detect(|a| {
        for t in [
            SignInEventTypes::SERVICE_PRINCIPAL,
            SignInEventTypes::MANAGED_IDENTITY,
        ] {
            let mut s = sign_in(1, at(1));
            s.sign_in_event_types = t;
            a.add_sign_in(s);
        }
        let mut sp = write(2, at(1));
        sp.caller = Caller::ObjectId(oid(2));
        sp.claims.upn = None;
        sp.claims.app_id_acr = Some(crate::detect::records::activity::ClientAuth::Certificate);
        a.add_activity(sp);
        let mut mi = write(3, at(1));
        mi.caller = Caller::Missing;
        mi.claims.upn = None;
        mi.claims.id_type = Some(crate::detect::records::activity::IdType::App);
        a.add_activity(mi);
    });
    assert!(d.findings.is_empty());
    assert_eq!(d.accounts_scanned, 0);
    assert!(d.window.is_some(), "their times still bound the data");
}

#[test]
fn disabled_accounts_go_to_the_digest_list() {
    let d = detect(|a| {
        let mut u = user(1);
        u.account_enabled = Some(false);
        a.add_user(u);
        a.add_activity(write(1, at(1)));
        let mut quiet = user(2);
        quiet.account_enabled = Some(false);
        a.add_user(quiet);
    });
    assert!(d.findings.is_empty());
    assert_eq!(
        d.disabled.len(),
        1,
        "only disabled accounts that would be reported"
    );
    assert_eq!(d.disabled[0].user_id, oid(1));
    assert_eq!(d.disabled[0].upn.as_deref(), Some("user1@contoso.com"));
    assert_eq!(d.accounts_scanned, 2);
}

// ---- joins, names, owners, order -----------------------------------------------------------

#[test]
fn a_guest_is_joined_by_object_id_and_named_by_the_directory() {
    let guest_upn = "alice_fabrikam.com#EXT#@contoso.onmicrosoft.com";
    let d = detect(|a| {
        let mut e = write(7, at(1));
        e.claims.upn = None; // guests have no upn claim; the caller is the home address
        e.caller = Caller::Name;
        a.add_activity(e);
        let mut u = user(7);
        u.user_principal_name = Some(guest_upn.into());
        u.mail = Some("alice@fabrikam.com".into());
        u.user_type = Some(UserKind::Guest);
        a.add_user(u);
        let mut s = sign_in(7, at(2));
        s.user_principal_name = Some(guest_upn.into());
        s.status.error_code = Some(50074);
        a.add_sign_in(s);
    });
    let f = only(&d);
    assert_eq!(f.user_id, oid(7));
    assert_eq!(f.upn.as_deref(), Some(guest_upn));
    assert_eq!(f.kind, Some(UserKind::Guest));
    assert_eq!(d.accounts_scanned, 1);
}

#[test]
fn owners_come_from_sponsors_before_subscription_tags() {
    let settings = TenantSettings::from_toml("default_owner = \"cloud@contoso.com\"", "t").unwrap();
    let d = run(&settings, |a| {
        a.add_subscription(subscription(1, &[("owner", "team-vm@contoso.com")]));
        a.add_activity(write(1, at(1)));
        a.add_activity(write(2, at(1)));
        let mut u = user(2);
        u.sponsors = vec![crate::detect::records::DirectoryContact {
            id: Some(oid(9)),
            user_principal_name: Some("sponsor@contoso.com".into()),
            mail: None,
        }];
        a.add_user(u);
        a.add_sign_in(sign_in(3, at(1)));
    });
    let owner = |n: u8| {
        d.findings
            .iter()
            .find(|f| f.user_id == oid(n))
            .and_then(|f| f.owner.clone())
            .map(|o| (o.who, o.rule))
    };
    assert_eq!(
        owner(1),
        Some(("team-vm@contoso.com".into(), OwnerRule::SubscriptionTag))
    );
    assert_eq!(
        owner(2),
        Some(("sponsor@contoso.com".into(), OwnerRule::Sponsor))
    );
    assert_eq!(
        owner(3),
        Some(("cloud@contoso.com".into(), OwnerRule::Default))
    );
}

#[test]
fn findings_sort_by_severity_then_upn_and_window_spans_the_data() {
    let d = detect(|a| {
        a.add_sign_in(sign_in(2, at(30))); // medium, user2
        a.add_sign_in(sign_in(1, at(-5))); // medium, user1
        a.add_activity(write(3, at(10))); // high
        let mut ropc = sign_in(4, at(20));
        ropc.authentication_protocol = Some(AuthProtocol::Ropc);
        a.add_sign_in(ropc); // critical
    });
    let order: Vec<_> = d.findings.iter().map(|f| (f.severity, f.user_id)).collect();
    assert_eq!(
        order,
        [
            (Severity::Critical, oid(4)),
            (Severity::High, oid(3)),
            (Severity::Medium, oid(1)),
            (Severity::Medium, oid(2)),
        ]
    );
    assert_eq!(d.window, Some((at(-5), at(30))));
}

#[test]
fn the_published_activity_log_example_is_a_high_finding() {
    #[derive(serde::Deserialize)]
    struct Page {
        value: Vec<ActivityEvent>,
    }
    let page: Page = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/microsoft/activityLog.list.json"
    )))
    .unwrap();
    let d = detect(|a| page.value.into_iter().for_each(|e| a.add_activity(e)));
    let f = only(&d);
    assert_eq!(f.upn.as_deref(), Some("admin@contoso.com"));
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.evidence[0].context.app_id, Some(AZURE_PORTAL));
    assert_eq!(
        f.clients.iter().copied().collect::<Vec<_>>(),
        [Client::Portal]
    );
    assert!(
        f.evidence[0]
            .detail
            .contains("on resource group MSSupportGroup")
            || f.evidence[0].detail.contains("MSSupportGroup/"),
        "{}",
        f.evidence[0].detail
    );
}
