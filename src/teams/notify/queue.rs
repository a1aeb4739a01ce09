//! Owner notices on a Storage queue (`stepup-notify`). A queue message holds at most 64 KiB,
//! 48 KiB of JSON once base64-encoded (the Functions default), while a notice carries every
//! account an owner hears about: a large one is kept in state and the message names it
//! (the claim-check pattern).

use serde::{Deserialize, Serialize};

use super::deliver::run_stamp;
use super::notice::OwnerNotice;
use crate::lifecycle::StoreError;
use crate::state::{get_json, update_json, KeyError, StateKey, StateStore};

/// The largest notice sent inline, in bytes of JSON.
pub const MAX_INLINE_BYTES: usize = 48 * 1024;

/// A `stepup-notify` queue message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum NoticeMessage {
    /// The notice itself.
    #[serde(rename_all = "camelCase")]
    OwnerNotice {
        /// The notice.
        notice: Box<OwnerNotice>,
    },
    /// A notice kept in state under `key`.
    #[serde(rename_all = "camelCase")]
    StashedOwnerNotice {
        /// Its state key (`notices/<tenant>/<run>/<channel>/<owner>.json`).
        key: String,
    },
}

/// The queue message of `notice`: inline when small enough, else stashed in `store`.
pub async fn to_message(
    notice: &OwnerNotice,
    store: &dyn StateStore,
) -> Result<NoticeMessage, StoreError> {
    let size = serde_json::to_vec(notice).map_or(usize::MAX, |v| v.len());
    if size <= MAX_INLINE_BYTES {
        return Ok(NoticeMessage::OwnerNotice {
            notice: Box::new(notice.clone()),
        });
    }
    let key = StateKey::parse(&format!(
        "notices/{}/{}/{}/{}.json",
        notice.tenant,
        run_stamp(notice.run),
        notice.channel.slug(),
        notice.subject()
    ))?;
    update_json(store, &key, |_: Option<OwnerNotice>| Ok(notice.clone())).await?;
    Ok(NoticeMessage::StashedOwnerNotice {
        key: key.as_str().to_owned(),
    })
}

/// The notice a queue message stands for; `None` when its stash is gone.
pub async fn from_message(
    message: &NoticeMessage,
    store: &dyn StateStore,
) -> Result<Option<OwnerNotice>, StoreError> {
    match message {
        NoticeMessage::OwnerNotice { notice } => Ok(Some((**notice).clone())),
        NoticeMessage::StashedOwnerNotice { key } => {
            // A message may name a stashed notice, never another part of the state.
            if !key.starts_with("notices/") {
                return Err(KeyError {
                    key: key.chars().take(80).collect(),
                    reason: "a stashed notice's key starts with notices/",
                }
                .into());
            }
            let key = StateKey::parse(key)?;
            Ok(get_json(store, &key).await?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testkit::{critical, day, scan, tenant, MemoryStore};
    use crate::settings::TenantSettings;
    use crate::teams::notify::{plan, PlanInput};

    fn notice(accounts: u8) -> OwnerNotice {
        let findings: Vec<_> = (1..=accounts).map(critical).collect();
        let settings = TenantSettings::default();
        let p = plan(&PlanInput {
            tenant: tenant(),
            scan_at: day(0),
            enforcement: scan(0, true).enforcement,
            findings: &findings,
            records: &[],
            settings: &settings,
            renotify_days: 7,
            now: day(0),
        });
        p.notices[0].clone()
    }

    #[tokio::test]
    async fn small_notices_travel_inline_and_large_ones_by_reference() {
        let store = MemoryStore::default();
        let small = notice(2);
        let msg = to_message(&small, &store).await.unwrap();
        assert!(matches!(msg, NoticeMessage::OwnerNotice { .. }));
        let text = serde_json::to_string(&msg).unwrap();
        assert!(text.starts_with(r#"{"kind":"ownerNotice""#), "{text}");
        let back: NoticeMessage = serde_json::from_str(&text).unwrap();
        assert_eq!(from_message(&back, &store).await.unwrap(), Some(small));

        let mut large = notice(200);
        for a in &mut large.accounts {
            a.finding
                .evidence
                .iter_mut()
                .for_each(|e| e.detail = "x".repeat(300));
        }
        let msg = to_message(&large, &store).await.unwrap();
        let NoticeMessage::StashedOwnerNotice { key } = &msg else {
            panic!("a large notice is stashed");
        };
        assert!(key.starts_with(&format!("notices/{}/", tenant())), "{key}");
        assert!(serde_json::to_vec(&msg).unwrap().len() < 1024);
        assert_eq!(from_message(&msg, &store).await.unwrap(), Some(large));
    }

    #[tokio::test]
    async fn a_message_names_only_stashed_notices() {
        let store = MemoryStore::default();
        for key in [
            "accounts/x/y.json",
            "notices/../accounts/x.json",
            "reports/x/latest.json",
        ] {
            let msg = NoticeMessage::StashedOwnerNotice { key: key.into() };
            assert!(from_message(&msg, &store).await.is_err(), "{key}");
        }
    }
}
