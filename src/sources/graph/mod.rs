//! Microsoft Graph: sign-ins ([`sign_ins`]), registration details ([`registration`]),
//! users ([`users`]) and, on demand, managers and sponsors ([`owners`]).

pub mod owners;
pub mod registration;
pub mod sign_ins;
pub mod users;

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;

    use crate::sources::http::{parse_base_url, ApiClient, RetryPolicy};
    use crate::sources::token::TokenSource;

    /// A credential that is never asked (URL-building tests).
    #[derive(Debug)]
    struct NoCredential;

    #[async_trait::async_trait]
    impl azure_core::credentials::TokenCredential for NoCredential {
        async fn get_token(
            &self,
            _: &[&str],
            _: Option<azure_core::credentials::TokenRequestOptions<'_>>,
        ) -> azure_core::Result<azure_core::credentials::AccessToken> {
            Err(azure_core::Error::with_message(
                azure_core::error::ErrorKind::Credential,
                "not in unit tests",
            ))
        }
    }

    /// A Graph client at `base` for URL tests.
    pub(crate) fn graph_client(base: &str) -> ApiClient {
        api_client("Graph", base)
    }

    /// A client of `service` ("Graph", "ARM") at `base` that never gets a token.
    pub(crate) fn api_client(service: &'static str, base: &str) -> ApiClient {
        ApiClient::new(
            service,
            parse_base_url("STEPUP_GRAPH_URL", base).unwrap(),
            Arc::new(TokenSource::new(Arc::new(NoCredential))),
            azure_core::http::new_http_client(None),
            RetryPolicy::fast(),
        )
    }
}
