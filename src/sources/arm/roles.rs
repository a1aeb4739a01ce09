//! ARM role assignments and custom role definitions per subscription. Assignments are
//! listed at the subscription scope, which includes those on its resource groups and
//! resources and those inherited from above; built-in roles are known to detection, so only
//! custom definitions are read.

use url::Url;

use crate::ids::SubscriptionId;
use crate::sources::http::ApiClient;

/// The API version of both calls.
pub const API_VERSION: &str = "2022-04-01";

/// Role assignments at (and below) a subscription.
pub fn assignments_url(arm: &ApiClient, sub: &SubscriptionId) -> Url {
    arm.url(
        &format!("subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments"),
        &[("api-version", API_VERSION)],
    )
}

/// Custom role definitions assignable in a subscription.
pub fn custom_definitions_url(arm: &ApiClient, sub: &SubscriptionId) -> Url {
    arm.url(
        &format!("subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions"),
        &[
            ("api-version", API_VERSION),
            ("$filter", "type eq 'CustomRole'"),
        ],
    )
}
