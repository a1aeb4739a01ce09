//! Queue Storage and the run ledger against Azurite, through the official SDKs: messages
//! round-trip as their plain JSON text, and 20 workers finishing a run at once elect exactly
//! one to reconcile it.

mod support;

use std::sync::Arc;

use azure_storage_queue::models::QueueClientReceiveMessagesOptions;
use azure_storage_queue::{QueueServiceClient, QueueServiceClientOptions};
use stepup::ids::{SubscriptionId, TenantId};
use stepup::jobs::{
    load_run, open_run, plan_run, record_job, Broadcast, Completion, JobMessage, JobOutcome,
    NoticeRef, NotifyMessage, RunId,
};
use stepup::queue::{send_json, QueueName, StorageQueues};
use stepup::state::{BlobStore, BlobStoreOptions, StateStore};
use support::azurite::Azurite;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

fn tenant() -> TenantId {
    TenantId::parse(TENANT).unwrap()
}

/// Receives every message text of a queue with the SDK.
async fn drain_texts(azurite: &Azurite, queue: &str) -> Vec<String> {
    let service = QueueServiceClient::new(
        azurite.queue_url(),
        Some(Azurite::credential()),
        Some(QueueServiceClientOptions {
            client_options: azurite.client_options(),
            ..Default::default()
        }),
    )
    .unwrap();
    let client = service.queue_client(queue).unwrap();
    let mut texts = Vec::new();
    loop {
        let options = QueueClientReceiveMessagesOptions {
            number_of_messages: Some(32),
            ..Default::default()
        };
        let got = client
            .receive_messages(Some(options))
            .await
            .unwrap()
            .into_model()
            .unwrap();
        let items = got.items.unwrap_or_default();
        if items.is_empty() {
            return texts;
        }
        for m in items {
            texts.push(m.message_text.unwrap_or_default());
            client
                .delete_message(&m.message_id.unwrap(), &m.pop_receipt.unwrap(), None)
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn messages_round_trip_through_azurite_as_plain_json() {
    let azurite = Azurite::start_with_queues();
    let queues = StorageQueues::new(
        &azurite.queue_url(),
        Azurite::credential(),
        azurite.client_options(),
    )
    .unwrap();
    let run = RunId::parse("20261122T060000Z-0a1b2c3d").unwrap();
    let subscription = SubscriptionId::parse("11111111-2222-3333-4444-555555555555").unwrap();
    let jobs = plan_run(&run, tenant(), &[subscription]);
    for job in &jobs {
        send_json(&queues, &QueueName::jobs(), job).await.unwrap();
    }
    // Text the XML body must escape, and text outside ASCII.
    let broadcast = NotifyMessage::Broadcast(Broadcast {
        tenant: tenant(),
        enforcement_date: Some("2026-03-15".parse().unwrap()),
        notice: NoticeRef {
            tracking_id: Some("YT4M-9QZ".into()),
            communication_id: None,
            title: "MFA <Phase 2> & \"Azure CLI\" — Größe ✓".into(),
            published_at: None,
        },
        dedupe_key: "k".into(),
    });
    send_json(&queues, &QueueName::notify(), &broadcast)
        .await
        .unwrap();

    let texts = drain_texts(&azurite, "stepup-jobs").await;
    assert_eq!(texts.len(), jobs.len());
    for (text, job) in texts.iter().zip(&jobs) {
        assert_eq!(
            text,
            &serde_json::to_string(job).unwrap(),
            "stored as the JSON text"
        );
        assert_eq!(&serde_json::from_str::<JobMessage>(text).unwrap(), job);
    }
    let notices = drain_texts(&azurite, "stepup-notify").await;
    assert_eq!(notices, vec![serde_json::to_string(&broadcast).unwrap()]);
    assert_eq!(
        serde_json::from_str::<NotifyMessage>(&notices[0]).unwrap(),
        broadcast
    );
}

#[tokio::test]
async fn a_wrong_token_is_refused_by_the_queue_service() {
    let azurite = Azurite::start_with_queues();
    let queues = StorageQueues::new(
        &azurite.queue_url(),
        Azurite::wrong_audience_credential(),
        azurite.client_options(),
    )
    .unwrap();
    let err = send_json(
        &queues,
        &QueueName::jobs(),
        &serde_json::json!({"kind": "plan"}),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, stepup::queue::QueueError::Denied { .. }),
        "{err}"
    );
}

#[tokio::test]
async fn twenty_concurrent_completions_finish_the_run_once() {
    let azurite = Azurite::start();
    let store: Arc<dyn StateStore> = Arc::new(
        BlobStore::connect(
            &azurite.account_url(),
            "stepup-ledger",
            Azurite::credential(),
            BlobStoreOptions {
                client_options: azurite.client_options(),
                ..Default::default()
            },
        )
        .await
        .unwrap(),
    );
    let at = "2026-11-22T06:00:00Z".parse().unwrap();
    for (round, copies) in [(1, 1), (2, 2)] {
        let run = RunId::parse(&format!("run-{round}")).unwrap();
        let jobs: Vec<String> = (0..20).map(|i| format!("activityLog-{i:02}")).collect();
        open_run(store.as_ref(), &run, tenant(), "test", jobs.clone(), at)
            .await
            .unwrap();
        // Every job finishes at once; in round 2 each is also delivered twice.
        let tasks: Vec<_> = jobs
            .iter()
            .flat_map(|j| std::iter::repeat_n(j.clone(), copies))
            .map(|job| {
                let store = store.clone();
                let run = run.clone();
                tokio::spawn(async move {
                    let outcome = JobOutcome::Done { at };
                    let done = record_job(store.as_ref(), &run, &job, outcome, at)
                        .await
                        .unwrap();
                    (job, done)
                })
            })
            .collect();
        let mut last = Vec::new();
        let mut recorded = 0;
        let mut repeated = 0;
        for task in tasks {
            let (job, done) = task.await.unwrap();
            match done {
                Completion::Last(ledger) => last.push((job, ledger)),
                Completion::Recorded { .. } => recorded += 1,
                Completion::AlreadyRecorded => repeated += 1,
            }
        }
        assert_eq!(last.len(), 1, "round {round}: exactly one last completion");
        assert_eq!(recorded, 19, "round {round}");
        assert_eq!(repeated, 20 * (copies - 1), "round {round}");
        let stored = load_run(store.as_ref(), &run).await.unwrap().unwrap();
        assert_eq!(stored.outcomes.len(), 20);
        assert!(stored.complete());
        assert_eq!(
            stored.finished.as_ref().map(|f| f.by.clone()),
            Some(last[0].0.clone())
        );
        assert_eq!(*last[0].1, stored);
    }
}
