//! Deterministic synthetic tenants in the export layout, with labelled personas.
//!
//! [`generate`] writes the files of DESIGN.md §4 (`signIns.json`, `activityLog.json`, the
//! directory, role and subscription exports, `stepup.toml`) plus `expected.json`: what
//! detection must report, stated from the contract by persona (see [`Persona`]). The same
//! options always produce byte-identical files: every record comes from a ChaCha stream
//! keyed by seed, principal and day, and nothing depends on hash order or the clock.
//! Events are planned one day at a time, sorted newest first and streamed out, so memory
//! grows with the number of accounts, not with the number of events.

mod azure_files;
mod behaviour;
mod catalog;
mod directory_files;
mod error;
mod expected;
mod ip;
mod persona;
mod plan;
mod population;
mod render_arm;
mod render_signin;
mod rng;
mod sessions;
mod settings_file;
mod sink;
mod time;

#[cfg(test)]
mod tests;

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};

use crate::ids::TenantId;

pub use error::SynthError;
pub use expected::{DisabledEntry, ExcludedAccount, ExpectedAccount, ExpectedReport, EXPECTED};
pub use persona::{severity_of, Count, Expectation, Persona};

use plan::{DayBuf, Who};
use render_arm::ArmView;
use render_signin::SignInView;
use sessions::DayCx;
use sink::{Sink, Written};
use time::{iso_weekday, DAY_MS};

/// File name of the sign-ins export (JSON Lines of Graph beta `signIn` objects).
pub const SIGN_INS: &str = "signIns.json";
/// File name of the activity-log export (JSON Lines of ARM events).
pub const ACTIVITY_LOG: &str = "activityLog.json";

/// The longest window the activity log keeps.
pub const MAX_DAYS: u32 = 90;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthOptions {
    /// User accounts in the directory (workload identities come on top).
    pub users: usize,
    /// Days of sign-ins and activity, ending at `end`.
    pub days: u32,
    /// The seed: the same options give byte-identical files.
    pub seed: u64,
    /// The end of the window (exclusive).
    pub end: DateTime<Utc>,
    /// The tenant's id.
    pub tenant_id: TenantId,
    /// Subscriptions.
    pub subscriptions: usize,
}

impl SynthOptions {
    /// Options ending at 2026-11-20T00:00:00Z, with a tenant id derived from the seed and
    /// `max(3, users / 500)` subscriptions.
    pub fn new(users: usize, days: u32, seed: u64) -> Self {
        let end = Utc
            .with_ymd_and_hms(2026, 11, 20, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let tenant = rng::guid(&mut rng::stream(seed, rng::Stream::Tenant, 1, 0));
        Self {
            users,
            days,
            seed,
            end,
            tenant_id: TenantId::from_uuid(tenant),
            subscriptions: (users / 500).max(3),
        }
    }

    fn validate(&self) -> Result<(), SynthError> {
        if self.days == 0 || self.days > MAX_DAYS {
            return Err(SynthError::InvalidOptions(format!(
                "days must be between 1 and {MAX_DAYS} (got {})",
                self.days
            )));
        }
        if self.subscriptions == 0 || self.subscriptions > 10_000 {
            return Err(SynthError::InvalidOptions(format!(
                "subscriptions must be between 1 and 10000 (got {})",
                self.subscriptions
            )));
        }
        if self.users > 10_000_000 {
            return Err(SynthError::InvalidOptions(format!(
                "at most 10000000 users (got {})",
                self.users
            )));
        }
        population::per_persona(self.users).map(|_| ())
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthSummary {
    /// Each file's name and size in bytes, in writing order.
    pub files: Vec<(String, u64)>,
    /// Records written across all files.
    pub records: u64,
    /// Accounts `expected.json` says detection must report.
    pub expected_at_risk: usize,
}

/// Writes a synthetic tenant into `out_dir` (created if missing).
pub fn generate(opts: &SynthOptions, out_dir: &Path) -> Result<SynthSummary, SynthError> {
    opts.validate()?;
    std::fs::create_dir_all(out_dir).map_err(|source| SynthError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let end_ms = opts.end.timestamp_millis();
    let pop = population::build(
        opts.seed,
        *opts.tenant_id.as_uuid(),
        opts.users,
        opts.subscriptions,
        opts.days,
        end_ms,
    )?;

    let mut written: Vec<Written> = Vec::with_capacity(9);
    written.extend(write_events(opts, &pop, out_dir, end_ms)?);
    written.push(directory_files::write_users(out_dir, &pop)?);
    written.push(directory_files::write_registration(out_dir, &pop, end_ms)?);
    written.push(azure_files::write_role_assignments(out_dir, &pop)?);
    written.push(azure_files::write_role_definitions(out_dir, &pop, end_ms)?);
    written.push(azure_files::write_subscriptions(out_dir, &pop)?);
    written.push(settings_file::write_settings(out_dir, &pop, opts.seed)?);
    let expected = ExpectedReport::of(&pop);
    written.push(expected.write(out_dir)?);

    Ok(SynthSummary {
        files: written
            .iter()
            .map(|w| (w.name.to_string(), w.bytes))
            .collect(),
        records: written.iter().map(|w| w.records).sum(),
        expected_at_risk: expected.accounts.len(),
    })
}

/// Plans each day for every principal, newest day first, and streams the sign-ins and
/// activity-log events out in Graph's and ARM's newest-first order.
fn write_events(
    opts: &SynthOptions,
    pop: &population::Population,
    dir: &Path,
    end_ms: i64,
) -> Result<[Written; 2], SynthError> {
    let mut signins = Sink::lines(dir, SIGN_INS)?;
    let mut events = Sink::lines(dir, ACTIVITY_LOG)?;
    let mut buf = DayBuf::default();
    for day in 0..opts.days {
        let start = end_ms - (i64::from(day) + 1) * DAY_MS;
        let weekday = iso_weekday(start) <= 5;
        buf.clear();
        for (i, u) in pop.users.iter().enumerate() {
            let rng = rng::stream(opts.seed, rng::Stream::Day, i as u64, u64::from(day));
            let who = Who::User(i as u32);
            let mut cx = DayCx::new(who, day, opts.days, start, weekday, rng, &mut buf);
            behaviour::user_day(&mut cx, u);
        }
        for (j, w) in pop.workloads.iter().enumerate() {
            let key = (1u64 << 40) + j as u64;
            let rng = rng::stream(opts.seed, rng::Stream::Day, key, u64::from(day));
            let who = Who::Workload(j as u32);
            let mut cx = DayCx::new(who, day, opts.days, start, weekday, rng, &mut buf);
            behaviour::workload_day(&mut cx, w);
        }
        buf.sort_newest_first();
        for s in &buf.signins {
            signins.record(&SignInView::new(s, pop))?;
        }
        for e in &buf.events {
            events.record(&ArmView::new(e, pop, end_ms - 1))?;
        }
    }
    Ok([signins.finish()?, events.finish()?])
}
