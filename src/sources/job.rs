//! Source jobs: one source of one tenant (a sign-in query, a directory listing, one
//! subscription's activity log, …) read page by page into a [`Collected`], with a deadline
//! that turns into a checkpoint (the next page's link) so that a queue worker can stop
//! before its function times out and continue in another invocation.
//!
//! ```text
//! run_job(ctx, job, cursor, deadline, out, progress)
//!     → Done { through }          every page read; `through` = newest event time seen
//!     → Checkpoint { next_link }  the deadline passed; run again with cursor = next_link
//!     → Failed { source, reason } a page stayed broken after its retries
//! ```
//!
//! Event records (sign-ins, activity) go into one aggregator per UTC day of their time, so
//! that incremental scans can replace whole days ([`crate::sources::incremental`]);
//! directory records go into one aggregator.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::{stream, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use url::Url;

use super::arm::{activity::ActivityQuery, roles, subscriptions};
use super::graph::sign_ins::{SignInKind, SignInQuery};
use super::graph::{owners, registration, users};
use super::http::{ApiClient, CallError, Pace, ReportLimiter};
use crate::detect::aggregate::Partial;
use crate::detect::records::{
    ActivityEvent, DirectoryContact, RegistrationDetails, RoleAssignment, RoleDefinition, SignIn,
    Subscription, User,
};
use crate::detect::Aggregator;
use crate::ids::{ObjectId, SubscriptionId, TenantId};
use crate::settings::TenantSettings;

/// One source of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "camelCase")]
pub enum SourceJob {
    /// One of the two sign-in queries over a window.
    #[serde(rename_all = "camelCase")]
    SignIns {
        /// Interactive or non-interactive.
        kind: SignInKind,
        /// The window's start.
        from: DateTime<Utc>,
        /// The window's end.
        to: DateTime<Utc>,
    },
    /// `userRegistrationDetails`.
    Registration,
    /// `users`.
    Users,
    /// `subscriptions`.
    Subscriptions,
    /// One subscription's custom role definitions.
    RoleDefinitions {
        /// The subscription.
        subscription: SubscriptionId,
    },
    /// One subscription's role assignments.
    RoleAssignments {
        /// The subscription.
        subscription: SubscriptionId,
    },
    /// One subscription's activity log over a window.
    ActivityLog {
        /// The subscription.
        subscription: SubscriptionId,
        /// The window's start.
        from: DateTime<Utc>,
        /// The window's end.
        to: DateTime<Utc>,
    },
    /// Managers and sponsors of these users.
    Owners {
        /// The users.
        users: Vec<ObjectId>,
    },
}

impl SourceJob {
    /// The source's name in problems and progress (`sign-ins (interactive)`,
    /// `activity log of <subscription>`).
    pub fn source(&self) -> String {
        match self {
            SourceJob::SignIns { kind, .. } => match kind {
                SignInKind::Interactive => "sign-ins (interactive)".into(),
                SignInKind::NonInteractive => "sign-ins (non-interactive)".into(),
            },
            SourceJob::Registration => "registration details".into(),
            SourceJob::Users => "users".into(),
            SourceJob::Subscriptions => "subscriptions".into(),
            SourceJob::RoleDefinitions { subscription } => {
                format!("role definitions of {subscription}")
            }
            SourceJob::RoleAssignments { subscription } => {
                format!("role assignments of {subscription}")
            }
            SourceJob::ActivityLog { subscription, .. } => {
                format!("activity log of {subscription}")
            }
            SourceJob::Owners { .. } => "managers and sponsors".into(),
        }
    }

