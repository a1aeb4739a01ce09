//! People at their own devices: single-factor and MFA client sessions, the portal, the
//! mobile app, federated sign-ins and failed attempts.

use rand::Rng;

use super::super::catalog::apps::{self, App};
use super::super::catalog::operations::PERSON_CHANGES;
use super::super::catalog::user_agents::AZURE_MOBILE;
use super::super::catalog::{pick, pick_str};
use super::super::ip;
use super::super::persona::Persona;
use super::super::plan::{Auth, EventType, Failure, Method, Place, Protocol, Ua};
use super::super::population::{AccountKind, UserSpec};
use super::super::sessions::{method_of, mfa_amr, DayCx, Outcome, Session};
use super::super::time::MINUTE_MS;

/// A workstation session with a password-only sign-in, refreshes on the same machine, and
/// (when `min_changes` > 0) single-factor writes.
pub(super) fn single_factor(
    cx: &mut DayCx,
    u: &UserSpec,
    app: &'static App,
    ua: Ua,
    amr: &'static str,
    min_changes: u32,
    outcome: Outcome,
) {
    let start = cx.local_time(u.city, 8.5, 17.5);
    let refreshes = cx.rng.gen_range(1..=3);
    let changes = if min_changes == 0 {
        0
    } else {
        cx.rng.gen_range(min_changes..=3)
    };
    let actions = if min_changes == 0 {
        0
    } else {
        cx.rng.gen_range(0..=1)
    };
    let session = Session {
        app,
        ua,
        ip: u.workstation_ip,
        place: Place::Home,
        start,
        login: Some((Auth::SingleFactor, Protocol::None)),
        refreshes,
        refresh_auth: Auth::SingleFactor,
        refresh_ip: None,
        changes,
        change_ops: &PERSON_CHANGES,
        actions,
        reads: 0,
        amr,
        outcome,
    };
    cx.session(u, session);
}

/// The Azure portal with MFA, and `changes` writes from it.
pub(super) fn portal(cx: &mut DayCx, u: &UserSpec, changes: u32) {
    let start = cx.local_time(u.city, 8.0, 18.0);
    let method = method_of(u);
    let login = if u.methods.contains(&"fido2SecurityKey") && u.kind == AccountKind::BreakGlass {
        Auth::Mfa(Method::Fido2)
    } else {
        Auth::Mfa(method)
    };
    let session = Session {
        app: &apps::AZURE_PORTAL,
        ua: Ua::Browser,
        ip: u.workstation_ip,
        place: Place::Home,
        start,
        login: Some((login, Protocol::None)),
        refreshes: 0,
        refresh_auth: Auth::ClaimMfa,
        refresh_ip: None,
        changes: cx.rng.gen_range(0..=changes),
        change_ops: &PERSON_CHANGES,
        actions: 0,
        reads: 0,
        amr: mfa_amr(method),
        outcome: Outcome::Denied(0.03),
    };
    cx.session(u, session);
}

/// Writes with an `fed` token and no in-scope sign-in in the export.
pub(super) fn arm_only(cx: &mut DayCx, u: &UserSpec) {
    let mut at = cx.local_time(u.city, 9.0, 17.0);
    let cli = Some(&apps::AZURE_CLI);
    for _ in 0..cx.rng.gen_range(1..=3) {
        at = cx.later(at, 2, 30);
        let op = *pick(&mut cx.rng, &PERSON_CHANGES);
        let scope = (u.sub, u.rg);
        cx.call(
            at,
            op,
            Some("fed"),
            cli,
            u.workstation_ip,
            scope,
            Outcome::Mixed(0.5),
        );
    }
}

/// Single-factor CLI use whose ARM calls are POST actions and reads only.
pub(super) fn reads_and_actions(cx: &mut DayCx, u: &UserSpec) {
    let start = cx.local_time(u.city, 8.5, 17.5);
    let session = Session {
        app: &apps::AZURE_CLI,
        ua: Ua::Cli,
        ip: u.workstation_ip,
        place: Place::Home,
        start,
        login: Some((Auth::SingleFactor, Protocol::None)),
        refreshes: cx.rng.gen_range(1..=2),
        refresh_auth: Auth::SingleFactor,
        refresh_ip: None,
        changes: 0,
        change_ops: &PERSON_CHANGES,
        actions: cx.rng.gen_range(1..=3),
        reads: cx.rng.gen_range(0..=2),
        amr: "pwd",
        outcome: Outcome::Succeed,
    };
    cx.session(u, session);
}

