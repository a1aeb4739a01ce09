//! State in Azure Blob Storage through the official `azure_storage_blob` crate, with an
//! Entra token credential (the managed identity in Azure) and ETag concurrency:
//! `If-None-Match: *` for [`Condition::IfAbsent`], `If-Match` for [`Condition::IfMatch`].
//! 409/412 become [`StateError::Conflict`], 401/403 [`StateError::Denied`]. Error messages
//! come from the service response or the credential, never from a token.

use std::num::NonZeroU32;
use std::sync::Arc;

use async_trait::async_trait;
use azure_core::credentials::TokenCredential;
use azure_core::error::ErrorKind;
use azure_core::http::{ClientOptions, Etag, StatusCode, Url};
use azure_storage_blob::models::{
    BlobClientDeleteOptions, BlobClientGetPropertiesResultHeaders, BlobClientUploadOptions,
    BlobContainerClientListBlobsOptions,
};
use azure_storage_blob::{BlobContainerClient, BlobContainerClientOptions};
use bytes::Bytes;
use futures_util::TryStreamExt;

use super::{Condition, ETag, StateError, StateKey, StateStore, Versioned};

/// Options for [`BlobStore::connect`].
#[derive(Debug, Clone, Default)]
pub struct BlobStoreOptions {
    /// The SDK's client options (retry, transport…); the default is the SDK's own.
    pub client_options: ClientOptions,
    /// Names per listing page (`maxresults`); the service default (5000) when `None`.
    pub page_size: Option<NonZeroU32>,
}

/// A [`StateStore`] in one blob container; keys are blob names.
pub struct BlobStore {
    container: BlobContainerClient,
    page_size: Option<NonZeroU32>,
}

impl BlobStore {
    /// Connects to `container` below the account's blob endpoint (`account_url`, e.g.
    /// `https://<account>.blob.core.windows.net`) and creates the container if it is missing.
    pub async fn connect(
        account_url: &Url,
        container: &str,
        credential: Arc<dyn TokenCredential>,
        options: BlobStoreOptions,
    ) -> Result<Self, StateError> {
        let client = BlobContainerClient::new(
            container_url(account_url, container)?,
            Some(credential),
            Some(BlobContainerClientOptions {
                client_options: options.client_options,
                ..Default::default()
            }),
        )
        .map_err(|e| map_error(container, e))?;
        match client.create(None).await {
            Ok(_) => {}
            Err(e) if e.http_status() == Some(StatusCode::Conflict) => {} // already there
            Err(e) => return Err(map_error(container, e)),
        }
        Ok(Self {
            container: client,
            page_size: options.page_size,
        })
    }
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStore")
            .field("container", &self.container.url().as_str())
            .field("page_size", &self.page_size)
            .finish()
    }
}

/// The container's URL below the account's blob endpoint, with or without a trailing slash
/// (`https://a.blob.core.windows.net/` → `https://a.blob.core.windows.net/stepup`).
fn container_url(account_url: &Url, container: &str) -> Result<Url, StateError> {
    let mut url = account_url.clone();
    url.path_segments_mut()
        .map_err(|()| StateError::Failed {
            key: container.to_string(),
            message: format!("{account_url} cannot be a base URL"),
        })?
        .pop_if_empty()
        .push(container);
    Ok(url)
}

/// Maps an SDK error: conflicts, denials, and the rest with the service's message.
fn map_error(key: &str, e: azure_core::Error) -> StateError {
    let key = key.to_string();
    match e.http_status() {
        Some(StatusCode::Conflict | StatusCode::PreconditionFailed) => StateError::Conflict { key },
        Some(StatusCode::Unauthorized | StatusCode::Forbidden) => StateError::Denied {
            key,
            message: e.to_string(),
        },
        _ if matches!(e.kind(), ErrorKind::Credential) => StateError::Denied {
            key,
            message: format!("getting a token: {e}"),
        },
        _ => StateError::Failed {
            key,
            message: e.to_string(),
        },
    }
}

/// Whether an SDK error is a 404.
fn is_not_found(e: &azure_core::Error) -> bool {
    e.http_status() == Some(StatusCode::NotFound)
}

/// The SDK's ETag for ours.
fn sdk_etag(etag: &ETag) -> Etag {
    Etag::from(etag.0.clone())
}

#[async_trait]
impl StateStore for BlobStore {
    async fn get(&self, key: &StateKey) -> Result<Option<Versioned>, StateError> {
        let blob = self.container.blob_client(key.as_str());
        let response = match blob.download(None).await {
            Ok(response) => response,
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(map_error(key.as_str(), e)),
        };
        let etag = response
            .properties
            .etag
            .as_ref()
            .map(|e| ETag(e.to_string()))
            .ok_or_else(|| StateError::Failed {
                key: key.to_string(),
                message: "the service sent no ETag".into(),
            })?;
        let body = response
            .body
            .collect()
            .await
            .map_err(|e| map_error(key.as_str(), e))?;
        Ok(Some(Versioned { body, etag }))
    }

