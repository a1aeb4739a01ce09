//! The one suite every Teams sink passes. A [`Harness`] gives the sink and reads back what
//! each channel received (the fake webhook's log, or the outbox's files); [`run`] checks:
//!
//! 1. messages arrive once each, exactly as sent, in order, on the right channel;
//! 2. a message over 28 KB is refused before anything is sent;
//! 3. an owner notice (split over several messages) arrives once, is recorded in the
//!    accounts' records, and delivering it again (a redelivered queue message) sends
//!    nothing new;
//! 4. every message is the envelope Teams expects around an Adaptive Card 1.5.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{json, Value};
use stepup::lifecycle::AccountRecord;
use stepup::settings::TenantSettings;
use stepup::state::{get_json, LocalDirStore};
use stepup::teams::cards::{adaptive_card, chat_reply, envelope};
use stepup::teams::channel::Channel;
use stepup::teams::delivery::{DeliveryError, Message, TeamsSink};
use stepup::teams::notify::deliver;

use super::{day, findings, plan_at, tenant};

/// A sink under test and a way to read what it delivered.
#[async_trait]
pub trait Harness: Send + Sync {
    /// The sink.
    fn sink(&self) -> Arc<dyn TeamsSink>;
    /// A team channel the sink reaches (besides the default one).
    fn team(&self) -> Channel;
    /// The ownership map that sends `svc-deploy-000[0-2]` accounts to [`Harness::team`].
    fn settings(&self) -> TenantSettings;
    /// The envelopes `channel` received so far, in order.
    async fn delivered(&self, channel: &Channel) -> Vec<Value>;
}

/// Runs every check against `h`.
pub async fn run(h: &dyn Harness) {
    messages_arrive_once_as_sent(h).await;
    oversized_messages_are_refused(h).await;
    an_owner_notice_arrives_once_and_is_recorded(h).await;
    every_message_is_a_teams_envelope(h).await;
}

fn message(channel: &Channel, name: &str, line: &str) -> Message {
    Message::new(channel.clone(), name, chat_reply(name, &[line.to_owned()]))
}

async fn messages_arrive_once_as_sent(h: &dyn Harness) {
    let sink = h.sink();
    let team = h.team();
    let before_default = h.delivered(&Channel::Default).await.len();
    let before_team = h.delivered(&team).await.len();
    let sent = [
        message(&Channel::Default, "c1-first", "one"),
        message(&Channel::Default, "c1-second", "two"),
    ];
    for m in &sent {
        let posted = sink.post(m).await.expect("posted");
        assert!(posted.attempts >= 1);
    }
    let to_team = message(&team, "c1-team", "three");
    sink.post(&to_team).await.expect("posted to the team");

    let default = h.delivered(&Channel::Default).await;
    assert_eq!(default.len(), before_default + 2, "{}", sink.kind());
    assert_eq!(
        default[before_default..],
        [sent[0].envelope(), sent[1].envelope()]
    );
    let team_got = h.delivered(&team).await;
    assert_eq!(team_got.len(), before_team + 1);
    assert_eq!(team_got[before_team], to_team.envelope());
}

async fn oversized_messages_are_refused(h: &dyn Harness) {
    let sink = h.sink();
    let before = h.delivered(&Channel::Default).await.len();
    let big = "x".repeat(1000);
    let body: Vec<Value> = (0..40)
        .map(|_| json!({"type": "TextBlock", "text": big, "wrap": true}))
        .collect();
    let m = Message::new(Channel::Default, "c2-big", adaptive_card(body, vec![], &[]));
    let err = sink.post(&m).await.expect_err("over 28 KB");
    assert!(matches!(err, DeliveryError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("the default channel"), "{err}");
    assert_eq!(h.delivered(&Channel::Default).await.len(), before);
}

async fn an_owner_notice_arrives_once_and_is_recorded(h: &dyn Harness) {
    let sink = h.sink();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalDirStore::new(dir.path());
    // Owner 0's accounts are svc-deploy-0000… (the team channel); owner 1's go to the
    // default channel. Owner 1 has 40 accounts: a notice over several messages.
    let mut all = findings(1, 3);
    all.extend((0..40).map(|k| super::finding(100 + k, "owner-00001@contoso.com")));
    let plan = plan_at(&store, &all, &h.settings(), day(0)).await;
    assert_eq!(plan.notices.len(), 2);
    let before_default = h.delivered(&Channel::Default).await.len();
    let before_team = h.delivered(&h.team()).await.len();

    let mut sent = 0;
    for notice in &plan.notices {
        let messages = notice.messages();
        assert!((1..=4).contains(&messages.len()));
        sent += messages.len();
        let done = deliver(notice, sink.as_ref(), &store, day(0))
            .await
            .expect("delivered");
        assert_eq!(done.outcome.posted, messages.len());
        assert_eq!(done.recorded, notice.accounts.len());
        // The queue delivers the same notice again: nothing new is posted or recorded.
        let again = deliver(notice, sink.as_ref(), &store, day(0))
            .await
            .expect("again");
        assert_eq!(
            (again.outcome.posted, again.outcome.already),
            (0, messages.len())
        );
        assert_eq!(again.recorded, 0);
    }
    let default = h.delivered(&Channel::Default).await;
    let team = h.delivered(&h.team()).await;
    assert_eq!(
        default.len() - before_default + team.len() - before_team,
        sent,
        "each message once"
    );
    assert!(
        default.len() - before_default > 1,
        "the big notice is split"
    );
    assert!(
        team.iter()
            .any(|e| super::mentioned(e).as_deref() == Some("owner-00000@contoso.com")),
        "owner 0's accounts go to the team channel"
    );
    for f in &all {
        let record: AccountRecord = get_json(&store, &AccountRecord::key_of(&tenant(), &f.user_id))
            .await
            .expect("read")
            .expect("record");
        assert_eq!(record.notices.len(), 1, "{:?}", f.upn);
        assert_eq!(record.notices[0].at, day(0));
    }
}

async fn every_message_is_a_teams_envelope(h: &dyn Harness) {
    for channel in [Channel::Default, h.team()] {
        for env in h.delivered(&channel).await {
            assert_eq!(env["type"], "message");
            let attachments = env["attachments"].as_array().expect("attachments");
            assert_eq!(attachments.len(), 1);
            let card = &attachments[0]["content"];
            assert_eq!(
                attachments[0]["contentType"],
                "application/vnd.microsoft.card.adaptive"
            );
            assert_eq!(card["type"], "AdaptiveCard");
            assert_eq!(card["version"], "1.5");
            assert_eq!(
                env,
                envelope(card.clone()),
                "the envelope is exactly the cards'"
            );
        }
    }
}
