//! A state folder as a real scan leaves it, for chat command tests: a synthetic tenant is
//! scanned offline, its report saved (latest), the lifecycle applied (records and tickets in
//! a file outbox), the weekly snapshot and the people index written.
//!
//! The synthetic tenant's owners are team mailboxes (`platform-team@contoso.com`, …); the
//! people index also lists [`OWNER`] as a directory user with id [`OWNER_ID`], as a shared
//! mailbox would be, so that a sender can be that owner.

use std::path::Path;

use chrono::{DateTime, Utc};
use stepup::detect::records::User;
use stepup::ids::{ObjectId, TenantId};
use stepup::input::{ExportDir, ExportFile};
use stepup::lifecycle::snapshot::WeeklySnapshot;
use stepup::lifecycle::{apply, save_report, LifecycleSettings, ScanContext};
use stepup::offline::{scan_dir, settings_for};
use stepup::report::model::ScanReport;
use stepup::state::{LocalDirStore, StateStore};
use stepup::synth::{generate, SynthOptions};
use stepup::teams::chat::PeopleIndex;
use stepup::tickets::file::FileSink;

/// The owner senders act as.
pub const OWNER: &str = "platform-team@contoso.com";
/// Its object id in the people index.
pub const OWNER_ID: &str = "0e0e0e0e-0000-4000-8000-00000000a11c";

/// What the seeded state holds.
pub struct Seeded {
    /// The tenant.
    pub tenant: TenantId,
    /// The latest report.
    pub report: ScanReport,
    /// The directory users of the tenant.
    pub users: Vec<User>,
}

impl Seeded {
    /// An at-risk account owned by [`OWNER`], with a UPN.
    pub fn owned_upn(&self) -> String {
        self.report
            .accounts
            .iter()
            .filter(|a| a.owner.as_deref() == Some(OWNER))
            .find_map(|a| a.user_principal_name.clone())
            .expect("the synthetic tenant has an at-risk account owned by the platform team")
    }

    /// How many at-risk accounts [`OWNER`] owns.
    pub fn owned_count(&self) -> usize {
        self.report
            .accounts
            .iter()
            .filter(|a| a.owner.as_deref() == Some(OWNER))
            .count()
    }

    /// Directory users that are not at risk, not [`OWNER`]: `n` distinct ones.
    pub fn bystanders(&self, n: usize) -> Vec<&User> {
        let at_risk: Vec<ObjectId> = self.report.accounts.iter().map(|a| a.user_id).collect();
        let found: Vec<&User> = self
            .users
            .iter()
            .filter(|u| !at_risk.contains(&u.id) && u.user_principal_name.is_some())
            .take(n)
            .collect();
        assert_eq!(found.len(), n, "enough users who are not at risk");
        found
    }
}

/// Seeds `state` with a scan at `now` of a synthetic tenant of `users` users.
pub async fn seed(state: &Path, users: usize, now: DateTime<Utc>) -> Seeded {
    let export = state.join("demo-tenant");
    generate(&SynthOptions::new(users, 14, 11), &export).expect("synth");
    let dir = ExportDir::open(&export).expect("export dir");
    let settings = settings_for(&dir, None, &Default::default()).expect("settings");
    let (scan, _) = scan_dir(&dir, &settings, now).expect("scan");
    let report = scan.report.clone();
    let tenant = report.tenant_id.expect("synth names its tenant");

    let store = LocalDirStore::new(state);
    save_report(&store, &tenant, &report)
        .await
        .expect("save report");
    let ctx = ScanContext {
        tenant,
        at: now,
        complete: report.complete,
        enforcement: report.enforcement,
        settings: LifecycleSettings::default(),
    };
    let sink = FileSink::new(state.join("tickets"));
    apply(&store, &sink, &scan.detection.findings, &ctx)
        .await
        .expect("lifecycle");
    WeeklySnapshot::of(tenant, &report, now)
        .save(&store)
        .await
        .expect("snapshot");

    let mut users: Vec<User> = Vec::new();
    dir.read::<User>(ExportFile::Users, |u| users.push(u))
        .expect("users");
    let mailbox: User = serde_json::from_value(serde_json::json!({
        "id": OWNER_ID, "userPrincipalName": OWNER, "mail": OWNER, "displayName": "Platform team"
    }))
    .expect("a user");
    let index = PeopleIndex::from_users(tenant, now, users.iter().chain([&mailbox]));
    index.save(&store as &dyn StateStore).await.expect("people");
    Seeded {
        tenant,
        report,
        users,
    }
}
