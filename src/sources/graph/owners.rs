//! Graph `GET /v1.0/users/{id}/manager` and `/users/{id}/sponsors`, read on demand: only for
//! at-risk accounts that the ownership map does not cover (DESIGN.md §6 puts sponsors and
//! the manager after the map), so a scan never walks the whole org chart.

use url::Url;

use crate::ids::ObjectId;
use crate::sources::http::ApiClient;

/// The fields of a manager or sponsor detection reads.
pub const SELECT: &str = "id,mail,userPrincipalName";

/// The manager's URL (404 when the user has none).
pub fn manager_url(graph: &ApiClient, user: &ObjectId) -> Url {
    graph.url(
        &format!("v1.0/users/{user}/manager"),
        &[("$select", SELECT)],
    )
}

/// The sponsors' URL (a collection).
pub fn sponsors_url(graph: &ApiClient, user: &ObjectId) -> Url {
    graph.url(
        &format!("v1.0/users/{user}/sponsors"),
        &[("$select", SELECT)],
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn builds_per_user_urls() {
        let g = crate::sources::graph::tests::graph_client("https://graph.microsoft.com");
        let id = crate::ids::ObjectId::parse("26be570a-ae82-4189-b4e2-a37c6808512d").unwrap();
        assert_eq!(
            super::manager_url(&g, &id).path(),
            "/v1.0/users/26be570a-ae82-4189-b4e2-a37c6808512d/manager"
        );
        assert!(super::sponsors_url(&g, &id).path().ends_with("/sponsors"));
    }
}
