//! Odd characters in ticket projects, ids and owners' e-mails reach the ticket systems'
//! URLs percent-encoded, as one path segment or one query value, never as path syntax: a
//! loopback server records each request line as it came over the wire. `.` and `..`, which
//! URL rules would drop or resolve, are refused before any request.

use std::sync::Arc;

use stepup::detect::model::Severity;
use stepup::tickets::factory::TicketConfig;
use stepup::tickets::http::RetryPolicy;
use stepup::tickets::{TicketRef, TicketSink};

use crate::ticket_support::conformance::{draft, key};
use crate::ticket_support::fake_server::{FakeResponse, FakeServer};

/// Values an ownership map, a stored reference or a directory could hand over.
const ODD: [&str; 9] = [
    "Team ../Ops",
    "a/b",
    "%2e%2e",
    "%2F..%2F",
    "x\\y",
    "q?x=1#frag",
    "ünï cødé",
    "nul\u{0}byte",
    "../../../_apis/projects",
];

/// A server that answers 404 to everything and records raw request lines.
async fn recorder() -> FakeServer {
    FakeServer::start(Arc::new(|_| FakeResponse::error(404, "no such thing"))).await
}

fn open(server: &FakeServer, system: &str) -> Arc<dyn TicketSink> {
    let base = server.base_url();
    let settings: Vec<(&str, String)> = vec![
        ("STEPUP_TICKETS", system.into()),
        ("STEPUP_ADO_ORG_URL", base.clone()),
        ("STEPUP_ADO_PROJECT", "Ops".into()),
        ("STEPUP_ADO_PAT", "ado-pat-for-url-tests".into()),
        ("STEPUP_SERVICENOW_URL", base.clone()),
        ("STEPUP_SERVICENOW_USER", "bot".into()),
        (
            "STEPUP_SERVICENOW_PASSWORD",
            "servicenow-pw-url-tests".into(),
        ),
        ("STEPUP_JIRA_URL", base.clone()),
        ("STEPUP_JIRA_PROJECT", "OPS".into()),
        ("STEPUP_JIRA_EMAIL", "bot@contoso.example".into()),
        ("STEPUP_JIRA_API_TOKEN", "jira-token-url-tests".into()),
        ("STEPUP_GITHUB_API_URL", base),
        ("STEPUP_GITHUB_REPO", "contoso/identity".into()),
        ("STEPUP_GITHUB_TOKEN", "github-token-url-tests".into()),
    ];
    let lookup = |name: &str| {
        settings
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    };
    TicketConfig::from_lookup(lookup, std::path::Path::new("/nonexistent"))
        .expect("settings")
        .open(RetryPolicy::fast())
        .expect("sink")
}

