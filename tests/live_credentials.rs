//! Every credential kind runs azure_identity's own code against the fake's token authority
//! (HTTPS, as azure_identity insists) or managed-identity endpoint: client certificate
//! (an assertion signed with the certificate's key), workload identity federation, the
//! developer's `az login` (the `az` process answered by a stand-in), and managed identity
//! through `IDENTITY_ENDPOINT` in a `stepup scan` child process whose report must equal the
//! library's live scan. The client secret is what `tests/live_scan.rs` uses throughout.

#[path = "azure_fake/mod.rs"]
mod azure_fake;
#[path = "live_support/mod.rs"]
mod live_support;

use std::ffi::OsStr;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use azure_fake::{Audience, AzureFake, Endpoint};
use live_support::*;
use stepup::config::IdentityConfig;
use stepup::ids::TenantId;
use stepup::sources::http::RetryPolicy;
use stepup::sources::{
    connect, run_job, Collected, ConnectOptions, JobOutcome, NoProgress, SourceJob,
};

/// Reads users and subscriptions with `identity`; returns the outcomes.
async fn read_with(
    fake: &AzureFake,
    identity: &IdentityConfig,
    options: ConnectOptions,
) -> Vec<JobOutcome> {
    let t = TenantId::parse(fake.tenant_id()).expect("tenant");
    let sources = sources(fake, 7, "5/100ms");
    let options = ConnectOptions {
        http: Some(http_client(fake)),
        policy: Some(RetryPolicy::fast()),
        ..options
    };
    let ctx = connect(identity, &sources, t, options).expect("connect");
    let mut outcomes = Vec::new();
    for job in [SourceJob::Users, SourceJob::Subscriptions] {
        let mut out = Collected::new(&Default::default());
        outcomes.push(run_job(&ctx, &job, None, None, &mut out, &NoProgress).await);
        assert!(out.records > 0, "{job:?} read nothing");
    }
    outcomes
}

fn done(outcomes: &[JobOutcome]) -> bool {
    outcomes
        .iter()
        .all(|o| matches!(o, JobOutcome::Done { .. }))
}

#[tokio::test]
async fn client_certificate_signs_its_own_assertion() {
    let t = Tenant::new(100, 2, 21);
    let fake = serve(t.path(), t.id(), scaled(100, 100));
    let dir = tempfile::tempdir().expect("temp dir");
    let pem = dir.path().join("client.pem");
    std::fs::write(
        &pem,
        fake.client_certificate_pem()
            .expect("fake-made certificate"),
    )
    .expect("write");
    let identity = IdentityConfig {
        tenant_id: TenantId::parse(fake.tenant_id()).ok(),
        client_id: Some(fake.client_id().into()),
        certificate_path: Some(pem),
        authority_host: Some(fake.authority_url()),
        ..IdentityConfig::default()
    };
    let outcomes = read_with(&fake, &identity, ConnectOptions::default()).await;
    assert!(done(&outcomes), "{outcomes:?}");
    assert_eq!(fake.counters().of(Endpoint::Token).unauthorized, 0);
}

