//! Client-certificate authentication without OpenSSL: a client assertion (a JWT signed with
//! the certificate's private key, `x5t` and `x5t#S256` thumbprints in its header) handed to
//! azure_identity's `ClientAssertionCredential`, so the token request itself is azure_identity's.
//!
//! `AZURE_CLIENT_CERTIFICATE_PATH` names a PEM file holding the certificate and its private
//! key (PKCS#8 or PKCS#1 RSA, or an EC key). PFX files are refused with the command that
//! converts them.

use std::path::Path;

use aws_lc_rs::digest;
use azure_core::http::ClientMethodOptions;
use azure_identity::ClientAssertion;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

/// Assertions live this long (Entra accepts up to an hour; ten minutes is MSAL's choice).
const LIFETIME_SECONDS: i64 = 600;

/// Why a certificate cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("AZURE_CLIENT_CERTIFICATE_PATH ({path}): {why}")]
pub struct CertificateError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub why: String,
}

/// Signs client assertions with a certificate's key.
pub struct CertificateAssertion {
    client_id: String,
    audience: String,
    key: EncodingKey,
    algorithm: Algorithm,
    x5t: String,
    x5t_s256: String,
}

impl std::fmt::Debug for CertificateAssertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateAssertion")
            .field("client_id", &self.client_id)
            .field("x5t", &self.x5t)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct Claims<'a> {
    aud: &'a str,
    iss: &'a str,
    sub: &'a str,
    jti: String,
    nbf: i64,
    iat: i64,
    exp: i64,
}

impl CertificateAssertion {
    /// Reads the PEM file; `token_endpoint` is the assertion's audience
    /// (`{authority}/{tenant}/oauth2/v2.0/token`).
    pub fn from_pem_file(
        path: &Path,
        client_id: &str,
        token_endpoint: &str,
    ) -> Result<Self, CertificateError> {
        let bad = |why: String| CertificateError {
            path: path.display().to_string(),
            why,
        };
        let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
        Self::from_pem(&bytes, client_id, token_endpoint).map_err(bad)
    }

    /// Parses PEM text holding a certificate and its private key.
    pub fn from_pem(
        pem_bytes: &[u8],
        client_id: &str,
        token_endpoint: &str,
    ) -> Result<Self, String> {
        let blocks = pem::parse_many(pem_bytes).map_err(|e| {
            format!("not a PEM file ({e}); convert a PFX with `openssl pkcs12 -in cert.pfx -out cert.pem -nodes`")
        })?;
        let cert = blocks
            .iter()
            .find(|b| b.tag() == "CERTIFICATE")
            .ok_or("no CERTIFICATE block")?;
        let key = blocks
            .iter()
            .find(|b| b.tag().ends_with("PRIVATE KEY"))
            .ok_or("no PRIVATE KEY block (the key must be in the same file, unencrypted)")?;
        let key_pem = pem::encode(key);
        let (key, algorithm) = match EncodingKey::from_rsa_pem(key_pem.as_bytes()) {
            Ok(k) => (k, Algorithm::RS256),
            Err(_) => (
                EncodingKey::from_ec_pem(key_pem.as_bytes())
                    .map_err(|e| format!("the private key is neither RSA nor EC P-256: {e}"))?,
                Algorithm::ES256,
            ),
        };
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let der = cert.contents();
        Ok(Self {
            client_id: client_id.to_owned(),
            audience: token_endpoint.to_owned(),
            key,
            algorithm,
            x5t: b64.encode(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, der)),
            x5t_s256: b64.encode(digest::digest(&digest::SHA256, der)),
        })
    }

    /// A fresh signed assertion.
    pub fn sign(&self) -> Result<String, String> {
        let now = chrono::Utc::now().timestamp();
        let mut header = Header::new(self.algorithm);
        header.x5t = Some(self.x5t.clone());
        header.x5t_s256 = Some(self.x5t_s256.clone());
        let claims = Claims {
            aud: &self.audience,
            iss: &self.client_id,
            sub: &self.client_id,
            jti: uuid::Uuid::from_u128(rand::random::<u128>()).to_string(),
            nbf: now,
            iat: now,
            exp: now + LIFETIME_SECONDS,
        };
        jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| e.to_string())
    }
}

#[async_trait::async_trait]
impl ClientAssertion for CertificateAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        self.sign().map_err(|e| {
            azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    const ENDPOINT: &str =
        "https://login.example/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token";

    #[test]
    fn signs_an_assertion_the_certificate_key_verifies() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["stepup".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let pem_text = format!("{}{}", cert.pem(), key.serialize_pem());
        let a = CertificateAssertion::from_pem(pem_text.as_bytes(), "app-1", ENDPOINT).unwrap();
        let jwt = a.sign().unwrap();
        let header = jsonwebtoken::decode_header(&jwt).unwrap();
        assert_eq!(header.alg, Algorithm::ES256);
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let sha1 = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, cert.der());
        assert_eq!(header.x5t.as_deref(), Some(b64.encode(sha1).as_str()));
        let mut v = Validation::new(Algorithm::ES256);
        v.set_audience(&[ENDPOINT]);
        v.set_issuer(&["app-1"]);
        let data = jsonwebtoken::decode::<serde_json::Value>(
            &jwt,
            &DecodingKey::from_ec_pem(key.public_key_pem().as_bytes()).unwrap(),
            &v,
        )
        .unwrap();
        assert_eq!(data.claims["sub"], "app-1");
        assert_ne!(a.sign().unwrap(), jwt, "every assertion has its own jti");
    }

    #[test]
    fn explains_unusable_files() {
        let err = CertificateAssertion::from_pem(b"\x30\x82binary", "a", ENDPOINT).unwrap_err();
        assert!(err.contains("CERTIFICATE") || err.contains("PEM"), "{err}");
        let key = rcgen::KeyPair::generate().unwrap();
        let only_key = key.serialize_pem();
        let err = CertificateAssertion::from_pem(only_key.as_bytes(), "a", ENDPOINT).unwrap_err();
        assert!(err.contains("no CERTIFICATE"), "{err}");
        let missing =
            CertificateAssertion::from_pem_file(Path::new("/nonexistent/c.pem"), "a", ENDPOINT)
                .unwrap_err();
        assert!(
            missing
                .to_string()
                .starts_with("AZURE_CLIENT_CERTIFICATE_PATH"),
            "{missing}"
        );
    }
}
