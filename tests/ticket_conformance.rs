//! Every ticket sink passes the same conformance suite against its fake
//! (`tests/ticket_support/conformance.rs`).

mod ticket_support;

use stepup::tickets::file::FileSink;
use ticket_support::conformance::conformance;
use ticket_support::file::FileOutbox;

#[tokio::test]
async fn file_sink_conforms() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outbox = dir.path().join("tickets");
    let sink = FileSink::new(&outbox);
    conformance(
        &sink,
        &FileOutbox {
            dir: outbox.clone(),
        },
    )
    .await;
    let names: Vec<_> = std::fs::read_dir(&outbox)
        .expect("outbox")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(names.iter().all(|n| n.ends_with(".md") && n.contains('_')));
}

#[tokio::test]
async fn jira_sink_conforms() {
    let fake = ticket_support::jira::FakeJira::start().await;
    let config = stepup::tickets::jira::config::JiraConfig::from_lookup(fake.lookup())
        .expect("settings")
        .expect("configured");
    let sink = stepup::tickets::jira::JiraSink::with_policy(
        config,
        stepup::tickets::http::RetryPolicy::fast(),
    )
    .expect("sink");
    conformance(&sink, &fake).await;
}

#[tokio::test]
async fn servicenow_sink_conforms() {
    let fake = ticket_support::servicenow::FakeServiceNow::start().await;
    let config =
        stepup::tickets::servicenow::config::ServiceNowConfig::from_lookup(fake.lookup(&[]))
            .expect("settings")
            .expect("configured");
    let sink = stepup::tickets::servicenow::ServiceNowSink::with_policy(
        config,
        stepup::tickets::http::RetryPolicy::fast(),
    )
    .expect("sink");
    conformance(&sink, &fake).await;
}