/// Percent-decodes a path segment or query value.
fn decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let (b'%', Some(b)) = (bytes[i], hex) {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The raw path segments and query of the only request the server saw.
fn only_request(server: &FakeServer, case: &str) -> (Vec<String>, String) {
    let log = server.raw_log();
    assert_eq!(log.len(), 1, "{case}: {log:?}");
    let target = log[0].split_once(' ').map(|(_, t)| t).unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    for forbidden in ['\\', '#', ' ', '\0'] {
        assert!(!target.contains(forbidden), "{case}: {target}");
    }
    let segments = path.split('/').skip(1).map(str::to_string).collect();
    (segments, query.to_string())
}

#[tokio::test]
async fn projects_and_ids_are_one_encoded_segment() {
    for odd in ODD {
        // Azure DevOps: the ownership map's project names the URL's first segment.
        let server = recorder().await;
        let sink = open(&server, "azure-devops");
        let mut d = draft(key(1, 1), Severity::High, "owner@contoso.com");
        d.project = Some(odd.to_string());
        assert!(sink.create(&d).await.is_err());
        let (segments, _) = only_request(&server, odd);
        assert_eq!(decode(&segments[0]), odd, "{segments:?}");
        assert_eq!(&segments[1..], ["_apis", "wit", "workitems", "$Issue"]);

        // Jira: an issue key from a stored reference.
        let server = recorder().await;
        let sink = open(&server, "jira");
        let reference = TicketRef {
            system: "jira",
            id: odd.to_string(),
            url: None,
        };
        assert!(sink.resolve(&reference, "note").await.is_err());
        let (segments, _) = only_request(&server, odd);
        assert_eq!(
            &segments[..4],
            ["rest", "api", "3", "issue"],
            "{segments:?}"
        );
        assert_eq!(decode(&segments[4]), odd, "{segments:?}");

        // ServiceNow: a sys_id from a stored reference.
        let server = recorder().await;
        let sink = open(&server, "servicenow");
        let reference = TicketRef {
            system: "servicenow",
            id: odd.to_string(),
            url: None,
        };
        assert!(sink.resolve(&reference, "note").await.is_err());
        let (segments, _) = only_request(&server, odd);
        assert_eq!(segments.len(), 5, "{segments:?}");
        assert_eq!(decode(&segments[4]), odd, "{segments:?}");

        // GitHub and Azure DevOps ids are numbers: anything else is refused unsent.
        for system in ["github", "azure-devops"] {
            let server = recorder().await;
            let sink = open(&server, system);
            let reference = TicketRef {
                system: if system == "github" {
                    "github"
                } else {
                    "azure-devops"
                },
                id: odd.to_string(),
                url: None,
            };
            assert!(sink.resolve(&reference, "note").await.is_err());
            assert!(
                server.raw_log().is_empty(),
                "{system} {odd}: {:?}",
                server.raw_log()
            );
        }
    }
}

#[tokio::test]
async fn dot_segments_are_refused_before_any_request() {
    for dots in ["..", "."] {
        let server = recorder().await;
        let sink = open(&server, "azure-devops");
        let mut d = draft(key(1, 1), Severity::High, "owner@contoso.com");
        d.project = Some(dots.to_string());
        let err = sink.create(&d).await.expect_err("refused");
        assert!(err.to_string().contains("refusing"), "{err}");
        for system in ["jira", "servicenow"] {
            let server_b = recorder().await;
            let sink = open(&server_b, system);
            let reference = TicketRef {
                system: if system == "jira" {
                    "jira"
                } else {
                    "servicenow"
                },
                id: dots.to_string(),
                url: None,
            };
            let err = sink.resolve(&reference, "n").await.expect_err("refused");
            assert!(err.to_string().contains("refusing"), "{system}: {err}");
            assert!(
                server_b.raw_log().is_empty(),
                "{system}: {:?}",
                server_b.raw_log()
            );
        }
        assert!(server.raw_log().is_empty(), "{:?}", server.raw_log());
    }
}

#[tokio::test]
async fn owner_e_mails_are_one_encoded_query_value() {
    for email in [
        "a&sysparm_query=active=false@contoso.com",
        "b#frag@contoso.com",
        "c%26d=e@contoso.com",
        "ü ser+tag@contoso.com",
        "semi;colon@contoso.com",
    ] {
        let server = recorder().await;
        let sink = open(&server, "servicenow");
        let d = draft(key(1, 2), Severity::High, email);
        assert!(sink.create(&d).await.is_err());
        let (segments, query) = only_request(&server, email);
        assert_eq!(segments.last().map(String::as_str), Some("sys_user"));
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let queries: Vec<&String> = pairs
            .iter()
            .filter(|(k, _)| k == "sysparm_query")
            .map(|(_, v)| v)
            .collect();
        assert_eq!(queries, [&format!("email={email}^active=true")], "{query}");
    }
    // A `^` would start another condition of ServiceNow's encoded query: no lookup at all.
    let server = recorder().await;
    let sink = open(&server, "servicenow");
    let d = draft(key(1, 3), Severity::High, "x^ORactive=false@contoso.com");
    let _ = sink.create(&d).await;
    assert!(
        server
            .raw_log()
            .iter()
            .all(|line| !line.contains("sys_user")),
        "{:?}",
        server.raw_log()
    );
}
