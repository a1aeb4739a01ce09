//! The directory data of a [`Partial`](super::aggregate::Partial) (role definitions,
//! subscriptions and their tags, role assignments without `principalType`), in a serialisable
//! form: what a queue job that read a directory source keeps in state until the run is
//! reconciled (DESIGN.md §5).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::detect::records::{RoleDefinition, Subscription};
use crate::ids::{ObjectId, SubscriptionId};

/// Directory data, serialisable. Empty for event data (sign-ins, activity).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryPart {
    /// Role definitions read from ARM.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub role_definitions: Vec<StoredRoleDefinition>,
    /// Subscriptions and their tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscriptions: Vec<StoredSubscription>,
    /// Role assignments without `principalType`: (principal, role, scope).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub untyped_assignments: Vec<(ObjectId, Uuid, Option<String>)>,
}

impl DirectoryPart {
    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.role_definitions.is_empty()
            && self.subscriptions.is_empty()
            && self.untyped_assignments.is_empty()
    }
}

/// A [`RoleDefinition`] as kept in state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredRoleDefinition {
    /// The role's GUID.
    pub id: Uuid,
    /// Its name.
    #[serde(default)]
    pub role_name: Option<String>,
    /// Whether Microsoft defines it.
    #[serde(default)]
    pub built_in: bool,
    /// Its control-plane actions.
    #[serde(default)]
    pub actions: Vec<String>,
}

impl From<RoleDefinition> for StoredRoleDefinition {
    fn from(d: RoleDefinition) -> Self {
        Self {
            id: d.id,
            role_name: d.role_name,
            built_in: d.built_in,
            actions: d.actions,
        }
    }
}

impl From<StoredRoleDefinition> for RoleDefinition {
    fn from(d: StoredRoleDefinition) -> Self {
        Self {
            id: d.id,
            role_name: d.role_name,
            built_in: d.built_in,
            actions: d.actions,
        }
    }
}

/// A [`Subscription`] as kept in state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredSubscription {
    /// The subscription id.
    pub subscription_id: SubscriptionId,
    /// Its name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Its tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

impl From<Subscription> for StoredSubscription {
    fn from(s: Subscription) -> Self {
        Self {
            subscription_id: s.subscription_id,
            display_name: s.display_name,
            tags: s.tags,
        }
    }
}

impl From<StoredSubscription> for Subscription {
    fn from(s: StoredSubscription) -> Self {
        Self {
            subscription_id: s.subscription_id,
            display_name: s.display_name,
            tags: s.tags,
        }
    }
}
