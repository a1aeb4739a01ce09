//! The App Service managed-identity endpoint (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`) on
//! loopback, issuing tokens Azurite's `--oauth basic` mode accepts: a `stepup serve` child
//! with these two variables gets its Storage tokens through the real `azure_identity`
//! managed-identity credential, as in a function app.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use warp::Filter;

use super::azurite::emulator_token;

/// The secret the endpoint expects in `X-IDENTITY-HEADER`.
pub const IDENTITY_HEADER: &str = "emulated-identity-header";

/// A running endpoint.
pub struct IdentityEndpoint {
    /// `IDENTITY_ENDPOINT`.
    pub url: String,
    requests: Arc<AtomicUsize>,
}

impl IdentityEndpoint {
    /// Starts the endpoint on a free loopback port (inside the current tokio runtime).
    pub async fn start() -> Self {
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let route = warp::get()
            .and(warp::path!("msi" / "token"))
            .and(warp::header::optional::<String>("x-identity-header"))
            .and(warp::query::<std::collections::HashMap<String, String>>())
            .map(
                move |secret: Option<String>, query: std::collections::HashMap<String, String>| {
                    counter.fetch_add(1, Ordering::SeqCst);
                    if secret.as_deref() != Some(IDENTITY_HEADER) {
                        return warp::reply::with_status(
                            warp::reply::json(
                                &serde_json::json!({"error": "bad X-IDENTITY-HEADER"}),
                            ),
                            warp::http::StatusCode::UNAUTHORIZED,
                        );
                    }
                    let resource = query
                        .get("resource")
                        .cloned()
                        .unwrap_or_else(|| "https://storage.azure.com".into());
                    let (token, exp) = emulator_token(&resource);
                    warp::reply::with_status(
                        warp::reply::json(&serde_json::json!({
                            "access_token": token,
                            "expires_on": exp.to_string(),
                            "resource": resource,
                            "token_type": "Bearer",
                        })),
                        warp::http::StatusCode::OK,
                    )
                },
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the identity endpoint");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(warp::serve(route).incoming(listener).run());
        Self {
            url: format!("http://{addr}/msi/token"),
            requests,
        }
    }

    /// Token requests served so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}
