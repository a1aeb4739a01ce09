//! Durable state behind one trait: Azure Blob Storage in Azure, a local directory as the
//! embedded default. Optimistic concurrency with ETags on both.
//!
//! - [`LocalDirStore`]: files below a directory (`./.stepup/` by default).
//! - [`BlobStore`]: blobs in a container, through the official `azure_storage_blob` crate.
//! - [`update_json`] (and [`update_json_if_changed`]) / [`get_json`]: read-modify-write of JSON values with re-read and
//!   re-apply on [`StateError::Conflict`].
//! - [`StateConfig`]: which store the settings ask for.

mod blob;
mod config;
mod json;
mod key;
mod local;

use async_trait::async_trait;
use bytes::Bytes;

pub use blob::{BlobStore, BlobStoreOptions};
pub use config::{
    BlobSettings, StateConfig, StateConfigError, BLOB_URL_VAR, CONTAINER_VAR, DEFAULT_CONTAINER,
    DEFAULT_STATE_DIR, STATE_DIR_VAR,
};
pub use json::{get_json, put_json, update_json, update_json_if_changed, MAX_UPDATE_ATTEMPTS};
pub use key::{KeyError, StateKey};
pub use local::LocalDirStore;

/// An entity tag: the version of a stored value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ETag(pub String);

/// A stored value and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned {
    /// The bytes stored.
    pub body: Bytes,
    /// Their version.
    pub etag: ETag,
}

/// When a write or delete may happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// Unconditionally.
    Always,
    /// Only if the key does not exist (`If-None-Match: *`).
    IfAbsent,
    /// Only if the stored version is this one (`If-Match`).
    IfMatch(ETag),
}

/// A state store failure.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The condition did not hold (HTTP 409/412, or a local version mismatch): re-read and
    /// re-apply.
    #[error("{key}: changed by someone else (re-read and retry)")]
    Conflict {
        /// The key.
        key: String,
    },
    /// The store refused our identity (401/403).
    #[error("{key}: access denied: {message}")]
    Denied {
        /// The key.
        key: String,
        /// Why.
        message: String,
    },
    /// Anything else: I/O, network, service errors.
    #[error("{key}: {message}")]
    Failed {
        /// The key.
        key: String,
        /// What happened, without secrets.
        message: String,
    },
}

/// A key-value store with versions.
#[async_trait]
pub trait StateStore: Send + Sync {
    /// Reads a key; `None` when absent.
    async fn get(&self, key: &StateKey) -> Result<Option<Versioned>, StateError>;
    /// Writes a key when `condition` holds; returns the new version.
    async fn put(
        &self,
        key: &StateKey,
        body: Bytes,
        condition: Condition,
    ) -> Result<ETag, StateError>;
    /// Deletes a key when `condition` holds; deleting an absent key is not an error for
    /// [`Condition::Always`].
    async fn delete(&self, key: &StateKey, condition: Condition) -> Result<(), StateError>;
    /// Keys below a prefix (`accounts/`), sorted.
    async fn list(&self, prefix: &str) -> Result<Vec<StateKey>, StateError>;
    /// The current version of a key without its body (`None` when absent): a cheap check
    /// whether a large value changed. The default reads the value; stores override it with
    /// a metadata call.
    async fn version(&self, key: &StateKey) -> Result<Option<ETag>, StateError> {
        Ok(self.get(key).await?.map(|found| found.etag))
    }
}
