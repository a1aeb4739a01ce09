//! Unattended use of user accounts: cron jobs, shared token caches, runbooks, CI pipelines
//! and a service account that ran until it was disabled.

use rand::Rng;

use super::super::catalog::apps;
use super::super::catalog::operations::{
    JOB_CHANGES, PIPELINE_CHANGES, SNAPSHOT_WRITE, TAGS_WRITE, VM_DEALLOCATE,
};
use super::super::catalog::people::AZURE_REGIONS;
use super::super::catalog::user_agents::{self, CliForm, CLI_PLATFORMS};
use super::super::ip;
use super::super::persona::Persona;
use super::super::plan::{Auth, EventType, Failure, Place, Protocol, Ua};
use super::super::population::UserSpec;
use super::super::sessions::{DayCx, Outcome, Session};
use super::super::time::MINUTE_MS;

/// Nightly `az login -u -p` on one server, then hourly jobs on the same server.
pub(super) fn ropc_cron(cx: &mut DayCx, u: &UserSpec) {
    let start = cx.local_time(u.city, 2.0, 2.5);
    if cx.rng.gen_bool(0.08) {
        cx.signin(
            start - MINUTE_MS,
            Some(&apps::AZURE_CLI),
            &apps::ARM,
            EventType::Interactive,
            u.server_ip,
            Ua::Cli,
            Auth::SingleFactor,
            Protocol::Ropc,
            Some(Failure::BadPassword),
            Place::Home,
        );
    }
    let session = Session {
        app: &apps::AZURE_CLI,
        ua: Ua::Cli,
        ip: u.server_ip,
        place: Place::Home,
        start,
        login: Some((Auth::SingleFactor, Protocol::Ropc)),
        refreshes: cx.rng.gen_range(1..=4),
        refresh_auth: Auth::SingleFactor,
        refresh_ip: None,
        changes: cx.rng.gen_range(1..=3),
        change_ops: &JOB_CHANGES,
        actions: 0,
        reads: 0,
        amr: "pwd",
        outcome: Outcome::Mixed(0.7),
    };
    cx.session(u, session);
}

/// ROPC on a jump host now and then; a second server refreshes the cached token daily.
pub(super) fn ropc_shared_cache(cx: &mut DayCx, u: &UserSpec, anchor: bool) {
    let start = cx.local_time(u.city, 6.0, 7.0);
    let login = (anchor || cx.rng.gen_bool(0.3)).then_some((Auth::SingleFactor, Protocol::Ropc));
    let session = Session {
        app: &apps::AZURE_POWERSHELL,
        ua: Ua::PowerShell,
        ip: u.jump_ip,
        place: Place::Home,
        start,
        login,
        refreshes: cx.rng.gen_range(2..=5),
        refresh_auth: Auth::SingleFactor,
        refresh_ip: Some(u.server_ip),
        changes: cx.rng.gen_range(1..=2),
        change_ops: &JOB_CHANGES,
        actions: 0,
        reads: 0,
        amr: "pwd",
        outcome: Outcome::Mixed(0.5),
    };
    cx.session(u, session);
}

/// `az login -u -p` and reads only (reads are not in the activity log).
pub(super) fn ropc_reader(cx: &mut DayCx, u: &UserSpec) {
    let start = cx.local_time(u.city, 5.0, 6.0);
    let session = Session {
        app: &apps::AZURE_CLI,
        ua: Ua::Cli,
        ip: u.server_ip,
        place: Place::Home,
        start,
        login: Some((Auth::SingleFactor, Protocol::Ropc)),
        refreshes: cx.rng.gen_range(1..=3),
        refresh_auth: Auth::SingleFactor,
        refresh_ip: None,
        changes: 0,
        change_ops: &JOB_CHANGES,
        actions: 0,
        reads: 0,
        amr: "pwd",
        outcome: Outcome::Succeed,
    };
    cx.session(u, session);
}

