//! Who a chat sender is. An outgoing-webhook activity carries only the sender's Entra object
//! id (`from.aadObjectId`) and display name; ack and snooze need the sender's UPN or mail to
//! compare with an account's owner and with `STEPUP_ADMINS`.
//!
//! [`Directory`] is the lookup. Two implementations live here: [`MemoryDirectory`] (tests,
//! fixed lists) and [`StateDirectory`](super::people::StateDirectory) (the people index a
//! scan writes to state). **Hook:** a Graph-backed directory
//! (`GET /users/{id}?$select=userPrincipalName,mail`, permission User.Read.All) implements
//! the same trait and is passed to [`crate::app::TeamsChat::with_directory`] in place of
//! the default (`registry` in `src/app/mod.rs` builds `TeamsChat::new`).

use std::collections::HashMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::ids::ObjectId;

/// A person's names in the directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// The user principal name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// The primary SMTP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<String>,
}

impl Person {
    /// The names to compare with owners and admins (UPN, mail), without empties.
    pub fn names(&self) -> Vec<&str> {
        [self.upn.as_deref(), self.mail.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect()
    }
}

/// The directory could not answer (not "no such person": that is `Ok(None)`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the directory cannot look people up right now: {0}")]
pub struct DirectoryError(pub String);

/// Looks people up by Entra object id.
#[async_trait]
pub trait Directory: Send + Sync {
    /// The UPN and mail of `id`; `None` when the directory knows no such user.
    async fn upn_and_mail_of(&self, id: &ObjectId) -> Result<Option<Person>, DirectoryError>;
}

/// A fixed directory in memory.
#[derive(Debug, Clone, Default)]
pub struct MemoryDirectory {
    people: HashMap<ObjectId, Person>,
}

impl MemoryDirectory {
    /// An empty directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a person.
    pub fn with(mut self, id: ObjectId, upn: Option<&str>, mail: Option<&str>) -> Self {
        self.people.insert(
            id,
            Person {
                upn: upn.map(str::to_string),
                mail: mail.map(str::to_string),
            },
        );
        self
    }
}

#[async_trait]
impl Directory for MemoryDirectory {
    async fn upn_and_mail_of(&self, id: &ObjectId) -> Result<Option<Person>, DirectoryError> {
        Ok(self.people.get(id).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_memory_directory_knows_whom_it_was_given() {
        let ada = ObjectId::parse("6e1b6b9f-5b8a-4c4e-9a57-0c0a3f0b7d11").unwrap();
        let bob = ObjectId::parse("6e1b6b9f-5b8a-4c4e-9a57-0c0a3f0b7d12").unwrap();
        let d = MemoryDirectory::new().with(ada, Some("ada@contoso.com"), Some(" "));
        let found = d.upn_and_mail_of(&ada).await.unwrap().unwrap();
        assert_eq!(found.names(), ["ada@contoso.com"]);
        assert_eq!(d.upn_and_mail_of(&bob).await.unwrap(), None);
    }
}
