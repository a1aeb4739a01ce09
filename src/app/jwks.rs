//! The signing keys of Entra ID tenants, for the secure-webhook check:
//! `{authority}/{tenant}/discovery/v2.0/keys`, cached per tenant and fetched again when a
//! token names a key the cache lacks (keys roll over) — at most once a minute for one
//! missing key id, so a stream of tokens with a made-up `kid` does not hammer Entra ID.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use tokio::sync::Mutex;

use crate::alerts::token::AuthError;
use crate::ids::TenantId;

/// The public cloud's token authority.
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";

/// The least time between two fetches for the same missing key id.
const REFRESH_FLOOR: Duration = Duration::from_secs(60);
/// The longest a fetched key set is used without asking again.
const MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// How long a fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

struct Entry {
    keys: JwkSet,
    fetched: Instant,
    /// Key ids that were missing after a fetch, and when.
    missed: HashMap<String, Instant>,
}

/// Key sets by tenant.
pub struct JwksCache {
    client: reqwest::Client,
    authority: String,
    entries: Mutex<HashMap<TenantId, Entry>>,
}

impl JwksCache {
    /// Keys from `authority` (`AZURE_AUTHORITY_HOST`; https, or http on loopback for tests).
    pub fn new(authority: &str) -> Result<Self, String> {
        let url = url::Url::parse(authority.trim())
            .map_err(|e| format!("AZURE_AUTHORITY_HOST {authority:?} is not a URL: {e}"))?;
        let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            return Err(format!(
                "AZURE_AUTHORITY_HOST {authority:?} must be https (http only on loopback)"
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Self {
            client,
            authority: authority.trim().trim_end_matches('/').to_string(),
            entries: Mutex::new(HashMap::new()),
        })
    }

    /// The authority, without a trailing slash.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The tenant's keys, fetched when none are cached, when they are a day old, or when
    /// they lack `kid` (unless that `kid` was already missing after a fetch within the last
    /// minute).
    pub async fn keys(&self, tenant: TenantId, kid: &str) -> Result<JwkSet, AuthError> {
        let mut entries = self.entries.lock().await;
        let mut missed = HashMap::new();
        if let Some(entry) = entries.get(&tenant) {
            if entry.fetched.elapsed() < MAX_AGE {
                let recently_missed = entry
                    .missed
                    .get(kid)
                    .is_some_and(|at| at.elapsed() < REFRESH_FLOOR);
                if entry.keys.find(kid).is_some() || recently_missed {
                    return Ok(entry.keys.clone());
                }
                missed = entry.missed.clone();
            }
        }
        let keys = self.fetch(tenant).await?;
        missed.retain(|_, at| at.elapsed() < REFRESH_FLOOR);
        if keys.find(kid).is_none() {
            missed.insert(kid.to_string(), Instant::now());
        }
        entries.insert(
            tenant,
            Entry {
                keys: keys.clone(),
                fetched: Instant::now(),
                missed,
            },
        );
        Ok(keys)
    }

    async fn fetch(&self, tenant: TenantId) -> Result<JwkSet, AuthError> {
        let url = format!("{}/{tenant}/discovery/v2.0/keys", self.authority);
        let unavailable = |m: String| AuthError::KeysUnavailable(m);
        let response = self
            .client
            .get(&url)
            .send()
            .await
            .map_err(|e| unavailable(format!("{url}: {e}")))?;
        let status = response.status();
        if !status.is_success() {
            return Err(unavailable(format!("{url} answered {status}")));
        }
        response
            .json::<JwkSet>()
            .await
            .map_err(|e| unavailable(format!("{url}: not a JWKS: {e}")))
    }
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksCache")
            .field("authority", &self.authority)
            .finish_non_exhaustive()
    }
}