    /// The state name of an event source (`signIns-interactive`,
    /// `activityLog-<subscription>`), `None` for directory sources (read in full each scan).
    pub fn state_name(&self) -> Option<String> {
        match self {
            SourceJob::SignIns { kind, .. } => Some(format!("signIns-{}", kind.name())),
            SourceJob::ActivityLog { subscription, .. } => {
                Some(format!("activityLog-{subscription}"))
            }
            _ => None,
        }
    }
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum JobOutcome {
    /// Every page was read.
    Done {
        /// The newest event time in the collection (event sources).
        through: Option<DateTime<Utc>>,
    },
    /// The deadline passed: continue with this link as the cursor.
    #[serde(rename_all = "camelCase")]
    Checkpoint {
        /// The next page.
        next_link: String,
    },
    /// A page stayed broken after its retries.
    Failed {
        /// The source (see [`SourceJob::source`]).
        source: String,
        /// Which call failed and why.
        reason: String,
    },
}

/// What one tenant's clients and limiter are.
#[derive(Debug)]
pub struct SourceContext {
    /// The tenant read.
    pub tenant: TenantId,
    /// Microsoft Graph.
    pub graph: Arc<ApiClient>,
    /// Azure Resource Manager.
    pub arm: Arc<ApiClient>,
    /// The identity-report limiter (shared by every tenant of a process).
    pub limiter: Arc<ReportLimiter>,
}

/// Hears about pages and jobs (the CLI's progress bar).
pub trait Progress: Send + Sync {
    /// A page of `records` records of `source` was read.
    fn page(&self, _source: &str, _records: usize) {}
    /// A job ended.
    fn finished(&self, _job: &SourceJob, _outcome: &JobOutcome) {}
    /// More jobs were planned.
    fn planned(&self, _jobs: usize) {}
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// What jobs read: directory records in one aggregator, event records by UTC day.
#[derive(Debug, Clone)]
pub struct Collected {
    settings: TenantSettings,
    /// Directory records (users, registration, roles, subscriptions, owners).
    pub directory: Aggregator,
    /// Event records by the UTC day of their time.
    pub days: BTreeMap<NaiveDate, Aggregator>,
    /// The newest event time seen.
    pub newest: Option<DateTime<Utc>>,
    /// Records accepted.
    pub records: u64,
    /// Records the client-side check refused (the service ignored part of a filter).
    pub refused: u64,
    /// Pages read.
    pub pages: u64,
    /// Malformed records, one line each.
    pub problems: Vec<String>,
    /// Subscriptions listed by a `Subscriptions` job.
    pub subscriptions: Vec<SubscriptionId>,
}

impl Collected {
    /// An empty collection for a tenant's settings.
    pub fn new(settings: &TenantSettings) -> Self {
        Self {
            settings: settings.clone(),
            directory: Aggregator::new(settings),
            days: BTreeMap::new(),
            newest: None,
            records: 0,
            refused: 0,
            pages: 0,
            problems: Vec::new(),
            subscriptions: Vec::new(),
        }
    }

    fn event(&mut self, at: DateTime<Utc>) -> &mut Aggregator {
        self.newest = self.newest.max(Some(at));
        let settings = &self.settings;
        self.days
            .entry(at.date_naive())
            .or_insert_with(|| Aggregator::new(settings))
    }

    /// The event records' day aggregates, serialisable: what a checkpointed event job keeps
    /// until its continuation runs (with [`Collected::resume`]).
    pub fn event_partials(&self) -> BTreeMap<NaiveDate, Partial> {
        self.days
            .iter()
            .map(|(day, agg)| (*day, agg.clone().into_partial()))
            .collect()
    }

    /// A collection that continues from kept day aggregates (see
    /// [`Collected::event_partials`]) and the newest event time seen so far.
    pub fn resume(
        settings: &TenantSettings,
        days: BTreeMap<NaiveDate, Partial>,
        newest: Option<DateTime<Utc>>,
    ) -> Self {
        let mut c = Self::new(settings);
        for (day, partial) in days {
            let mut agg = Aggregator::new(settings);
            agg.merge_partial(partial);
            c.days.insert(day, agg);
        }
        c.newest = newest;
        c
    }

