//! ARM activity log per subscription
//! (`GET /subscriptions/{id}/providers/Microsoft.Insights/eventtypes/management/values`):
//! the time-window `$filter` (the only one the API allows for a whole subscription), a
//! `$select` of the fields detection reads, `nextLink` paging. Every event's time is checked
//! again on arrival.

use chrono::{DateTime, SecondsFormat, Utc};
use url::Url;

use crate::detect::records::ActivityEvent;
use crate::ids::SubscriptionId;
use crate::sources::http::ApiClient;

/// The API version.
pub const API_VERSION: &str = "2015-04-01";

/// The fields detection reads.
pub const SELECT: &str = "authorization,caller,claims,correlationId,eventDataId,eventTimestamp,\
httpRequest,operationName,properties,status,subscriptionId";

/// One subscription's events over a window (both ends inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivityQuery {
    /// The subscription.
    pub subscription: SubscriptionId,
    /// The window's start.
    pub from: DateTime<Utc>,
    /// The window's end.
    pub to: DateTime<Utc>,
}

impl ActivityQuery {
    /// The `$filter` expression.
    pub fn filter(&self) -> String {
        let t = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        format!(
            "eventTimestamp ge '{}' and eventTimestamp le '{}'",
            t(self.from),
            t(self.to)
        )
    }

    /// The first page's URL.
    pub fn url(&self, arm: &ApiClient) -> Url {
        arm.url(
            &format!(
                "subscriptions/{}/providers/Microsoft.Insights/eventtypes/management/values",
                self.subscription
            ),
            &[
                ("api-version", API_VERSION),
                ("$filter", &self.filter()),
                ("$select", SELECT),
            ],
        )
    }

    /// Whether an event belongs to the window.
    pub fn accepts(&self, e: &ActivityEvent) -> bool {
        e.event_timestamp >= self.from && e.event_timestamp <= self.to
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn filters_the_window_and_selects_the_fields() {
        let q = ActivityQuery {
            subscription: SubscriptionId::parse("350c1cd6-110b-4dd0-8b9b-27b99c6c78e1").unwrap(),
            from: Utc.with_ymd_and_hms(2026, 8, 22, 0, 0, 0).unwrap(),
            to: Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap(),
        };
        assert_eq!(
            q.filter(),
            "eventTimestamp ge '2026-08-22T00:00:00Z' and eventTimestamp le '2026-11-20T00:00:00Z'"
        );
        let g = crate::sources::graph::tests::graph_client("https://management.azure.com");
        let url = q.url(&g);
        assert_eq!(
            url.path(),
            "/subscriptions/350c1cd6-110b-4dd0-8b9b-27b99c6c78e1/providers/Microsoft.Insights/eventtypes/management/values"
        );
        let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs["api-version"], "2015-04-01");
        assert!(pairs["$select"].contains("claims") && pairs["$select"].contains("caller"));
        let event = |t: &str| -> ActivityEvent {
            serde_json::from_str(&format!(r#"{{"eventTimestamp":"{t}"}}"#)).unwrap()
        };
        assert!(q.accepts(&event("2026-11-01T00:00:00Z")));
        assert!(!q.accepts(&event("2026-11-20T00:00:01Z")));
    }
}
