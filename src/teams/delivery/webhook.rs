//! Workflows webhooks and legacy incoming webhooks: both take the same envelope, by POST,
//! at the URL (a secret: it carries the signature).
//!
//! - Rate: at most `STEPUP_TEAMS_RATE` requests a second per URL (Teams allows 4), spaced
//!   evenly by a `governor` keyed limiter (burst 1): Teams counts requests in fixed
//!   one-second windows, so a burst at a window's end plus one at the next start would be
//!   throttled. The limit holds per process; instances running in parallel meet Teams'
//!   429s, which are honoured.
//! - Retries (bounded, `backon`): throttling (429, or a legacy webhook's "HTTP error 429"
//!   text inside a 200) waits the server's `Retry-After` when given — and holds every
//!   request to that URL as long, since the URL is throttled — else backs off
//!   exponentially with jitter; 5xx and connections that never opened are retried the same
//!   way. A timeout after the request went out is not retried: Teams may have the message,
//!   and a second post would duplicate it ([`DeliveryError::maybe_posted`]).
//! - Errors name the channel, never the URL (`reqwest` errors are stripped of it).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use backon::{ExponentialBuilder, Retryable};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use reqwest::header::CONTENT_TYPE;
use tokio::time::Instant;

use super::answer::{classify, Answer};
use super::{DeliveryError, Message, Posted, TeamsSink};
use crate::secret::{redact, Secret};
use crate::teams::channel::{short_hash, Channel, ChannelBook};
use crate::tickets::http::{retry_after, RetryPolicy};

/// Retries for Teams: 6 attempts, backoff from 1 s to 30 s, `Retry-After` up to 2 minutes.
pub const DEFAULT_RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 6,
    min_delay: Duration::from_secs(1),
    max_delay: Duration::from_secs(30),
    max_retry_after: Duration::from_secs(120),
    timeout: Duration::from_secs(30),
};

/// Posts to webhook URLs, one rate limit per URL.
pub struct WebhookSink {
    book: ChannelBook,
    limiter: DefaultKeyedRateLimiter<String>,
    /// Per URL: no request before this instant (a `Retry-After` applies to the URL, not
    /// only to the message that got it).
    paused: Mutex<HashMap<String, Instant>>,
    client: reqwest::Client,
    policy: RetryPolicy,
    fallback: Option<Arc<dyn TeamsSink>>,
}

impl std::fmt::Debug for WebhookSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSink")
            .field("book", &self.book)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl WebhookSink {
    /// A sink posting to the channels of `book`, at most `rate` requests a second per URL.
    pub fn new(
        book: ChannelBook,
        rate: NonZeroU32,
        policy: RetryPolicy,
    ) -> Result<Self, DeliveryError> {
        let period = Duration::from_secs(1) / rate.get();
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(rate))
            .allow_burst(NonZeroU32::MIN);
        let client = reqwest::Client::builder()
            .user_agent(concat!("stepup/", env!("CARGO_PKG_VERSION")))
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| DeliveryError::Failed {
                channel: "every channel".into(),
                message: format!("cannot build the HTTP client: {}", e.without_url()),
                maybe_posted: false,
            })?;
        Ok(Self {
            book,
            limiter: RateLimiter::keyed(quota),
            paused: Mutex::new(HashMap::new()),
            client,
            policy,
            fallback: None,
        })
    }

    /// Channels without a webhook go to `fallback` (the outbox) instead of failing.
    pub fn with_fallback(mut self, fallback: Arc<dyn TeamsSink>) -> Self {
        self.fallback = Some(fallback);
        self
    }

    /// One request: waits for the URL's rate limit, posts, reads the answer.
    async fn attempt(
        &self,
        url: &Secret,
        key: &String,
        body: &[u8],
        counts: &Counts,
    ) -> Result<(), Failure> {
        // Wait out a pause, then the rate limit; a pause set while queued at the limiter
        // (another message got a 429) is waited out too.
        loop {
            if let Some(until) = self.paused_until(key).filter(|u| *u > Instant::now()) {
                tokio::time::sleep_until(until).await;
                continue;
            }
            self.limiter.until_key_ready(key).await;
            if self.paused_until(key).is_none_or(|u| u <= Instant::now()) {
                break;
            }
        }
        counts.attempts.fetch_add(1, Ordering::Relaxed);
        let resp = self
            .client
            .post(url.expose())
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_vec())
            .send()
            .await
            .map_err(Failure::transport)?;
        let status = resp.status().as_u16();
        let retry_after = retry_after(resp.headers());
        let body = resp.bytes().await.map_err(Failure::transport)?;
        // An error answer that echoes the URL must not carry its signature into a log.
        let secrets = url_secrets(url);
        let body = redact(
            &String::from_utf8_lossy(&body),
            secrets.iter().map(String::as_str),
        );
        match classify(status, retry_after, body.as_bytes()) {
            Answer::Accepted => Ok(()),
            answer => {
                if let Answer::Throttled { retry_after } = answer {
                    counts.throttled.fetch_add(1, Ordering::Relaxed);
                    if let Some(wait) = retry_after {
                        self.pause(key, wait.min(self.policy.max_retry_after));
                    }
                }
                Err(Failure::Answer(answer))
            }
        }
    }
}

