//! The outgoing webhook's signature (DESIGN.md §7): Teams sends
//! `Authorization: HMAC <base64(HMAC-SHA256(key, raw body))>`, where the key is the
//! base64-decoded security token shown when the webhook was created. The check is constant
//! time (`Mac::verify_slice`).

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::secret::Secret;

type HmacSha256 = Hmac<Sha256>;

/// Standard base64 that accepts input with or without `=` padding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The decoded key of an outgoing webhook. `Debug` prints `***`.
#[derive(Clone)]
pub struct HmacKey(Vec<u8>);

impl std::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacKey(***)")
    }
}

/// The secret is not a usable key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not base64.
    #[error("the security token is not base64 (copy it exactly as Teams showed it)")]
    NotBase64,
    /// Base64 of nothing.
    #[error("the security token decodes to no bytes")]
    Empty,
}

/// Why a request is not authenticated. Messages are safe to return to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization` header.
    #[error("missing Authorization: HMAC <signature>")]
    Missing,
    /// Another scheme.
    #[error("Authorization must be HMAC <signature>")]
    NotHmac,
    /// The signature is not base64.
    #[error("the HMAC signature is not base64")]
    NotBase64,
    /// The signature does not match the body.
    #[error("the HMAC signature does not match the body (wrong security token, or the body was changed)")]
    Mismatch,
}

impl HmacKey {
    /// Decodes the security token (base64) Teams shows once when the webhook is created.
    pub fn from_base64(secret: &Secret) -> Result<Self, KeyError> {
        let bytes = BASE64
            .decode(secret.expose().trim())
            .map_err(|_| KeyError::NotBase64)?;
        if bytes.is_empty() {
            return Err(KeyError::Empty);
        }
        Ok(Self(bytes))
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length: this cannot fail.
        HmacSha256::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!("HMAC takes any key"))
    }

    /// The value of `Authorization` Teams would send with `body`: `HMAC <base64>`.
    pub fn authorization(&self, body: &[u8]) -> String {
        let mut mac = self.mac();
        mac.update(body);
        format!("HMAC {}", BASE64.encode(mac.finalize().into_bytes()))
    }

    /// Checks an `Authorization` header against the raw `body`, in constant time.
    pub fn verify(&self, authorization: Option<&str>, body: &[u8]) -> Result<(), AuthError> {
        verify_any(std::slice::from_ref(self), authorization, body)
    }

    fn matches(&self, tag: &[u8], body: &[u8]) -> bool {
        let mut mac = self.mac();
        mac.update(body);
        mac.verify_slice(tag).is_ok()
    }
}

/// Checks an `Authorization` header against the raw `body` with each of `keys` (one per
/// team's outgoing webhook); each comparison is constant time.
pub fn verify_any(
    keys: &[HmacKey],
    authorization: Option<&str>,
    body: &[u8],
) -> Result<(), AuthError> {
    let header = authorization.ok_or(AuthError::Missing)?.trim();
    let (scheme, signature) = header.split_once(' ').ok_or(AuthError::NotHmac)?;
    if !scheme.eq_ignore_ascii_case("HMAC") {
        return Err(AuthError::NotHmac);
    }
    let tag = BASE64
        .decode(signature.trim())
        .map_err(|_| AuthError::NotBase64)?;
    if keys.iter().any(|k| k.matches(&tag, body)) {
        Ok(())
    } else {
        Err(AuthError::Mismatch)
    }
}

