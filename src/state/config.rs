//! Which state store the settings ask for: a local directory, or a blob container when
//! `STEPUP_STORAGE_BLOB_URL` is set.
//!
//! | Setting | Default | Meaning |
//! |---|---|---|
//! | `STEPUP_STATE_DIR` | `.stepup` | Directory of the local store (used without a blob URL). |
//! | `STEPUP_STORAGE_BLOB_URL` | unset | Blob endpoint of the storage account (`https://<account>.blob.core.windows.net`); when set, state lives in Blob Storage. |
//! | `STEPUP_STATE_CONTAINER` | `stepup` | Blob container holding the state (created if missing). |

use std::path::PathBuf;
use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use azure_core::http::Url;

use super::{BlobStore, BlobStoreOptions, LocalDirStore, StateError, StateStore};

/// Setting: directory of the local store.
pub const STATE_DIR_VAR: &str = "STEPUP_STATE_DIR";
/// Setting: blob endpoint of the storage account.
pub const BLOB_URL_VAR: &str = "STEPUP_STORAGE_BLOB_URL";
/// Setting: container name.
pub const CONTAINER_VAR: &str = "STEPUP_STATE_CONTAINER";

/// Default local directory.
pub const DEFAULT_STATE_DIR: &str = ".stepup";
/// Default container name.
pub const DEFAULT_CONTAINER: &str = "stepup";

/// A setting with a value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct StateConfigError {
    /// The setting's name.
    pub variable: &'static str,
    /// What is wrong with its value.
    pub message: String,
}

/// Where blob state lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobSettings {
    /// Blob endpoint of the account (`https://<account>.blob.core.windows.net`).
    pub account_url: Url,
    /// Container name.
    pub container: String,
}

/// The state store settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateConfig {
    /// Directory of the local store.
    pub dir: PathBuf,
    /// Blob Storage, when configured; it then takes precedence over `dir`.
    pub blob: Option<BlobSettings>,
}

impl StateConfig {
    /// Reads the settings through `lookup` (the environment, or app settings); an unset or
    /// empty value takes the default.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, StateConfigError> {
        let value = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let dir = PathBuf::from(value(STATE_DIR_VAR).unwrap_or_else(|| DEFAULT_STATE_DIR.into()));
        let container = value(CONTAINER_VAR).unwrap_or_else(|| DEFAULT_CONTAINER.into());
        check_container(&container)?;
        let blob = match value(BLOB_URL_VAR) {
            None => None,
            Some(url) => Some(BlobSettings {
                account_url: parse_account_url(&url)?,
                container,
            }),
        };
        Ok(Self { dir, blob })
    }

    /// Opens the configured store. Blob Storage needs `credential` (the managed identity in
    /// Azure); the local store ignores it.
    pub async fn open(
        &self,
        credential: Option<Arc<dyn TokenCredential>>,
    ) -> Result<Arc<dyn StateStore>, StateError> {
        match (&self.blob, credential) {
            (None, _) => Ok(Arc::new(LocalDirStore::new(&self.dir))),
            (Some(blob), Some(credential)) => Ok(Arc::new(
                BlobStore::connect(
                    &blob.account_url,
                    &blob.container,
                    credential,
                    BlobStoreOptions::default(),
                )
                .await?,
            )),
            (Some(blob), None) => Err(StateError::Denied {
                key: blob.container.clone(),
                message: format!("{BLOB_URL_VAR} is set but no Azure credential is available"),
            }),
        }
    }
}

/// Checks a blob endpoint: https, or http(s) on loopback for the emulator; no query.
fn parse_account_url(text: &str) -> Result<Url, StateConfigError> {
    let err = |message: String| StateConfigError {
        variable: BLOB_URL_VAR,
        message,
    };
    let url = Url::parse(text).map_err(|e| err(format!("not a URL ({e})")))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        other => {
            return Err(err(format!(
                "must be an https URL (got scheme {other:?}); plain http only on 127.0.0.1 or localhost"
            )))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(err("has no host".into()));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(err(
            "must be the bare blob endpoint, without credentials, query (SAS) or fragment".into(),
        ));
    }
    Ok(url)
}

/// Checks a container name against Blob Storage's rules.
fn check_container(name: &str) -> Result<(), StateConfigError> {
    let ok = (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--");
    if ok {
        Ok(())
    } else {
        Err(StateConfigError {
            variable: CONTAINER_VAR,
            message: format!(
                "{name:?} is not a container name (3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit)"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<StateConfig, StateConfigError> {
        StateConfig::from_lookup(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn defaults_to_the_local_directory() {
        let c = config(&[]).expect("defaults");
        assert_eq!(c.dir, PathBuf::from(".stepup"));
        assert_eq!(c.blob, None);
        let c = config(&[(STATE_DIR_VAR, "/var/lib/stepup")]).expect("dir");
        assert_eq!(c.dir, PathBuf::from("/var/lib/stepup"));
    }

    #[test]
    fn a_blob_url_selects_blob_storage_with_the_default_container() {
        let c = config(&[(BLOB_URL_VAR, "https://acct.blob.core.windows.net")]).expect("blob");
        let blob = c.blob.expect("blob settings");
        assert_eq!(
            blob.account_url.host_str(),
            Some("acct.blob.core.windows.net")
        );
        assert_eq!(blob.container, "stepup");
        let c = config(&[
            (BLOB_URL_VAR, "https://127.0.0.1:10000/devstoreaccount1"),
            (CONTAINER_VAR, "state-2"),
        ])
        .expect("emulator");
        assert_eq!(c.blob.expect("blob").container, "state-2");
    }

    #[test]
    fn wrong_values_name_the_setting() {
        for (pairs, variable) in [
            (
                vec![(BLOB_URL_VAR, "http://acct.blob.core.windows.net")],
                BLOB_URL_VAR,
            ),
            (vec![(BLOB_URL_VAR, "not a url")], BLOB_URL_VAR),
            (
                vec![(
                    BLOB_URL_VAR,
                    "https://acct.blob.core.windows.net/?sv=2024&sig=x",
                )],
                BLOB_URL_VAR,
            ),
            (vec![(CONTAINER_VAR, "Has_Upper")], CONTAINER_VAR),
            (vec![(CONTAINER_VAR, "a--b")], CONTAINER_VAR),
            (vec![(CONTAINER_VAR, "ab")], CONTAINER_VAR),
        ] {
            let err = config(&pairs).expect_err("bad value");
            assert_eq!(err.variable, variable, "{pairs:?}");
            assert!(err.to_string().starts_with(variable), "{err}");
        }
        assert!(config(&[(BLOB_URL_VAR, "http://localhost:10000/devstoreaccount1")]).is_ok());
    }
}
