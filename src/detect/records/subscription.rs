//! An Azure subscription (`GET /subscriptions`).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::de;
use crate::ids::SubscriptionId;

/// One subscription and its tags.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawSubscription")]
pub struct Subscription {
    /// The subscription id.
    pub subscription_id: SubscriptionId,
    /// Its name.
    pub display_name: Option<String>,
    /// Its tags (string values only).
    pub tags: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSubscription {
    #[serde(default, deserialize_with = "de::opt_guid")]
    subscription_id: Option<SubscriptionId>,
    #[serde(default, deserialize_with = "de::opt_guid_last_segment")]
    id: Option<SubscriptionId>,
    #[serde(default, deserialize_with = "de::opt_string")]
    display_name: Option<String>,
    #[serde(default, deserialize_with = "de::null_default")]
    tags: BTreeMap<String, Option<String>>,
}

impl TryFrom<RawSubscription> for Subscription {
    type Error = String;
    fn try_from(raw: RawSubscription) -> Result<Self, String> {
        Ok(Self {
            subscription_id: raw
                .subscription_id
                .or(raw.id)
                .ok_or("subscription without subscriptionId")?,
            display_name: raw.display_name,
            tags: raw
                .tags
                .into_iter()
                .filter_map(|(k, v)| Some((k, v?)))
                .collect(),
        })
    }
}

impl Subscription {
    /// The owner named by an `owner` tag (any case), else a `contact` tag.
    pub fn owner_tag(&self) -> Option<&str> {
        ["owner", "contact"].iter().find_map(|want| {
            self.tags
                .iter()
                .find(|(k, v)| k.trim().eq_ignore_ascii_case(want) && !v.trim().is_empty())
                .map(|(_, v)| v.trim())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_then_contact_tag() {
        let s: Subscription = serde_json::from_str(
            r#"{"id":"/subscriptions/089bd33f-d4ec-47fe-8ba5-0753aa5c5b33","subscriptionId":"089bd33f-d4ec-47fe-8ba5-0753aa5c5b33",
                "displayName":"prod","state":"Enabled","tags":{"contact":"ops@contoso.com","Owner":"team-a@contoso.com","env":null}}"#,
        )
        .unwrap();
        assert_eq!(s.owner_tag(), Some("team-a@contoso.com"));
        assert_eq!(s.tags.len(), 2);
        let s: Subscription = serde_json::from_str(
            r#"{"id":"/subscriptions/089bd33f-d4ec-47fe-8ba5-0753aa5c5b33","tags":{"Contact":"ops@contoso.com"}}"#,
        )
        .unwrap();
        assert_eq!(s.owner_tag(), Some("ops@contoso.com"));
        let s: Subscription = serde_json::from_str(
            r#"{"subscriptionId":"089bd33f-d4ec-47fe-8ba5-0753aa5c5b33","tags":null}"#,
        )
        .unwrap();
        assert_eq!(s.owner_tag(), None);
    }
}
