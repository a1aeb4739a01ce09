//! Broadcasts that wait for a tenant's first scan: the broadcast card shows the tenant's
//! latest report, so a Service Health notice that arrives before any scan finished is kept in
//! state (`broadcasts/<tenant>/<key>.json`) and queued again by the run that stores the first
//! report ([`pending_broadcasts`]); once posted it is forgotten ([`forget_broadcast`]).

use crate::ids::TenantId;
use crate::jobs::Broadcast;
use crate::lifecycle::StoreError;
use crate::state::{get_json, put_json, Condition, StateKey, StateStore};
use crate::teams::channel::{short_hash, slug};

fn prefix(tenant: &TenantId) -> String {
    format!("broadcasts/{tenant}/")
}

fn key_of(broadcast: &Broadcast) -> Result<StateKey, StoreError> {
    Ok(StateKey::parse(&format!(
        "{}{}-{}.json",
        prefix(&broadcast.tenant),
        slug(&broadcast.dedupe_key, 40),
        short_hash(&broadcast.dedupe_key)
    ))?)
}

/// Keeps `broadcast` until a scan of its tenant is stored.
pub async fn defer_broadcast(
    store: &dyn StateStore,
    broadcast: &Broadcast,
) -> Result<(), StoreError> {
    put_json(store, &key_of(broadcast)?, broadcast, Condition::Always).await?;
    Ok(())
}

/// The broadcasts of `tenant` waiting for a scan.
pub async fn pending_broadcasts(
    store: &dyn StateStore,
    tenant: &TenantId,
) -> Result<Vec<Broadcast>, StoreError> {
    let mut out = Vec::new();
    for key in store.list(&prefix(tenant)).await? {
        if let Some(b) = get_json::<Broadcast>(store, &key).await? {
            out.push(b);
        }
    }
    Ok(out)
}

/// Forgets a posted broadcast (nothing happens when it was not kept).
pub async fn forget_broadcast(
    store: &dyn StateStore,
    broadcast: &Broadcast,
) -> Result<(), StoreError> {
    let key = key_of(broadcast)?;
    if store.get(&key).await?.is_some() {
        store.delete(&key, Condition::Always).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::NoticeRef;
    use crate::lifecycle::testkit::{tenant, MemoryStore};

    fn broadcast(key: &str) -> Broadcast {
        Broadcast {
            tenant: tenant(),
            enforcement_date: None,
            notice: NoticeRef {
                tracking_id: Some("YT4M-9QZ".into()),
                communication_id: None,
                title: "MFA for Azure Resource Manager".into(),
                published_at: None,
            },
            dedupe_key: key.into(),
        }
    }

    #[tokio::test]
    async fn a_deferred_broadcast_waits_until_it_is_posted() {
        let store = MemoryStore::default();
        assert!(pending_broadcasts(&store, &tenant())
            .await
            .unwrap()
            .is_empty());
        defer_broadcast(&store, &broadcast("a/b:../c"))
            .await
            .unwrap();
        defer_broadcast(&store, &broadcast("a/b:../c"))
            .await
            .unwrap();
        defer_broadcast(&store, &broadcast("other")).await.unwrap();
        let pending = pending_broadcasts(&store, &tenant()).await.unwrap();
        assert_eq!(pending.len(), 2, "one per dedupe key");
        forget_broadcast(&store, &broadcast("a/b:../c"))
            .await
            .unwrap();
        forget_broadcast(&store, &broadcast("never kept"))
            .await
            .unwrap();
        let pending = pending_broadcasts(&store, &tenant()).await.unwrap();
        assert_eq!(pending, vec![broadcast("other")]);
    }
}
