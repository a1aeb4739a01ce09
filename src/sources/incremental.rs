//! Incremental scans of event sources (sign-ins, each subscription's activity log), exact
//! by construction.
//!
//! State per tenant and source:
//! - `watermarks/<tenant>/<source>.json`: the newest event time seen ([`Watermark`]);
//! - `aggregates/<tenant>/<source>/<YYYY-MM-DD>.json`: the [`Partial`] aggregate of every
//!   record of that UTC day (a [`Bucket`]; days without records are stored empty, so a
//!   missing day means "never read").
//!
//! A scan reads from `floor_day(watermark − overlap)` (at the earliest, the window's first
//! day) to now, replaces those days' buckets, keeps the stored buckets of the earlier days of
//! the window, and drops the days that left the window. Merging partials is order
//! independent ([`Aggregator::merge_partial`](crate::detect::Aggregator::merge_partial)), so
//! the result is the one of reading the whole window at once, whole UTC days. The first scan
//! (no watermark, a missing day, buckets of another format or enforcement date) reads the
//! whole window.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::detect::aggregate::Partial;
use crate::ids::TenantId;
use crate::lifecycle::watermark::{get_watermark, put_watermark, Watermark};
use crate::lifecycle::StoreError;
use crate::state::{get_json, Condition, StateKey, StateStore};

/// The bucket format; buckets of another version are not used.
pub const BUCKET_VERSION: u32 = 1;

/// One day of one source.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bucket {
    /// [`BUCKET_VERSION`].
    pub version: u32,
    /// The enforcement date the records were weighed with (a failed write after it is more
    /// telling); buckets of another date are read again.
    pub enforcement_date: NaiveDate,
    /// The day's aggregate.
    pub partial: Partial,
}

/// Midnight UTC of `t`'s day.
pub fn floor_day(t: DateTime<Utc>) -> DateTime<Utc> {
    t.date_naive().and_time(NaiveTime::MIN).and_utc()
}

/// The state key of a day bucket.
pub fn bucket_key(tenant: &TenantId, source: &str, day: NaiveDate) -> Result<StateKey, StoreError> {
    Ok(StateKey::parse(&format!(
        "aggregates/{tenant}/{source}/{}.json",
        day.format("%Y-%m-%d")
    ))?)
}

fn prefix(tenant: &TenantId, source: &str) -> String {
    format!("aggregates/{tenant}/{source}/")
}

/// What to read of one source, and what is kept from earlier scans.
#[derive(Debug, Clone)]
pub struct SourcePlan {
    /// The source's state name (`signIns-interactive`, `activityLog-<subscription>`).
    pub source: String,
    /// The window's first instant (midnight UTC).
    pub window_start: DateTime<Utc>,
    /// Read from here (midnight UTC, not before `window_start`).
    pub from: DateTime<Utc>,
    /// Whether the whole window is read (no usable state).
    pub full: bool,
    /// The stored buckets of the days before `from`, inside the window.
    pub kept: Vec<Partial>,
    /// The watermark in force before this scan.
    pub watermark: Option<DateTime<Utc>>,
}

/// Plans one source's read. Without a store, every scan reads the whole window.
pub async fn plan(
    store: Option<&dyn StateStore>,
    tenant: &TenantId,
    source: &str,
    window_start: DateTime<Utc>,
    overlap: Duration,
    enforcement_date: NaiveDate,
) -> Result<SourcePlan, StoreError> {
    let window_start = floor_day(window_start);
    let full = SourcePlan {
        source: source.to_owned(),
        window_start,
        from: window_start,
        full: true,
        kept: Vec::new(),
        watermark: None,
    };
    let Some(store) = store else {
        return Ok(full);
    };
    let Some(mark) = get_watermark(store, tenant, source).await? else {
        return Ok(full);
    };
    let from = floor_day(mark.through - overlap).max(window_start);
    let Some(kept) = kept_days(store, tenant, source, window_start, from, enforcement_date).await?
    else {
        // A day missing, of another format, or unreadable: read everything again.
        return Ok(SourcePlan {
            watermark: Some(mark.through),
            ..full
        });
    };
    Ok(SourcePlan {
        source: source.to_owned(),
        window_start,
        from,
        full: false,
        kept,
        watermark: Some(mark.through),
    })
}

