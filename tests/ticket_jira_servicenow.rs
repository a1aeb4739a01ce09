//! What the Jira and ServiceNow sinks send beyond the shared conformance suite: the key in
//! labels / `correlation_id`, ADF, paging, assignees, close codes, auth variants.

mod ticket_support;

use stepup::detect::model::Severity;
use stepup::tickets::http::RetryPolicy;
use stepup::tickets::jira::config::JiraConfig;
use stepup::tickets::jira::JiraSink;
use stepup::tickets::servicenow::config::ServiceNowConfig;
use stepup::tickets::servicenow::ServiceNowSink;
use stepup::tickets::{TicketError, TicketSink, TicketState};
use ticket_support::conformance::{draft, key, FakeControl};
use ticket_support::jira::{self as fake_jira, FakeJira};
use ticket_support::servicenow::{self as fake_snow, FakeServiceNow};

fn jira_sink(fake: &FakeJira) -> JiraSink {
    let config = JiraConfig::from_lookup(fake.lookup()).expect("valid settings");
    JiraSink::new(&config, RetryPolicy::fast()).expect("sink")
}

fn snow_sink(fake: &FakeServiceNow, extra: &[(&'static str, &str)]) -> ServiceNowSink {
    let config = ServiceNowConfig::from_lookup(fake.lookup(extra)).expect("valid settings");
    ServiceNowSink::new(&config, RetryPolicy::fast()).expect("sink")
}

#[tokio::test]
async fn jira_issue_carries_labels_adf_key_and_unassigned_owner() {
    let fake = FakeJira::start().await;
    let sink = jira_sink(&fake);
    let k = key(3, 4);
    let created = sink
        .create(&draft(k, Severity::Medium, "nobody@contoso.example"))
        .await
        .expect("create");
    assert_eq!(created.system, "jira");
    assert_eq!(
        created.url.as_deref(),
        Some(format!("{}/browse/{}", fake.server.base_url(), created.id).as_str())
    );
    let issue = fake.issue(&created.id).expect("stored");
    assert_eq!(
        issue.labels,
        vec!["stepup".to_owned(), fake_jira::label(&k)]
    );
    assert!(issue.labels.iter().all(|l| !l.contains(':')));
    assert_eq!(issue.priority, "Medium");
    assert_eq!(issue.duedate.as_deref(), Some("2026-12-15"));
    assert_eq!(
        issue.assignee, None,
        "no accountId configured for this owner"
    );
    let text = issue.description_text();
    assert!(text.contains(&k.to_string()), "{text}");
    assert!(text.contains("nobody@contoso.example"), "{text}");
    assert!(text.contains("unblock: use a workload identity"), "{text}");
}

#[tokio::test]
async fn jira_find_pages_with_next_page_token_and_prefers_an_open_issue() {
    let fake = FakeJira::start().await;
    fake.cap_pages(1);
    let sink = jira_sink(&fake);
    let k = key(5, 5);
    let old = fake.seed(&k, true);
    let older = fake.seed(&k, true);
    let found = sink.find(&k).await.expect("find").expect("some");
    assert_eq!(found.state, TicketState::Resolved);
    assert_eq!(
        found.reference.id, old,
        "the first resolved issue, consistently"
    );
    let before = fake.requests();
    let open = fake.seed(&k, false);
    let found = sink.find(&k).await.expect("find").expect("some");
    assert_eq!(found.state, TicketState::Open);
    assert_eq!(found.reference.id, open);
    assert_eq!(fake.requests() - before, 3, "three pages of one issue");
    assert_ne!(older, open);
}

#[tokio::test]
async fn jira_resolve_and_reopen_are_idempotent_and_comment_in_adf() {
    let fake = FakeJira::start().await;
    let sink = jira_sink(&fake);
    let t = sink
        .create(&draft(key(6, 1), Severity::Low, "alice@contoso.example"))
        .await
        .expect("create");
    assert_eq!(fake.issue(&t.id).expect("issue").category(), "new");
    sink.reopen(&t, "already open")
        .await
        .expect("reopen open issue");
    assert_eq!(fake.issue(&t.id).expect("issue").category(), "new");
    sink.resolve(&t, "fixed").await.expect("resolve");
    sink.resolve(&t, "still fixed")
        .await
        .expect("resolve again");
    let issue = fake.issue(&t.id).expect("issue");
    assert_eq!(issue.category(), "done");
    assert_eq!(issue.comments, vec!["already open", "fixed", "still fixed"]);
    sink.reopen(&t, "```\naz login\n```").await.expect("reopen");
    let issue = fake.issue(&t.id).expect("issue");
    assert_eq!(issue.category(), "new");
    assert_eq!(issue.comments.last().map(String::as_str), Some("az login"));
}

#[tokio::test]
async fn jira_bad_token_names_the_settings() {
    let fake = FakeJira::start().await;
    let mut settings = fake.settings();
    for (k, v) in &mut settings {
        if *k == "STEPUP_JIRA_API_TOKEN" {
            *v = "wrong".into();
        }
    }
    let map: std::collections::HashMap<_, _> = settings.into_iter().collect();
    let config = JiraConfig::from_lookup(|n| map.get(n).cloned()).expect("settings");
    let sink = JiraSink::new(&config, RetryPolicy::fast()).expect("sink");
    let err = sink.find(&key(1, 1)).await.expect_err("401");
    assert!(matches!(err, TicketError::Unauthorized { .. }), "{err}");
    assert!(err.to_string().contains("STEPUP_JIRA_API_TOKEN"), "{err}");
    assert!(!err.to_string().contains("wrong"), "{err}");
}

#[tokio::test]
async fn servicenow_incident_carries_key_group_urgency_due_and_assignee() {
    let fake = FakeServiceNow::start().await;
    let sink = snow_sink(&fake, &[]);
    let k = key(7, 1);
    let t = sink
        .create(&draft(k, Severity::Critical, "alice@contoso.example"))
        .await
        .expect("create");
    assert_eq!(t.system, "servicenow");
    let url = t.url.clone().expect("url");
    assert!(
        url.ends_with(&format!("/incident.do?sys_id={}", t.id)),
        "{url}"
    );
    let i = fake.incident(&t.id).expect("stored");
    assert_eq!(i.get("correlation_id"), k.to_string());
    assert_eq!(i.get("correlation_display"), "stepup");
    assert_eq!(i.get("assignment_group"), "Cloud Platform");
    assert_eq!((i.get("urgency"), i.get("impact")), ("1", "2"));
    assert_eq!(i.get("due_date"), "2026-12-15 00:00:00");
    assert_eq!(i.get("assigned_to"), fake_snow::USERS[0].0);
    assert!(i.get("description").contains(&k.to_string()));
    assert_eq!(i.get("state"), "1");
}

#[tokio::test]
async fn servicenow_without_owner_lookup_or_with_an_inactive_owner_leaves_it_unassigned() {
    let fake = FakeServiceNow::start().await;
    let sink = snow_sink(&fake, &[("STEPUP_SERVICENOW_ASSIGN_OWNER", "false")]);
    let before = fake.requests();
    let t = sink
        .create(&draft(key(7, 2), Severity::Low, "alice@contoso.example"))
        .await
        .expect("create");
    assert_eq!(fake.requests() - before, 1, "no sys_user lookup");
    assert_eq!(fake.incident(&t.id).expect("stored").get("assigned_to"), "");

    let sink = snow_sink(&fake, &[]);
    let t = sink
        .create(&draft(key(7, 3), Severity::Low, "carol@contoso.example"))
        .await
        .expect("create");
    let i = fake.incident(&t.id).expect("stored");
    assert_eq!(i.get("assigned_to"), "", "carol is inactive");
    assert!(i
        .get("description")
        .contains("Owner: carol@contoso.example"));
}

#[tokio::test]
async fn servicenow_resolve_uses_the_close_code_and_reopen_goes_in_progress() {
    let fake = FakeServiceNow::start().await;
    let sink = snow_sink(
        &fake,
        &[("STEPUP_SERVICENOW_CLOSE_CODE", "Workaround provided")],
    );
    let t = sink
        .create(&draft(key(8, 1), Severity::High, "bob@contoso.example"))
        .await
        .expect("create");
    sink.resolve(&t, "clean twice").await.expect("resolve");
    let i = fake.incident(&t.id).expect("stored");
    assert_eq!(i.get("state"), "6");
    assert_eq!(i.get("close_code"), "Workaround provided");
    assert_eq!(i.get("close_notes"), "clean twice");
    sink.reopen(&t, "at risk again").await.expect("reopen");
    let i = fake.incident(&t.id).expect("stored");
    assert_eq!(i.get("state"), "2");
    assert_eq!(i.journal.last().map(String::as_str), Some("at risk again"));

    let bad = snow_sink(&fake, &[("STEPUP_SERVICENOW_CLOSE_CODE", "Whatever")]);
    let err = bad.resolve(&t, "x").await.expect_err("unknown close code");
    assert!(matches!(err, TicketError::Failed { .. }), "{err}");
    assert!(err.to_string().contains("Resolution code"), "{err}");
}

#[tokio::test]
async fn servicenow_leaves_closed_incidents_alone_and_finds_the_newest() {
    let fake = FakeServiceNow::start().await;
    let sink = snow_sink(&fake, &[]);
    let k = key(9, 1);
    let first = sink
        .create(&draft(k, Severity::Low, "bob@contoso.example"))
        .await
        .expect("create");
    sink.resolve(&first, "clean").await.expect("resolve");
    let found = sink
        .find(&k)
        .await
        .expect("find")
        .expect("resolved is found");
    assert_eq!(found.state, TicketState::Resolved);
    fake.set_state(&first.id, "7");
    assert_eq!(sink.find(&k).await.expect("find"), None, "closed is final");
    let err = sink
        .reopen(&first, "x")
        .await
        .expect_err("closed is read-only");
    assert!(matches!(err, TicketError::Unauthorized { .. }), "{err}");
    let second = sink
        .create(&draft(k, Severity::Low, "bob@contoso.example"))
        .await
        .expect("create");
    let third = sink
        .create(&draft(k, Severity::Low, "bob@contoso.example"))
        .await
        .expect("create");
    let found = sink.find(&k).await.expect("find").expect("some");
    assert_eq!(found.reference.id, third.id, "newest first");
    assert_ne!(second.id, third.id);
    assert_eq!(found.state, TicketState::Open);
}

#[tokio::test]
async fn servicenow_bearer_token_and_unknown_incident() {
    let fake = FakeServiceNow::start().await;
    let sink = snow_sink(
        &fake,
        &[
            ("STEPUP_SERVICENOW_TOKEN", fake_snow::TOKEN),
            ("STEPUP_SERVICENOW_PASSWORD", "ignored when a token is set"),
        ],
    );
    assert_eq!(
        sink.find(&key(10, 1)).await.expect("find with a token"),
        None
    );
    let t = sink
        .create(&draft(key(10, 1), Severity::Medium, "bob@contoso.example"))
        .await
        .expect("create with a token");
    let gone = stepup::tickets::TicketRef {
        id: "0".repeat(32),
        ..t
    };
    let err = sink.resolve(&gone, "x").await.expect_err("404");
    assert!(matches!(err, TicketError::Failed { .. }), "{err}");

    let wrong = snow_sink(&fake, &[("STEPUP_SERVICENOW_TOKEN", "expired")]);
    let err = wrong.find(&key(10, 1)).await.expect_err("401");
    assert!(err.to_string().contains("STEPUP_SERVICENOW_TOKEN"), "{err}");
}