/// The keys of a setting holding one token or several, comma-separated.
pub fn keys_from(secret: &Secret) -> Result<Vec<HmacKey>, KeyError> {
    secret
        .expose()
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| HmacKey::from_base64(&Secret::new(t)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Teams outgoing-webhook body, byte for byte as signed.
    const BODY: &[u8] = br#"{"type":"message","id":"1485983408511","timestamp":"2026-11-22T09:30:00.437Z","text":"<at>stepup</at> status","from":{"id":"29:1XJK","name":"Ada","aadObjectId":"6e1b6b9f-5b8a-4c4e-9a57-0c0a3f0b7d11"}}"#;
    /// The token as Teams shows it (base64 of 32 bytes).
    const TOKEN: &str = "7kK8rH0CK9Ek0zI4QwDXHhJTHBLA/0w/BBGdp7S+xsM=";

    /// The expected header, computed here with the `hmac` crate directly from the decoded
    /// token, not through [`HmacKey`].
    fn independent_header(token: &str, body: &[u8]) -> String {
        use base64::engine::general_purpose::STANDARD;
        let key = STANDARD.decode(token).unwrap();
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
        mac.update(body);
        format!("HMAC {}", STANDARD.encode(mac.finalize().into_bytes()))
    }

    fn key() -> HmacKey {
        HmacKey::from_base64(&Secret::new(TOKEN)).unwrap()
    }

    #[test]
    fn the_signature_teams_sends_verifies() {
        let header = independent_header(TOKEN, BODY);
        assert_eq!(key().verify(Some(&header), BODY), Ok(()));
        assert_eq!(key().authorization(BODY), header);
        // Scheme case and surrounding space do not matter; padding may be left off.
        let lower = header.replacen("HMAC", "hmac", 1);
        assert_eq!(key().verify(Some(&format!("  {lower} ")), BODY), Ok(()));
        let unpadded = header.trim_end_matches('=');
        assert_eq!(key().verify(Some(unpadded), BODY), Ok(()));
    }

    #[test]
    fn the_key_is_the_decoded_token_not_its_text() {
        // A signature made with the token's text as key (a common mistake) is refused.
        use base64::engine::general_purpose::STANDARD;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(TOKEN.as_bytes()).unwrap();
        mac.update(BODY);
        let wrong = format!("HMAC {}", STANDARD.encode(mac.finalize().into_bytes()));
        assert_eq!(key().verify(Some(&wrong), BODY), Err(AuthError::Mismatch));
    }

    #[test]
    fn every_bad_header_has_its_reason() {
        let good = independent_header(TOKEN, BODY);
        let mut changed = BODY.to_vec();
        changed[10] ^= 1;
        let other = independent_header("c2VjcmV0LWtleS1ieXRlcw==", BODY);
        for (header, body, expected) in [
            (None, BODY, AuthError::Missing),
            (Some("Bearer abc"), BODY, AuthError::NotHmac),
            (Some("HMAC"), BODY, AuthError::NotHmac),
            (Some("HMAC not*base64"), BODY, AuthError::NotBase64),
            (Some("HMAC AAAA"), BODY, AuthError::Mismatch),
            (Some(other.as_str()), BODY, AuthError::Mismatch),
            (Some(good.as_str()), &changed[..], AuthError::Mismatch),
        ] {
            assert_eq!(key().verify(header, body), Err(expected), "{header:?}");
        }
    }

    #[test]
    fn any_configured_team_token_is_accepted() {
        let other = "c2VjcmV0LWtleS1ieXRlcw==";
        let keys = keys_from(&Secret::new(format!(" {other} , {TOKEN},"))).unwrap();
        assert_eq!(keys.len(), 2);
        for token in [TOKEN, other] {
            let header = independent_header(token, BODY);
            assert_eq!(verify_any(&keys, Some(&header), BODY), Ok(()), "{token}");
        }
        let stranger = independent_header("AAECAwQFBgcICQ==", BODY);
        assert_eq!(
            verify_any(&keys, Some(&stranger), BODY),
            Err(AuthError::Mismatch)
        );
        assert_eq!(
            verify_any(&[], Some(&stranger), BODY),
            Err(AuthError::Mismatch)
        );
        assert!(keys_from(&Secret::new(format!("{TOKEN},%%"))).is_err());
    }

    #[test]
    fn tokens_must_be_base64_of_something_and_never_print() {
        assert_eq!(
            HmacKey::from_base64(&Secret::new("%%%")).unwrap_err(),
            KeyError::NotBase64
        );
        assert_eq!(
            HmacKey::from_base64(&Secret::new("  ")).unwrap_err(),
            KeyError::Empty
        );
        assert_eq!(format!("{:?}", key()), "HmacKey(***)");
    }
}
