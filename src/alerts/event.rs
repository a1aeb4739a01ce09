//! One Azure Service Health event, whichever webhook schema carried it.

use chrono::{DateTime, Utc};

use crate::ids::SubscriptionId;

/// The webhook schema an action group used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertSchema {
    /// `azureMonitorCommonAlertSchema` (the action group's "common alert schema" switch on).
    Common,
    /// `Microsoft.Insights/activityLogs` (the legacy activity-log alert payload).
    ActivityLog,
}

impl AlertSchema {
    /// The `schemaId` of the payload.
    pub const fn id(self) -> &'static str {
        match self {
            AlertSchema::Common => "azureMonitorCommonAlertSchema",
            AlertSchema::ActivityLog => "Microsoft.Insights/activityLogs",
        }
    }
}

/// A Service Health event, its fields normalised: the common schema's integers for
/// `channels`, `eventSource` and `level` become the names the legacy schema sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceHealthEvent {
    /// The schema it arrived in.
    pub schema: AlertSchema,
    /// The alert instance: `essentials.alertId` (common) or the activity log's `eventDataId`
    /// (legacy, falling back to `correlationId`). The same on every retry of a delivery.
    pub alert_id: String,
    /// The subscription the alert fired for, when the payload names one.
    pub subscription_id: Option<SubscriptionId>,
    /// The Service Health tracking id (`properties.trackingId`, e.g. `ABCD-123`).
    pub tracking_id: Option<String>,
    /// The communication (one update of a tracked event): `properties.communicationId`.
    pub communication_id: Option<String>,
    /// `Incident`, `Maintenance`, `Informational`, `ActionRequired`, `Security`…
    pub incident_type: Option<String>,
    /// `Active`, `Planned`, `InProgress`, `Resolved`, `Complete`…
    pub stage: Option<String>,
    /// The title.
    pub title: String,
    /// The communication as sent (HTML in the common schema, text in the legacy one).
    pub communication: String,
    /// The service named (`properties.service`).
    pub service: Option<String>,
    /// The region named (`properties.region`).
    pub region: Option<String>,
    /// `channels`, by name (`Admin`, `Operation`).
    pub channels: Option<String>,
    /// `eventSource`, by name (`ServiceHealth`).
    pub event_source: Option<String>,
    /// `level`, by name (`Critical`, `Error`, `Warning`, `Informational`, `Verbose`).
    pub level: Option<String>,
    /// When the activity-log event was written (`eventTimestamp`).
    pub event_time: Option<DateTime<Utc>>,
    /// `properties.impactStartTime`.
    pub impact_start: Option<DateTime<Utc>>,
    /// The last update of the communication (`properties.lastUpdateTime`), else the
    /// activity log's `submissionTimestamp`.
    pub last_update: Option<DateTime<Utc>>,
}

impl ServiceHealthEvent {
    /// When this communication was published, to order notices: the last update, else the
    /// event's own time, else the impact start. A notice with a later time supersedes.
    pub fn published_at(&self) -> Option<DateTime<Utc>> {
        self.last_update.or(self.event_time).or(self.impact_start)
    }

    /// The text to read: the title and the communication without its HTML.
    pub fn text(&self) -> String {
        format!(
            "{}\n{}",
            self.title,
            super::html::text_of(&self.communication)
        )
    }
}
