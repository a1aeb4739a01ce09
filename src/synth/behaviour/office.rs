//! Microsoft 365 and Graph Explorer sign-ins: out of Phase 2 scope whatever their factor.

use rand::Rng;

use super::super::catalog::apps::{self, App};
use super::super::catalog::pick;
use super::super::catalog::user_agents::OFFICE_CLIENTS;
use super::super::ip;
use super::super::plan::{Auth, EventType, Failure, Place, Protocol, Ua};
use super::super::population::UserSpec;
use super::super::sessions::{method_of, DayCx};
use super::super::time::MINUTE_MS;
use super::OfficeAuth;

/// Microsoft 365 sign-ins: out of Phase 2 scope whatever their factor.
pub(super) fn office(cx: &mut DayCx, u: &UserSpec, mode: OfficeAuth, force: bool) {
    let p = if cx.weekday { 0.5 } else { 0.1 };
    if !force && !cx.rng.gen_bool(p) {
        return;
    }
    let start = cx.local_time(u.city, 7.5, 18.0);
    let ip = if cx.rng.gen_bool(0.15) {
        ip::mobile(&mut cx.rng)
    } else {
        u.workstation_ip
    };
    if force || cx.rng.gen_bool(0.3) {
        let (app, res) = *pick(&mut cx.rng, &apps::OFFICE_PAIRS);
        let auth = match mode {
            OfficeAuth::Mfa if cx.rng.gen_bool(0.5) => Auth::Mfa(method_of(u)),
            OfficeAuth::Mfa => Auth::ClaimMfa,
            OfficeAuth::SingleFactor => Auth::SingleFactor,
            OfficeAuth::Federated => Auth::Federated,
        };
        if cx.rng.gen_bool(0.04) {
            let before = start - 2 * MINUTE_MS;
            let ua = office_ua(app, u);
            let failure = Some(if cx.rng.gen_bool(0.5) {
                Failure::BadPassword
            } else {
                Failure::StrongAuthRequired
            });
            let (ev, proto) = (EventType::Interactive, Protocol::None);
            cx.signin(
                before,
                Some(app),
                res,
                ev,
                ip,
                ua,
                Auth::SingleFactor,
                proto,
                failure,
                Place::Home,
            );
        }
        let ua = office_ua(app, u);
        let ev = EventType::Interactive;
        cx.signin(
            start,
            Some(app),
            res,
            ev,
            ip,
            ua,
            auth,
            Protocol::None,
            None,
            Place::Home,
        );
    }
    let mut t = start;
    for _ in 0..cx.rng.gen_range(0..=2) {
        t = cx.later(t, 20, 150);
        let (app, res) = *pick(&mut cx.rng, &apps::OFFICE_PAIRS);
        let auth = match mode {
            OfficeAuth::Mfa if cx.rng.gen_bool(0.5) => Auth::ClaimSingle,
            OfficeAuth::Mfa => Auth::ClaimMfa,
            OfficeAuth::SingleFactor => Auth::SingleFactor,
            OfficeAuth::Federated => Auth::Federated,
        };
        let ua = office_ua(app, u);
        let ev = EventType::NonInteractive;
        cx.signin(
            t,
            Some(app),
            res,
            ev,
            ip,
            ua,
            auth,
            Protocol::None,
            None,
            Place::Home,
        );
    }
}

fn office_ua(app: &App, u: &UserSpec) -> Ua {
    match app.id {
        id if id == apps::OFFICE_HOME.id => Ua::Browser,
        id if id == apps::OFFICE.id => Ua::Static(OFFICE_CLIENTS[1]),
        id if id == apps::ONEDRIVE.id => Ua::Static(OFFICE_CLIENTS[2]),
        id if id == apps::OUTLOOK_MOBILE.id => Ua::Static(OFFICE_CLIENTS[3]),
        _ if u.browser_ua.contains("Macintosh") => Ua::Browser,
        _ => Ua::Static(OFFICE_CLIENTS[0]),
    }
}

/// Graph Explorer with a password: out of scope.
pub(super) fn graph_explorer(cx: &mut DayCx, u: &UserSpec) {
    let at = cx.local_time(u.city, 9.0, 17.0);
    cx.signin(
        at,
        Some(&apps::GRAPH_EXPLORER),
        &apps::GRAPH,
        EventType::Interactive,
        u.workstation_ip,
        Ua::Browser,
        Auth::SingleFactor,
        Protocol::None,
        None,
        Place::Home,
    );
}