/// The parts of a webhook URL that are secret: the URL itself, a Workflows URL's `sig`
/// (as written and decoded), and a legacy URL's key (the segment after `IncomingWebhook`).
fn url_secrets(url: &Secret) -> Vec<String> {
    let mut parts = vec![url.expose().to_owned()];
    if let Ok(parsed) = reqwest::Url::parse(url.expose()) {
        for (name, value) in parsed.query_pairs() {
            if name.eq_ignore_ascii_case("sig") {
                parts.push(value.into_owned());
            }
        }
        if let Some(raw) = parsed.query() {
            parts.extend(
                raw.split('&')
                    .filter_map(|pair| pair.split_once('='))
                    .filter(|(name, _)| name.eq_ignore_ascii_case("sig"))
                    .map(|(_, value)| value.to_owned()),
            );
        }
        if let Some(segments) = parsed.path_segments() {
            let mut segments = segments.skip_while(|s| !s.eq_ignore_ascii_case("IncomingWebhook"));
            if let Some(key) = segments.nth(1) {
                parts.push(key.to_owned());
            }
        }
    }
    parts.retain(|p| p.len() >= 8);
    parts
}

impl WebhookSink {
    fn paused_until(&self, key: &str) -> Option<Instant> {
        self.paused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .copied()
    }

    /// Holds every request to the URL for `wait`.
    fn pause(&self, key: &str, wait: Duration) {
        let until = Instant::now() + wait;
        let mut paused = self.paused.lock().unwrap_or_else(|e| e.into_inner());
        let entry = paused.entry(key.to_owned()).or_insert(until);
        *entry = (*entry).max(until);
    }
}

#[derive(Default)]
struct Counts {
    attempts: AtomicU32,
    throttled: AtomicU32,
}

/// Why one attempt failed.
#[derive(Debug)]
enum Failure {
    Answer(Answer),
    Transport {
        message: String,
        /// The connection never opened: the request surely did not arrive.
        unsent: bool,
    },
}

impl Failure {
    fn transport(e: reqwest::Error) -> Self {
        let (message, unsent) = crate::tickets::http::transport_failure(e);
        Failure::Transport { message, unsent }
    }

    fn retryable(&self) -> bool {
        match self {
            Failure::Answer(a) => a.retryable(),
            Failure::Transport { unsent, .. } => *unsent,
        }
    }

    fn describe(&self) -> String {
        match self {
            Failure::Answer(a) => format!("{a:?}"),
            Failure::Transport { message, .. } => message.clone(),
        }
    }

    fn into_error(self, channel: &Channel, attempts: u32) -> DeliveryError {
        let channel = channel.to_string();
        match self {
            Failure::Answer(Answer::Throttled { .. }) => {
                DeliveryError::Throttled { channel, attempts }
            }
            Failure::Answer(Answer::Unauthorized { status }) => {
                DeliveryError::Unauthorized { channel, status }
            }
            Failure::Answer(Answer::Rejected { status, message }) => DeliveryError::Rejected {
                channel,
                status,
                message,
            },
            Failure::Answer(Answer::ServerError { status, .. }) => DeliveryError::Failed {
                channel,
                message: format!("HTTP {status} after {attempts} attempts"),
                maybe_posted: false,
            },
            Failure::Answer(Answer::Accepted) => DeliveryError::Failed {
                channel,
                message: "accepted".into(),
                maybe_posted: true,
            },
            Failure::Transport { message, unsent } => DeliveryError::Failed {
                channel,
                message,
                maybe_posted: !unsent,
            },
        }
    }
}

