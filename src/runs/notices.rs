//! From a run's planned notices to `stepup-notify` messages: one per owner, naming the
//! owner's due accounts; an account list too long for a queue message is kept in state and
//! the message names its key (the claim-check pattern).

use std::collections::BTreeMap;

use crate::ids::{ObjectId, TenantId};
use crate::jobs::{OwnerNotice, RunId};
use crate::lifecycle::StoreError;
use crate::state::{get_json, put_json, Condition, StateError, StateKey, StateStore};
use crate::teams::notify::OwnerNotice as PlannedNotice;

/// The most accounts a message names itself (≈40 KB of ids, under the 64 KB queue limit).
pub const ACCOUNTS_INLINE: usize = 1000;

/// One message per owner (owners compared without case), accounts in id order.
pub async fn owner_messages(
    store: &dyn StateStore,
    run_id: &RunId,
    tenant: TenantId,
    planned: &[PlannedNotice],
) -> Result<Vec<OwnerNotice>, StoreError> {
    let mut by_owner: BTreeMap<String, (String, Vec<ObjectId>)> = BTreeMap::new();
    for notice in planned {
        let who = notice.owner.who.trim();
        let entry = by_owner
            .entry(who.to_lowercase())
            .or_insert_with(|| (who.to_owned(), Vec::new()));
        entry.1.extend(notice.user_ids());
    }
    let mut messages = Vec::with_capacity(by_owner.len());
    for (n, (_, (owner, mut accounts))) in by_owner.into_iter().enumerate() {
        accounts.sort();
        accounts.dedup();
        let mut message = OwnerNotice {
            run_id: run_id.clone(),
            tenant,
            owner,
            accounts,
            accounts_key: None,
        };
        if message.accounts.len() > ACCOUNTS_INLINE {
            let key = StateKey::parse(&format!("notices/{tenant}/{run_id}/{n}.json"))?;
            put_json(store, &key, &message.accounts, Condition::Always).await?;
            message.accounts = Vec::new();
            message.accounts_key = Some(key.as_str().to_owned());
        }
        messages.push(message);
    }
    Ok(messages)
}

/// The message with its account list read back from state when it names a key. A key
/// outside the tenant's own `notices/<tenant>/` folder is refused.
pub async fn resolve_accounts(
    store: &dyn StateStore,
    message: &OwnerNotice,
) -> Result<OwnerNotice, StoreError> {
    let Some(key) = &message.accounts_key else {
        return Ok(message.clone());
    };
    let prefix = format!("notices/{}/", message.tenant);
    let key = StateKey::parse(key)?;
    if !key.as_str().starts_with(&prefix) {
        return Err(StateError::Failed {
            key: key.to_string(),
            message: format!("an owner notice's account list must be under {prefix}"),
        }
        .into());
    }
    let mut accounts: Vec<ObjectId> = get_json(store, &key).await?.unwrap_or_default();
    accounts.extend(message.accounts.iter().copied());
    Ok(OwnerNotice {
        accounts,
        accounts_key: None,
        ..message.clone()
    })
}
