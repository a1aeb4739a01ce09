//! No secret leaves the command line tools: `stepup demo`, `stepup digest --post` against a
//! webhook that fails with 500 and 401 before it takes the card, `stepup tickets`, and a
//! live `stepup scan` through both credential paths (client secret against the fake's HTTPS
//! authority, managed identity with its header) while Graph fails with 5xx and 401. Their
//! stdout, stderr, every file they wrote and every card posted are searched for each secret
//! and for every access token the fake authority issued.

use std::path::Path;
use std::process::{Command, Output};

use chrono::Utc;

use crate::azure_fake::{Endpoint, FaultRule, Faults};
use crate::leaks::Secrets;
use crate::live_support::{scaled, serve, Tenant};
use crate::secrets_serve::{secrets_with_webhook, COMPANION_SETTINGS, SECRET_SETTINGS};
use crate::teams_support::fake_webhook::{FakeWebhook, Fault, Kind};

/// Runs `stepup args` with only `env` (and PATH) set.
fn stepup(args: &[&str], env: &[(&str, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stepup"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("run stepup")
}

/// What a run printed, labelled for failure messages.
fn outputs(label: &str, out: &Output) -> Vec<(String, String)> {
    vec![
        (
            format!("stdout of {label}"),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ),
        (
            format!("stderr of {label}"),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ),
    ]
}

fn secret_env(state: &Path) -> Vec<(&'static str, String)> {
    let mut env: Vec<(&str, String)> = SECRET_SETTINGS
        .iter()
        .chain(COMPANION_SETTINGS.iter())
        .map(|(k, v)| (*k, v.to_string()))
        .collect();
    env.push(("STEPUP_STATE_DIR", state.display().to_string()));
    env
}

#[tokio::test]
async fn demo_digest_and_tickets_print_and_write_no_secret() {
    let state = tempfile::tempdir().expect("state");
    let fake = FakeWebhook::start(100).await;
    let url = fake.add(Kind::Workflows, "default");
    let secrets = secrets_with_webhook(&url);
    let mut env = secret_env(state.path());
    env.push(("STEPUP_TEAMS_WEBHOOK", url.clone()));
    let mut seen = Vec::new();

    let run = |args: &'static [&'static str], env: Vec<(&'static str, String)>| {
        tokio::task::spawn_blocking(move || stepup(args, &env))
    };
    let demo = run(&["demo", "--users", "150"], env.clone())
        .await
        .expect("demo");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    seen.extend(outputs("stepup demo", &demo));

    fake.inject(
        "default",
        &[Fault::Status(500, Some(0)), Fault::Status(401, None)],
    );
    let refused = run(&["digest", "--post"], env.clone())
        .await
        .expect("digest");
    assert_eq!(refused.status.code(), Some(1));
    let error = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(error.contains("the default channel"), "{error}");
    seen.extend(outputs("a refused digest --post", &refused));

    let posted = run(&["digest", "--post"], env.clone())
        .await
        .expect("digest");
    assert!(
        posted.status.success(),
        "{}",
        String::from_utf8_lossy(&posted.stderr)
    );
    seen.extend(outputs("digest --post", &posted));
    let tickets = run(&["tickets", "--format", "json"], env)
        .await
        .expect("tickets");
    assert!(tickets.status.success());
    seen.extend(outputs("stepup tickets", &tickets));

    let cards = fake.received("default");
    assert_eq!(cards.len(), 1, "the digest was posted once");
    seen.push(("the posted digest card".into(), cards[0].to_string()));
    for (place, text) in &seen {
        secrets.assert_absent(place, text);
    }
    let files = secrets.assert_absent_below(state.path());
    assert!(
        files > 50,
        "reports, tickets, cards and records: {files} files"
    );
    let reports = state.path().join("reports");
    assert!(reports.join("readiness.html").is_file() && reports.join("readiness.md").is_file());
}

#[test]
fn a_live_scan_prints_no_credential_or_token() {
    let now = Utc::now();
    let t = Tenant::ending(150, 4, 41, now);
    let fake = serve(t.path(), t.id(), scaled(50, 100));
    fake.set_faults(
        Faults::none()
            .rule(FaultRule::status(500).on(Endpoint::SignIns).next(2))
            .rule(
                FaultRule::status(503)
                    .retry_after(0)
                    .on(Endpoint::Registration)
                    .next(1),
            )
            .rule(FaultRule::status(401).on(Endpoint::Users)),
    );
    let work = tempfile::tempdir().expect("work");
    let cert = work.path().join("authority.pem");
    std::fs::write(&cert, fake.cert_pem()).expect("certificate");

    let base = |state: &Path| {
        let mut env = secret_env(state);
        env.retain(|(k, _)| !k.starts_with("AZURE_CLIENT"));
        env.extend([
            ("STEPUP_TENANT_ID", fake.tenant_id().to_string()),
            ("STEPUP_GRAPH_URL", fake.graph_url()),
            ("STEPUP_ARM_URL", fake.arm_url()),
            ("STEPUP_GRAPH_REPORT_RATE", "50/100ms".to_string()),
            ("STEPUP_LOOKBACK_DAYS", "5".to_string()),
        ]);
        env
    };
    let mut secrets = Secrets::new();
    secrets.add("AZURE_CLIENT_SECRET", fake.client_secret());
    secrets.add("IDENTITY_HEADER", fake.identity_header());
    for (name, value) in SECRET_SETTINGS {
        secrets.add(name, value);
    }
    let mut seen = Vec::new();
    let mut states = Vec::new();

    // The client secret, against the fake's HTTPS authority (its certificate trusted).
    let state = tempfile::tempdir().expect("state");
    let mut env = base(state.path());
    env.extend([
        ("AZURE_TENANT_ID", fake.tenant_id().to_string()),
        ("AZURE_CLIENT_ID", fake.client_id().to_string()),
        ("AZURE_CLIENT_SECRET", fake.client_secret().to_string()),
        ("AZURE_AUTHORITY_HOST", fake.authority_url()),
        ("SSL_CERT_FILE", cert.display().to_string()),
    ]);
    let report = state.path().join("report.html");
    let out = stepup(
        &[
            "scan",
            "--full",
            "--format",
            "html",
            "--out",
            &report.display().to_string(),
        ],
        &env,
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        stderr.contains("client secret"),
        "the credential is named: {stderr}"
    );
    assert!(report.is_file(), "{stderr}");
    seen.extend(outputs("scan with a client secret", &out));
    states.push(state);

    // The managed identity, with its header.
    let state = tempfile::tempdir().expect("state");
    let mut env = base(state.path());
    env.extend([
        ("IDENTITY_ENDPOINT", fake.identity_endpoint()),
        ("IDENTITY_HEADER", fake.identity_header().to_string()),
        (
            "AZURE_CLIENT_ID",
            fake.managed_identity_client_id().to_string(),
        ),
    ]);
    let out = stepup(&["scan", "--format", "json"], &env);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(
        report["complete"], false,
        "the users source failed: {report}"
    );
    seen.extend(outputs("scan with a managed identity", &out));
    states.push(state);

    let tokens = fake.issued_tokens();
    assert!(tokens.len() >= 2, "both runs got tokens: {}", tokens.len());
    for (i, token) in tokens.iter().enumerate() {
        secrets.add(&format!("access token {i}"), token);
    }
    for (place, text) in &seen {
        secrets.assert_absent(place, text);
    }
    for state in &states {
        assert!(secrets.assert_absent_below(state.path()) > 0);
    }
}