    /// Adds everything another collection holds.
    pub fn absorb(&mut self, other: Collected) {
        self.directory.merge(other.directory);
        for (day, agg) in other.days {
            match self.days.get_mut(&day) {
                Some(mine) => mine.merge(agg),
                None => {
                    self.days.insert(day, agg);
                }
            }
        }
        self.newest = self.newest.max(other.newest);
        self.records += other.records;
        self.refused += other.refused;
        self.pages += other.pages;
        self.problems.extend(other.problems);
        self.subscriptions.extend(other.subscriptions);
    }
}

/// Runs one job from `cursor` (a next-page link from a checkpoint, or the start) until it is
/// done, fails, or `deadline` passes between two pages.
pub async fn run_job(
    ctx: &SourceContext,
    job: &SourceJob,
    cursor: Option<String>,
    deadline: Option<Instant>,
    out: &mut Collected,
    progress: &dyn Progress,
) -> JobOutcome {
    let source = job.source();
    let walk = Walk {
        source: &source,
        cursor,
        deadline,
        progress,
    };
    let outcome = match job {
        SourceJob::SignIns { kind, from, to } => {
            let q = SignInQuery {
                kind: *kind,
                from: *from,
                to: *to,
            };
            let pace = Pace::Reports(ctx.limiter.clone(), ctx.tenant);
            walk.run(&ctx.graph, q.url(&ctx.graph), pace, out, |raw, out| {
                let s: SignIn = parse(raw)?;
                if q.accepts(&s) {
                    out.records += 1;
                    out.event(s.created_date_time).add_sign_in(s);
                } else {
                    out.refused += 1;
                }
                Ok(())
            })
            .await
        }
        SourceJob::Registration => {
            let pace = Pace::Reports(ctx.limiter.clone(), ctx.tenant);
            walk.run(
                &ctx.graph,
                registration::url(&ctx.graph),
                pace,
                out,
                |raw, out| {
                    out.records += 1;
                    out.directory
                        .add_registration(parse::<RegistrationDetails>(raw)?);
                    Ok(())
                },
            )
            .await
        }
        SourceJob::Users => {
            walk.run(
                &ctx.graph,
                users::url(&ctx.graph),
                Pace::Free,
                out,
                |raw, out| {
                    out.records += 1;
                    out.directory.add_user(parse::<User>(raw)?);
                    Ok(())
                },
            )
            .await
        }
        SourceJob::Subscriptions => {
            walk.run(
                &ctx.arm,
                subscriptions::url(&ctx.arm),
                Pace::Free,
                out,
                |raw, out| {
                    let s: Subscription = parse(raw)?;
                    out.records += 1;
                    out.subscriptions.push(s.subscription_id);
                    out.directory.add_subscription(s);
                    Ok(())
                },
            )
            .await
        }
        SourceJob::RoleDefinitions { subscription } => {
            let url = roles::custom_definitions_url(&ctx.arm, subscription);
            walk.run(&ctx.arm, url, Pace::Free, out, |raw, out| {
                out.records += 1;
                out.directory
                    .add_role_definition(parse::<RoleDefinition>(raw)?);
                Ok(())
            })
            .await
        }
        SourceJob::RoleAssignments { subscription } => {
            let url = roles::assignments_url(&ctx.arm, subscription);
            walk.run(&ctx.arm, url, Pace::Free, out, |raw, out| {
                out.records += 1;
                out.directory
                    .add_role_assignment(parse::<RoleAssignment>(raw)?);
                Ok(())
            })
            .await
        }
        SourceJob::ActivityLog {
            subscription,
            from,
            to,
        } => {
            let q = ActivityQuery {
                subscription: *subscription,
                from: *from,
                to: *to,
            };
            walk.run(&ctx.arm, q.url(&ctx.arm), Pace::Free, out, |raw, out| {
                let e: ActivityEvent = parse(raw)?;
                if q.accepts(&e) {
                    out.records += 1;
                    out.event(e.event_timestamp).add_activity(e);
                } else {
                    out.refused += 1;
                }
                Ok(())
            })
            .await
        }
        SourceJob::Owners { users } => read_owners(ctx, users, &source, out).await,
    };
    progress.finished(job, &outcome);
    outcome
}

fn parse<T: serde::de::DeserializeOwned>(raw: &RawValue) -> Result<T, String> {
    serde_json::from_str(raw.get()).map_err(|e| e.to_string())
}

/// The page loop of one job.
struct Walk<'a> {
    source: &'a str,
    cursor: Option<String>,
    deadline: Option<Instant>,
    progress: &'a dyn Progress,
}

impl Walk<'_> {
    /// Reads every page from `first` (or the cursor). The next page is fetched on its own
    /// task while this one's records are processed, so that parsing never delays a request
    /// past its slot in the report limiter.
    async fn run(
        self,
        api: &Arc<ApiClient>,
        first: Url,
        pace: Pace,
        out: &mut Collected,
        mut each: impl FnMut(&RawValue, &mut Collected) -> Result<(), String>,
    ) -> JobOutcome {
        let failed = |e: CallError| JobOutcome::Failed {
            source: self.source.to_owned(),
            reason: e.to_string(),
        };
        let url = match self.cursor.as_deref() {
            None => first,
            Some(link) => match api.next_url(link) {
                Ok(u) => u,
                Err(e) => return failed(e),
            },
        };
        let fetch = |url: Url| {
            let api = api.clone();
            let pace = pace.clone();
            tokio::spawn(async move { api.get_page(&url, &pace).await })
        };
        let mut pending = fetch(url);
        let mut page_no = 0u64;
        loop {
            page_no += 1;
            let page = match pending.await {
                Ok(Ok(p)) => p,
                Ok(Err(e)) => return failed(e),
                Err(join) => {
                    return JobOutcome::Failed {
                        source: self.source.to_owned(),
                        reason: format!("the page task ended abnormally: {join}"),
                    }
                }
            };
            out.pages += 1;
            // Decide on the next page before the records: fetch it meanwhile, or stop here.
            let next = match page.next_link.as_deref() {
                None => None,
                Some(link) if self.deadline.is_some_and(|d| Instant::now() >= d) => {
                    Some(Err(link.to_owned()))
                }
                Some(link) => match api.next_url(link) {
                    Ok(u) => Some(Ok(fetch(u))),
                    Err(e) => return failed(e),
                },
            };
            let count = page.items.len();
            for (i, raw) in page.items.iter().enumerate() {
                if let Err(why) = each(raw, out) {
                    out.problems.push(format!(
                        "{}: record {} of page {page_no}: {why}",
                        self.source,
                        i + 1
                    ));
                }
            }
            self.progress.page(self.source, count);
            match next {
                None => {
                    return JobOutcome::Done {
                        through: out.newest,
                    }
                }
                Some(Err(next_link)) => return JobOutcome::Checkpoint { next_link },
                Some(Ok(task)) => pending = task,
            }
        }
    }
}

