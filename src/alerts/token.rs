//! The secure-webhook bearer token of an action group: an Entra ID access token for the
//! webhook's app registration, carrying the `ActionGroupsSecureWebhook` app role. This file
//! checks one against a tenant's signing keys; fetching the keys is the caller's business.
//!
//! Checked: an RS256 signature by a key of the tenant's JWKS (by `kid`), `iss` (v1
//! `https://sts.windows.net/{tid}/` or v2 `{authority}/{tid}/v2.0`), `aud`, `tid` one of
//! the configured tenants, the `ActionGroupsSecureWebhook` role, `exp` and `nbf` (5 minutes
//! of clock skew, against the caller's clock).

use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::ids::TenantId;

/// The app role an action group's token carries.
pub const WEBHOOK_ROLE: &str = "ActionGroupsSecureWebhook";

/// Clock skew allowed on `exp` and `nbf`, in seconds.
pub const CLOCK_SKEW_SECONDS: i64 = 300;

/// Why a request is not authenticated. Each message is one line, without the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization` header.
    #[error("missing Authorization: Bearer <token> (the action group's secure webhook sends one)")]
    Missing,
    /// Not a bearer token.
    #[error("Authorization must be Bearer <token>")]
    NotBearer,
    /// Not a JWT, or claims of the wrong type.
    #[error("the bearer token is malformed: {0}")]
    Malformed(String),
    /// A `tid` that is not one of the configured tenants.
    #[error("the token's tenant {0} is not a configured tenant")]
    WrongTenant(String),
    /// A `kid` the tenant's keys do not have.
    #[error("the token's signing key {0:?} is not among the tenant's keys")]
    UnknownKey(String),
    /// The signature does not verify.
    #[error("the token's signature does not verify")]
    BadSignature,
    /// `exp` is past.
    #[error("the token has expired")]
    Expired,
    /// `nbf` is ahead.
    #[error("the token is not valid yet")]
    NotYetValid,
    /// `aud` is another app's.
    #[error("the token is for another audience")]
    WrongAudience,
    /// `iss` is not the tenant's Entra ID.
    #[error("the token's issuer is not the tenant's Entra ID")]
    WrongIssuer,
    /// No `ActionGroupsSecureWebhook` role.
    #[error("the token lacks the ActionGroupsSecureWebhook role")]
    MissingRole,
    /// The tenant's keys could not be fetched.
    #[error("cannot fetch the tenant's signing keys: {0}")]
    KeysUnavailable(String),
}

/// What a token must say.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    /// `aud` (STEPUP_ALERT_AUDIENCE).
    pub audience: &'a str,
    /// The tenants `tid` may name.
    pub tenants: &'a [TenantId],
    /// The token authority (`https://login.microsoftonline.com`), without a trailing slash.
    pub authority: &'a str,
}

/// What a verified token says about its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The tenant that issued the token.
    pub tenant: TenantId,
    /// The calling app (`appid` v1, `azp` v2), when present.
    pub app_id: Option<String>,
}

/// The header and unverified claims that pick the keys: (`kid`, `tid`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHint {
    /// The signing key's id.
    pub kid: String,
    /// The tenant named in the token (checked against the configured ones).
    pub tenant: TenantId,
}

#[derive(Debug, Deserialize)]
struct Claims {
    tid: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    exp: Option<i64>,
    nbf: Option<i64>,
    appid: Option<String>,
    azp: Option<String>,
}

/// The token of an `Authorization` header value.
pub fn bearer(header: Option<&str>) -> Result<&str, AuthError> {
    let header = header.ok_or(AuthError::Missing)?.trim();
    let (scheme, token) = header.split_once(' ').ok_or(AuthError::NotBearer)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(AuthError::NotBearer);
    }
    Ok(token.trim())
}

/// Reads `kid` and `tid` before the signature is checked, and refuses tenants that are not
/// configured (so no keys are fetched for strangers).
pub fn key_hint(token: &str, tenants: &[TenantId]) -> Result<KeyHint, AuthError> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| malformed(&e))?;
    if header.alg != Algorithm::RS256 {
        return Err(AuthError::Malformed(format!(
            "algorithm {:?}, expected RS256",
            header.alg
        )));
    }
    let kid = header
        .kid
        .ok_or_else(|| AuthError::Malformed("no kid in the header".into()))?;
    let claims: Claims = jsonwebtoken::dangerous::insecure_decode(token)
        .map_err(|e| malformed(&e))?
        .claims;
    let tid = claims
        .tid
        .ok_or_else(|| AuthError::Malformed("no tid claim".into()))?;
    let tenant = TenantId::parse(&tid).map_err(|_| AuthError::WrongTenant(short(&tid)))?;
    if !tenants.contains(&tenant) {
        return Err(AuthError::WrongTenant(tenant.to_string()));
    }
    Ok(KeyHint { kid, tenant })
}

/// Verifies `token` with the tenant's `keys` at `now`.
pub fn verify(
    token: &str,
    keys: &JwkSet,
    expected: &Expected<'_>,
    now: DateTime<Utc>,
) -> Result<Caller, AuthError> {
    let hint = key_hint(token, expected.tenants)?;
    let jwk = keys
        .find(&hint.kid)
        .ok_or_else(|| AuthError::UnknownKey(short(&hint.kid)))?;
    let key = DecodingKey::from_jwk(jwk)
        .map_err(|e| AuthError::KeysUnavailable(format!("key {}: {e}", short(&hint.kid))))?;
    let tid = hint.tenant;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[expected.audience]);
    validation.set_issuer(&[
        format!("https://sts.windows.net/{tid}/"),
        format!("{}/{tid}/v2.0", expected.authority.trim_end_matches('/')),
    ]);
    validation.set_required_spec_claims(&["exp", "aud", "iss"]);
    // Times are checked below against the caller's clock.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    let data =
        jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|e| match e.kind() {
            ErrorKind::InvalidSignature => AuthError::BadSignature,
            ErrorKind::InvalidAudience => AuthError::WrongAudience,
            ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
            _ => malformed(&e),
        })?;
    let claims = data.claims;
    let now = now.timestamp();
    match claims.exp {
        Some(exp) if exp + CLOCK_SKEW_SECONDS < now => return Err(AuthError::Expired),
        Some(_) => {}
        None => return Err(AuthError::Malformed("no exp claim".into())),
    }
    if claims.nbf.is_some_and(|nbf| nbf - CLOCK_SKEW_SECONDS > now) {
        return Err(AuthError::NotYetValid);
    }
    if !claims.roles.iter().any(|r| r == WEBHOOK_ROLE) {
        return Err(AuthError::MissingRole);
    }
    Ok(Caller {
        tenant: tid,
        app_id: claims.appid.or(claims.azp),
    })
}

fn malformed(e: &jsonwebtoken::errors::Error) -> AuthError {
    AuthError::Malformed(e.to_string())
}

/// At most 60 characters of an untrusted value, for messages.
fn short(text: &str) -> String {
    text.chars().take(60).collect()
}
