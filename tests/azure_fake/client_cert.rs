//! Certificate credentials: the certificate whose key signs client assertions, and the
//! checks Entra makes on such an assertion (a JWT whose `x5t` / `x5t#S256` names the
//! certificate, signed by its key, `aud` the token endpoint, `iss` = `sub` = the client id,
//! not expired).

use aws_lc_rs::digest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

use super::error::FakeError;

/// The accepted client certificate.
#[derive(Debug, Clone)]
pub(crate) struct ClientCert {
    /// The certificate, PEM.
    cert_pem: String,
    /// The certificate and its private key, PEM, when the fake made them.
    pub with_key: Option<String>,
    x5t: String,
    x5t_s256: String,
}

impl ClientCert {
    /// The certificate in `pem` (the first `CERTIFICATE` block).
    pub(crate) fn from_pem(pem_text: &str) -> Result<Self, FakeError> {
        let blocks = pem::parse_many(pem_text)
            .map_err(|e| FakeError::Tls(format!("client certificate: {e}")))?;
        let cert = blocks
            .iter()
            .find(|b| b.tag() == "CERTIFICATE")
            .ok_or_else(|| FakeError::Tls("client certificate: no CERTIFICATE block".into()))?;
        let der = cert.contents();
        Ok(Self {
            cert_pem: pem::encode(cert),
            with_key: None,
            x5t: URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, der)),
            x5t_s256: URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, der)),
        })
    }

    /// A fresh self-signed certificate with an EC P-256 key (ES256 assertions).
    pub(crate) fn generate() -> Result<Self, FakeError> {
        let made = rcgen::generate_simple_self_signed(vec!["stepup-azure-fake-client".to_string()])
            .map_err(|e| FakeError::Tls(e.to_string()))?;
        let cert_pem = made.cert.pem();
        let mut out = Self::from_pem(&cert_pem)?;
        out.with_key = Some(format!("{cert_pem}{}", made.signing_key.serialize_pem()));
        Ok(out)
    }

    /// Checks a client assertion for `client_id` whose audience must be one of `audiences`.
    pub(crate) fn verify(
        &self,
        jwt: &str,
        client_id: &str,
        audiences: &[String],
    ) -> Result<(), String> {
        let header = jsonwebtoken::decode_header(jwt)
            .map_err(|e| format!("The client assertion is not a valid JWT: {e}."))?;
        let known = header.x5t.as_deref() == Some(self.x5t.as_str())
            || header.x5t_s256.as_deref() == Some(self.x5t_s256.as_str());
        if !known {
            let used = header.x5t.or(header.x5t_s256).unwrap_or_default();
            return Err(format!("Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '{used}']"));
        }
        let key = match header.alg {
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => DecodingKey::from_rsa_pem(self.cert_pem.as_bytes()),
            Algorithm::ES256 | Algorithm::ES384 => {
                DecodingKey::from_ec_pem(self.cert_pem.as_bytes())
            }
            other => {
                return Err(format!(
                    "The client assertion's algorithm {other:?} is not supported."
                ))
            }
        }
        .map_err(|e| {
            format!("The certificate's key does not fit the assertion's algorithm: {e}.")
        })?;
        let mut v = Validation::new(header.alg);
        v.set_audience(audiences);
        v.set_issuer(&[client_id]);
        v.sub = Some(client_id.to_string());
        v.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        jsonwebtoken::decode::<serde_json::Value>(jwt, &key, &v)
            .map(|_| ())
            .map_err(|e| format!("Client assertion failed validation: {e}."))
    }
}