/// The Azure mobile app on a phone: sign-in and refreshes from the carrier's address.
pub(super) fn mobile_app(cx: &mut DayCx, u: &UserSpec) {
    let start = cx.local_time(u.city, 7.0, 22.0);
    let ip = ip::mobile(&mut cx.rng);
    let ua = Ua::Static(pick_str(&mut cx.rng, &AZURE_MOBILE));
    let session = Session {
        app: &apps::AZURE_MOBILE_APP,
        ua,
        ip,
        place: Place::Home,
        start,
        login: Some((Auth::SingleFactor, Protocol::None)),
        refreshes: cx.rng.gen_range(0..=2),
        refresh_auth: Auth::SingleFactor,
        refresh_ip: None,
        changes: 0,
        change_ops: &PERSON_CHANGES,
        actions: 0,
        reads: 0,
        amr: "pwd",
        outcome: Outcome::Succeed,
    };
    cx.session(u, session);
}

/// A client used with MFA. Refreshes carry the MFA claim; for the workstation persona they
/// come from the workstation and say `singleFactorAuthentication` with the claim.
pub(super) fn with_mfa(cx: &mut DayCx, u: &UserSpec, app: &'static App, ua: Ua) {
    let start = cx.local_time(u.city, 8.5, 17.5);
    let method = method_of(u);
    let workstation = u.persona == Persona::WorkstationMfaRefresh;
    let protocol = if !workstation && cx.rng.gen_bool(0.3) {
        Protocol::DeviceCode
    } else {
        Protocol::None
    };
    let refresh_ip = if workstation || cx.rng.gen_bool(0.5) {
        None
    } else {
        Some(ip::residential(&mut cx.rng))
    };
    let session = Session {
        app,
        ua,
        ip: u.workstation_ip,
        place: Place::Home,
        start,
        login: Some((Auth::Mfa(method), protocol)),
        refreshes: cx.rng.gen_range(1..=4),
        refresh_auth: if workstation {
            Auth::ClaimSingle
        } else {
            Auth::ClaimMfa
        },
        refresh_ip,
        changes: cx.rng.gen_range(0..=3),
        change_ops: &PERSON_CHANGES,
        actions: cx.rng.gen_range(0..=1),
        reads: 0,
        amr: mfa_amr(method),
        outcome: Outcome::Denied(0.03),
    };
    cx.session(u, session);
}

/// AD FS sign-ins whose MFA comes as a claim; refreshes from elsewhere too.
pub(super) fn federated(cx: &mut DayCx, u: &UserSpec) {
    let start = cx.local_time(u.city, 8.5, 17.5);
    let elsewhere = ip::residential(&mut cx.rng);
    let session = Session {
        app: &apps::AZURE_CLI,
        ua: Ua::Cli,
        ip: u.workstation_ip,
        place: Place::Home,
        start,
        login: Some((Auth::Federated, Protocol::None)),
        refreshes: cx.rng.gen_range(1..=3),
        refresh_auth: Auth::Federated,
        refresh_ip: Some(elsewhere),
        changes: cx.rng.gen_range(1..=3),
        change_ops: &PERSON_CHANGES,
        actions: 0,
        reads: 0,
        amr: "fed,mfa",
        outcome: Outcome::Succeed,
    };
    cx.session(u, session);
}

/// Sign-ins that all fail: MFA required for the CLI, a wrong password in a script.
pub(super) fn failed_only(cx: &mut DayCx, u: &UserSpec) {
    let start = cx.local_time(u.city, 8.5, 17.5);
    let cli = Some(&apps::AZURE_CLI);
    let (ev, arm) = (EventType::Interactive, &apps::ARM);
    for k in 0..cx.rng.gen_range(1..=2) {
        let at = start + i64::from(k) * 3 * MINUTE_MS;
        let failure = Some(Failure::MfaRequired);
        let ip = u.workstation_ip;
        cx.signin(
            at,
            cli,
            arm,
            ev,
            ip,
            Ua::Cli,
            Auth::SingleFactor,
            Protocol::None,
            failure,
            Place::Home,
        );
    }
    if cx.rng.gen_bool(0.5) {
        let at = cx.later(start, 30, 120);
        let failure = Some(Failure::BadPassword);
        let ip = u.server_ip;
        cx.signin(
            at,
            cli,
            arm,
            ev,
            ip,
            Ua::Cli,
            Auth::SingleFactor,
            Protocol::Ropc,
            failure,
            Place::Home,
        );
    }
}

/// An ordinary Azure user's session: portal, CLI or PowerShell, always with MFA.
pub(super) fn noise_azure(cx: &mut DayCx, u: &UserSpec) {
    let roll: f64 = cx.rng.gen();
    if roll < 0.3 {
        portal(cx, u, 3);
    } else if roll < 0.75 {
        with_mfa(cx, u, &apps::AZURE_CLI, Ua::Cli);
    } else {
        with_mfa(cx, u, &apps::AZURE_POWERSHELL, Ua::PowerShell);
    }
}
