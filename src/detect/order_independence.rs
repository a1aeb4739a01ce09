//! Property: the detection does not depend on record order or on how records are split
//! between aggregators that are merged afterwards.

use proptest::prelude::*;
use proptest::strategy::ValueTree;

use crate::calendar::{AZURE_PORTAL, AZURE_POWERSHELL};
use crate::detect::model::Detection;
use crate::detect::records::{
    ActivityEvent, RegistrationDetails, RoleAssignment, SignIn, Subscription, User,
};
use crate::detect::records::{
    AuthProtocol, AuthRequirement, DirectoryContact, OperationStatus, PrincipalType,
    SignInEventTypes,
};
use crate::detect::testkit::*;
use crate::detect::Aggregator;
use crate::settings::TenantSettings;

#[derive(Debug, Clone)]
enum Record {
    SignIn(SignIn),
    Write(ActivityEvent),
    Registration(RegistrationDetails),
    User(User),
    Assignment(RoleAssignment),
    Subscription(Subscription),
}

const IPS: [&str; 3] = ["203.0.113.1", "192.0.2.50", "198.51.100.9"];
const AGENTS: [Option<&str>; 4] = [
    None,
    Some("azure-cli/2.60.0"),
    Some("AZURECLI/2.80.0 VSTS_0fb41ef4_build_1_0"),
    Some("Terraform/1.9.0 terraform-provider-azurerm/4.2.0"),
];

fn sign_in_strategy() -> impl Strategy<Value = Record> {
    (
        0u8..4,
        -30i64..30,
        0usize..3,
        any::<bool>(),
        0u8..4,
        any::<bool>(),
        0usize..4,
        0u8..5,
        0u8..3,
    )
        .prop_map(|(u, t, ip, interactive, auth, ropc, ua, status, app)| {
            let mut s = sign_in(u, at(t));
            if !interactive {
                s = non_interactive(s);
            }
            s.ip_address = Some(IPS[ip].into());
            match auth {
                0 => s.authentication_requirement = Some(AuthRequirement::SingleFactor),
                1 => s.authentication_requirement = Some(AuthRequirement::MultiFactor),
                2 => s.status.mfa_satisfied = true,
                _ => s.authentication_requirement = None,
            }
            if ropc {
                s.authentication_protocol = Some(AuthProtocol::Ropc);
            }
            s.user_agent = AGENTS[ua].map(str::to_owned);
            if status == 0 {
                s.status.error_code = Some(50126);
            }
            match app {
                0 => {}
                1 => s.app_id = Some(AZURE_POWERSHELL),
                _ => {
                    s.app_id = Some(AZURE_PORTAL);
                    s.resource_id = None;
                    s.sign_in_event_types = s.sign_in_event_types.with(if u == 3 {
                        SignInEventTypes::SERVICE_PRINCIPAL
                    } else {
                        SignInEventTypes::default()
                    });
                }
            }
            Record::SignIn(s)
        })
}

fn write_strategy() -> impl Strategy<Value = Record> {
    (
        0u8..4,
        -30i64..30,
        0u8..3,
        0u8..4,
        0u8..3,
        1u8..3,
        0usize..3,
        0usize..4,
    )
        .prop_map(|(u, t, amr, status, action, subscription, ip, ua)| {
            let mut e = write(u, at(t));
            e.claims.amr = [Some("pwd"), Some("pwd,mfa"), None][amr as usize].map(str::to_owned);
            e.status = Some(
                [
                    OperationStatus::Succeeded,
                    OperationStatus::Failed,
                    OperationStatus::Started,
                    OperationStatus::Accepted,
                ][status as usize]
                    .clone(),
            );
            if action == 1 {
                e.authorization.action = Some("Microsoft.Network/virtualNetworks/delete".into());
                e.http_request.method = Some(crate::detect::records::HttpMethod::Delete);
            } else if action == 2 {
                e.authorization.action = Some("Microsoft.Compute/virtualMachines/read".into());
            }
            e.subscription_id = Some(sub(subscription));
            e.http_request.client_ip_address = Some(IPS[ip].into());
            e.properties.user_agent = AGENTS[ua].map(str::to_owned);
            Record::Write(e)
        })
}

fn directory_strategy() -> impl Strategy<Value = Record> {
    prop_oneof![
        (0u8..4, any::<bool>(), 0u8..3).prop_map(|(u, mfa, m)| {
            let methods: &[&str] = [&[][..], &["fido2"][..], &["sms", "email"][..]][m as usize];
            Record::Registration(registration(u, mfa, methods))
        }),
        (0u8..4, any::<bool>(), 0u8..3).prop_map(|(u, enabled, sponsor)| {
            let mut x = user(u);
            x.account_enabled = Some(enabled || u != 1);
            if sponsor > 0 {
                x.sponsors.push(DirectoryContact {
                    id: None,
                    user_principal_name: None,
                    mail: Some(format!("sponsor{sponsor}@contoso.com")),
                });
            }
            Record::User(x)
        }),
        (0u8..4, 0usize..3, any::<bool>()).prop_map(|(u, role, typed)| {
            let roles = [CONTRIBUTOR, READER, "4f8fab4f-1852-4a58-a46a-8eaf358af14a"];
            let mut a = assignment(u, roles[role]);
            a.principal_type = typed.then_some(PrincipalType::User);
            Record::Assignment(a)
        }),
        (1u8..3, 0usize..3).prop_map(|(n, tag)| {
            let tags: &[(&str, &str)] = [
                &[][..],
                &[("owner", "team-a@contoso.com")][..],
                &[("Owner", "team-b@contoso.com")][..],
            ][tag];
            Record::Subscription(subscription(n, tags))
        }),
    ]
}

