//! Guidance per signal, client and CI combination: the right steps appear, wrong ones don't.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::*;
use crate::calendar::{EnforcementStatus, DOCS_URL, POSTPONE_URL};
use crate::detect::model::{CiSystem, Client, Finding, Severity, Signal, UserKind};
use crate::ids::{ObjectId, SubscriptionId, TenantId};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Enforced since 2025-10-01, seen on 2026-11-22.
fn enforced() -> EnforcementStatus {
    EnforcementStatus::on(date(2025, 10, 1), date(2026, 11, 22))
}

/// Enforced from 2026-12-01, seen on 2026-11-22 (postponement closed).
fn upcoming() -> EnforcementStatus {
    EnforcementStatus::on(date(2026, 12, 1), date(2026, 11, 22))
}

/// Enforced from 2026-03-01, seen on 2026-01-10 (postponement still open).
fn postponable() -> EnforcementStatus {
    EnforcementStatus::on(date(2026, 3, 1), date(2026, 1, 10))
}

fn finding(signals: &[Signal], clients: &[Client], ci: &[CiSystem]) -> Finding {
    Finding {
        user_id: ObjectId::parse("11111111-2222-3333-4444-555555555555").unwrap(),
        upn: Some("svc-deploy@contoso.com".into()),
        display_name: None,
        kind: Some(UserKind::Member),
        break_glass: signals.contains(&Signal::BreakGlassWeakMfa),
        severity: Severity::High,
        signals: signals.iter().copied().collect(),
        evidence: Vec::new(),
        clients: clients.iter().copied().collect(),
        ci: ci.iter().copied().collect(),
        subscriptions: BTreeSet::new(),
        owner: None,
    }
}

/// All snippet code and text of the durable steps.
fn steps_text(g: &Guidance) -> String {
    g.steps.iter().map(step_text).collect::<Vec<_>>().join("\n")
}

/// All snippet code and text of the unblock steps.
fn unblock_text(g: &Guidance) -> String {
    g.unblock
        .iter()
        .map(step_text)
        .collect::<Vec<_>>()
        .join("\n")
}

fn step_text(s: &Step) -> String {
    format!(
        "{}\n{}\n{}",
        s.title,
        s.text,
        s.snippet.as_ref().map_or("", |x| x.code.as_str())
    )
}

fn assert_has(haystack: &str, needles: &[&str]) {
    for n in needles {
        assert!(haystack.contains(n), "expected {n:?} in:\n{haystack}");
    }
}

fn assert_lacks(haystack: &str, needles: &[&str]) {
    for n in needles {
        assert!(
            !haystack.contains(n),
            "did not expect {n:?} in:\n{haystack}"
        );
    }
}

fn position(g: &Guidance, needle: &str) -> usize {
    g.steps
        .iter()
        .position(|s| step_text(s).contains(needle))
        .unwrap_or_else(|| panic!("no step contains {needle:?}"))
}

#[test]
fn cli_ropc_cron_gets_managed_identity_and_certificate_for_the_cli() {
    let f = finding(
        &[Signal::Ropc, Signal::SingleFactorArmWrite],
        &[Client::AzureCli],
        &[],
    );
    let g = for_finding(&f, &enforced());
    let steps = steps_text(&g);
    assert_has(
        &steps,
        &[
            "az login --identity",
            "az login --identity --client-id",
            "az ad sp create-for-rbac",
            "--create-cert",
            "--keyvault",
            "az login --service-principal",
            "--certificate sp.pem",
            "az role assignment create",
        ],
    );
    assert_lacks(
        &steps,
        &[
            "azure/login",
            "ARM_USE_OIDC",
            "use_oidc",
            "Connect-AzAccount -Identity",
            "aka.ms/mfasetup",
            "az upgrade",
            "AzureCLI@2",
        ],
    );
    assert!(g.steps[0]
        .snippet
        .as_ref()
        .unwrap()
        .code
        .contains("az login --identity"));
    assert!(position(&g, "--identity") < position(&g, "create-for-rbac"));
    assert!(position(&g, "create-for-rbac") < position(&g, "az role assignment create"));
    assert!(g.headline.contains("ROPC"), "{}", g.headline);
    assert!(g.headline.contains("fail now"), "{}", g.headline);
    // Nobody can answer a claims challenge in a cron job: the unblock is a support request.
    let unblock = unblock_text(&g);
    assert_has(&unblock, &["support request"]);
    assert_lacks(
        &unblock,
        &["--claims-challenge", "aka.ms/postponePhase2MFA"],
    );
}

