//! Access tokens per scope, cached until shortly before they expire. azure_identity's
//! credentials cache their own tokens, except the Azure CLI credential (which runs `az` on
//! every call); one cache here makes every credential behave the same and lets a 401 drop a
//! token that the service no longer accepts.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use azure_core::time::{Duration, OffsetDateTime};
use tokio::sync::Mutex;

use crate::secret::Secret;

/// Tokens are refreshed this long before they expire.
const REFRESH_BEFORE_SECONDS: i64 = 300;

/// A token and its expiry.
#[derive(Clone)]
struct Cached {
    token: Secret,
    expires_on: OffsetDateTime,
}

/// Tokens from one credential, cached per scope.
pub struct TokenSource {
    credential: Arc<dyn TokenCredential>,
    cache: Mutex<HashMap<String, Cached>>,
    fetched: std::sync::atomic::AtomicU64,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource").finish_non_exhaustive()
    }
}

impl TokenSource {
    /// Tokens from `credential`.
    pub fn new(credential: Arc<dyn TokenCredential>) -> Self {
        Self {
            credential,
            cache: Mutex::new(HashMap::new()),
            fetched: Default::default(),
        }
    }

    /// A valid token for `scope` (`https://graph.microsoft.com/.default`): the cached one
    /// unless it expires within five minutes. Concurrent callers wait for one refresh.
    pub async fn token(&self, scope: &str) -> Result<Secret, String> {
        let mut cache = self.cache.lock().await;
        let fresh_until = OffsetDateTime::now_utc() + Duration::seconds(REFRESH_BEFORE_SECONDS);
        if let Some(c) = cache.get(scope) {
            if c.expires_on > fresh_until {
                return Ok(c.token.clone());
            }
        }
        let got = self
            .credential
            .get_token(&[scope], None)
            .await
            .map_err(|e| one_line(&e.to_string()))?;
        self.fetched
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let cached = Cached {
            token: Secret::new(got.token.secret()),
            expires_on: got.expires_on,
        };
        cache.insert(scope.to_owned(), cached.clone());
        Ok(cached.token)
    }

    /// Forgets the token of `scope` (the service answered 401 with it).
    pub async fn invalidate(&self, scope: &str) {
        self.cache.lock().await.remove(scope);
    }

    /// Tokens fetched from the credential so far.
    pub fn fetched(&self) -> u64 {
        self.fetched.load(std::sync::atomic::Ordering::Relaxed)
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `.default` scope of a service base URL (`https://graph.microsoft.com` →
/// `https://graph.microsoft.com/.default`).
pub fn default_scope(base: &url::Url) -> String {
    format!("{}/.default", base.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;
    use azure_core::credentials::{AccessToken, TokenRequestOptions};
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A credential whose tokens live `lifetime` seconds and carry a serial number.
    #[derive(Debug)]
    struct Counting {
        calls: AtomicU32,
        lifetime: i64,
    }

    #[async_trait::async_trait]
    impl TokenCredential for Counting {
        async fn get_token(
            &self,
            scopes: &[&str],
            _: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AccessToken> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            Ok(AccessToken::new(
                format!("{}#{n}", scopes.join(" ")),
                OffsetDateTime::now_utc() + Duration::seconds(self.lifetime),
            ))
        }
    }

    #[tokio::test]
    async fn caches_per_scope_until_near_expiry() {
        let cred = Arc::new(Counting {
            calls: AtomicU32::new(0),
            lifetime: 3600,
        });
        let tokens = TokenSource::new(cred.clone());
        let g1 = tokens.token("https://graph/.default").await.unwrap();
        let g2 = tokens.token("https://graph/.default").await.unwrap();
        let a1 = tokens.token("https://arm/.default").await.unwrap();
        assert_eq!(g1.expose(), g2.expose());
        assert_ne!(g1.expose(), a1.expose());
        assert_eq!(cred.calls.load(Ordering::SeqCst), 2);
        tokens.invalidate("https://graph/.default").await;
        let g3 = tokens.token("https://graph/.default").await.unwrap();
        assert_ne!(g1.expose(), g3.expose());
        assert_eq!(tokens.fetched(), 3);
    }

    #[tokio::test]
    async fn refreshes_tokens_that_expire_soon() {
        let cred = Arc::new(Counting {
            calls: AtomicU32::new(0),
            lifetime: 120,
        });
        let tokens = TokenSource::new(cred.clone());
        tokens.token("s").await.unwrap();
        tokens.token("s").await.unwrap();
        assert_eq!(
            cred.calls.load(Ordering::SeqCst),
            2,
            "a 2-minute token is refreshed"
        );
    }

    #[test]
    fn scopes_follow_the_base_url() {
        let u = url::Url::parse("https://graph.microsoft.com/").unwrap();
        assert_eq!(default_scope(&u), "https://graph.microsoft.com/.default");
        let u = url::Url::parse("http://127.0.0.1:4567/graph/").unwrap();
        assert_eq!(default_scope(&u), "http://127.0.0.1:4567/.default");
    }
}