#[async_trait]
impl TeamsSink for WebhookSink {
    fn kind(&self) -> &'static str {
        "webhook"
    }

    async fn post(&self, message: &Message) -> Result<Posted, DeliveryError> {
        message.check_size()?;
        let Some(url) = self.book.url(&message.channel) else {
            return match &self.fallback {
                Some(fallback) => fallback.post(message).await,
                None => Err(DeliveryError::NoChannel {
                    channel: message.channel.to_string(),
                }),
            };
        };
        let body = serde_json::to_vec(&message.envelope()).map_err(|e| DeliveryError::Failed {
            channel: message.channel.to_string(),
            message: format!("cannot encode the message: {e}"),
            maybe_posted: false,
        })?;
        let key = short_hash(url.expose());
        let counts = Counts::default();
        let policy = self.policy;
        let backoff = ExponentialBuilder::default()
            .with_min_delay(policy.min_delay)
            .with_max_delay(policy.max_delay)
            .with_max_times(policy.max_attempts.saturating_sub(1))
            .with_jitter();
        let result = (|| self.attempt(url, &key, &body, &counts))
            .retry(backoff)
            .when(Failure::retryable)
            .adjust(|failure: &Failure, next| {
                next.map(|d| match failure {
                    Failure::Answer(a) => a
                        .retry_after()
                        .map_or(d, |hint| hint.min(policy.max_retry_after)),
                    Failure::Transport { .. } => d,
                })
            })
            .notify(|failure, delay| {
                tracing::warn!(
                    channel = %message.channel,
                    message = %message.name,
                    failure = %failure.describe(),
                    delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    "Teams webhook did not take the message; retrying"
                );
            })
            .await;
        let attempts = counts.attempts.load(Ordering::Relaxed);
        match result {
            Ok(()) => Ok(Posted {
                attempts,
                throttled: counts.throttled.load(Ordering::Relaxed),
            }),
            Err(failure) => Err(failure.into_error(&message.channel, attempts)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_parts_of_webhook_urls() {
        let workflows = Secret::new(
            "https://prod.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=Zm9v%2Bc2ln",
        );
        let parts = url_secrets(&workflows);
        assert!(parts.contains(&"Zm9v+c2ln".to_owned()), "{parts:?}");
        assert!(parts.contains(&"Zm9v%2Bc2ln".to_owned()), "{parts:?}");
        let legacy = Secret::new(
            "https://contoso.webhook.office.com/webhookb2/g1@t1/IncomingWebhook/0123456789abcdef/u1",
        );
        assert!(url_secrets(&legacy).contains(&"0123456789abcdef".to_owned()));
        let echoed = format!("no flow at {} (sig Zm9v+c2ln)", workflows.expose());
        let parts = url_secrets(&workflows);
        assert_eq!(
            redact(&echoed, parts.iter().map(String::as_str)),
            "no flow at *** (sig ***)"
        );
    }

    #[tokio::test]
    async fn errors_name_the_channel_and_never_the_url() {
        // Nothing listens on port 9 of loopback: the connection is refused.
        let url = Secret::new("http://127.0.0.1:9/hook?sig=s3cr3t");
        let book = ChannelBook::new(Some(url));
        let policy = RetryPolicy {
            max_attempts: 2,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            ..DEFAULT_RETRY
        };
        let sink = WebhookSink::new(book, NonZeroU32::MIN, policy).unwrap();
        let card = crate::teams::cards::chat_reply("hi", &[]);
        let err = sink
            .post(&Message::new(Channel::Default, "m", card.clone()))
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("the default channel"), "{text}");
        assert!(
            !text.contains("s3cr3t") && !text.contains("127.0.0.1"),
            "{text}"
        );
        assert!(!err.maybe_posted(), "a refused connection posted nothing");
        assert!(!format!("{sink:?}").contains("s3cr3t"));

        let team = Channel::Team {
            rule: "svc-*".into(),
            team: None,
        };
        let err = sink.post(&Message::new(team, "m", card)).await.unwrap_err();
        assert!(matches!(err, DeliveryError::NoChannel { .. }), "{err}");
    }
}
