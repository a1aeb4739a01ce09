//! The enforcement calendar as data: phases, in-scope ids, dates, the postponement link
//! and the minimum client versions (DESIGN.md §1).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::AppId;

/// Azure CLI's public client id.
pub const AZURE_CLI: AppId = AppId::from_uuid(uuid::uuid!("04b07795-8ddb-461a-bbee-02f9e1bf7b46"));
/// Azure PowerShell's public client id.
pub const AZURE_POWERSHELL: AppId =
    AppId::from_uuid(uuid::uuid!("1950a258-227b-4e31-a9cf-717495945fc2"));
/// The Azure mobile app's client id.
pub const AZURE_MOBILE_APP: AppId =
    AppId::from_uuid(uuid::uuid!("0c1307d4-29d6-4389-a11c-5cbe7f65d7fa"));
/// The Azure portal's client id (Phase 1).
pub const AZURE_PORTAL: AppId =
    AppId::from_uuid(uuid::uuid!("c44b4083-3bb0-49c1-b47d-974e53cbdf3c"));
/// The "Windows Azure Service Management API" resource id (ARM).
pub const SERVICE_MANAGEMENT_API: AppId =
    AppId::from_uuid(uuid::uuid!("797f4846-ba00-4fd7-ba43-dac1f8f63013"));

/// Where a Global Administrator could postpone Phase 2.
pub const POSTPONE_URL: &str = "https://aka.ms/postponePhase2MFA";
/// Microsoft's announcement and planning page for mandatory Azure MFA.
pub const DOCS_URL: &str =
    "https://learn.microsoft.com/entra/identity/authentication/concept-mandatory-multifactor-authentication";

/// Minimum Azure CLI version that surfaces ARM's claims challenge.
pub const MIN_AZURE_CLI: (u32, u32) = (2, 76);
/// Minimum Az PowerShell version that surfaces ARM's claims challenge.
pub const MIN_AZ_POWERSHELL: (u32, u32) = (14, 3);

/// A phase of mandatory Azure MFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Portals (Azure portal, Entra and Intune admin centers), from October 2024.
    Phase1,
    /// Azure Resource Manager create/update/delete, from 2025-10-01 tenant by tenant.
    Phase2,
}

/// Static facts about Phase 2.
pub struct Phase2;

impl Phase2 {
    /// The first day of the tenant-by-tenant rollout; the default when a tenant has not set
    /// its own date.
    pub fn rollout_start() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 10, 1).expect("valid date")
    }

    /// The last date a Global Administrator could postpone Phase 2 to.
    pub fn last_postponement_date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 7, 1).expect("valid date")
    }

    /// Application ids whose sign-ins and tokens are in scope.
    pub const IN_SCOPE_APPS: [AppId; 3] = [AZURE_CLI, AZURE_POWERSHELL, AZURE_MOBILE_APP];

    /// Whether a sign-in to `app` (or to `resource`) is in Phase 2 scope.
    pub fn in_scope(app: Option<&AppId>, resource: Option<&AppId>) -> bool {
        app.is_some_and(|a| Self::IN_SCOPE_APPS.contains(a))
            || resource.is_some_and(|r| *r == SERVICE_MANAGEMENT_API)
    }
}

/// A tenant's Phase 2 status on a given day: the report's `enforcement` object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnforcementStatus {
    /// Always `phase2` for stepup.
    pub phase: Phase,
    /// The tenant's enforcement date.
    pub date: NaiveDate,
    /// Whether the date has been reached.
    pub enforced: bool,
    /// Days until the date (0 once enforced).
    pub days_left: i64,
    /// Days since the date (0 before it).
    pub days_since: i64,
    /// Whether a postponement can still be requested in the portal (before 2026-07-01 and
    /// not yet enforced); after that only a support request lifts enforcement.
    pub postponable: bool,
}

impl EnforcementStatus {
    /// The status of a tenant enforced from `date`, seen on `today`.
    pub fn on(date: NaiveDate, today: NaiveDate) -> Self {
        let delta = (date - today).num_days();
        let enforced = delta <= 0;
        Self {
            phase: Phase::Phase2,
            date,
            enforced,
            days_left: delta.max(0),
            days_since: (-delta).max(0),
            postponable: !enforced && today < Phase2::last_postponement_date(),
        }
    }

    /// One line for people: "enforced since 2025-10-01 (417 days): these calls fail now" or
    /// "enforced from 2026-12-01: 9 days left".
    pub fn headline(&self) -> String {
        if self.enforced {
            format!(
                "enforced since {} ({} days): these calls fail now",
                self.date, self.days_since
            )
        } else {
            format!(
                "enforced from {}: {} day{} left",
                self.date,
                self.days_left,
                if self.days_left == 1 { "" } else { "s" }
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn before_on_and_after_the_date() {
        let before = EnforcementStatus::on(d(2026, 12, 1), d(2026, 11, 22));
        assert!(!before.enforced);
        assert_eq!((before.days_left, before.days_since), (9, 0));
        assert_eq!(before.headline(), "enforced from 2026-12-01: 9 days left");
        assert!(!before.postponable, "postponement closed after 2026-07-01");

        let on = EnforcementStatus::on(d(2026, 11, 22), d(2026, 11, 22));
        assert!(on.enforced);
        assert_eq!((on.days_left, on.days_since), (0, 0));

        let after = EnforcementStatus::on(Phase2::rollout_start(), d(2026, 11, 22));
        assert!(after.enforced);
        assert_eq!(after.days_since, 417);
        assert!(after
            .headline()
            .starts_with("enforced since 2025-10-01 (417 days)"));

        let early = EnforcementStatus::on(d(2026, 3, 1), d(2026, 1, 10));
        assert!(early.postponable);
    }

    #[test]
    fn scope_by_app_or_resource() {
        let cli = AppId::parse("04b07795-8ddb-461a-bbee-02f9e1bf7b46").unwrap();
        let arm = SERVICE_MANAGEMENT_API;
        let portal = AZURE_PORTAL;
        assert!(Phase2::in_scope(Some(&cli), None));
        assert!(Phase2::in_scope(Some(&portal), Some(&arm)));
        assert!(!Phase2::in_scope(Some(&portal), None));
        assert!(!Phase2::in_scope(None, None));
    }
}
