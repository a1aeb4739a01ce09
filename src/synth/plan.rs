//! Compact plans of sign-ins and ARM events: drawn per principal and day, sorted, then
//! rendered one by one, so no rendered record is ever held in memory.

use super::catalog::apps::{App, Resource};
use super::catalog::operations::Operation;

/// Whose event: a user (index into the population's users) or a workload identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Who {
    /// A user account.
    User(u32),
    /// A service principal or managed identity.
    Workload(u32),
}

/// `signInEventTypes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventType {
    /// `interactiveUser`.
    Interactive,
    /// `nonInteractiveUser`.
    NonInteractive,
    /// `servicePrincipal`.
    ServicePrincipal,
    /// `managedIdentity`.
    ManagedIdentity,
}

/// A second factor or passwordless method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// Authenticator push notification.
    Push,
    /// Authenticator code.
    Otp,
    /// Text message.
    Sms,
    /// FIDO2 security key (passwordless, phishing-resistant).
    Fido2,
    /// Windows Hello for Business (passwordless, phishing-resistant).
    Whfb,
}

/// How a sign-in was authenticated, as `authenticationRequirement`,
/// `status.additionalDetails` and `authenticationDetails` show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// Password only: `singleFactorAuthentication`.
    SingleFactor,
    /// MFA performed now: `multiFactorAuthentication`.
    Mfa(Method),
    /// A refresh whose token carries MFA: `multiFactorAuthentication`, "MFA requirement
    /// satisfied by claim in the token".
    ClaimMfa,
    /// A refresh shown as `singleFactorAuthentication` but "MFA requirement satisfied by
    /// claim in the token" (counts as MFA).
    ClaimSingle,
    /// Federated (AD FS) sign-in, `singleFactorAuthentication`, MFA claim in the token.
    Federated,
    /// A workload identity's credential.
    App,
}

/// `authenticationProtocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// `none`.
    None,
    /// `ropc` (username and password in a script).
    Ropc,
    /// `deviceCode`.
    DeviceCode,
}

/// Why a sign-in failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// 50076: MFA required.
    MfaRequired,
    /// 50126: wrong password.
    BadPassword,
    /// 50057: account disabled.
    Disabled,
    /// 50074: strong authentication required.
    StrongAuthRequired,
}

/// Which user agent a sign-in carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ua {
    /// The user's Azure CLI.
    Cli,
    /// The user's Az PowerShell.
    PowerShell,
    /// The user's browser.
    Browser,
    /// A fixed string.
    Static(&'static str),
    /// A per-run string (CI markers).
    Owned(Box<str>),
    /// No user agent.
    Empty,
}

/// Where a sign-in or call came from, for `location`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// The user's city.
    Home,
    /// An Azure region (index into `AZURE_REGIONS`).
    Azure(u8),
}

/// One planned sign-in.
#[derive(Debug, Clone)]
pub(crate) struct SignInPlan {
    /// Unix milliseconds.
    pub at_ms: i64,
    /// Whose sign-in.
    pub who: Who,
    /// Order within the principal's day.
    pub seq: u32,
    /// Seed of the record's ids.
    pub salt: u64,
    /// The client application (`None`: the workload identity's own).
    pub app: Option<&'static App>,
    /// The resource.
    pub resource: &'static Resource,
    /// Interactive, non-interactive, service principal or managed identity.
    pub event: EventType,
    /// The caller's IPv4 address.
    pub ip: u32,
    /// The user agent.
    pub ua: Ua,
    /// How it was authenticated.
    pub auth: Auth,
    /// The protocol.
    pub protocol: Protocol,
    /// `None` for success (`errorCode` 0).
    pub failure: Option<Failure>,
    /// Where.
    pub place: Place,
}

/// An activity-log event's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArmStatus {
    /// The `BeginRequest` event of a write.
    Started,
    /// Finished (`EndRequest`, 200/201).
    Succeeded,
    /// Accepted for asynchronous completion (202).
    Accepted,
    /// Rejected because the token lacked MFA (after enforcement).
    FailedMfa,
    /// Rejected by RBAC.
    FailedForbidden,
}

/// One planned activity-log event.
#[derive(Debug, Clone)]
pub(crate) struct ArmPlan {
    /// Unix milliseconds.
    pub at_ms: i64,
    /// 100 ns units below the millisecond.
    pub sub_ms: u16,
    /// Whose call.
    pub who: Who,
    /// Order within the principal's day.
    pub seq: u32,
    /// Seed of this event's own ids.
    pub salt: u64,
    /// Seed shared by the events of one operation (correlation and operation ids).
    pub op_salt: u64,
    /// The operation.
    pub op: &'static Operation,
    /// Its status.
    pub status: ArmStatus,
    /// Whether `httpRequest` is present.
    pub with_http: bool,
    /// The token's amr (`None` for workload identities, whose tokens carry none).
    pub amr: Option<&'static str>,
    /// The client app of a user's token (`None`: the workload's own app id).
    pub app: Option<&'static App>,
    /// The caller's IPv4 address.
    pub ip: u32,
    /// Subscription index.
    pub sub: u32,
    /// Resource group index within the subscription.
    pub rg: u32,
    /// Resource number.
    pub n: u8,
}

/// The plans of one day, for every principal.
#[derive(Debug, Default)]
pub(crate) struct DayBuf {
    /// Sign-ins.
    pub signins: Vec<SignInPlan>,
    /// Activity-log events.
    pub events: Vec<ArmPlan>,
}

impl DayBuf {
    /// Empties the buffers, keeping their capacity.
    pub(crate) fn clear(&mut self) {
        self.signins.clear();
        self.events.clear();
    }

    /// Sorts newest first, as Graph and ARM return records.
    pub(crate) fn sort_newest_first(&mut self) {
        self.signins
            .sort_unstable_by(|a, b| (b.at_ms, a.who, a.seq).cmp(&(a.at_ms, b.who, b.seq)));
        self.events.sort_unstable_by(|a, b| {
            (b.at_ms, b.sub_ms, a.who, a.seq).cmp(&(a.at_ms, a.sub_ms, b.who, b.seq))
        });
    }
}
