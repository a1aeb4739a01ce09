//! The tenant's own Phase 2 date, as its latest Service Health notice announced it:
//! `enforcement/<tenantId>.json`. The tenant's notice is the source of truth for its date
//! (DESIGN.md §1): a later notice supersedes an earlier one, and an older notice delivered
//! late (or again) changes nothing.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::TenantId;
use crate::state::{get_json, update_json_if_changed, StateKey, StateStore};

use super::error::StoreError;

/// The date a notice announced, and which notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoticedDate {
    /// The enforcement date.
    pub date: NaiveDate,
    /// When the notice was published (its last update, else its event time); notices
    /// without a time order by when stepup received them.
    pub published_at: DateTime<Utc>,
    /// The notice's tracking id.
    #[serde(default)]
    pub tracking_id: Option<String>,
    /// The notice's communication id.
    #[serde(default)]
    pub communication_id: Option<String>,
    /// When stepup stored it.
    pub stored_at: DateTime<Utc>,
}

/// What [`record_noticed_date`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateUpdate {
    /// The notice's date is now the tenant's (first notice, or a later one).
    Stored {
        /// The date before, if any.
        previous: Option<NaiveDate>,
    },
    /// A later notice is already stored; it stays.
    Superseded {
        /// The stored (later) notice's date.
        kept: NaiveDate,
    },
}

/// The state key of a tenant's noticed date.
pub fn enforcement_key(tenant: &TenantId) -> StateKey {
    super::record::key(format!("enforcement/{tenant}.json"))
        .unwrap_or_else(|_| unreachable!("a GUID always forms a key"))
}

/// The tenant's noticed date, if a notice named one.
pub async fn noticed_date(
    store: &dyn StateStore,
    tenant: &TenantId,
) -> Result<Option<NoticedDate>, StoreError> {
    Ok(get_json(store, &enforcement_key(tenant)).await?)
}

/// Stores `candidate` as the tenant's date unless a notice published later is stored. Of
/// two different notices published at the same time the stored one stays; the same notice
/// stored again (a retry after a failure) counts as stored. When the stored notice stays,
/// nothing is written, so many deliveries at once do not fight over the key.
pub async fn record_noticed_date(
    store: &dyn StateStore,
    tenant: &TenantId,
    candidate: NoticedDate,
) -> Result<DateUpdate, StoreError> {
    let mut outcome = DateUpdate::Stored { previous: None };
    update_json_if_changed::<NoticedDate, _>(store, &enforcement_key(tenant), |stored| {
        let (decided, replacement) = decide(stored.as_ref(), &candidate);
        outcome = decided;
        Ok(match (replacement, stored) {
            (Some(new), _) | (None, Some(new)) => new,
            (None, None) => candidate.clone(),
        })
    })
    .await?;
    Ok(outcome)
}

/// What storing `candidate` over `stored` means, and the value to write (`None`: keep).
fn decide(
    stored: Option<&NoticedDate>,
    candidate: &NoticedDate,
) -> (DateUpdate, Option<NoticedDate>) {
    match stored {
        Some(old)
            if old.published_at == candidate.published_at
                && old.tracking_id == candidate.tracking_id
                && old.communication_id == candidate.communication_id =>
        {
            let previous = Some(old.date);
            (DateUpdate::Stored { previous }, None)
        }
        Some(old) if old.published_at >= candidate.published_at => {
            (DateUpdate::Superseded { kept: old.date }, None)
        }
        other => (
            DateUpdate::Stored {
                previous: other.map(|o| o.date),
            },
            Some(candidate.clone()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::LocalDirStore;

    fn notice(date: &str, published: &str) -> NoticedDate {
        NoticedDate {
            date: date.parse().unwrap(),
            published_at: published.parse().unwrap(),
            tracking_id: Some("YT4M-9QZ".into()),
            communication_id: None,
            stored_at: "2026-11-22T00:00:00Z".parse().unwrap(),
        }
    }

    #[tokio::test]
    async fn later_notices_supersede_and_older_ones_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalDirStore::new(dir.path());
        let tenant = TenantId::parse("72f988bf-86f1-41af-91ab-2d7cd011db47").unwrap();
        assert_eq!(noticed_date(&store, &tenant).await.unwrap(), None);
        let first = notice("2025-10-01", "2025-08-01T16:00:00Z");
        let later = notice("2026-03-15", "2026-01-20T11:00:00Z");
        assert_eq!(
            record_noticed_date(&store, &tenant, first.clone())
                .await
                .unwrap(),
            DateUpdate::Stored { previous: None }
        );
        assert_eq!(
            record_noticed_date(&store, &tenant, later.clone())
                .await
                .unwrap(),
            DateUpdate::Stored {
                previous: Some("2025-10-01".parse().unwrap())
            }
        );
        // The first notice delivered again, late: the later one stays.
        assert_eq!(
            record_noticed_date(&store, &tenant, first).await.unwrap(),
            DateUpdate::Superseded {
                kept: "2026-03-15".parse().unwrap()
            }
        );
        // The same notice again (a retry) counts as stored; another notice of the same time
        // does not replace it.
        assert_eq!(
            record_noticed_date(&store, &tenant, later.clone())
                .await
                .unwrap(),
            DateUpdate::Stored {
                previous: Some("2026-03-15".parse().unwrap())
            }
        );
        let mut twin = notice("2026-04-01", "2026-01-20T11:00:00Z");
        twin.communication_id = Some("other".into());
        assert_eq!(
            record_noticed_date(&store, &tenant, twin).await.unwrap(),
            DateUpdate::Superseded {
                kept: "2026-03-15".parse().unwrap()
            }
        );
        assert_eq!(noticed_date(&store, &tenant).await.unwrap(), Some(later));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn many_deliveries_at_once_all_succeed_and_write_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(LocalDirStore::new(dir.path()));
        let tenant = TenantId::parse("72f988bf-86f1-41af-91ab-2d7cd011db47").unwrap();
        let first = notice("2025-10-01", "2025-08-01T16:00:00Z");
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let (store, first) = (store.clone(), first.clone());
                tokio::spawn(
                    async move { record_noticed_date(store.as_ref(), &tenant, first).await },
                )
            })
            .collect();
        for task in tasks {
            assert!(matches!(task.await.unwrap(), Ok(DateUpdate::Stored { .. })));
        }
        // A notice that changes nothing writes nothing: the version stays.
        let key = enforcement_key(&tenant);
        let version = store.version(&key).await.unwrap();
        for again in [first, notice("2025-09-01", "2025-07-01T00:00:00Z")] {
            record_noticed_date(store.as_ref(), &tenant, again)
                .await
                .unwrap();
            assert_eq!(store.version(&key).await.unwrap(), version);
        }
    }
}
