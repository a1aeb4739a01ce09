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
async fn azure_devops_sink_conforms() {
    use stepup::secret::Secret;
    use stepup::tickets::azure_devops::{AzureDevOpsConfig, AzureDevOpsSink};
    use stepup::tickets::http::RetryPolicy;
    use stepup::tickets::TicketSink;
    use ticket_support::azure_devops::{FakeAzureDevOps, PAT};

    let fake = FakeAzureDevOps::start().await;
    let config = AzureDevOpsConfig {
        org_url: fake.org_url(),
        project: "Identity Platform".into(),
        work_item_type: "Issue".into(),
        done_state: "Done".into(),
        open_state: "To Do".into(),
        pat: Some(Secret::new(PAT)),
    };
    let sink = AzureDevOpsSink::new(&config, RetryPolicy::fast()).expect("sink");
    conformance(&sink, &fake).await;

    let items = fake.items();
    let first = &items[0];
    assert_eq!(first.project, "Identity Platform");
    let tags = first.fields["System.Tags"].as_str().unwrap_or_default();
    assert!(tags.contains("stepup;"), "{tags}");
    assert_eq!(
        first.fields["Microsoft.VSTS.Scheduling.DueDate"],
        "2026-12-15T00:00:00Z"
    );
    let description = first.fields["System.Description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        description.contains("<strong>Account</strong>"),
        "{description}"
    );

    // A wrong PAT: the service answers 203 + a sign-in page; we say which setting to fix.
    let wrong = AzureDevOpsConfig {
        pat: Some(Secret::new("wrong")),
        ..config
    };
    let sink = AzureDevOpsSink::new(&wrong, RetryPolicy::fast()).expect("sink");
    let err = sink
        .find(&ticket_support::conformance::key(1, 1))
        .await
        .expect_err("bad PAT");
    assert!(err.to_string().contains("STEPUP_ADO_PAT"), "{err}");
    assert!(!format!("{err:?}").contains("wrong"), "{err:?}");
}

#[tokio::test]
async fn github_sink_conforms() {
    use stepup::detect::model::Severity;
    use stepup::secret::Secret;
    use stepup::tickets::github::{GitHubConfig, GitHubSink};
    use stepup::tickets::http::RetryPolicy;
    use stepup::tickets::TicketSink;
    use ticket_support::conformance::{draft, key};
    use ticket_support::github::{FakeGitHub, OWNER, REPO, TOKEN};

    let fake = FakeGitHub::start().await;
    let config = GitHubConfig {
        api_url: fake.server.base_url(),
        owner: OWNER.into(),
        repo: REPO.into(),
        token: Secret::new(TOKEN),
    };
    let sink = GitHubSink::new(&config, RetryPolicy::fast()).expect("sink");
    conformance(&sink, &fake).await;

    // The reopened issue: labels, marker, state reason.
    let issues = fake.issues();
    let first = &issues[1].json;
    assert_eq!(first["state"], "open");
    assert_eq!(first["state_reason"], "reopened");
    let names: Vec<&str> = first["labels"]
        .as_array()
        .map(|ls| ls.iter().filter_map(|l| l["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["stepup", "severity:critical"]);
    let body = first["body"].as_str().unwrap_or_default();
    assert!(body.contains(&format!("<!-- {} -->", key(1, 1))), "{body}");

    // A GitHub login is assigned.
    let r = sink
        .create(&draft(key(3, 3), Severity::Low, "octo-cat"))
        .await
        .expect("create");
    let issue = fake
        .issues()
        .into_iter()
        .find(|i| i.json["number"].as_u64() == r.id.parse::<u64>().ok())
        .expect("created");
    assert_eq!(issue.json["assignees"][0]["login"], "octo-cat");

    // A bad token names the setting.
    let wrong = GitHubConfig {
        token: Secret::new("nope"),
        ..config
    };
    let err = GitHubSink::new(&wrong, RetryPolicy::fast())
        .expect("sink")
        .find(&key(1, 1))
        .await
        .expect_err("bad token");
    assert!(err.to_string().contains("STEPUP_GITHUB_TOKEN"), "{err}");
}

#[tokio::test]
async fn jira_sink_conforms() {
    let fake = ticket_support::jira::FakeJira::start().await;
    let config =
        stepup::tickets::jira::config::JiraConfig::from_lookup(fake.lookup()).expect("settings");
    let sink =
        stepup::tickets::jira::JiraSink::new(&config, stepup::tickets::http::RetryPolicy::fast())
            .expect("sink");
    conformance(&sink, &fake).await;
}

#[tokio::test]
async fn servicenow_sink_conforms() {
    let fake = ticket_support::servicenow::FakeServiceNow::start().await;
    let config =
        stepup::tickets::servicenow::config::ServiceNowConfig::from_lookup(fake.lookup(&[]))
            .expect("settings");
    let sink = stepup::tickets::servicenow::ServiceNowSink::new(
        &config,
        stepup::tickets::http::RetryPolicy::fast(),
    )
    .expect("sink");
    conformance(&sink, &fake).await;
}
