//! Building blocks of a principal's day: sign-ins and ARM calls planned into a [`DayBuf`].

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::catalog::apps::{self, App, Resource};
use super::catalog::operations::{OpKind, Operation};
use super::catalog::people::City;
use super::catalog::pick;
use super::plan::{
    ArmPlan, ArmStatus, Auth, DayBuf, EventType, Failure, Method, Place, Protocol, SignInPlan, Ua,
    Who,
};
use super::population::UserSpec;
use super::time::{DAY_MS, HOUR_MS, MINUTE_MS};

/// How the writes of a session end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Outcome {
    /// Every write succeeds.
    Succeed,
    /// Every write is rejected for lack of MFA.
    Fail,
    /// Each write is rejected for lack of MFA with this probability.
    Mixed(f64),
    /// Each write is denied by RBAC with this probability (its token had MFA).
    Denied(f64),
}

/// One principal's day being planned.
pub(crate) struct DayCx<'a> {
    /// The day: 0 is the newest.
    pub day: u32,
    /// Days in the window.
    pub days: u32,
    /// Unix ms at which the day starts.
    pub start_ms: i64,
    /// Monday to Friday.
    pub weekday: bool,
    /// The principal's stream for the day.
    pub rng: ChaCha8Rng,
    who: Who,
    seq: u32,
    out: &'a mut DayBuf,
}

/// Where and how a user runs a client for one session.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// The client app.
    pub app: &'static App,
    /// Its user agent.
    pub ua: Ua,
    /// The IP of the interactive sign-in and of the calls.
    pub ip: u32,
    /// Where that is.
    pub place: Place,
    /// When it starts (Unix ms).
    pub start: i64,
    /// The interactive sign-in, if any: how it authenticates and with which protocol.
    pub login: Option<(Auth, Protocol)>,
    /// Non-interactive refreshes.
    pub refreshes: u32,
    /// How refreshes authenticate.
    pub refresh_auth: Auth,
    /// Where refreshes come from (`None`: the session's IP).
    pub refresh_ip: Option<u32>,
    /// Create/update/delete calls, drawn from `change_ops`.
    pub changes: u32,
    /// The operations changes are drawn from.
    pub change_ops: &'static [&'static Operation],
    /// POST `/action` calls.
    pub actions: u32,
    /// GET reads.
    pub reads: u32,
    /// The token's amr.
    pub amr: &'static str,
    /// How writes end.
    pub outcome: Outcome,
}

impl<'a> DayCx<'a> {
    /// A day of `who`, planned into `out`.
    pub(crate) fn new(
        who: Who,
        day: u32,
        days: u32,
        start_ms: i64,
        weekday: bool,
        rng: ChaCha8Rng,
        out: &'a mut DayBuf,
    ) -> Self {
        Self {
            day,
            days,
            start_ms,
            weekday,
            rng,
            who,
            seq: 0,
            out,
        }
    }

    /// Keeps a time inside the day.
    pub(crate) fn clamp(&self, t: i64) -> i64 {
        t.clamp(self.start_ms, self.start_ms + DAY_MS - 1000)
    }

    /// A moment between two local hours in `city`, mapped into the first 21 UTC hours of
    /// the day so that a session's follow-ups stay inside it.
    pub(crate) fn local_time(&mut self, city: &City, from_h: f64, to_h: f64) -> i64 {
        let local = self.rng.gen_range(from_h..to_h);
        let utc = (local - f64::from(city.utc_offset)).rem_euclid(24.0) * 21.0 / 24.0;
        self.start_ms + (utc * HOUR_MS as f64) as i64
    }

    /// A time `lo..hi` minutes after `t`, inside the day.
    pub(crate) fn later(&mut self, t: i64, lo: i64, hi: i64) -> i64 {
        let ms = self.rng.gen_range(lo * MINUTE_MS..hi * MINUTE_MS);
        self.clamp(t + ms)
    }

    fn next(&mut self) -> (u32, u64) {
        self.seq += 1;
        (self.seq, self.rng.gen())
    }

