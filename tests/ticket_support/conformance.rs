//! The one conformance suite every ticket sink passes, against its fake.
//!
//! A fake plugs in through [`FakeControl`]: it reports what it stores (so the suite can check
//! notes, severity and assignee, which the trait never reads back), counts requests and
//! injects faults. Sinks without HTTP (the file sink) say so and skip the fault part.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use stepup::detect::model::Severity;
use stepup::ids::{ObjectId, TenantId};
use stepup::tickets::{
    FoundTicket, TicketDraft, TicketError, TicketKey, TicketRef, TicketSink, TicketState,
};

use super::fake_server::{Fault, Route};

/// A ticket as the fake stores it, read back in the system's own terms and mapped to ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeTicket {
    /// Open or resolved, per the system's state field.
    pub state: TicketState,
    /// The severity, decoded from the system's priority / label / field.
    pub severity: Option<Severity>,
    /// The assignee.
    pub assignee: Option<String>,
    /// Comments / history / work notes, oldest first.
    pub notes: Vec<String>,
}

/// What the suite needs from a fake.
pub trait FakeControl: Send + Sync {
    /// Requests received so far (faults included); 0 for sinks without HTTP.
    fn requests(&self) -> usize;
    /// Queues faults for requests matching `route`; `false` when the fake cannot inject.
    fn inject(&self, route: Route, faults: &[Fault]) -> bool;
    /// Forgets pending faults.
    fn clear_faults(&self);
    /// How many tickets carry `key` (open or not).
    fn count(&self, key: &TicketKey) -> usize;
    /// The stored ticket behind a reference.
    fn ticket(&self, reference: &TicketRef) -> Option<FakeTicket>;
}

/// A key from two small numbers (tenant, user), readable in failures.
pub fn key(tenant: u8, user: u8) -> TicketKey {
    let guid = |kind: u8, n: u8| format!("{kind:02x}{n:06x}-0000-4000-8000-000000000000");
    TicketKey {
        tenant: TenantId::parse(&guid(0xaa, tenant)).expect("tenant guid"),
        user: ObjectId::parse(&guid(0xbb, user)).expect("user guid"),
    }
}

/// A draft for `key`.
pub fn draft(key: TicketKey, severity: Severity, assignee: &str) -> TicketDraft {
    TicketDraft {
        key,
        title: format!("MFA for ARM: svc-{} needs attention", key.user),
        body: "**Account** svc-deploy\n\n- signal: `no_mfa_writer`\n- unblock: use a workload identity".into(),
        severity,
        assignee: Some(assignee.to_string()),
        due: NaiveDate::from_ymd_opt(2026, 12, 15).expect("date"),
        project: None,
    }
}

/// The caller's ensure-open: find, then reopen or create. Returns the ticket.
pub async fn ensure_open(
    sink: &dyn TicketSink,
    draft: &TicketDraft,
) -> Result<TicketRef, TicketError> {
    match sink.find(&draft.key).await? {
        Some(FoundTicket {
            reference,
            state: TicketState::Open,
        }) => Ok(reference),
        Some(FoundTicket {
            reference,
            state: TicketState::Resolved,
        }) => {
            sink.reopen(&reference, "At risk again: reopened by stepup.")
                .await?;
            Ok(reference)
        }
        None => sink.create(draft).await,
    }
}

async fn found(sink: &dyn TicketSink, key: &TicketKey) -> FoundTicket {
    sink.find(key)
        .await
        .unwrap_or_else(|e| panic!("find {key}: {e}"))
        .unwrap_or_else(|| panic!("find {key}: no ticket"))
}

fn stored(fake: &dyn FakeControl, r: &TicketRef) -> FakeTicket {
    fake.ticket(r)
        .unwrap_or_else(|| panic!("the fake has no ticket {}", r.id))
}