#[test]
fn powershell_job_gets_connect_azaccount_identity() {
    let f = finding(&[Signal::NonInteractive], &[Client::AzurePowerShell], &[]);
    let g = for_finding(&f, &enforced());
    let steps = steps_text(&g);
    assert_has(
        &steps,
        &[
            "Connect-AzAccount -Identity",
            "-AccountId <identity-client-id>",
            "-CertificateThumbprint",
        ],
    );
    assert_lacks(&steps, &["az login --identity", "azure/login"]);
    assert!(position(&g, "Connect-AzAccount -Identity") < position(&g, "-CertificateThumbprint"));
}

#[test]
fn unattended_job_with_unknown_client_defaults_to_cli_identity() {
    let f = finding(&[Signal::Ropc, Signal::SingleFactorSignin], &[], &[]);
    let g = for_finding(&f, &enforced());
    assert_has(&steps_text(&g), &["az login --identity", "--create-cert"]);
}

#[test]
fn github_actions_gets_azure_login_with_oidc() {
    let f = finding(
        &[Signal::NonInteractive, Signal::SingleFactorArmWrite],
        &[Client::AzureCli],
        &[CiSystem::GitHubActions],
    );
    let g = for_finding(&f, &enforced());
    let steps = steps_text(&g);
    assert_has(
        &steps,
        &[
            "azure/login@v2",
            "id-token: write",
            "client-id:",
            "tenant-id:",
            "subscription-id:",
            "az identity federated-credential create",
            "--issuer https://token.actions.githubusercontent.com",
            "--subject repo:",
        ],
    );
    assert_lacks(
        &steps,
        &[
            "az login --identity",
            "AzureCLI@2",
            "ARM_USE_MSI",
            "use_oidc",
        ],
    );
    assert!(position(&g, "federated-credential") < position(&g, "azure/login@v2"));
    assert!(g.headline.contains("GitHub Actions"), "{}", g.headline);
}

#[test]
fn azure_pipelines_gets_workload_identity_service_connection() {
    let f = finding(
        &[Signal::NonInteractive],
        &[Client::AzureCli],
        &[CiSystem::AzurePipelines],
    );
    let g = for_finding(&f, &enforced());
    let steps = steps_text(&g);
    assert_has(
        &steps,
        &["AzureCLI@2", "azureSubscription:", "Workload identity"],
    );
    assert_lacks(&steps, &["azure/login", "az login --identity"]);
    assert!(g.headline.contains("Azure Pipelines"), "{}", g.headline);
}

#[test]
fn terraform_in_ci_uses_oidc_and_on_a_machine_uses_msi() {
    let ci = finding(
        &[Signal::NonInteractive],
        &[Client::Terraform],
        &[CiSystem::GitHubActions],
    );
    let g = for_finding(&ci, &enforced());
    let steps = steps_text(&g);
    assert_has(
        &steps,
        &["use_oidc", "ARM_USE_OIDC", "ARM_CLIENT_ID", "azure/login"],
    );
    assert_lacks(&steps, &["export ARM_USE_MSI=true"]);
    let snippet = &g.steps[position(&g, "use_oidc")].snippet;
    assert_eq!(snippet.as_ref().unwrap().language, "hcl");

    let machine = finding(&[Signal::NonInteractive], &[Client::Terraform], &[]);
    let g = for_finding(&machine, &enforced());
    let steps = steps_text(&g);
    assert_has(
        &steps,
        &[
            "export ARM_USE_MSI=true",
            "ARM_CLIENT_ID",
            "unset ARM_CLIENT_SECRET",
        ],
    );
    assert_lacks(&steps, &["use_oidc", "azure/login"]);
}

#[test]
fn ansible_uses_msi_on_a_machine_and_cli_in_ci() {
    let machine = finding(&[Signal::Ropc], &[Client::Ansible], &[]);
    let steps = steps_text(&for_finding(&machine, &enforced()));
    assert_has(&steps, &["auth_source: msi"]);
    assert_lacks(&steps, &["auth_source: cli"]);

    let ci = finding(
        &[Signal::Ropc],
        &[Client::Ansible],
        &[CiSystem::AzurePipelines],
    );
    let steps = steps_text(&for_finding(&ci, &enforced()));
    assert_has(&steps, &["auth_source: cli", "AzureCLI@2"]);
    assert_lacks(&steps, &["auth_source: msi"]);
}

