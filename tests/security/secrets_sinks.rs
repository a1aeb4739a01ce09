//! The outbound clients keep their credentials to themselves even when the other side
//! echoes them: every ticket sink and the Teams webhook sink talk to loopback servers that
//! answer 401, 422 and 500 with bodies quoting the request's `Authorization` header and URL.
//! The errors (Display and Debug), everything logged through `tracing` at trace level, and
//! the ticket bodies and cards sent are searched for the secrets.

use std::io::Write;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use stepup::detect::model::Severity;
use stepup::secret::Secret;
use stepup::teams::channel::{Channel, ChannelBook};
use stepup::teams::delivery::{Message, TeamsSink, WebhookSink};
use stepup::tickets::factory::TicketConfig;
use stepup::tickets::http::RetryPolicy;
use stepup::tickets::{TicketRef, TicketSink};

use crate::leaks::Secrets;
use crate::secrets_serve::SECRET_SETTINGS;
use crate::ticket_support::conformance::{draft, key};
use crate::ticket_support::fake_server::{FakeRequest, FakeResponse, FakeServer};

/// Log lines captured from `tracing` on this thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }

    /// Routes every event of this thread, at every level, here until the guard drops.
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }
}

/// A server answering `status` to everything, quoting the credential and the target, and
/// keeping every request body.
async fn echoing(status: u16, bodies: Arc<Mutex<Vec<String>>>) -> FakeServer {
    FakeServer::start(Arc::new(move |req: &FakeRequest| {
        bodies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(String::from_utf8_lossy(&req.body).into_owned());
        let echo = format!(
            "{} /{}?{:?} with Authorization: {}",
            req.method,
            req.segments.join("/"),
            req.query,
            req.header("authorization").unwrap_or("-")
        );
        FakeResponse::json(status, &json!({ "message": echo, "errorMessages": [echo] }))
    }))
    .await
}

fn open(server: &FakeServer, system: &str, servicenow_token: bool) -> Arc<dyn TicketSink> {
    let base = server.base_url();
    let secret = |name: &str| {
        SECRET_SETTINGS
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let lookup = |name: &str| match name {
        "STEPUP_TICKETS" => Some(system.to_string()),
        "STEPUP_ADO_ORG_URL"
        | "STEPUP_SERVICENOW_URL"
        | "STEPUP_JIRA_URL"
        | "STEPUP_GITHUB_API_URL" => Some(base.clone()),
        "STEPUP_ADO_PROJECT" | "STEPUP_JIRA_PROJECT" => Some("OPS".into()),
        "STEPUP_SERVICENOW_USER" => Some("stepup.integration".into()),
        "STEPUP_JIRA_EMAIL" => Some("bot@contoso.example".into()),
        "STEPUP_GITHUB_REPO" => Some("contoso/identity".into()),
        "STEPUP_SERVICENOW_TOKEN" if !servicenow_token => None,
        other => secret(other),
    };
    TicketConfig::from_lookup(lookup, std::path::Path::new("/nonexistent"))
        .expect("settings")
        .open(RetryPolicy::fast())
        .expect("sink")
}

fn secrets() -> Secrets {
    let mut secrets = Secrets::new();
    for (name, value) in SECRET_SETTINGS {
        secrets.add(name, value);
    }
    use base64::Engine;
    let basic = |user: &str, password: &str| {
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    };
    secrets.add(
        "the ADO Basic credential",
        &basic("", "ado-pat-7f3c9e1d2b4a6f8e0c1d3b5a"),
    );
    secrets.add(
        "the Jira Basic credential",
        &basic("bot@contoso.example", "ATATT3xLeakCanaryJiraApiToken0123"),
    );
    secrets.add(
        "the ServiceNow Basic credential",
        &basic("stepup.integration", "sn-password-LeakCanary-0123456789"),
    );
    secrets
}

#[tokio::test]
async fn ticket_sinks_never_repeat_an_echoed_credential() {
    let secrets = secrets();
    let captured = Captured::default();
    let _guard = captured.install();
    let mut echoes = 0;
    for (system, token) in [
        ("github", false),
        ("azure-devops", false),
        ("jira", false),
        ("servicenow", false),
        ("servicenow", true),
    ] {
        for status in [401, 422, 500] {
            let bodies = Arc::new(Mutex::new(Vec::new()));
            let server = echoing(status, bodies.clone()).await;
            let sink = open(&server, system, token);
            let d = draft(key(7, 1), Severity::Critical, "owner@contoso.com");
            let reference = TicketRef {
                system: sink.system(),
                id: "12".into(),
                url: None,
            };
            let errors = [
                sink.find(&d.key).await.map(|_| ()),
                sink.create(&d).await.map(|_| ()),
                sink.update(&reference, &d, "a note").await,
            ];
            for error in errors {
                let error = error.expect_err("the server refuses everything");
                let place = format!("{system} (token {token}) {status}");
                secrets.assert_absent(&format!("the error of {place}"), &error.to_string());
                secrets.assert_absent(
                    &format!("the error of {place} (Debug)"),
                    &format!("{error:?}"),
                );
                echoes += 1;
            }
            for body in bodies.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                secrets.assert_absent(&format!("a {system} request body"), body);
            }
            assert!(server.requests() > 0);
        }
    }
    assert_eq!(echoes, 45);
    let logs = captured.text();
    assert!(logs.contains("retrying"), "the retries were logged: {logs}");
    secrets.assert_absent("the sinks' logs", &logs);
}

#[tokio::test]
async fn the_webhook_sink_never_repeats_its_url() {
    let target = Arc::new(Mutex::new(String::new()));
    let shown = target.clone();
    let server = FakeServer::start(Arc::new(move |req: &FakeRequest| {
        let url = shown.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let sig = req.query.get("sig").cloned().unwrap_or_default();
        let echo = format!("no flow answers {url} (sig {sig})");
        FakeResponse::json(400, &json!({ "error": { "message": echo } }))
    }))
    .await;
    let sig = "Zm9vLWxlYWstY2FuYXJ5LXNpZw";
    let url = format!(
        "{}/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sv=1.0&sig={sig}",
        server.base_url()
    );
    *target.lock().unwrap_or_else(|e| e.into_inner()) = url.clone();
    let mut secrets = Secrets::new();
    secrets.add("the webhook URL", &url).add("its sig", sig);

    let captured = Captured::default();
    let _guard = captured.install();
    let policy = RetryPolicy {
        max_attempts: 3,
        min_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(1),
        timeout: Duration::from_secs(5),
    };
    let sink = WebhookSink::new(
        ChannelBook::new(Some(Secret::new(url.clone()))),
        NonZeroU32::new(50).expect("rate"),
        policy,
    )
    .expect("sink");
    let card = stepup::teams::cards::chat_reply("hello", &[]);
    let error = sink
        .post(&Message::new(Channel::Default, "leak-test", card))
        .await
        .expect_err("400");
    let text = error.to_string();
    assert!(text.contains("no flow answers ***"), "{text}");
    secrets.assert_absent("the webhook error", &text);
    secrets.assert_absent("the webhook error (Debug)", &format!("{error:?}"));
    secrets.assert_absent("the webhook sink's logs", &captured.text());
    assert_eq!(server.requests(), 1);
}
