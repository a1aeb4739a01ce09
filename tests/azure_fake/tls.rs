//! A self-signed certificate for `127.0.0.1` / `localhost` and the TLS acceptor that uses it
//! (azure_identity only talks to an https authority; clients trust [`Tls::cert_pem`]).

use std::sync::Arc;

use tokio_rustls::rustls::crypto::aws_lc_rs;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

use super::error::FakeError;

/// The fake's TLS material.
#[derive(Clone)]
pub(crate) struct Tls {
    /// Accepts TLS connections.
    pub acceptor: TlsAcceptor,
    /// The certificate, PEM.
    pub cert_pem: String,
}

/// A fresh self-signed certificate and its acceptor.
pub(crate) fn make() -> Result<Tls, FakeError> {
    let tls = |e: &dyn std::fmt::Display| FakeError::Tls(e.to_string());
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .map_err(|e| tls(&e))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let mut config = ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| tls(&e))?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .map_err(|e| tls(&e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        cert_pem: certified.cert.pem(),
    })
}
