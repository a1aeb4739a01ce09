//! ARM `GET /subscriptions`: the subscriptions the identity can read, with their tags
//! (an `owner` tag names an owner, DESIGN.md §6).

use url::Url;

use crate::sources::http::ApiClient;

/// The API version.
pub const API_VERSION: &str = "2022-12-01";

/// The first page's URL.
pub fn url(arm: &ApiClient) -> Url {
    arm.url("subscriptions", &[("api-version", API_VERSION)])
}