#[tokio::test]
async fn workload_identity_federation() {
    let t = Tenant::new(100, 2, 22);
    let fake = serve(t.path(), t.id(), scaled(100, 100));
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("token");
    std::fs::write(&file, fake.client_assertion().expect("assertion")).expect("write");
    let identity = IdentityConfig {
        tenant_id: TenantId::parse(fake.tenant_id()).ok(),
        client_id: Some(fake.client_id().into()),
        federated_token_file: Some(file),
        authority_host: Some(fake.authority_url()),
        ..IdentityConfig::default()
    };
    assert!(done(
        &read_with(&fake, &identity, ConnectOptions::default()).await
    ));

    // A wrong assertion fails with an error that names the call and the credential.
    let bad = dir.path().join("bad");
    std::fs::write(&bad, "forged").expect("write");
    let identity = IdentityConfig {
        federated_token_file: Some(bad),
        ..identity
    };
    let t = TenantId::parse(fake.tenant_id()).expect("tenant");
    let sources = sources(&fake, 7, "5/100ms");
    let ctx = connect(
        &identity,
        &sources,
        t,
        ConnectOptions {
            http: Some(http_client(&fake)),
            policy: Some(RetryPolicy::fast()),
            ..ConnectOptions::default()
        },
    )
    .expect("connect");
    let mut out = Collected::new(&Default::default());
    match run_job(&ctx, &SourceJob::Users, None, None, &mut out, &NoProgress).await {
        JobOutcome::Failed { source, reason } => {
            assert_eq!(source, "users");
            assert!(
                reason.contains("/v1.0/users") && reason.contains("no access token"),
                "{reason}"
            );
            assert!(reason.contains("WorkloadIdentityCredential"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

/// Stands in for the `az` process: answers `az account get-access-token --scope S` with a
/// token the fake issued for S's audience, and remembers the commands.
#[derive(Debug)]
struct AzStandIn {
    graph_scope: String,
    graph: String,
    arm: String,
    commands: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl azure_identity::Executor for AzStandIn {
    async fn run(&self, _program: &OsStr, args: &[&OsStr]) -> std::io::Result<Output> {
        let command = args
            .iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ");
        self.commands.lock().expect("lock").push(command.clone());
        let token = if command.contains(&self.graph_scope) {
            &self.graph
        } else {
            &self.arm
        };
        let expires = chrono::Utc::now().timestamp() + 3600;
        let mut output = Command::new("true").output()?;
        output.stdout = format!(
            r#"{{"accessToken":"{token}","expires_on":{expires},"tokenType":"Bearer","tenant":"x"}}"#
        )
        .into_bytes();
        Ok(output)
    }
}

#[tokio::test]
async fn azure_cli_login_for_local_runs() {
    let t = Tenant::new(100, 2, 23);
    let fake = serve(t.path(), t.id(), scaled(100, 100));
    let az = Arc::new(AzStandIn {
        graph_scope: format!("--scope {}/.default", fake.graph_url()),
        graph: fake.issue_token(Audience::Graph),
        arm: fake.issue_token(Audience::Arm),
        commands: Mutex::new(Vec::new()),
    });
    let identity = IdentityConfig {
        tenant_id: TenantId::parse(fake.tenant_id()).ok(),
        ..IdentityConfig::default()
    };
    let outcomes = read_with(
        &fake,
        &identity,
        ConnectOptions {
            az_executor: Some(az.clone()),
            ..ConnectOptions::default()
        },
    )
    .await;
    assert!(done(&outcomes), "{outcomes:?}");
    let commands = az.commands.lock().expect("lock").clone();
    assert_eq!(
        commands.len(),
        2,
        "one az call per scope, cached after: {commands:?}"
    );
    assert!(commands[0].contains(&format!(
        "az account get-access-token -o json --scope {}/.default",
        fake.graph_url()
    )));
    assert!(commands
        .iter()
        .all(|c| c.contains(&format!("--tenant {}", fake.tenant_id()))));
}

#[test]
fn managed_identity_in_a_stepup_scan_process() {
    // The process scans as of its own clock: the synthetic tenant ends now.
    let now = chrono::Utc::now();
    let t = Tenant::ending(200, 5, 24, now);
    let fake = serve(t.path(), t.id(), scaled(5, 100));
    let state = tempfile::tempdir().expect("state");
    let out = Command::new(env!("CARGO_BIN_EXE_stepup"))
        .args(["scan", "--format", "json", "--full", "--settings"])
        .arg(t.path().join("stepup.toml"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("IDENTITY_ENDPOINT", fake.identity_endpoint())
        .env("IDENTITY_HEADER", fake.identity_header())
        .env("AZURE_CLIENT_ID", fake.managed_identity_client_id())
        .env("STEPUP_TENANT_ID", fake.tenant_id())
        .env("STEPUP_GRAPH_URL", fake.graph_url())
        .env("STEPUP_ARM_URL", fake.arm_url())
        .env("STEPUP_GRAPH_REPORT_RATE", "5/100ms")
        .env("STEPUP_LOOKBACK_DAYS", "6")
        .env("STEPUP_STATE_DIR", state.path())
        .output()
        .expect("run stepup");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("managed identity (user-assigned)"),
        "the credential is named: {stderr}"
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(got["complete"], true, "{got}");
    let want = {
        let dir = tempfile::tempdir().expect("temp dir");
        restrict(
            t.path(),
            dir.path(),
            now - chrono::Duration::days(7),
            now,
            true,
        );
        offline(dir.path(), &t.settings(), now)
    };
    assert!(!want.report.accounts.is_empty());
    assert_eq!(
        got["accounts"],
        serde_json::to_value(&want.report.accounts).expect("json")
    );
    assert!(fake.counters().requests(Endpoint::ManagedIdentity) >= 2);
}

#[test]
fn a_live_scan_without_a_tenant_is_a_one_line_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_stepup"))
        .args(["scan", "--format", "json"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .expect("run stepup");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("--tenant") && stderr.contains("STEPUP_TENANT_ID"),
        "{stderr}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_stepup"))
        .args(["scan", "--tenant", "contoso"])
        .env_clear()
        .output()
        .expect("run stepup");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tenant \"contoso\""));
}

#[test]
fn a_live_scan_that_reads_nothing_says_why() {
    let t = Tenant::new(100, 2, 25);
    let fake = serve(t.path(), t.id(), scaled(100, 100));
    let out = Command::new(env!("CARGO_BIN_EXE_stepup"))
        .args(["scan", "--full", "--tenant", fake.tenant_id()])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("IDENTITY_ENDPOINT", fake.identity_endpoint())
        .env("IDENTITY_HEADER", "not-the-header")
        .env("STEPUP_GRAPH_URL", fake.graph_url())
        .env("STEPUP_ARM_URL", fake.arm_url())
        .output()
        .expect("run stepup");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("stepup: the live scan read nothing: "),
        "{stderr}"
    );
    assert!(
        last.contains("no access token") && last.contains("ManagedIdentityCredential"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("not-the-header"),
        "secrets stay out of errors"
    );
}