/// Users whose manager and sponsors are read at once.
pub const OWNER_CONCURRENCY: usize = 64;

/// Reads the manager and sponsors of each user into directory records,
/// [`OWNER_CONCURRENCY`] users at a time.
async fn read_owners(
    ctx: &SourceContext,
    users: &[ObjectId],
    source: &str,
    out: &mut Collected,
) -> JobOutcome {
    // Owned ids: a closure over `&ObjectId` would make the future not `Send` (rust#64552).
    let mut results = stream::iter(users.iter().copied().map(|id| owner_of(ctx, id, source)))
        .buffer_unordered(OWNER_CONCURRENCY);
    let mut failure = None;
    while let Some(result) = results.next().await {
        match result {
            Ok((user, pages, problems)) => {
                out.records += 1;
                out.pages += pages;
                out.problems.extend(problems);
                out.directory.add_user(user);
            }
            Err(e) => {
                failure.get_or_insert(e);
            }
        }
    }
    match failure {
        Some(e) => JobOutcome::Failed {
            source: source.to_owned(),
            reason: e.to_string(),
        },
        None => JobOutcome::Done { through: None },
    }
}

/// One user's manager and sponsors as a directory record, with the pages read and the
/// malformed contacts.
async fn owner_of(
    ctx: &SourceContext,
    id: ObjectId,
    source: &str,
) -> Result<(User, u64, Vec<String>), CallError> {
    let manager_url = owners::manager_url(&ctx.graph, &id);
    let (manager, first_sponsors) = futures_util::future::join(
        ctx.graph.get_object(&manager_url),
        ctx.graph
            .get_page(&owners::sponsors_url(&ctx.graph, &id), &Pace::Free),
    )
    .await;
    let mut problems = Vec::new();
    let manager = match manager?
        .map(|raw| parse::<DirectoryContact>(&raw))
        .transpose()
    {
        Ok(m) => m,
        Err(why) => {
            problems.push(format!("{source}: manager of {id}: {why}"));
            None
        }
    };
    let mut page = first_sponsors?;
    let mut pages = 2;
    let mut sponsors = Vec::new();
    loop {
        for raw in &page.items {
            match parse::<DirectoryContact>(raw) {
                Ok(c) => sponsors.push(c),
                Err(why) => problems.push(format!("{source}: a sponsor of {id}: {why}")),
            }
        }
        let Some(link) = page.next_link.take() else {
            break;
        };
        page = ctx
            .graph
            .get_page(&ctx.graph.next_url(&link)?, &Pace::Free)
            .await?;
        pages += 1;
    }
    let user = User {
        id,
        user_principal_name: None,
        display_name: None,
        mail: None,
        account_enabled: None,
        user_type: None,
        manager,
        sponsors,
    };
    Ok((user, pages, problems))
}