    /// Plans one sign-in.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn signin(
        &mut self,
        at: i64,
        app: Option<&'static App>,
        resource: &'static Resource,
        event: EventType,
        ip: u32,
        ua: Ua,
        auth: Auth,
        protocol: Protocol,
        failure: Option<Failure>,
        place: Place,
    ) {
        let (seq, salt) = self.next();
        self.out.signins.push(SignInPlan {
            at_ms: self.clamp(at),
            who: self.who,
            seq,
            salt,
            app,
            resource,
            event,
            ip,
            ua,
            auth,
            protocol,
            failure,
            place,
        });
    }

    /// Plans the activity-log events of one ARM call: a write's `Started` and end events
    /// (or its single rejection), an action's pair, a read's single event.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn call(
        &mut self,
        at: i64,
        op: &'static Operation,
        amr: Option<&'static str>,
        app: Option<&'static App>,
        ip: u32,
        (sub, rg): (u32, u32),
        outcome: Outcome,
    ) {
        let op_salt: u64 = self.rng.gen();
        let n: u8 = self.rng.gen_range(1..13);
        let at = self.clamp(at);
        let rejected = match outcome {
            Outcome::Succeed => None,
            Outcome::Fail => Some(ArmStatus::FailedMfa),
            Outcome::Mixed(p) => self.rng.gen_bool(p).then_some(ArmStatus::FailedMfa),
            Outcome::Denied(p) => self.rng.gen_bool(p).then_some(ArmStatus::FailedForbidden),
        };
        let push = |cx: &mut Self, at_ms: i64, status: ArmStatus, with_http: bool| {
            let (seq, salt) = cx.next();
            let sub_ms = cx.rng.gen_range(0..10_000);
            cx.out.events.push(ArmPlan {
                at_ms: cx.clamp(at_ms),
                sub_ms,
                who: cx.who,
                seq,
                salt,
                op_salt,
                op,
                status,
                with_http,
                amr,
                app,
                ip,
                sub,
                rg,
                n,
            });
        };
        match (op.kind, rejected) {
            (OpKind::Read, _) => push(self, at, ArmStatus::Succeeded, true),
            (OpKind::Write | OpKind::Delete, Some(status)) => push(self, at, status, true),
            (kind, _) => {
                push(self, at, ArmStatus::Started, true);
                let end = at + self.rng.gen_range(2_000..90_000);
                let status = if kind == OpKind::Delete || self.rng.gen_bool(0.2) {
                    ArmStatus::Accepted
                } else {
                    ArmStatus::Succeeded
                };
                let with_http = self.rng.gen_bool(0.5);
                push(self, end, status, with_http);
            }
        }
    }

    /// Plans a client session of `user`: its interactive sign-in, refreshes and calls.
    pub(crate) fn session(&mut self, user: &UserSpec, s: Session) {
        let mut t = s.start;
        if let Some((auth, protocol)) = s.login {
            self.signin(
                t,
                Some(s.app),
                &apps::ARM,
                EventType::Interactive,
                s.ip,
                s.ua.clone(),
                auth,
                protocol,
                None,
                s.place,
            );
        }
        let refresh_ip = s.refresh_ip.unwrap_or(s.ip);
        for _ in 0..s.refreshes {
            t = self.later(t, 8, 55);
            self.signin(
                t,
                Some(s.app),
                &apps::ARM,
                EventType::NonInteractive,
                refresh_ip,
                s.ua.clone(),
                s.refresh_auth,
                Protocol::None,
                None,
                s.place,
            );
        }
        let scope = (user.sub, user.rg);
        let mut at = s.start;
        // Changes, then actions, then reads, each with its own operations.
        let kinds: [(u32, &[&Operation]); 3] = [
            (s.changes, s.change_ops),
            (s.actions, &super::catalog::operations::ACTIONS),
            (s.reads, &super::catalog::operations::READS),
        ];
        for (count, ops) in kinds {
            for _ in 0..count {
                at = self.later(at, 1, 25);
                let op = *pick(&mut self.rng, ops);
                self.call(
                    at,
                    op,
                    Some(s.amr),
                    Some(s.app),
                    refresh_ip,
                    scope,
                    s.outcome,
                );
            }
        }
    }
}

/// The interactive MFA method a user performs, from their registered methods.
pub(crate) fn method_of(user: &UserSpec) -> Method {
    match user.methods.first().copied() {
        Some("windowsHelloForBusiness") => Method::Whfb,
        Some("fido2SecurityKey") => Method::Fido2,
        Some("softwareOneTimePasscode") => Method::Otp,
        Some("mobilePhone") => Method::Sms,
        _ => Method::Push,
    }
}

/// The amr of an MFA token obtained with `method`.
pub(crate) fn mfa_amr(method: Method) -> &'static str {
    match method {
        Method::Whfb => "rsa,mfa",
        _ => "pwd,mfa",
    }
}
