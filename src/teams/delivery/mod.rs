//! Posting Teams messages, behind one trait: Workflows and legacy incoming webhooks
//! ([`webhook`]) and a file outbox ([`outbox`], the embedded default used by `stepup demo`).
//! Every sink passes one conformance suite (`tests/teams_delivery.rs`).
//!
//! A [`Message`] is one card for one [`Channel`]; the sink wraps it in the envelope both
//! webhook kinds accept and refuses anything over Teams' 28 KB. Errors name the channel,
//! never its URL.

pub mod answer;
pub mod outbox;
pub mod webhook;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use super::cards::{envelope, message_bytes, MAX_MESSAGE_BYTES};
use super::channel::{slug, Channel, ChannelBook};
use super::settings::{TeamsSettingError, TeamsSettings};
use crate::settings::TenantSettings;

pub use outbox::OutboxSink;
pub use webhook::{WebhookSink, DEFAULT_RETRY};

/// One message: a card for a channel, with a name that is stable for the same message
/// (the outbox's file name; logs).
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Where it goes.
    pub channel: Channel,
    /// A stable name of `[a-z0-9._-]` (`20261122T060000Z-owner-platform_contoso.com-1of2`).
    pub name: String,
    /// The Adaptive Card.
    pub card: Value,
}

impl Message {
    /// A message; `name` is made safe for file names.
    pub fn new(channel: Channel, name: &str, card: Value) -> Self {
        Self {
            channel,
            name: slug(name, 120),
            card,
        }
    }

    /// The envelope posted: `{"type":"message","attachments":[{…card…}]}`.
    pub fn envelope(&self) -> Value {
        envelope(self.card.clone())
    }

    /// Refuses a message over Teams' 28 KB before anything is sent.
    pub fn check_size(&self) -> Result<(), DeliveryError> {
        let bytes = message_bytes(&self.card);
        if bytes > MAX_MESSAGE_BYTES {
            return Err(DeliveryError::TooLarge {
                channel: self.channel.to_string(),
                bytes,
            });
        }
        Ok(())
    }
}

/// What posting one message took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Posted {
    /// Requests sent (1 unless retried).
    pub attempts: u32,
    /// Throttled answers (HTTP 429, or a legacy webhook's "HTTP error 429" text) on the way.
    pub throttled: u32,
}

/// A message that could not be posted. Never carries a webhook URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// No webhook and no outbox for the channel.
    #[error("{channel}: no webhook is configured for it")]
    NoChannel {
        /// The channel.
        channel: String,
    },
    /// The message is over Teams' limit.
    #[error("{channel}: the message is {bytes} bytes, over Teams' 28 KB limit")]
    TooLarge {
        /// The channel.
        channel: String,
        /// Its size.
        bytes: usize,
    },
    /// Still throttled after the retries.
    #[error("{channel}: throttled (HTTP 429) {attempts} times; try again later")]
    Throttled {
        /// The channel.
        channel: String,
        /// Requests sent.
        attempts: u32,
    },
    /// 401/403/404: the webhook is revoked, disabled or deleted; fix the setting.
    #[error("{channel}: the webhook refused stepup (HTTP {status}); the flow or connector may be off or deleted: check its URL setting")]
    Unauthorized {
        /// The channel.
        channel: String,
        /// The status.
        status: u16,
    },
    /// The webhook refused this message (400, 413, …): sending it again will not help.
    #[error("{channel}: the webhook refused the message (HTTP {status}): {message}")]
    Rejected {
        /// The channel.
        channel: String,
        /// The status.
        status: u16,
        /// What it said (one line, cut).
        message: String,
    },
    /// Anything else: 5xx after the retries, transport errors, timeouts, outbox I/O.
    #[error("{channel}: {message}")]
    Failed {
        /// The channel.
        channel: String,
        /// What happened.
        message: String,
        /// Whether the message may have reached Teams anyway (a timeout after sending).
        maybe_posted: bool,
    },
}

impl DeliveryError {
    /// Whether Teams may have received the message despite the error: then it is not sent
    /// again in this run (at most once), and the next run's plan picks the accounts up.
    pub fn maybe_posted(&self) -> bool {
        matches!(
            self,
            DeliveryError::Failed {
                maybe_posted: true,
                ..
            }
        )
    }
}

/// Posts messages to Teams channels (or somewhere standing in for them).
#[async_trait]
pub trait TeamsSink: Send + Sync {
    /// `webhook` or `outbox`, for logs.
    fn kind(&self) -> &'static str;

    /// Posts one message, retrying what is worth retrying.
    async fn post(&self, message: &Message) -> Result<Posted, DeliveryError>;
}

/// The sink the settings ask for: webhooks when any channel has one (channels without a
/// webhook fall back to the outbox), else the outbox in `STEPUP_TEAMS_DIR` or
/// `<state_dir>/teams`.
pub fn sink_from_settings(
    teams: &TeamsSettings,
    tenant: &TenantSettings,
    state_dir: &Path,
) -> Result<Arc<dyn TeamsSink>, TeamsSettingError> {
    let outbox: Arc<dyn TeamsSink> = Arc::new(OutboxSink::new(teams.outbox_dir(state_dir)));
    let book = ChannelBook::from_settings(teams.webhook.clone(), tenant)?;
    if book.is_empty() {
        return Ok(outbox);
    }
    let sink = WebhookSink::new(book, teams.rate, DEFAULT_RETRY)
        .map_err(|e| TeamsSettingError {
            name: "STEPUP_TEAMS_WEBHOOK",
            message: e.to_string(),
        })?
        .with_fallback(outbox);
    Ok(Arc::new(sink))
}
