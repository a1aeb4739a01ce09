//! Graph `GET /v1.0/reports/authenticationMethods/userRegistrationDetails`: whether each
//! user has an MFA method, and which. An identity report (the 5 per 10 s limit applies);
//! the API takes no `$select` or `$top`, so every page is the service's default size.

use url::Url;

use crate::sources::http::ApiClient;

/// The first page's URL.
pub fn url(graph: &ApiClient) -> Url {
    graph.url(
        "v1.0/reports/authenticationMethods/userRegistrationDetails",
        &[],
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn asks_for_the_v1_report() {
        let g = crate::sources::graph::tests::graph_client("https://graph.microsoft.com");
        assert_eq!(
            super::url(&g).as_str(),
            "https://graph.microsoft.com/v1.0/reports/authenticationMethods/userRegistrationDetails"
        );
    }
}
