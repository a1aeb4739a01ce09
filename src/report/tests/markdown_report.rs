//! The Markdown report carries evidence and guidance snippets per account.

use super::fixture::{render, scan, EVIL_UPN};
use crate::report::Format;

#[test]
fn markdown_has_summary_sections_and_guidance_snippets() {
    let s = scan(true, Vec::new());
    let md = render(&s, Format::Md);
    assert!(md.starts_with("# Azure MFA Phase 2 readiness"));
    assert!(
        md.contains("enforced since 2025\\-10\\-01") || md.contains("enforced since 2025-10-01")
    );
    assert!(md.contains("| 82.5% | 40 | 7 | 2 | 1 | 3 | 1 |"), "{md}");
    // Guidance snippets: the cron gets the CLI managed identity, the workflow azure/login.
    assert!(md.contains("```bash"), "{md}");
    assert!(md.contains("az login --identity"));
    assert!(md.contains("```yaml"));
    assert!(md.contains("azure/login@v2"));
    assert!(md.contains("https://aka.ms/mfasetup"));
    assert!(md.contains("Install-Module -Name Az -MinimumVersion 14.3.0"));
    // Tenant id filled into snippets.
    assert!(md.contains("--tenant 72f988bf-86f1-41af-91ab-2d7cd011db47"));
    assert!(!md.contains("<tenant-id>"));
    // Evidence lines.
    assert!(md.contains("Microsoft.Compute/virtualMachines/write (Failed) with amr pwd"));
    // Sections per account, the markup UPN neutralised.
    assert_eq!(md.matches("\n### ").count(), 7);
    assert!(!md.contains(EVIL_UPN));
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;@contoso.com"));
    assert!(!md.contains("<b>bold</b>"));
    assert!(!md.contains("[!WARNING]"));
}

#[test]
fn markdown_shows_days_left_and_the_incomplete_warning() {
    let s = scan(false, vec!["users.json: not JSON".into()]);
    let md = render(&s, Format::Md);
    assert!(md.contains("9 days left"), "{md}");
    assert!(md.contains("[!WARNING]"));
    assert!(md.contains("users.json: not JSON"));
}
