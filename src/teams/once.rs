//! Posting a series of messages at most once, across crashes and queue redeliveries.
//!
//! Teams webhooks have no idempotency key, so stepup keeps a "sent mark" in state per
//! series (`sent/<tenant>/<run>/<channel>/<subject>.json`) and writes it (ETag
//! read-modify-write) around every message:
//!
//! 1. before posting part `i`, the mark says "part `i` in flight";
//! 2. after Teams took it, "parts up to `i` sent";
//! 3. a definite failure (throttled after the retries, 5xx, refused) clears "in flight" and
//!    is returned, so the queue's retry posts that part again;
//! 4. a failure after which Teams may have the message (a timeout) marks the part
//!    "uncertain" and goes on with the next part.
//!
//! A worker that finds a part "in flight" (its predecessor crashed between 1 and 2) does
//! not post it again: at most once per run. Uncertain parts make [`Outcome::complete`]
//! false; callers then do not record the notice, so the next run (not this one) brings the
//! accounts up again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::channel::Channel;
use super::delivery::{DeliveryError, Message, TeamsSink};
use crate::ids::TenantId;
use crate::lifecycle::StoreError;
use crate::state::{update_json, StateKey, StateStore};

/// Why a series could not be posted.
#[derive(Debug, thiserror::Error)]
pub enum PostError {
    /// Teams (or the outbox) did not take a message; the sent mark allows a retry of it.
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
    /// The state store failed.
    #[error("state: {0}")]
    State(#[from] StoreError),
}

impl From<crate::state::StateError> for PostError {
    fn from(e: crate::state::StateError) -> Self {
        PostError::State(e.into())
    }
}

/// What posting a series did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Messages posted now.
    pub posted: usize,
    /// Messages an earlier attempt had posted already.
    pub already: usize,
    /// Messages that may or may not have reached Teams (a crash or a timeout mid-post).
    pub uncertain: usize,
    /// Requests sent.
    pub attempts: u32,
    /// Throttled answers seen.
    pub throttled: u32,
}

impl Outcome {
    /// Whether every message surely reached Teams (now or earlier).
    pub fn complete(&self) -> bool {
        self.uncertain == 0
    }
}

/// The sent mark of one series.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SentMark {
    /// Messages in the series.
    parts: usize,
    /// Parts `0..sent` are done (posted or given up as uncertain).
    sent: usize,
    /// The part being posted.
    #[serde(default)]
    in_flight: Option<usize>,
    /// Parts that may or may not have reached Teams.
    #[serde(default)]
    uncertain: Vec<usize>,
    /// Last change.
    updated: Option<DateTime<Utc>>,
}

/// The key of a series: `sent/<tenant>/<run>/<channel slug>/<subject>.json`.
pub fn sent_key(
    tenant: &TenantId,
    run: &str,
    channel: &Channel,
    subject: &str,
) -> Result<StateKey, StoreError> {
    Ok(StateKey::parse(&format!(
        "sent/{tenant}/{run}/{}/{subject}.json",
        channel.slug()
    ))?)
}

/// What to do with one part, decided on the stored mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Post,
    Already,
    /// Found in flight (a crash mid-post), or given up as uncertain by an earlier attempt.
    Uncertain,
}

/// Posts `messages` in order, each at most once for `key` (see the module doc).
pub async fn post_once(
    store: &dyn StateStore,
    sink: &dyn TeamsSink,
    key: &StateKey,
    messages: &[Message],
    now: DateTime<Utc>,
) -> Result<Outcome, PostError> {
    let mut outcome = Outcome::default();
    let parts = messages.len();
    for (i, message) in messages.iter().enumerate() {
        let mut step = Step::Post;
        update_json(store, key, |mark: Option<SentMark>| {
            let mut mark = mark.unwrap_or(SentMark {
                parts,
                ..SentMark::default()
            });
            step = if mark.sent > i && mark.uncertain.contains(&i) {
                Step::Uncertain
            } else if mark.sent > i {
                Step::Already
            } else if mark.in_flight == Some(i) {
                mark.uncertain.push(i);
                mark.in_flight = None;
                mark.sent = i + 1;
                Step::Uncertain
            } else {
                mark.in_flight = Some(i);
                Step::Post
            };
            mark.updated = Some(now);
            Ok(mark)
        })
        .await?;
        match step {
            Step::Already => {
                outcome.already += 1;
                continue;
            }
            Step::Uncertain => {
                tracing::warn!(
                    channel = %message.channel,
                    message = %message.name,
                    "an earlier attempt may have posted this message; not posting it twice"
                );
                outcome.uncertain += 1;
                continue;
            }
            Step::Post => {}
        }
        match sink.post(message).await {
            Ok(posted) => {
                outcome.posted += 1;
                outcome.attempts += posted.attempts;
                outcome.throttled += posted.throttled;
                finish(store, key, i, false, now).await?;
            }
            Err(e) if e.maybe_posted() => {
                tracing::warn!(
                    channel = %message.channel,
                    message = %message.name,
                    error = %e,
                    "Teams may have the message; not posting it again"
                );
                outcome.uncertain += 1;
                finish(store, key, i, true, now).await?;
            }
            Err(e) => {
                release(store, key, i, now).await?;
                return Err(e.into());
            }
        }
    }
    Ok(outcome)
}

