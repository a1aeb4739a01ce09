//! Azure Service Health alerts, as action groups deliver them to `/api/service-health`
//! (pure: no I/O).
//!
//! - [`parse_alert`]: both webhook schemas (common alert schema, legacy activity-log alert)
//!   into one [`ServiceHealthEvent`]; anything else is an [`AlertError`].
//! - [`NoticeMatcher`]: whether an event is the tenant's mandatory-MFA enforcement notice.
//! - [`enforcement_date`]: the date the notice announces.
//! - [`dedupe_id`]: one id per delivery of one communication, the same on every retry.
//! - [`token`]: the secure-webhook bearer token check.

mod date;
mod event;
mod html;
mod lenient;
mod recognise;
mod schema;
pub mod settings;
pub mod token;

#[cfg(test)]
mod schema_tests;

pub use date::enforcement_date;
pub use event::{AlertSchema, ServiceHealthEvent};
pub use html::text_of;
pub use recognise::{is_enforcement_text, NoticeMatcher, Recognition};
pub use schema::{parse_alert, parse_value, AlertError};
pub use settings::AlertSettings;

/// The id under which a delivery is remembered: a digest of the alert id, the tracking id
/// and the communication id. Action groups retry a delivery up to 5 times with the same
/// three; a new communication about the same event has a new alert and communication id.
pub fn dedupe_id(event: &ServiceHealthEvent) -> String {
    let material = format!(
        "{}\n{}\n{}",
        event.alert_id,
        event.tracking_id.as_deref().unwrap_or(""),
        event.communication_id.as_deref().unwrap_or("")
    );
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, material.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}