#[test]
fn azd_uses_federated_credential_in_ci_and_managed_identity_elsewhere() {
    let ci = finding(
        &[Signal::NonInteractive],
        &[Client::BicepAzd],
        &[CiSystem::GitHubActions],
    );
    let steps = steps_text(&for_finding(&ci, &enforced()));
    assert_has(&steps, &["--federated-credential-provider github"]);
    assert_lacks(&steps, &["azd auth login --managed-identity"]);

    let machine = finding(&[Signal::NonInteractive], &[Client::BicepAzd], &[]);
    let steps = steps_text(&for_finding(&machine, &enforced()));
    assert_has(&steps, &["azd auth login --managed-identity"]);
    assert_lacks(&steps, &["--federated-credential-provider"]);
}

#[test]
fn rest_sdk_job_gets_default_azure_credential() {
    let f = finding(&[Signal::Ropc], &[Client::RestSdk], &[]);
    let steps = steps_text(&for_finding(&f, &enforced()));
    assert_has(
        &steps,
        &[
            "DefaultAzureCredential",
            "unset AZURE_USERNAME AZURE_PASSWORD",
        ],
    );
    assert_lacks(
        &steps,
        &["az login --identity", "Connect-AzAccount -Identity"],
    );
}

#[test]
fn person_with_only_an_outdated_cli_gets_upgrade() {
    let f = finding(&[Signal::OutdatedClient], &[Client::AzureCli], &[]);
    let g = for_finding(&f, &upcoming());
    assert_eq!(g.steps.len(), 1, "{:#?}", g.steps);
    assert!(
        g.steps[0].title.contains("Azure CLI to 2.76"),
        "{}",
        g.steps[0].title
    );
    assert_has(&steps_text(&g), &["az upgrade"]);
    assert_lacks(
        &steps_text(&g),
        &[
            "Install-Module",
            "--identity",
            "aka.ms/mfasetup",
            "azure/login",
        ],
    );
    assert!(g.headline.contains("2.76"), "{}", g.headline);
    assert!(g.headline.contains("9 days left"), "{}", g.headline);
    assert_has(&unblock_text(&g), &["--claims-challenge"]);
}

#[test]
fn outdated_powershell_gets_az_upgrade_and_unknown_client_gets_both() {
    let f = finding(&[Signal::OutdatedClient], &[Client::AzurePowerShell], &[]);
    let g = for_finding(&f, &enforced());
    assert_has(
        &steps_text(&g),
        &["Install-Module -Name Az -MinimumVersion 14.3.0"],
    );
    assert_lacks(&steps_text(&g), &["az upgrade"]);
    assert_has(
        &unblock_text(&g),
        &["Connect-AzAccount -Tenant <tenant-id> -ClaimsChallenge"],
    );
    assert_lacks(&unblock_text(&g), &["az login"]);

    let unknown = finding(&[Signal::OutdatedClient], &[], &[]);
    let steps = steps_text(&for_finding(&unknown, &enforced()));
    assert_has(&steps, &["az upgrade", "Install-Module -Name Az"]);
}

#[test]
fn no_mfa_method_gets_register_mfa_first() {
    let f = finding(
        &[Signal::NoMfaMethod, Signal::SingleFactorArmWrite],
        &[Client::AzureCli],
        &[],
    );
    let g = for_finding(&f, &enforced());
    assert!(step_text(&g.steps[0]).contains("https://aka.ms/mfasetup"));
    assert!(g.links.iter().any(|l| l.url == "https://aka.ms/mfasetup"));
    assert_lacks(
        &steps_text(&g),
        &["--identity", "FIDO2 security keys", "mysignins"],
    );
    assert!(g.headline.contains("register"), "{}", g.headline);

    let mut guest = f.clone();
    guest.kind = Some(UserKind::Guest);
    let g = for_finding(&guest, &enforced());
    assert!(step_text(&g.steps[0]).contains("mysignins.microsoft.com/security-info?tenant="));
}

#[test]
fn break_glass_gets_fido2_or_certificate() {
    let f = finding(&[Signal::BreakGlassWeakMfa], &[], &[]);
    let g = for_finding(&f, &enforced());
    assert!(g.steps[0].title.contains("FIDO2"), "{}", g.steps[0].title);
    assert_has(&steps_text(&g), &["certificate-based authentication"]);
    assert_lacks(
        &steps_text(&g),
        &["--identity", "az upgrade", "aka.ms/mfasetup", "azure/login"],
    );
    assert!(g.unblock.is_empty(), "{:#?}", g.unblock);
    assert!(g.links.iter().any(|l| l.url.contains("emergency-access")));
}

