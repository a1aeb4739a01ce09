//! An Azure Resource Manager collection page (`{"value": [...], "nextLink": "…"}`) as the
//! live sources read it: the page, then each record as an activity-log event (checked
//! against the query window), a subscription, a role assignment and a role definition, and
//! every record that parses fed to detection, which must finish.

#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use serde_json::value::RawValue;
use stepup::detect::records::{ActivityEvent, RoleAssignment, RoleDefinition, Subscription};
use stepup::detect::Aggregator;
use stepup::ids::SubscriptionId;
use stepup::settings::TenantSettings;
use stepup::sources::arm::activity::ActivityQuery;
use stepup::sources::http::Page;

#[global_allocator]
static ALLOCATOR: stepup_fuzz::CappedAllocator = stepup_fuzz::CappedAllocator;

fn parse<T: serde::de::DeserializeOwned>(raw: &RawValue) -> Option<T> {
    serde_json::from_str(raw.get()).ok()
}

fuzz_target!(|data: &[u8]| {
    let Ok(page) = Page::parse(data) else {
        return;
    };
    let (Some(from), Some(to), Ok(subscription)) = (
        Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).single(),
        Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).single(),
        SubscriptionId::parse("089bd33f-d4ec-47fe-8ba5-0753aa5c5b33"),
    ) else {
        return;
    };
    let query = ActivityQuery {
        subscription,
        from,
        to,
    };
    let mut detection = Aggregator::new(&TenantSettings::default());
    for raw in &page.items {
        if let Some(event) = parse::<ActivityEvent>(raw) {
            let _ = query.accepts(&event);
            let _ = (
                event.action(),
                event.is_write(),
                event.ip(),
                event.operation_id(),
            );
            detection.add_activity(event);
        }
        if let Some(subscription) = parse::<Subscription>(raw) {
            let _ = subscription.owner_tag();
            detection.add_subscription(subscription);
        }
        if let Some(assignment) = parse::<RoleAssignment>(raw) {
            detection.add_role_assignment(assignment);
        }
        if let Some(definition) = parse::<RoleDefinition>(raw) {
            detection.add_role_definition(definition);
        }
    }
    let _ = detection.finish();
});
