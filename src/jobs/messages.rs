//! The message contracts of the two queues. Every message is a JSON object with a `kind`
//! (camelCase fields), small enough for a queue message: bulky data (pages read so far,
//! partial aggregates, reports) stays in state and messages refer to it.
//!
//! `stepup-jobs` ([`JobMessage`]):
//! - `{"kind":"plan","runId","tenant","reason","requestedBy"}`: start a scan run of one
//!   tenant; the worker lists what to read and fans out one `source` job per source.
//! - `{"kind":"source","runId","tenant","source":{"name":…},"cursor":…,"attempt":0}`: read one
//!   source of the run (a tenant source, or one subscription's); `cursor` is `null` on the
//!   first leg and the checkpoint of the previous leg on a continuation.
//!
//! `stepup-notify` ([`NotifyMessage`]):
//! - `{"kind":"broadcast",…}`: post the enforcement broadcast of a tenant.
//! - `{"kind":"ownerNotice",…}`: notify one owner about their accounts after a run.
//! - `{"kind":"digest",…}`: post the readiness digest.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::RunId;
use crate::ids::{ObjectId, SubscriptionId, TenantId};

/// A message of `stepup-jobs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum JobMessage {
    /// Plan a run of one tenant.
    Plan(PlanJob),
    /// Read one source of a run.
    Source(SourceJob),
}

/// Plans a scan run of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanJob {
    /// The run.
    pub run_id: RunId,
    /// The tenant scanned.
    pub tenant: TenantId,
    /// Why (`timer`, `service-health notice YT4M-9QZ`, `chat scan`).
    pub reason: String,
    /// Who or what asked (`timer:scan`, `service-health:<trackingId>`, `teams:<aadObjectId>`).
    pub requested_by: String,
}

/// Reads one source of a run: all of it, or up to the job's time budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceJob {
    /// The run.
    pub run_id: RunId,
    /// The tenant.
    pub tenant: TenantId,
    /// What to read.
    pub source: Source,
    /// Where the previous leg stopped; `None` on the first leg.
    #[serde(default)]
    pub cursor: Option<Cursor>,
    /// How many legs ran before this one (0 on the first).
    #[serde(default)]
    pub attempt: u32,
}

impl SourceJob {
    /// The continuation of this job from `cursor`.
    pub fn continued(&self, cursor: Cursor) -> Self {
        Self {
            cursor: Some(cursor),
            attempt: self.attempt + 1,
            ..self.clone()
        }
    }
}

/// One source of a scan (DESIGN.md §2): a tenant source, or one subscription's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "camelCase")]
pub enum Source {
    /// Graph sign-ins (interactive and non-interactive) of the look-back window.
    SignIns,
    /// Graph `userRegistrationDetails`.
    RegistrationDetails,
    /// Graph users (with managers and sponsors).
    Users,
    /// One subscription's ARM activity log (writes).
    #[serde(rename_all = "camelCase")]
    ActivityLog {
        /// The subscription.
        subscription: SubscriptionId,
    },
    /// One subscription's role assignments.
    #[serde(rename_all = "camelCase")]
    RoleAssignments {
        /// The subscription.
        subscription: SubscriptionId,
    },
}

impl Source {
    /// The sources read once per tenant.
    pub const TENANT: [Source; 3] = [Source::SignIns, Source::RegistrationDetails, Source::Users];

    /// The sources read once per subscription.
    pub fn of_subscription(subscription: SubscriptionId) -> [Source; 2] {
        [
            Source::ActivityLog { subscription },
            Source::RoleAssignments { subscription },
        ]
    }

    /// The source's short name: its job key in a run ledger and its watermark name
    /// (`signIns`, `activityLog-<subscriptionId>`).
    pub fn key(&self) -> String {
        match self {
            Source::SignIns => "signIns".into(),
            Source::RegistrationDetails => "registrationDetails".into(),
            Source::Users => "users".into(),
            Source::ActivityLog { subscription } => format!("activityLog-{subscription}"),
            Source::RoleAssignments { subscription } => format!("roleAssignments-{subscription}"),
        }
    }

    /// The source of a job key ([`Source::key`]); `None` for anything else.
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "signIns" => Some(Source::SignIns),
            "registrationDetails" => Some(Source::RegistrationDetails),
            "users" => Some(Source::Users),
            _ => {
                let (kind, id) = key.split_once('-')?;
                let subscription = SubscriptionId::parse(id).ok()?;
                match kind {
                    "activityLog" => Some(Source::ActivityLog { subscription }),
                    "roleAssignments" => Some(Source::RoleAssignments { subscription }),
                    _ => None,
                }
            }
        }
    }
}

/// Where a checkpointed job goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cursor {
    /// The next page to read (`@odata.nextLink` / `nextLink`), when a paged read stopped.
    #[serde(default)]
    pub next_link: Option<String>,
    /// The state key holding what was read so far (partial aggregates).
    #[serde(default)]
    pub partial: Option<String>,
    /// Pages read so far, for logs and limits.
    #[serde(default)]
    pub pages: u32,
}

/// A message of `stepup-notify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum NotifyMessage {
    /// The enforcement broadcast of a tenant.
    Broadcast(Broadcast),
    /// A notice to one owner after a run.
    OwnerNotice(OwnerNotice),
    /// The readiness digest.
    Digest(DigestRequest),
}

/// The Service Health communication a message stems from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoticeRef {
    /// The tracking id.
    #[serde(default)]
    pub tracking_id: Option<String>,
    /// The communication id.
    #[serde(default)]
    pub communication_id: Option<String>,
    /// The notice's title.
    pub title: String,
    /// When it was published, as far as the payload tells.
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
}

/// Post the enforcement broadcast of `tenant`: the card (`teams::cards::broadcast`) takes the
/// tenant's latest stored report and the enforcement status on `enforcement_date`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Broadcast {
    /// The tenant.
    pub tenant: TenantId,
    /// The tenant's enforcement date in force after the notice (the notice's own date, or
    /// the stored one when the notice names none or was superseded).
    #[serde(default)]
    pub enforcement_date: Option<NaiveDate>,
    /// The notice that prompted it.
    pub notice: NoticeRef,
    /// Identifies this broadcast: a redelivered message with the same key is posted once.
    pub dedupe_key: String,
}

/// Notify one owner about the accounts they own after a run (the Teams work shapes the
/// card from the stored account records).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerNotice {
    /// The run that found them.
    pub run_id: RunId,
    /// The tenant.
    pub tenant: TenantId,
    /// The owner (UPN or e-mail).
    pub owner: String,
    /// The owner's accounts to name.
    pub accounts: Vec<ObjectId>,
    /// When the accounts do not fit a queue message: the state key of their list
    /// (`notices/<tenant>/<runId>/<n>.json`, a JSON array of object ids), read instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts_key: Option<String>,
}

/// Post the readiness digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DigestRequest {
    /// One tenant, or every configured tenant.
    #[serde(default)]
    pub tenant: Option<TenantId>,
    /// Who asked (`timer:digest`, `teams:<aadObjectId>`).
    pub requested_by: String,
    /// When.
    pub at: DateTime<Utc>,
}