fn record() -> impl Strategy<Value = Record> {
    prop_oneof![sign_in_strategy(), write_strategy(), directory_strategy()]
}

fn settings() -> TenantSettings {
    TenantSettings::from_toml(
        "break_glass = [\"user2@contoso.com\"]\ndefault_owner = \"cloud@contoso.com\"\n[owners]\n\"user0*\" = \"zero@contoso.com\"\n",
        "t",
    )
    .unwrap()
}

fn feed(agg: &mut Aggregator, records: &[Record]) {
    for r in records.iter().cloned() {
        match r {
            Record::SignIn(s) => agg.add_sign_in(s),
            Record::Write(e) => agg.add_activity(e),
            Record::Registration(r) => agg.add_registration(r),
            Record::User(u) => agg.add_user(u),
            Record::Assignment(a) => agg.add_role_assignment(a),
            Record::Subscription(s) => agg.add_subscription(s),
        }
    }
}

fn detect_all(records: &[Record]) -> Detection {
    let mut agg = Aggregator::new(&settings());
    feed(&mut agg, records);
    agg.finish()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn shuffling_and_splitting_never_change_the_result(
        (records, shuffled) in prop::collection::vec(record(), 0..70)
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
        cuts in prop::collection::vec(0usize..70, 0..4),
    ) {
        let expected = detect_all(&records);
        prop_assert_eq!(&detect_all(&shuffled), &expected);

        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(shuffled.len())).collect();
        cuts.sort_unstable();
        let mut parts = Vec::new();
        let mut start = 0;
        for cut in cuts.into_iter().chain([shuffled.len()]) {
            let mut agg = Aggregator::new(&settings());
            feed(&mut agg, &shuffled[start..cut]);
            parts.push(agg);
            start = cut;
        }
        let mut merged = Aggregator::new(&settings());
        for part in parts.into_iter().rev() {
            merged.merge(part);
        }
        prop_assert_eq!(&merged.finish(), &expected);
    }
}

#[test]
fn the_generated_data_exercises_every_signal() {
    // Guards the property above against testing only empty detections.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = prop::collection::vec(record(), 60..70);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..40 {
        let records = strategy.new_tree(&mut runner).unwrap().current();
        for f in detect_all(&records).findings {
            seen.extend(f.signals);
        }
    }
    assert_eq!(
        seen.len(),
        crate::detect::model::Signal::ALL.len(),
        "{seen:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Event records kept as JSON partials (a live scan's day buckets) and merged later give
    /// the detection of one aggregator that saw everything.
    #[test]
    fn event_partials_survive_json_and_merge_exactly(
        records in prop::collection::vec(record(), 0..70),
        cut in 0usize..70,
    ) {
        let expected = detect_all(&records);
        let (events, directory): (Vec<Record>, Vec<Record>) = records
            .iter()
            .cloned()
            .partition(|r| matches!(r, Record::SignIn(_) | Record::Write(_)));
        let cut = cut.min(events.len());
        let mut merged = Aggregator::new(&settings());
        feed(&mut merged, &directory);
        for part in [&events[..cut], &events[cut..]] {
            let mut agg = Aggregator::new(&settings());
            feed(&mut agg, part);
            let json = serde_json::to_string(&agg.into_partial()).unwrap();
            merged.merge_partial(serde_json::from_str(&json).unwrap());
        }
        prop_assert_eq!(&merged.finish(), &expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every kind of record — directory data (role definitions, subscriptions, untyped role
    /// assignments) included — kept as JSON partials split anywhere (what queue jobs keep
    /// until their run is reconciled) and merged into a fresh aggregator gives the detection
    /// of one aggregator that saw everything.
    #[test]
    fn all_partials_survive_json_and_merge_exactly(
        records in prop::collection::vec(record(), 0..70),
        cuts in prop::collection::vec(0usize..70, 0..4),
    ) {
        let expected = detect_all(&records);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(records.len())).collect();
        cuts.sort_unstable();
        let mut merged = Aggregator::new(&settings());
        let mut start = 0;
        for cut in cuts.into_iter().chain([records.len()]) {
            let mut agg = Aggregator::new(&settings());
            feed(&mut agg, &records[start..cut]);
            start = cut;
            let json = serde_json::to_string(&agg.into_partial()).unwrap();
            merged.merge_partial(serde_json::from_str(&json).unwrap());
        }
        prop_assert_eq!(&merged.finish(), &expected);
    }
}
