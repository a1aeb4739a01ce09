//! The offline scan: an export directory in, a [`Scan`] out (DESIGN.md §4).
//!
//! Every record of every file is used, whatever its age; a malformed record is reported with
//! its file and line and the scan goes on, marked incomplete.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::detect::records::{
    ActivityEvent, RegistrationDetails, RoleAssignment, RoleDefinition, SignIn, Subscription, User,
};
use crate::detect::Aggregator;
use crate::input::{ExportDir, ExportFile, InputError, ReadStats};
use crate::report::model::ScanReport;
use crate::report::Scan;
use crate::settings::{SettingsError, TenantSettings};

/// Why an offline scan could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum OfflineError {
    /// The directory is missing or holds neither sign-ins nor activity.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The tenant settings file is unreadable or invalid.
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

/// What an offline scan read, for progress and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadTotals {
    /// Records read, all files.
    pub records: u64,
    /// Bytes read, all files.
    pub bytes: u64,
}

/// Tenant settings for a scan of `dir`: the explicit file, else `dir/stepup.toml`, else
/// `fallback` (the environment's).
pub fn settings_for(
    dir: &ExportDir,
    explicit: Option<&Path>,
    fallback: &TenantSettings,
) -> Result<TenantSettings, OfflineError> {
    match explicit
        .map(Path::to_path_buf)
        .or_else(|| dir.settings_path())
    {
        Some(path) => Ok(TenantSettings::load(&path)?),
        None => Ok(fallback.clone()),
    }
}

/// Scans an export directory with the given settings, as of `now`.
pub fn scan_dir(
    dir: &ExportDir,
    settings: &TenantSettings,
    now: DateTime<Utc>,
) -> Result<(Scan, ReadTotals), OfflineError> {
    let mut aggregator = Aggregator::new(settings);
    let mut problems = Vec::new();
    let mut totals = ReadTotals::default();
    let mut tally = |stats: ReadStats| {
        totals.records += stats.records;
        totals.bytes += stats.bytes;
        problems.extend(stats.problems.iter().map(ToString::to_string));
    };
    // Definitions and directory data first only for readability: results do not depend on order.
    tally(
        dir.read::<RoleDefinition>(ExportFile::RoleDefinitions, |r| {
            aggregator.add_role_definition(r)
        })?,
    );
    tally(dir.read::<Subscription>(ExportFile::Subscriptions, |r| {
        aggregator.add_subscription(r)
    })?);
    tally(dir.read::<User>(ExportFile::Users, |r| aggregator.add_user(r))?);
    tally(
        dir.read::<RegistrationDetails>(ExportFile::RegistrationDetails, |r| {
            aggregator.add_registration(r)
        })?,
    );
    tally(
        dir.read::<RoleAssignment>(ExportFile::RoleAssignments, |r| {
            aggregator.add_role_assignment(r)
        })?,
    );
    tally(dir.read::<SignIn>(ExportFile::SignIns, |r| aggregator.add_sign_in(r))?);
    tally(dir.read::<ActivityEvent>(ExportFile::ActivityLog, |r| aggregator.add_activity(r))?);
    let detection = aggregator.finish();
    let report = ScanReport::build(
        &detection,
        settings.tenant_id,
        settings.effective_enforcement_date(),
        now,
        problems,
    );
    Ok((Scan { report, detection }, totals))
}
