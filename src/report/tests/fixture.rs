//! A hand-made scan covering every signal, both enforcement states and an incomplete scan.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::detect::model::{
    CiSystem, Client, Detection, Evidence, EvidenceContext, Finding, Owner, OwnerRule, Severity,
    Signal, UserKind,
};
use crate::ids::{ObjectId, SubscriptionId, TenantId};
use crate::report::model::ScanReport;
use crate::report::Scan;

/// The UPN that tries to inject markup.
pub(super) const EVIL_UPN: &str = "<script>alert(1)</script>@contoso.com";
/// The tenant of every fixture.
pub(super) const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

pub(super) fn at(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, 5, 0).unwrap()
}

fn id(n: u8) -> ObjectId {
    ObjectId::parse(&format!("{n:02x}000000-0000-4000-8000-0000000000{n:02x}")).unwrap()
}

fn evidence(signal: Signal, at: DateTime<Utc>, detail: &str, context: EvidenceContext) -> Evidence {
    Evidence {
        signal,
        at,
        detail: detail.to_owned(),
        context,
    }
}

fn cli_from(ip: &str) -> EvidenceContext {
    EvidenceContext {
        client: Some(Client::AzureCli),
        ip: Some(ip.to_owned()),
        user_agent: Some("python/3.11 AZURECLI/2.60.0".to_owned()),
        ..EvidenceContext::default()
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    n: u8,
    upn: Option<&str>,
    severity: Severity,
    signals: &[Signal],
    evidence: Vec<Evidence>,
    clients: &[Client],
    ci: &[CiSystem],
    owner: Option<(&str, OwnerRule)>,
) -> Finding {
    Finding {
        user_id: id(n),
        upn: upn.map(str::to_owned),
        display_name: upn.map(|u| format!("Account {u}")),
        kind: Some(UserKind::Member),
        break_glass: signals.contains(&Signal::BreakGlassWeakMfa),
        severity,
        signals: signals.iter().copied().collect(),
        evidence,
        clients: clients.iter().copied().collect(),
        ci: ci.iter().copied().collect(),
        subscriptions: BTreeSet::new(),
        owner: owner.map(|(who, rule)| Owner {
            who: who.to_owned(),
            rule,
            team: None,
            ticket_project: None,
        }),
    }
}

/// Seven accounts, every signal at least once, most severe first.
pub(super) fn detection() -> Detection {
    let write = EvidenceContext {
        client: Some(Client::AzureCli),
        operation: Some("Microsoft.Compute/virtualMachines/write".to_owned()),
        subscription: Some(SubscriptionId::parse("aaaaaaaa-0000-4000-8000-000000000001").unwrap()),
        status: Some("Failed".to_owned()),
        ..EvidenceContext::default()
    };
    let mut cron = finding(
        1,
        Some("svc-backup@contoso.com"),
        Severity::Critical,
        &[Signal::Ropc, Signal::SingleFactorArmWrite],
        vec![
            evidence(
                Signal::Ropc,
                at(21, 2),
                "ROPC sign-in to Azure CLI from 10.1.2.3",
                cli_from("10.1.2.3"),
            ),
            evidence(
                Signal::SingleFactorArmWrite,
                at(20, 2),
                "Microsoft.Compute/virtualMachines/write (Failed) with amr pwd",
                write,
            ),
        ],
        &[Client::AzureCli],
        &[],
        Some(("platform-team@contoso.com", OwnerRule::OwnershipMap)),
    );
    cron.subscriptions
        .insert(SubscriptionId::parse("aaaaaaaa-0000-4000-8000-000000000001").unwrap());

    let gh = EvidenceContext {
        client: Some(Client::Terraform),
        ci: Some(CiSystem::GitHubActions),
        ip: Some("20.42.0.7".to_owned()),
        interactive: Some(false),
        ..EvidenceContext::default()
    };
    let actions = finding(
        2,
        Some("gh-deployer@contoso.com"),
        Severity::Critical,
        &[Signal::SingleFactorSignin, Signal::NonInteractive],
        vec![
            evidence(
                Signal::NonInteractive,
                at(19, 9),
                "non-interactive refresh from 20.42.0.7 (GitHub Actions)",
                gh.clone(),
            ),
            evidence(
                Signal::SingleFactorSignin,
                at(18, 9),
                "single-factor sign-in to Azure CLI",
                gh,
            ),
        ],
        &[Client::Terraform, Client::AzureCli],
        &[CiSystem::GitHubActions],
        Some(("devops@contoso.com", OwnerRule::Manager)),
    );
    let evil = finding(
        3,
        Some(EVIL_UPN),
        Severity::High,
        &[Signal::SingleFactorArmWrite],
        vec![evidence(
            Signal::SingleFactorArmWrite,
            at(17, 14),
            "Microsoft.Network/dnsZones/A/write <b>bold</b> with amr pwd",
            cli_from("192.0.2.10"),
        )],
        &[Client::AzureCli],
        &[],
        None,
    );
    let mut guest = finding(
        4,
        Some("partner_fabrikam.com#EXT#@contoso.onmicrosoft.com"),
        Severity::Medium,
        &[Signal::NoMfaMethod],
        vec![evidence(
            Signal::NoMfaMethod,
            at(16, 0),
            "no MFA method; Contributor on /subscriptions/…",
            EvidenceContext::default(),
        )],
        &[],
        &[],
        Some(("it-security@contoso.com", OwnerRule::Sponsor)),
    );
    guest.kind = Some(UserKind::Guest);
    let bg = finding(
        5,
        Some("bg-admin01@contoso.onmicrosoft.com"),
        Severity::Medium,
        &[Signal::BreakGlassWeakMfa],
        vec![evidence(
            Signal::BreakGlassWeakMfa,
            at(16, 0),
            "methods: microsoftAuthenticatorPush",
            EvidenceContext::default(),
        )],
        &[],
        &[],
        Some(("it-security@contoso.com", OwnerRule::Default)),
    );
    let nameless = finding(
        6,
        None,
        Severity::Medium,
        &[Signal::SingleFactorSignin],
        vec![evidence(
            Signal::SingleFactorSignin,
            at(15, 8),
            "single-factor sign-in to Azure PowerShell",
            EvidenceContext::default(),
        )],
        &[Client::AzurePowerShell],
        &[],
        None,
    );
    let old = finding(
        7,
        Some("dev.anna@contoso.com"),
        Severity::Low,
        &[Signal::OutdatedClient],
        vec![evidence(
            Signal::OutdatedClient,
            at(14, 11),
            "AzurePowershell/v14.2.0",
            EvidenceContext {
                client: Some(Client::AzurePowerShell),
                ..EvidenceContext::default()
            },
        )],
        &[Client::AzurePowerShell],
        &[],
        Some(("anna.manager@contoso.com", OwnerRule::Manager)),
    );
    Detection {
        accounts_scanned: 40,
        findings: vec![cron, actions, evil, guest, bg, nameless, old],
        disabled: Vec::new(),
        window: Some((at(1, 0), at(21, 2))),
    }
}

/// The scan seen on 2026-11-22: `enforced` picks the tenant date 2025-10-01 (enforced) or
/// 2026-12-01 (9 days left).
pub(super) fn scan(enforced: bool, problems: Vec<String>) -> Scan {
    let detection = detection();
    let date = if enforced {
        NaiveDate::from_ymd_opt(2025, 10, 1).unwrap()
    } else {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    };
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 7, 30, 0).unwrap();
    let report = ScanReport::build(
        &detection,
        Some(TenantId::parse(TENANT).unwrap()),
        date,
        now,
        problems,
    );
    Scan { report, detection }
}

/// Renders to a string.
pub(super) fn render(scan: &Scan, format: crate::report::Format) -> String {
    let mut out = Vec::new();
    crate::report::render(scan, format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}
