//! Access tokens: JWT-shaped opaque strings the fake remembers, each bound to an audience
//! (Graph, ARM or Storage), a tenant, a client and an expiry. Storage tokens are for
//! Azurite (`--oauth basic` checks the claims, not the signature), so one managed identity
//! reaches the fake and the storage emulator, as in a function app.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;

/// The resource a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Microsoft Graph.
    Graph,
    /// Azure Resource Manager.
    Arm,
    /// Azure Storage (blobs, queues).
    Storage,
}

impl Audience {
    /// The audience claim real tokens carry.
    pub fn claim(self) -> &'static str {
        match self {
            Audience::Graph => "https://graph.microsoft.com",
            Audience::Arm => "https://management.core.windows.net/",
            Audience::Storage => "https://storage.azure.com",
        }
    }
}

/// What the fake knows about an issued token.
#[derive(Debug, Clone)]
pub(crate) struct TokenInfo {
    /// Its audience.
    pub audience: Audience,
    /// The tenant it was issued in (lowercase).
    pub tenant: String,
    /// The client (app) it was issued to.
    pub client_id: String,
    /// When it expires.
    pub expires: Instant,
    /// When it expires, as Unix seconds.
    pub expires_unix: u64,
}

/// The result of checking a presented token.
#[derive(Debug, Clone)]
pub(crate) enum Check {
    /// Not a token the fake issued.
    Unknown,
    /// Issued, but expired.
    Expired(TokenInfo),
    /// Valid.
    Valid(TokenInfo),
}

/// Issued tokens.
#[derive(Debug, Default)]
pub(crate) struct TokenStore {
    issued: Mutex<HashMap<String, TokenInfo>>,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl TokenStore {
    /// Issues a token for `audience` in `tenant` to `client_id`, valid for `lifetime`.
    pub(crate) fn issue(
        &self,
        audience: Audience,
        tenant: &str,
        client_id: &str,
        lifetime: Duration,
    ) -> (String, TokenInfo) {
        let now = unix_now();
        let expires_unix = now + lifetime.as_secs();
        let header = json!({"typ": "JWT", "alg": "RS256", "kid": "azure-fake"});
        let claims = json!({
            "aud": audience.claim(),
            "iss": format!("https://sts.windows.net/{tenant}/"),
            "iat": now, "nbf": now, "exp": expires_unix,
            "appid": client_id, "azp": client_id, "idtyp": "app",
            "tid": tenant, "ver": "1.0",
        });
        let signature: [u8; 32] = rand::random();
        let token = format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string()),
            URL_SAFE_NO_PAD.encode(signature)
        );
        let info = TokenInfo {
            audience,
            tenant: tenant.to_string(),
            client_id: client_id.to_string(),
            expires: Instant::now() + lifetime,
            expires_unix,
        };
        self.issued
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.clone(), info.clone());
        (token, info)
    }

    /// Checks a presented token.
    pub(crate) fn check(&self, token: &str) -> Check {
        let issued = self.issued.lock().unwrap_or_else(|e| e.into_inner());
        match issued.get(token) {
            None => Check::Unknown,
            Some(info) if Instant::now() >= info.expires => Check::Expired(info.clone()),
            Some(info) => Check::Valid(info.clone()),
        }
    }

    /// Every token issued so far.
    pub(crate) fn all(&self) -> Vec<String> {
        self.issued
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    /// Makes every token issued so far expired.
    pub(crate) fn expire_all(&self) {
        let now = Instant::now();
        for info in self
            .issued
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values_mut()
        {
            info.expires = now;
        }
    }
}
