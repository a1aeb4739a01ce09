//! Graph `GET /v1.0/users`: every user's UPN, type and `accountEnabled` (disabled accounts
//! are no owner work), 999 to a page, only the fields detection reads.

use url::Url;

use crate::sources::http::ApiClient;

/// The fields detection reads.
pub const SELECT: &str = "id,userPrincipalName,displayName,mail,accountEnabled,userType";

/// The largest page `/users` serves.
pub const PAGE_SIZE: &str = "999";

/// The first page's URL.
pub fn url(graph: &ApiClient) -> Url {
    graph.url("v1.0/users", &[("$select", SELECT), ("$top", PAGE_SIZE)])
}

#[cfg(test)]
mod tests {
    #[test]
    fn selects_the_fields_detection_reads() {
        let g = crate::sources::graph::tests::graph_client("http://127.0.0.1:9/");
        let url = super::url(&g);
        assert_eq!(url.path(), "/v1.0/users");
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["$top"], "999");
        assert!(q["$select"].contains("accountEnabled") && q["$select"].contains("userType"));
    }
}
