//! The people index: object id → UPN and mail of the tenant's users, kept in state at
//! `people/<tenantId>.json` so chat can tell who a sender is without calling Graph.
//! A scan writes it from the users it read ([`PeopleIndex::from_users`], [`PeopleIndex::save`]);
//! [`StateDirectory`] reads it (cached, re-read when its version changes).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::detect::records::User;
use crate::ids::{ObjectId, TenantId};
use crate::state::{Condition, StateError, StateKey, StateStore, Versioned};

use super::cache::{Builder, StateCache};
use super::directory::{Directory, DirectoryError, Person};

/// How often the stored index's version is checked.
pub const CHECK_EVERY: Duration = Duration::from_secs(30);

/// One person of the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexedPerson {
    /// The object id.
    pub id: ObjectId,
    /// UPN and mail.
    #[serde(flatten)]
    pub person: Person,
}

/// The stored people index of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeopleIndex {
    /// The tenant.
    pub tenant_id: TenantId,
    /// When it was written.
    pub generated_at: DateTime<Utc>,
    /// The people.
    pub people: Vec<IndexedPerson>,
}

impl PeopleIndex {
    /// The state key: `people/<tenantId>.json`.
    pub fn key_of(tenant: &TenantId) -> StateKey {
        StateKey::parse(&format!("people/{tenant}.json"))
            .unwrap_or_else(|_| unreachable!("a GUID always forms a valid key"))
    }

    /// The index of `users` (Graph user objects, as a scan reads them), also listing
    /// managers and sponsors that name a UPN or mail.
    pub fn from_users<'a>(
        tenant_id: TenantId,
        generated_at: DateTime<Utc>,
        users: impl IntoIterator<Item = &'a User>,
    ) -> Self {
        let mut by_id: HashMap<ObjectId, Person> = HashMap::new();
        for user in users {
            let contacts = user.manager.iter().chain(user.sponsors.iter());
            for c in contacts {
                if let Some(id) = c.id {
                    let person = Person {
                        upn: c.user_principal_name.clone(),
                        mail: c.mail.clone(),
                    };
                    if !person.names().is_empty() {
                        by_id.entry(id).or_insert(person);
                    }
                }
            }
            by_id.insert(
                user.id,
                Person {
                    upn: user.user_principal_name.clone(),
                    mail: user.mail.clone(),
                },
            );
        }
        let mut people: Vec<IndexedPerson> = by_id
            .into_iter()
            .map(|(id, person)| IndexedPerson { id, person })
            .collect();
        people.sort_by_key(|p| p.id);
        Self {
            tenant_id,
            generated_at,
            people,
        }
    }

    /// Stores the index (replacing the previous one).
    pub async fn save(&self, store: &dyn StateStore) -> Result<(), StateError> {
        crate::state::put_json(
            store,
            &Self::key_of(&self.tenant_id),
            self,
            Condition::Always,
        )
        .await?;
        Ok(())
    }
}

/// A [`Directory`] over the stored people index of one tenant.
pub struct StateDirectory {
    cache: Arc<StateCache<HashMap<ObjectId, Person>>>,
}

impl StateDirectory {
    /// Reads `people/<tenant>.json` from `store`.
    pub fn new(store: Arc<dyn StateStore>, tenant: &TenantId) -> Self {
        let build: Builder<HashMap<ObjectId, Person>> = Arc::new(|_store, found: Versioned| {
            Box::pin(async move {
                tokio::task::spawn_blocking(move || {
                    let index: PeopleIndex = serde_json::from_slice(&found.body)
                        .map_err(|e| format!("not a people index: {e}"))?;
                    Ok(index.people.into_iter().map(|p| (p.id, p.person)).collect())
                })
                .await
                .map_err(|e| format!("reading the people index failed: {e}"))?
            })
        });
        Self {
            cache: Arc::new(StateCache::new(
                store,
                PeopleIndex::key_of(tenant),
                CHECK_EVERY,
                build,
            )),
        }
    }
}

#[async_trait]
impl Directory for StateDirectory {
    async fn upn_and_mail_of(&self, id: &ObjectId) -> Result<Option<Person>, DirectoryError> {
        let loaded = self
            .cache
            .get()
            .await
            .map_err(|e| DirectoryError(e.to_string()))?;
        Ok(loaded.and_then(|l| l.value.get(id).cloned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::LocalDirStore;

    #[tokio::test]
    async fn users_managers_and_sponsors_are_found_by_id() {
        let users: Vec<User> = serde_json::from_value(serde_json::json!([
            {"id": "00000000-0000-0000-0000-00000000000a", "userPrincipalName": "svc@contoso.com",
             "manager": {"id": "00000000-0000-0000-0000-00000000000b", "userPrincipalName": "ada@contoso.com"},
             "sponsors": [{"id": "00000000-0000-0000-0000-00000000000c", "mail": "bob@contoso.com"},
                          {"mail": "x@contoso.com"}]},
            {"id": "00000000-0000-0000-0000-00000000000b", "userPrincipalName": "ada@contoso.com", "mail": "ada.l@contoso.com"}
        ]))
        .unwrap();
        let tenant = TenantId::parse("72f988bf-86f1-41af-91ab-2d7cd011db47").unwrap();
        let index = PeopleIndex::from_users(tenant, Utc::now(), &users);
        assert_eq!(index.people.len(), 3);

        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(dir.path()));
        let directory = StateDirectory::new(store.clone(), &tenant);
        let id =
            |n: &str| ObjectId::parse(&format!("00000000-0000-0000-0000-00000000000{n}")).unwrap();
        assert_eq!(
            directory.upn_and_mail_of(&id("a")).await.unwrap(),
            None,
            "no index yet"
        );

        index.save(store.as_ref()).await.unwrap();
        let directory = StateDirectory::new(store, &tenant);
        let ada = directory.upn_and_mail_of(&id("b")).await.unwrap().unwrap();
        assert_eq!(
            ada.names(),
            ["ada@contoso.com", "ada.l@contoso.com"],
            "the user's own record wins"
        );
        let bob = directory.upn_and_mail_of(&id("c")).await.unwrap().unwrap();
        assert_eq!(bob.names(), ["bob@contoso.com"]);
        assert_eq!(directory.upn_and_mail_of(&id("d")).await.unwrap(), None);
    }
}
