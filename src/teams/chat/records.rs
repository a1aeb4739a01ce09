//! What the digest needs from the account records (one per account, possibly 100,000):
//! the accounts resolved lately and the open tickets past their due date. Read once per
//! report version, in the background, a bounded number of reads at a time.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use futures_util::{stream, StreamExt};

use crate::ids::TenantId;
use crate::lifecycle::{AccountRecord, AccountState};
use crate::state::{get_json, StateError, StateStore};

/// Records read at a time.
pub const CONCURRENT_READS: usize = 32;

/// The records' digest lists, raw (filtered by date when answered).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordDigest {
    /// Resolved accounts: when, and the account's name.
    pub resolved: Vec<(DateTime<Utc>, String)>,
    /// At-risk accounts with an open ticket and a due date: the date, and one line.
    pub due: Vec<(NaiveDate, String)>,
    /// Records read.
    pub records: usize,
}

impl RecordDigest {
    /// Adds what one record contributes.
    pub fn add(&mut self, r: &AccountRecord) {
        self.records += 1;
        let name = r.upn.clone().unwrap_or_else(|| r.user_id.to_string());
        match (&r.state, &r.ticket, r.due) {
            (AccountState::Resolved { at }, _, _) => self.resolved.push((*at, name)),
            (AccountState::AtRisk, Some(t), Some(due)) if !t.resolved => self
                .due
                .push((due, format!("{name} — {} {}, due {due}", t.system, t.id))),
            _ => {}
        }
    }

    /// Accounts resolved in the 7 days before `now`, newest first.
    pub fn newly_remediated(&self, now: DateTime<Utc>) -> Vec<String> {
        let since = now - Duration::days(7);
        let mut recent: Vec<&(DateTime<Utc>, String)> = self
            .resolved
            .iter()
            .filter(|(at, _)| *at >= since)
            .collect();
        recent.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        recent.into_iter().map(|(_, n)| n.clone()).collect()
    }

    /// Open tickets due before `today`, the longest overdue first.
    pub fn overdue(&self, today: NaiveDate) -> Vec<String> {
        let mut late: Vec<&(NaiveDate, String)> =
            self.due.iter().filter(|(due, _)| *due < today).collect();
        late.sort();
        late.into_iter().map(|(_, line)| line.clone()).collect()
    }
}

/// Reads every account record of `tenant` into a [`RecordDigest`].
pub async fn load(
    store: Arc<dyn StateStore>,
    tenant: &TenantId,
) -> Result<RecordDigest, StateError> {
    let keys = store.list(&AccountRecord::prefix_of(tenant)).await?;
    let mut reads = stream::iter(keys)
        .map(move |key| {
            let store = store.clone();
            async move { get_json::<AccountRecord>(store.as_ref(), &key).await }
        })
        .buffer_unordered(CONCURRENT_READS);
    let mut digest = RecordDigest::default();
    while let Some(found) = reads.next().await {
        if let Some(record) = found? {
            digest.add(&record);
        }
    }
    Ok(digest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::reconcile;
    use crate::lifecycle::testkit::{critical, day, scan};

    #[test]
    fn resolved_lately_and_overdue_are_told_apart() {
        let records = reconcile(&[], &[critical(1), critical(2)], &scan(0, true)).records;
        let mut open = records[0].clone();
        open.due = Some(day(3).date_naive());
        open.ticket = Some(crate::lifecycle::record::StoredTicket {
            system: "github".into(),
            id: "12".into(),
            url: None,
            resolved: false,
            content: open.content(),
        });
        let mut fixed = records[1].clone();
        fixed.state = AccountState::Resolved { at: day(2) };
        let mut d = RecordDigest::default();
        d.add(&open);
        d.add(&fixed);
        assert_eq!(d.records, 2);
        assert_eq!(
            d.overdue(day(3).date_naive()),
            Vec::<String>::new(),
            "due today is not late"
        );
        let late = d.overdue(day(4).date_naive());
        assert_eq!(late.len(), 1);
        assert!(late[0].contains("github 12, due"), "{late:?}");
        assert_eq!(d.newly_remediated(day(5)).len(), 1);
        assert!(
            d.newly_remediated(day(10)).is_empty(),
            "more than a week ago"
        );
    }
}