#[test]
fn person_writing_without_mfa_signs_in_with_mfa_and_gets_the_claims_challenge() {
    let f = finding(
        &[Signal::SingleFactorArmWrite, Signal::SingleFactorSignin],
        &[Client::AzureCli, Client::AzurePowerShell],
        &[],
    );
    let g = for_finding(&f, &enforced());
    assert_has(
        &steps_text(&g),
        &[
            "az login --tenant <tenant-id>",
            "Connect-AzAccount -Tenant <tenant-id>",
            "Conditional Access",
        ],
    );
    assert_lacks(
        &steps_text(&g),
        &["--identity", "create-for-rbac", "az upgrade"],
    );
    let unblock = unblock_text(&g);
    assert_has(
        &unblock,
        &[
            "az logout",
            "az login --tenant <tenant-id> --scope \"https://management.core.windows.net//.default\"",
            "--claims-challenge \"<base64 challenge from the error>\"",
            "Connect-AzAccount -Tenant <tenant-id> -ClaimsChallenge \"<base64 challenge from the error>\"",
        ],
    );
    assert_lacks(&unblock, &["support request"]);
    assert!(
        g.headline.starts_with("Azure changes made without MFA"),
        "{}",
        g.headline
    );
    assert!(g
        .headline
        .contains("enforced since 2025-10-01: these calls fail now"));

    let later = for_finding(&f, &upcoming());
    assert!(
        later
            .headline
            .contains("9 days left, enforced from 2026-12-01"),
        "{}",
        later.headline
    );
}

#[test]
fn mobile_app_person_gets_app_steps_only() {
    let f = finding(&[Signal::SingleFactorSignin], &[Client::MobileApp], &[]);
    let g = for_finding(&f, &enforced());
    assert_has(&steps_text(&g), &["mobile app"]);
    assert_lacks(&steps_text(&g), &["az login", "Connect-AzAccount"]);
    assert_has(&unblock_text(&g), &["mobile app"]);
    assert_lacks(&unblock_text(&g), &["--claims-challenge"]);
}

#[test]
fn unblock_for_jobs_follows_the_calendar() {
    let f = finding(&[Signal::Ropc], &[Client::AzureCli], &[]);
    let open = unblock_text(&for_finding(&f, &postponable()));
    assert_has(&open, &["aka.ms/postponePhase2MFA"]);
    assert_lacks(&open, &["Ask Microsoft support"]);
    assert!(for_finding(&f, &postponable())
        .links
        .iter()
        .any(|l| l.url == POSTPONE_URL));

    let closed = unblock_text(&for_finding(&f, &upcoming()));
    assert_has(&closed, &["before 2026-12-01", "2026-07-01"]);
    assert_lacks(&closed, &["Need more time"]);
}

#[test]
fn everything_at_once_has_no_duplicates_and_keeps_order() {
    let f = finding(
        &Signal::ALL,
        &[
            Client::AzureCli,
            Client::AzurePowerShell,
            Client::Terraform,
            Client::BicepAzd,
            Client::Ansible,
            Client::RestSdk,
            Client::MobileApp,
        ],
        &[CiSystem::GitHubActions, CiSystem::AzurePipelines],
    );
    let g = for_finding(&f, &enforced());
    let titles: Vec<&str> = g.all_steps().map(|s| s.title.as_str()).collect();
    let unique: BTreeSet<&str> = titles.iter().copied().collect();
    assert_eq!(unique.len(), titles.len(), "{titles:#?}");
    let urls: BTreeSet<&str> = g.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(urls.len(), g.links.len());
    assert!(g.steps[0].title.contains("emergency-access"));
    assert!(position(&g, "azure/login@v2") < position(&g, "aka.ms/mfasetup"));
    assert!(g.links.iter().any(|l| l.url == DOCS_URL));
}

#[test]
fn placeholders_are_filled_from_the_finding_and_tenant() {
    let mut f = finding(&[Signal::Ropc], &[Client::AzureCli], &[]);
    let sub = SubscriptionId::parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee").unwrap();
    f.subscriptions.insert(sub);
    let tenant = TenantId::parse("99999999-8888-7777-6666-555555555555").unwrap();
    let g = for_finding(&f, &enforced()).for_tenant(&tenant);
    let steps = steps_text(&g);
    assert_has(
        &steps,
        &[
            "--assignee svc-deploy@contoso.com",
            "/subscriptions/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/",
            "--tenant 99999999-8888-7777-6666-555555555555",
        ],
    );
    assert_lacks(
        &steps,
        &["<tenant-id>", "<subscription-id>", "<user-upn>", "@MIN_"],
    );

    // With two subscriptions the placeholder stays for the reader to choose.
    f.subscriptions
        .insert(SubscriptionId::parse("bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee").unwrap());
    assert_has(
        &steps_text(&for_finding(&f, &enforced())),
        &["<subscription-id>"],
    );
}