    async fn put(
        &self,
        key: &StateKey,
        body: Bytes,
        condition: Condition,
    ) -> Result<ETag, StateError> {
        let mut options = BlobClientUploadOptions {
            blob_content_type: Some(content_type(key).to_string()),
            ..Default::default()
        };
        match &condition {
            Condition::Always => {}
            Condition::IfAbsent => options.if_none_match = Some(Etag::from("*")),
            Condition::IfMatch(etag) => options.if_match = Some(sdk_etag(etag)),
        }
        let blob = self.container.blob_client(key.as_str());
        let result = blob.upload(body.into(), Some(options)).await;
        match result {
            Ok(done) => done
                .etag
                .map(|e| ETag(e.to_string()))
                .ok_or_else(|| StateError::Failed {
                    key: key.to_string(),
                    message: "the service sent no ETag".into(),
                }),
            // If-Match on a blob that is gone: someone deleted it.
            Err(e) if is_not_found(&e) && matches!(condition, Condition::IfMatch(_)) => {
                Err(StateError::Conflict {
                    key: key.to_string(),
                })
            }
            Err(e) => Err(map_error(key.as_str(), e)),
        }
    }

    async fn delete(&self, key: &StateKey, condition: Condition) -> Result<(), StateError> {
        let blob = self.container.blob_client(key.as_str());
        let mut options = BlobClientDeleteOptions::default();
        match &condition {
            Condition::Always => {}
            // "Delete only if absent" deletes nothing: it succeeds exactly when the blob is
            // absent. (The service ignores `If-None-Match: *` on deletes.)
            Condition::IfAbsent => {
                return match blob.exists().await {
                    Ok(false) => Ok(()),
                    Ok(true) => Err(StateError::Conflict {
                        key: key.to_string(),
                    }),
                    Err(e) => Err(map_error(key.as_str(), e)),
                };
            }
            Condition::IfMatch(etag) => options.if_match = Some(sdk_etag(etag)),
        }
        match blob.delete(Some(options)).await {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(&e) => match condition {
                Condition::IfMatch(_) => Err(StateError::Conflict {
                    key: key.to_string(),
                }),
                Condition::Always | Condition::IfAbsent => Ok(()),
            },
            Err(e) => Err(map_error(key.as_str(), e)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<StateKey>, StateError> {
        if !StateKey::could_start_with(prefix) {
            return Ok(Vec::new());
        }
        let options = BlobContainerClientListBlobsOptions {
            prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
            maxresults: self
                .page_size
                .map(|n| i32::try_from(n.get()).unwrap_or(i32::MAX)),
            ..Default::default()
        };
        let mut pager = self
            .container
            .list_blobs(Some(options))
            .map_err(|e| map_error(prefix, e))?;
        let mut keys = Vec::new();
        while let Some(item) = pager.try_next().await.map_err(|e| map_error(prefix, e))? {
            // Blobs written by others may have names that are not keys; skip them.
            if let Some(key) = item.name.and_then(|name| StateKey::parse(&name).ok()) {
                keys.push(key);
            }
        }
        keys.sort();
        Ok(keys)
    }

    async fn version(&self, key: &StateKey) -> Result<Option<ETag>, StateError> {
        let blob = self.container.blob_client(key.as_str());
        let response = match blob.get_properties(None).await {
            Ok(response) => response,
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(map_error(key.as_str(), e)),
        };
        match response.etag() {
            Ok(Some(etag)) => Ok(Some(ETag(etag.to_string()))),
            Ok(None) => Err(StateError::Failed {
                key: key.to_string(),
                message: "the service sent no ETag".into(),
            }),
            Err(e) => Err(map_error(key.as_str(), e)),
        }
    }
}

/// The content type recorded with a blob, for people browsing the container.
fn content_type(key: &StateKey) -> &'static str {
    if key.as_str().ends_with(".json") {
        "application/json"
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_container_goes_below_the_account_endpoint() {
        for (account, expected) in [
            (
                "https://acct.blob.core.windows.net/",
                "https://acct.blob.core.windows.net/stepup",
            ),
            (
                "https://acct.blob.core.windows.net",
                "https://acct.blob.core.windows.net/stepup",
            ),
            (
                "https://127.0.0.1:10000/devstoreaccount1",
                "https://127.0.0.1:10000/devstoreaccount1/stepup",
            ),
        ] {
            let url = container_url(&Url::parse(account).expect("URL"), "stepup").expect("join");
            assert_eq!(url.as_str(), expected);
        }
    }

    #[test]
    fn conflicts_and_denials_are_told_apart() {
        let http = |status: StatusCode| {
            azure_core::Error::with_message(
                ErrorKind::HttpResponse {
                    status,
                    error_code: None,
                    raw_response: None,
                },
                "service said no",
            )
        };
        assert!(matches!(
            map_error("k", http(StatusCode::PreconditionFailed)),
            StateError::Conflict { .. }
        ));
        assert!(matches!(
            map_error("k", http(StatusCode::Conflict)),
            StateError::Conflict { .. }
        ));
        assert!(matches!(
            map_error("k", http(StatusCode::Forbidden)),
            StateError::Denied { .. }
        ));
        assert!(matches!(
            map_error("k", http(StatusCode::InternalServerError)),
            StateError::Failed { .. }
        ));
    }
}