/// Runs the whole suite. `sink` must talk to `fake` and be empty when the suite starts.
pub async fn conformance(sink: &dyn TicketSink, fake: &dyn FakeControl) {
    let system = sink.system();
    let a = key(1, 1);

    // find absent → None
    assert_eq!(sink.find(&a).await.expect("find absent"), None, "{system}");

    // create → find returns it, open, by key
    let first = draft(a, Severity::High, "alice@contoso.example");
    let created = ensure_open(sink, &first).await.expect("create");
    assert_eq!(created.system, system);
    let f = found(sink, &a).await;
    assert_eq!(f.state, TicketState::Open, "{system}");
    assert_eq!(f.reference.id, created.id, "{system}");
    assert_eq!(fake.count(&a), 1, "{system}");
    let t = stored(fake, &created);
    assert_eq!(t.severity, Some(Severity::High), "{system}");
    assert_eq!(
        t.assignee.as_deref(),
        Some("alice@contoso.example"),
        "{system}"
    );

    // ensure-open twice leaves one ticket
    let again = ensure_open(sink, &first).await.expect("ensure twice");
    assert_eq!(again.id, created.id, "{system}");
    assert_eq!(fake.count(&a), 1, "{system}: ensure-open duplicated");

    // crash between "created" and "state saved": the next run finds it
    let c = key(1, 3);
    let lost = sink
        .create(&draft(c, Severity::Low, "carol@contoso.example"))
        .await
        .expect("create before the crash");
    let after_crash = ensure_open(sink, &draft(c, Severity::Low, "carol@contoso.example"))
        .await
        .expect("ensure after the crash");
    assert_eq!(after_crash.id, lost.id, "{system}");
    assert_eq!(fake.count(&c), 1, "{system}: crash recovery duplicated");

    // update: note, severity, assignee
    let raised = draft(a, Severity::Critical, "bob@contoso.example");
    sink.update(
        &created,
        &raised,
        "Severity raised to critical: unattended writer.",
    )
    .await
    .expect("update");
    let t = stored(fake, &created);
    assert_eq!(t.severity, Some(Severity::Critical), "{system}");
    assert_eq!(
        t.assignee.as_deref(),
        Some("bob@contoso.example"),
        "{system}"
    );
    assert!(
        t.notes
            .iter()
            .any(|n| n.contains("Severity raised to critical")),
        "{system}: note missing in {:?}",
        t.notes
    );
    assert_eq!(found(sink, &a).await.state, TicketState::Open);

    // resolve → Resolved
    sink.resolve(&created, "Clean on 2 complete scans: resolved by stepup.")
        .await
        .expect("resolve");
    let f = found(sink, &a).await;
    assert_eq!(f.state, TicketState::Resolved, "{system}");
    assert_eq!(f.reference.id, created.id, "{system}");
    assert!(stored(fake, &created)
        .notes
        .iter()
        .any(|n| n.contains("Clean on 2 complete scans")));

    // reopen (through ensure-open) → Open, same ticket
    let reopened = ensure_open(sink, &raised).await.expect("reopen");
    assert_eq!(reopened.id, created.id, "{system}");
    assert_eq!(found(sink, &a).await.state, TicketState::Open, "{system}");
    assert_eq!(fake.count(&a), 1, "{system}");
    assert!(stored(fake, &created)
        .notes
        .iter()
        .any(|n| n.contains("At risk again")));

    // keys never collide: same user in another tenant, another user in the same tenant
    let other_tenant = key(2, 1);
    let other_user = key(1, 2);
    assert_eq!(
        sink.find(&other_tenant).await.expect("find"),
        None,
        "{system}"
    );
    assert_eq!(
        sink.find(&other_user).await.expect("find"),
        None,
        "{system}"
    );
    let ot = sink
        .create(&draft(
            other_tenant,
            Severity::Medium,
            "dan@fabrikam.example",
        ))
        .await
        .expect("create other tenant");
    let ou = sink
        .create(&draft(other_user, Severity::Medium, "erin@contoso.example"))
        .await
        .expect("create other user");
    let ids = [&created.id, &ot.id, &ou.id, &lost.id];
    for (i, x) in ids.iter().enumerate() {
        for y in &ids[i + 1..] {
            assert_ne!(x, y, "{system}: two keys share a ticket");
        }
    }
    assert_eq!(found(sink, &other_tenant).await.reference.id, ot.id);
    assert_eq!(found(sink, &other_user).await.reference.id, ou.id);
    assert_eq!(found(sink, &a).await.reference.id, created.id);
    for k in [a, c, other_tenant, other_user] {
        assert_eq!(fake.count(&k), 1, "{system}: {k}");
    }

    faults(sink, fake).await;
}

/// Throttling, persistent server errors and bad credentials.
async fn faults(sink: &dyn TicketSink, fake: &dyn FakeControl) {
    let system = sink.system();
    let a = key(1, 1);

    // 429 + Retry-After, then success → success, after waiting
    if !fake.inject(Route::any(), &[Fault::retry_after(429, 1)]) {
        return;
    }
    let before = fake.requests();
    let start = Instant::now();
    let f = sink.find(&a).await.expect("find after a 429");
    assert!(f.is_some(), "{system}");
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "{system}: Retry-After not honoured ({:?})",
        start.elapsed()
    );
    assert!(fake.requests() >= before + 2, "{system}: no retry");

    // 429 forever → Throttled
    fake.inject(Route::any(), &[Fault::status(429); 20]);
    let err = sink.find(&a).await.expect_err("throttled");
    assert!(
        matches!(err, TicketError::Throttled { .. }),
        "{system}: {err}"
    );
    fake.clear_faults();

    // 500 persistently → Failed, bounded attempts
    fake.inject(Route::any(), &[Fault::status(500); 50]);
    let before = fake.requests();
    let err = sink.find(&a).await.expect_err("500s");
    assert!(matches!(err, TicketError::Failed { .. }), "{system}: {err}");
    let attempts = fake.requests() - before;
    assert!(
        (2..=10).contains(&attempts),
        "{system}: {attempts} attempts"
    );
    let err = sink
        .create(&draft(key(9, 9), Severity::Low, "x@contoso.example"))
        .await
        .expect_err("create on 500s");
    assert!(matches!(err, TicketError::Failed { .. }), "{system}: {err}");
    fake.clear_faults();
    assert_eq!(fake.count(&key(9, 9)), 0, "{system}");

    // 401 → Unauthorized, naming a setting, without retrying
    fake.inject(Route::any(), &[Fault::status(401)]);
    let before = fake.requests();
    let err = sink.find(&a).await.expect_err("401");
    assert!(
        matches!(err, TicketError::Unauthorized { .. }),
        "{system}: {err}"
    );
    assert!(err.to_string().contains("STEPUP_"), "{system}: {err}");
    assert_eq!(fake.requests(), before + 1, "{system}: retried a 401");
    fake.clear_faults();

    // and it works again
    assert!(sink.find(&a).await.expect("find after faults").is_some());
}