/// The stored buckets of the days from `window_start` up to (not including) `from`'s day,
/// or `None` when one of them is missing, of another format or enforcement date, or
/// unreadable. A queue job that planned its read in an earlier invocation loads what it
/// keeps with this once the read is complete.
pub async fn kept_days(
    store: &dyn StateStore,
    tenant: &TenantId,
    source: &str,
    window_start: DateTime<Utc>,
    from: DateTime<Utc>,
    enforcement_date: NaiveDate,
) -> Result<Option<Vec<Partial>>, StoreError> {
    let mut kept = Vec::new();
    let mut day = floor_day(window_start).date_naive();
    while day < from.date_naive() {
        let key = bucket_key(tenant, source, day)?;
        match get_json::<Bucket>(store, &key).await {
            Ok(Some(b))
                if b.version == BUCKET_VERSION && b.enforcement_date == enforcement_date =>
            {
                kept.push(b.partial);
            }
            _ => return Ok(None),
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    Ok(Some(kept))
}

/// Stores what a complete read of `plan.from..=to` found: one bucket per day of the read
/// (empty days too), the days that left the window deleted, and the watermark moved to the
/// newest event seen (never past `to`, never backwards).
pub async fn save(
    store: &dyn StateStore,
    tenant: &TenantId,
    plan: &SourcePlan,
    to: DateTime<Utc>,
    mut days: BTreeMap<NaiveDate, Partial>,
    newest: Option<DateTime<Utc>>,
    enforcement_date: NaiveDate,
) -> Result<(), StoreError> {
    let mut day = plan.from.date_naive();
    while day <= to.date_naive() {
        let bucket = Bucket {
            version: BUCKET_VERSION,
            enforcement_date,
            partial: days.remove(&day).unwrap_or_default(),
        };
        let key = bucket_key(tenant, &plan.source, day)?;
        crate::state::put_json(store, &key, &bucket, Condition::Always).await?;
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    let first_kept = plan.window_start.date_naive();
    for key in store.list(&prefix(tenant, &plan.source)).await? {
        let name = key.as_str().rsplit('/').next().unwrap_or("");
        let day = name
            .strip_suffix(".json")
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        if day.is_some_and(|d| d < first_kept) {
            store.delete(&key, Condition::Always).await?;
        }
    }
    if let Some(through) = newest.map(|n| n.min(to)).or(plan.watermark) {
        put_watermark(
            store,
            tenant,
            &plan.source,
            Watermark {
                through,
                updated_at: Utc::now(),
                cursor: None,
            },
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Aggregator;
    use crate::settings::TenantSettings;
    use crate::state::LocalDirStore;
    use chrono::TimeZone;

    fn tenant() -> TenantId {
        TenantId::parse("22a8aed6-b041-48c7-aa50-87f249dc4700").unwrap()
    }

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
    }

    fn enforcement() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 10, 1).unwrap()
    }

    fn partial_at(t: DateTime<Utc>) -> Partial {
        let mut a = Aggregator::new(&TenantSettings::default());
        a.cover(t, t);
        a.into_partial()
    }

    #[tokio::test]
    async fn without_state_the_whole_window_is_read() {
        let p = plan(
            None,
            &tenant(),
            "signIns-interactive",
            at(1, 7),
            Duration::hours(2),
            enforcement(),
        )
        .await
        .unwrap();
        assert!(p.full);
        assert_eq!(p.from, at(1, 0), "whole UTC days");
    }

    #[tokio::test]
    async fn a_second_scan_reads_from_the_watermark_day_minus_the_overlap() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalDirStore::new(dir.path());
        let source = "activityLog-350c1cd6-110b-4dd0-8b9b-27b99c6c78e1";
        let first = plan(
            Some(&store),
            &tenant(),
            source,
            at(1, 0),
            Duration::hours(2),
            enforcement(),
        )
        .await
        .unwrap();
        assert!(first.full);
        let days: BTreeMap<_, _> = [
            (at(3, 0).date_naive(), partial_at(at(3, 5))),
            (at(10, 0).date_naive(), partial_at(at(10, 1))),
        ]
        .into_iter()
        .collect();
        save(
            &store,
            &tenant(),
            &first,
            at(10, 12),
            days,
            Some(at(10, 1)),
            enforcement(),
        )
        .await
        .unwrap();
        // Every day of the read is stored, empty ones too.
        assert_eq!(
            store.list(&prefix(&tenant(), source)).await.unwrap().len(),
            10
        );

        // Watermark 10th 01:00, overlap 2 h: the 9th and later are read again.
        let second = plan(
            Some(&store),
            &tenant(),
            source,
            at(2, 0),
            Duration::hours(2),
            enforcement(),
        )
        .await
        .unwrap();
        assert!(!second.full);
        assert_eq!(second.from, at(9, 0));
        assert_eq!(second.kept.len(), 7, "the 2nd to the 8th");
        assert!(second
            .kept
            .iter()
            .any(|p| p.window() == Some((at(3, 5), at(3, 5)))));
        save(
            &store,
            &tenant(),
            &second,
            at(11, 12),
            BTreeMap::new(),
            None,
            enforcement(),
        )
        .await
        .unwrap();
        let keys = store.list(&prefix(&tenant(), source)).await.unwrap();
        assert!(
            !keys.iter().any(|k| k.as_str().ends_with("2026-11-01.json")),
            "left the window"
        );
        assert!(keys.iter().any(|k| k.as_str().ends_with("2026-11-11.json")));
        let mark = get_watermark(&store, &tenant(), source)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            mark.through,
            at(10, 1),
            "no newer event: the watermark stays"
        );

        // Another enforcement date: the stored weights are stale, read everything.
        let other = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let third = plan(
            Some(&store),
            &tenant(),
            source,
            at(2, 0),
            Duration::hours(2),
            other,
        )
        .await
        .unwrap();
        assert!(third.full);
    }

    #[tokio::test]
    async fn a_missing_day_means_a_full_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalDirStore::new(dir.path());
        let source = "signIns-nonInteractive";
        let p = plan(
            Some(&store),
            &tenant(),
            source,
            at(1, 0),
            Duration::zero(),
            enforcement(),
        )
        .await
        .unwrap();
        save(
            &store,
            &tenant(),
            &p,
            at(5, 0),
            BTreeMap::new(),
            Some(at(4, 23)),
            enforcement(),
        )
        .await
        .unwrap();
        store
            .delete(
                &bucket_key(&tenant(), source, at(2, 0).date_naive()).unwrap(),
                Condition::Always,
            )
            .await
            .unwrap();
        let again = plan(
            Some(&store),
            &tenant(),
            source,
            at(1, 0),
            Duration::zero(),
            enforcement(),
        )
        .await
        .unwrap();
        assert!(again.full);
        assert_eq!(again.from, at(1, 0));
    }
}