/// An Automation runbook: each run signs in with ROPC from a fresh sandbox address.
pub(super) fn runbook(cx: &mut DayCx, u: &UserSpec) {
    for run in 0..cx.rng.gen_range(1..=2) {
        let start = cx.local_time(
            u.city,
            1.0 + 10.0 * f64::from(run),
            2.0 + 10.0 * f64::from(run),
        );
        let region = cx.rng.gen_range(0..AZURE_REGIONS.len()) as u8;
        let ip = ip::azure(&mut cx.rng);
        let session = Session {
            app: &apps::AZURE_POWERSHELL,
            ua: Ua::PowerShell,
            ip,
            place: Place::Azure(region),
            start,
            login: Some((Auth::SingleFactor, Protocol::Ropc)),
            refreshes: cx.rng.gen_range(0..=1),
            refresh_auth: Auth::SingleFactor,
            refresh_ip: None,
            changes: 0,
            change_ops: &JOB_CHANGES,
            actions: 0,
            reads: 0,
            amr: "pwd",
            outcome: Outcome::Mixed(0.8),
        };
        cx.session(u, session);
        let scope = (u.sub, u.rg);
        let ps = Some(&apps::AZURE_POWERSHELL);
        let mut at = start;
        for op in [&SNAPSHOT_WRITE, &TAGS_WRITE, &VM_DEALLOCATE] {
            at = cx.later(at, 1, 10);
            cx.call(at, op, Some("pwd"), ps, ip, scope, Outcome::Mixed(0.8));
        }
    }
}

/// Hosted CI agents refreshing the user's token: no interactive sign-in anywhere.
pub(super) fn pipeline(cx: &mut DayCx, u: &UserSpec, anchor: bool) {
    let runs = if anchor {
        cx.rng.gen_range(1..=3)
    } else if cx.weekday {
        cx.rng.gen_range(0..=3)
    } else {
        cx.rng.gen_range(0..=1)
    };
    let github = u.persona == Persona::PipelineGitHubActions;
    for _ in 0..runs {
        let start = cx.local_time(u.city, 8.0, 19.0);
        let build: u32 = cx.rng.gen_range(1000..99_999);
        let ua = if github {
            let suffix = format!("GITHUBACTIONS/AzureLogin@v2 run/{build}");
            user_agents::azure_cli(CliForm::Lower, "2.71.0", CLI_PLATFORMS[1], &suffix)
        } else {
            let suffix = format!("VSTS_{}_build_{}_{build}", u.id.simple(), 17 + u.instance);
            user_agents::azure_cli(CliForm::Upper, "2.78.0", CLI_PLATFORMS[1], &suffix)
        };
        let region = cx.rng.gen_range(0..AZURE_REGIONS.len()) as u8;
        let ip = ip::azure(&mut cx.rng);
        let session = Session {
            app: &apps::AZURE_CLI,
            ua: Ua::Owned(ua.into_boxed_str()),
            ip,
            place: Place::Azure(region),
            start,
            login: None,
            refreshes: cx.rng.gen_range(1..=2),
            refresh_auth: Auth::SingleFactor,
            refresh_ip: None,
            changes: cx.rng.gen_range(1..=3),
            change_ops: &PIPELINE_CHANGES,
            actions: 1,
            reads: 0,
            amr: "pwd",
            outcome: Outcome::Mixed(0.6),
        };
        cx.session(u, session);
    }
}

/// A service account that kept running until it was disabled halfway through the window.
pub(super) fn leaver(cx: &mut DayCx, u: &UserSpec) {
    let start = cx.local_time(u.city, 3.0, 4.0);
    if cx.day >= cx.days / 2 {
        let session = Session {
            app: &apps::AZURE_CLI,
            ua: Ua::Cli,
            ip: u.server_ip,
            place: Place::Home,
            start,
            login: Some((Auth::SingleFactor, Protocol::Ropc)),
            refreshes: cx.rng.gen_range(0..=2),
            refresh_auth: Auth::SingleFactor,
            refresh_ip: None,
            changes: cx.rng.gen_range(1..=2),
            change_ops: &JOB_CHANGES,
            actions: 0,
            reads: 0,
            amr: "pwd",
            outcome: Outcome::Mixed(0.5),
        };
        cx.session(u, session);
    } else {
        cx.signin(
            start,
            Some(&apps::AZURE_CLI),
            &apps::ARM,
            EventType::Interactive,
            u.server_ip,
            Ua::Cli,
            Auth::SingleFactor,
            Protocol::Ropc,
            Some(Failure::Disabled),
            Place::Home,
        );
    }
}