/// Marks part `i` done (posted, or given up as uncertain).
async fn finish(
    store: &dyn StateStore,
    key: &StateKey,
    i: usize,
    uncertain: bool,
    now: DateTime<Utc>,
) -> Result<(), PostError> {
    update_json(store, key, |mark: Option<SentMark>| {
        let mut mark = mark.unwrap_or_default();
        mark.sent = mark.sent.max(i + 1);
        if mark.in_flight == Some(i) {
            mark.in_flight = None;
        }
        if uncertain && !mark.uncertain.contains(&i) {
            mark.uncertain.push(i);
        }
        mark.updated = Some(now);
        Ok(mark)
    })
    .await?;
    Ok(())
}

/// Part `i` surely did not reach Teams: a retry may post it.
async fn release(
    store: &dyn StateStore,
    key: &StateKey,
    i: usize,
    now: DateTime<Utc>,
) -> Result<(), PostError> {
    update_json(store, key, |mark: Option<SentMark>| {
        let mut mark = mark.unwrap_or_default();
        if mark.in_flight == Some(i) {
            mark.in_flight = None;
        }
        mark.updated = Some(now);
        Ok(mark)
    })
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;

    use super::*;
    use crate::lifecycle::testkit::{day, tenant, MemoryStore};
    use crate::teams::cards::chat_reply;
    use crate::teams::delivery::Posted;

    /// Records what it posts; each post takes the next scripted answer (none left: success).
    #[derive(Default)]
    struct Recorder {
        posted: Mutex<Vec<String>>,
        script: Mutex<Vec<Option<DeliveryError>>>,
    }

    impl Recorder {
        fn scripted(script: Vec<Option<DeliveryError>>) -> Self {
            Self {
                posted: Mutex::default(),
                script: Mutex::new(script),
            }
        }
    }

    #[async_trait]
    impl TeamsSink for Recorder {
        fn kind(&self) -> &'static str {
            "recorder"
        }
        async fn post(&self, message: &Message) -> Result<Posted, DeliveryError> {
            let next = {
                let mut script = self.script.lock().unwrap();
                (!script.is_empty()).then(|| script.remove(0)).flatten()
            };
            if let Some(e) = next {
                return Err(e);
            }
            self.posted.lock().unwrap().push(message.name.clone());
            Ok(Posted {
                attempts: 1,
                throttled: 0,
            })
        }
    }

    fn messages(n: usize) -> Vec<Message> {
        (0..n)
            .map(|i| Message::new(Channel::Default, &format!("part{i}"), chat_reply("x", &[])))
            .collect()
    }

    fn throttled() -> DeliveryError {
        DeliveryError::Throttled {
            channel: "c".into(),
            attempts: 6,
        }
    }

    fn timeout() -> DeliveryError {
        DeliveryError::Failed {
            channel: "c".into(),
            message: "timed out".into(),
            maybe_posted: true,
        }
    }

    #[tokio::test]
    async fn a_retry_after_a_failure_posts_only_what_is_missing() {
        let store = MemoryStore::default();
        let key = sent_key(&tenant(), "run1", &Channel::Default, "owner").unwrap();
        let msgs = messages(3);
        // Part 0 goes out, part 1 stays throttled: the queue retries the notice.
        let sink = Recorder::scripted(vec![None, Some(throttled())]);
        let first = post_once(&store, &sink, &key, &msgs, day(0)).await;
        assert!(matches!(
            first,
            Err(PostError::Delivery(DeliveryError::Throttled { .. }))
        ));
        let second = post_once(&store, &sink, &key, &msgs, day(0)).await.unwrap();
        assert_eq!((second.already, second.posted, second.uncertain), (1, 2, 0));
        assert!(second.complete());
        let third = post_once(&store, &sink, &key, &msgs, day(0)).await.unwrap();
        assert_eq!((third.already, third.posted), (3, 0));
        assert_eq!(*sink.posted.lock().unwrap(), ["part0", "part1", "part2"]);
    }

    #[tokio::test]
    async fn a_timeout_or_a_crash_mid_post_is_never_posted_twice() {
        let store = MemoryStore::default();
        let sink = Recorder::scripted(vec![Some(timeout())]);
        let key = sent_key(&tenant(), "run1", &Channel::Default, "owner").unwrap();
        let msgs = messages(2);
        let out = post_once(&store, &sink, &key, &msgs, day(0)).await.unwrap();
        assert_eq!((out.posted, out.uncertain), (1, 1));
        assert!(!out.complete());
        assert_eq!(*sink.posted.lock().unwrap(), ["part1"]);
        // A redelivery still knows part 0 is uncertain (so the notice is not recorded).
        let out = post_once(&store, &sink, &key, &msgs, day(0)).await.unwrap();
        assert_eq!((out.posted, out.already, out.uncertain), (0, 1, 1));

        // A crash right after "in flight" was written: the next attempt skips that part.
        let key = sent_key(&tenant(), "run2", &Channel::Default, "owner").unwrap();
        update_json(&store, &key, |_: Option<SentMark>| {
            Ok(SentMark {
                parts: 2,
                sent: 0,
                in_flight: Some(0),
                ..SentMark::default()
            })
        })
        .await
        .unwrap();
        let out = post_once(&store, &sink, &key, &msgs, day(0)).await.unwrap();
        assert_eq!((out.posted, out.uncertain), (1, 1));
        assert_eq!(*sink.posted.lock().unwrap(), ["part1", "part1"]);
    }
}
