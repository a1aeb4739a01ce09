//! The HTML page is self-contained, escaped, and shows the countdown in both states.

use super::fixture::{render, scan, EVIL_UPN};
use crate::calendar::POSTPONE_URL;
use crate::report::Format;

/// Every start tag (`<name …>`) in the page.
fn start_tags(html: &str) -> Vec<&str> {
    html.split('<')
        .skip(1)
        .filter_map(|rest| rest.split('>').next())
        .filter(|tag| tag.starts_with(|c: char| c.is_ascii_alphabetic()))
        .collect()
}

#[test]
fn html_loads_nothing_from_the_network() {
    let page = render(&scan(true, Vec::new()), Format::Html);
    let lower = page.to_ascii_lowercase();
    for banned in [
        "<script", "<link", "<img", "<iframe", "@import", "url(", "<object", "<embed",
    ] {
        assert!(!lower.contains(banned), "page contains {banned}");
    }
    let mut anchors = 0;
    for tag in start_tags(&page) {
        let name = tag.split_whitespace().next().unwrap_or("");
        if tag.contains("src=") {
            panic!("tag with src: <{tag}>");
        }
        if tag.contains("href=") {
            assert_eq!(name, "a", "only plain links may have href: <{tag}>");
            anchors += 1;
        }
    }
    assert!(anchors > 5, "guidance links are plain anchors");
    assert!(page.contains(&format!("href=\"{POSTPONE_URL}\"")));
    assert!(page.contains("<svg"), "inline chart");
    assert!(page.contains("<style>"));
}

#[test]
fn html_escapes_account_data() {
    let page = render(&scan(true, Vec::new()), Format::Html);
    assert!(!page.contains(EVIL_UPN));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;@contoso.com"));
    assert!(!page.contains("<b>bold</b>"));
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt;"));
}

#[test]
fn html_countdown_for_enforced_and_upcoming() {
    let enforced = render(&scan(true, Vec::new()), Format::Html);
    assert!(enforced.contains("Enforced since 2025-10-01 (417 days): these calls fail now."));
    assert!(enforced.contains("2026-07-01"));
    assert!(enforced.contains("support request"));
    assert!(!enforced.contains("days left"));

    let upcoming = render(&scan(false, Vec::new()), Format::Html);
    assert!(upcoming.contains("9 days left"), "countdown");
    assert!(upcoming.contains("Phase 2 is enforced from 2026-12-01."));
    assert!(upcoming.contains("2026-07-01"));
    assert!(!upcoming.contains("these calls fail now."));
}

#[test]
fn html_lists_accounts_with_evidence_owner_and_guidance() {
    let s = scan(true, Vec::new());
    let page = render(&s, Format::Html);
    assert!(page.contains("82.5%"));
    assert_eq!(page.matches("<details").count(), 7);
    assert!(page.contains("svc-backup@contoso.com"));
    assert!(page.contains("platform-team@contoso.com"));
    assert!(page.contains("via ownership map"));
    assert!(page.contains("Microsoft.Compute/virtualMachines/write"));
    assert!(page.contains("IP 10.1.2.3"));
    assert!(page.contains("az login --identity"));
    assert!(page.contains("azure/login@v2"));
    assert!(page.contains("FIDO2"));
    assert!(page.contains("break-glass"));
    assert!(!page.contains("role=\"alert\""));
}

#[test]
fn html_incomplete_scan_shows_a_warning_banner_with_problems() {
    let s = scan(
        true,
        vec!["roleAssignments.json: record 2: missing principalId".into()],
    );
    let page = render(&s, Format::Html);
    assert!(page.contains("role=\"alert\""));
    assert!(page.contains("Incomplete scan"));
    assert!(page.contains("roleAssignments.json: record 2: missing principalId"));
}

/// Writes `target/sample.html`, `target/sample-upcoming.html` and `target/sample.md` for a visual check
/// (`cargo test --lib write_samples -- --ignored`).
#[test]
#[ignore]
fn write_samples() {
    let s = scan(
        true,
        vec!["activityLog.json: subscription 0000…: 403 Forbidden (skipped)".into()],
    );
    let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::write(target.join("sample.html"), render(&s, Format::Html)).unwrap();
    std::fs::write(target.join("sample.md"), render(&s, Format::Md)).unwrap();
    let upcoming = scan(false, Vec::new());
    std::fs::write(
        target.join("sample-upcoming.html"),
        render(&upcoming, Format::Html),
    )
    .unwrap();
}
