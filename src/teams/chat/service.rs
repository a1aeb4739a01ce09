//! The chat service: one message in, one answer out, from stored state only. It owns the
//! cached index of the latest report and the directory used to tell who a sender is.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::app::{Clock, ScanTrigger};
use crate::ids::TenantId;
use crate::lifecycle::reports::{report_key, ReportSlot};
use crate::state::{StateStore, Versioned};

use super::activity::Activity;
use super::answer::{self, Answer};
use super::cache::{Builder, CacheError, Loaded, StateCache};
use super::directory::Directory;
use super::index::ChatIndex;
use super::records;
use super::rendered::Rendered;
use super::settings::ChatSettings;

/// How often the latest report's version is checked.
pub const INDEX_CHECK_EVERY: Duration = Duration::from_secs(5);

/// What the chat service needs from the application.
pub struct ChatDeps {
    /// The state store.
    pub store: Arc<dyn StateStore>,
    /// Now.
    pub clock: Clock,
    /// Where `scan` requests go.
    pub scans: Arc<dyn ScanTrigger>,
    /// The tenant answered for.
    pub tenant: TenantId,
    /// Chat settings.
    pub settings: ChatSettings,
    /// Who senders are.
    pub directory: Arc<dyn Directory>,
}

/// Answers chat commands of one tenant.
pub struct ChatService {
    pub(super) store: Arc<dyn StateStore>,
    pub(super) clock: Clock,
    pub(super) scans: Arc<dyn ScanTrigger>,
    pub(super) tenant: TenantId,
    pub(super) settings: ChatSettings,
    pub(super) directory: Arc<dyn Directory>,
    index: Arc<StateCache<ChatIndex>>,
    /// The last `scan` request this instance queued.
    pub(super) last_scan: Mutex<Option<DateTime<Utc>>>,
    /// Answers that depend only on the stored state.
    pub(super) rendered: Rendered,
}

impl ChatService {
    /// A service over `deps`.
    pub fn new(deps: ChatDeps) -> Self {
        let index = Arc::new(StateCache::new(
            deps.store.clone(),
            report_key(&deps.tenant, ReportSlot::Latest),
            INDEX_CHECK_EVERY,
            index_builder(deps.tenant),
        ));
        Self {
            store: deps.store,
            clock: deps.clock,
            scans: deps.scans,
            tenant: deps.tenant,
            settings: deps.settings,
            directory: deps.directory,
            index,
            last_scan: Mutex::new(None),
            rendered: Rendered::default(),
        }
    }

    /// The tenant answered for.
    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// Loads the index now (at start-up, so the first command is fast too).
    pub async fn warm_up(&self) -> Result<bool, CacheError> {
        Ok(self.index.get().await?.is_some())
    }

    /// The index of the latest report (`None` before the first scan).
    pub(super) async fn index(&self) -> Result<Option<Arc<Loaded<ChatIndex>>>, CacheError> {
        self.index.get().await
    }

    /// Now.
    pub(super) fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Answers one message activity.
    pub async fn answer(&self, activity: &Activity) -> Answer {
        answer::answer(self, activity).await
    }
}

/// Builds the index of a latest report: reads the previous report's summary, parses off
/// the async workers, then starts reading the account records in the background.
fn index_builder(tenant: TenantId) -> Builder<ChatIndex> {
    Arc::new(move |store: Arc<dyn StateStore>, latest: Versioned| {
        Box::pin(async move {
            // Without the previous report only the "change since" figures are lost.
            let previous = store
                .get(&report_key(&tenant, ReportSlot::Previous))
                .await
                .ok()
                .flatten();
            let (sender, receiver) = watch::channel(None);
            let index = tokio::task::spawn_blocking(move || {
                ChatIndex::build(
                    tenant,
                    &latest.body,
                    previous.as_ref().map(|p| &p.body[..]),
                    receiver,
                )
            })
            .await
            .map_err(|e| format!("building the chat index failed: {e}"))??;
            tokio::spawn(async move {
                let loaded = records::load(store, &tenant)
                    .await
                    .map(Arc::new)
                    .map_err(|e| e.to_string());
                if let Err(e) = &loaded {
                    tracing::warn!("chat: cannot read the account records: {e}");
                }
                let _ = sender.send(Some(loaded));
            });
            Ok(index)
        })
    })
}
