//! Test doubles for the lifecycle: findings, an in-memory state store and an in-memory
//! ticket sink with injectable failures.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Mutex;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use crate::calendar::EnforcementStatus;
use crate::detect::model::{
    Client, Evidence, EvidenceContext, Finding, Owner, OwnerRule, Severity, Signal,
};
use crate::ids::{ObjectId, TenantId};
use crate::state::{Condition, ETag, StateError, StateKey, StateStore, Versioned};
use crate::tickets::{
    FoundTicket, TicketDraft, TicketError, TicketKey, TicketRef, TicketSink, TicketState,
};

use super::reconcile::ScanContext;
use super::settings::LifecycleSettings;

/// The test tenant.
pub fn tenant() -> TenantId {
    TenantId::parse("72f988bf-86f1-41af-91ab-2d7cd011db47").unwrap()
}

/// Account `n`.
pub fn user(n: u8) -> ObjectId {
    ObjectId::parse(&format!("00000000-0000-4000-8000-0000000000{n:02x}")).unwrap()
}

/// Day `n` of the test calendar (2026-11-01 + n days, 06:00 UTC).
pub fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 6, 0, 0).unwrap() + Duration::days(n)
}

/// A finding for account `n`.
pub fn finding(n: u8, severity: Severity, signals: &[Signal]) -> Finding {
    let signals: BTreeSet<Signal> = signals.iter().copied().collect();
    Finding {
        user_id: user(n),
        upn: Some(format!("svc-{n}@contoso.com")),
        display_name: None,
        kind: None,
        break_glass: false,
        severity,
        evidence: signals
            .iter()
            .map(|s| Evidence {
                signal: *s,
                at: day(0),
                detail: format!("{s} | seen from 10.0.0.{n}"),
                context: EvidenceContext::default(),
            })
            .collect(),
        signals,
        clients: [Client::AzureCli].into_iter().collect(),
        ci: BTreeSet::new(),
        subscriptions: BTreeSet::new(),
        owner: Some(Owner {
            who: "platform-team@contoso.com".into(),
            rule: OwnerRule::OwnershipMap,
            team: None,
            ticket_project: None,
        }),
    }
}

/// A critical ROPC finding for account `n`.
pub fn critical(n: u8) -> Finding {
    finding(
        n,
        Severity::Critical,
        &[Signal::Ropc, Signal::SingleFactorArmWrite],
    )
}

/// A scan on day `n`.
pub fn scan(n: i64, complete: bool) -> ScanContext {
    let at = day(n);
    ScanContext {
        tenant: tenant(),
        at,
        complete,
        enforcement: EnforcementStatus::on(
            NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
            at.date_naive(),
        ),
        settings: LifecycleSettings::default(),
    }
}

/// A state store in memory with integer ETags.
#[derive(Default)]
pub struct MemoryStore {
    items: Mutex<BTreeMap<String, (Bytes, u64)>>,
    next: Mutex<u64>,
}

impl MemoryStore {
    /// The keys stored.
    pub fn keys(&self) -> Vec<String> {
        self.items.lock().unwrap().keys().cloned().collect()
    }
}

#[async_trait]
impl StateStore for MemoryStore {
    async fn get(&self, key: &StateKey) -> Result<Option<Versioned>, StateError> {
        Ok(self
            .items
            .lock()
            .unwrap()
            .get(key.as_str())
            .map(|(b, v)| Versioned {
                body: b.clone(),
                etag: ETag(v.to_string()),
            }))
    }

    async fn put(
        &self,
        key: &StateKey,
        body: Bytes,
        condition: Condition,
    ) -> Result<ETag, StateError> {
        let mut items = self.items.lock().unwrap();
        let current = items.get(key.as_str()).map(|(_, v)| v.to_string());
        let ok = match (&condition, &current) {
            (Condition::Always, _) => true,
            (Condition::IfAbsent, c) => c.is_none(),
            (Condition::IfMatch(e), Some(c)) => e.0 == *c,
            (Condition::IfMatch(_), None) => false,
        };
        if !ok {
            return Err(StateError::Conflict {
                key: key.to_string(),
            });
        }
        let mut next = self.next.lock().unwrap();
        *next += 1;
        items.insert(key.to_string(), (body, *next));
        Ok(ETag(next.to_string()))
    }

    async fn delete(&self, key: &StateKey, _condition: Condition) -> Result<(), StateError> {
        self.items.lock().unwrap().remove(key.as_str());
        Ok(())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<StateKey>, StateError> {
        Ok(self
            .items
            .lock()
            .unwrap()
            .keys()
            .filter(|k| k.starts_with(prefix))
            .map(|k| StateKey::parse(k).unwrap())
            .collect())
    }
}

/// A failure to inject into the next sink call.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// 429 after retries.
    Throttled,
    /// 5xx after retries.
    ServerError,
    /// 401.
    Unauthorized,
}

/// One ticket in the memory sink.
#[derive(Debug, Clone)]
pub struct MemoryTicket {
    /// The draft as last written.
    pub draft: TicketDraft,
    /// Its state.
    pub state: TicketState,
    /// Notes added, in order.
    pub notes: Vec<String>,
}

/// A ticket system in memory.
#[derive(Default)]
pub struct MemorySink {
    /// Tickets by id (`1`, `2`, …).
    pub tickets: Mutex<BTreeMap<u32, MemoryTicket>>,
    faults: Mutex<VecDeque<Fault>>,
    /// Calls made, as `create`, `find`, … in order.
    pub calls: Mutex<Vec<String>>,
}

impl MemorySink {
    /// Makes the next calls fail, one fault per call.
    pub fn fail_next(&self, faults: &[Fault]) {
        self.faults.lock().unwrap().extend(faults.iter().copied());
    }

    /// Tickets of a key.
    pub fn count(&self, key: &TicketKey) -> usize {
        self.tickets
            .lock()
            .unwrap()
            .values()
            .filter(|t| t.draft.key == *key)
            .count()
    }

    /// The ticket of a key.
    pub fn ticket(&self, key: &TicketKey) -> Option<MemoryTicket> {
        self.tickets
            .lock()
            .unwrap()
            .values()
            .find(|t| t.draft.key == *key)
            .cloned()
    }

    fn enter(&self, call: &str) -> Result<(), TicketError> {
        self.calls.lock().unwrap().push(call.to_string());
        match self.faults.lock().unwrap().pop_front() {
            None => Ok(()),
            Some(Fault::Throttled) => Err(TicketError::Throttled { system: "memory" }),
            Some(Fault::ServerError) => Err(TicketError::Failed {
                system: "memory",
                message: "HTTP 503 Service Unavailable".into(),
            }),
            Some(Fault::Unauthorized) => Err(TicketError::Unauthorized {
                system: "memory",
                message: "HTTP 401: token expired".into(),
            }),
        }
    }

    fn with<T>(
        &self,
        ticket: &TicketRef,
        f: impl FnOnce(&mut MemoryTicket) -> T,
    ) -> Result<T, TicketError> {
        let id: u32 = ticket.id.parse().map_err(|_| TicketError::Failed {
            system: "memory",
            message: "bad id".into(),
        })?;
        let mut tickets = self.tickets.lock().unwrap();
        let t = tickets.get_mut(&id).ok_or(TicketError::Failed {
            system: "memory",
            message: "HTTP 404".into(),
        })?;
        Ok(f(t))
    }
}

fn reference(id: u32) -> TicketRef {
    TicketRef {
        system: "memory",
        id: id.to_string(),
        url: Some(format!("https://tickets.example/{id}")),
    }
}

#[async_trait]
impl TicketSink for MemorySink {
    fn system(&self) -> &'static str {
        "memory"
    }

    async fn find(&self, key: &TicketKey) -> Result<Option<FoundTicket>, TicketError> {
        self.enter("find")?;
        Ok(self
            .tickets
            .lock()
            .unwrap()
            .iter()
            .find(|(_, t)| t.draft.key == *key)
            .map(|(id, t)| FoundTicket {
                reference: reference(*id),
                state: t.state,
            }))
    }

    async fn create(&self, draft: &TicketDraft) -> Result<TicketRef, TicketError> {
        self.enter("create")?;
        let mut tickets = self.tickets.lock().unwrap();
        let id = tickets.keys().max().copied().unwrap_or(0) + 1;
        tickets.insert(
            id,
            MemoryTicket {
                draft: draft.clone(),
                state: TicketState::Open,
                notes: Vec::new(),
            },
        );
        Ok(reference(id))
    }

    async fn update(
        &self,
        ticket: &TicketRef,
        draft: &TicketDraft,
        note: &str,
    ) -> Result<(), TicketError> {
        self.enter("update")?;
        self.with(ticket, |t| {
            t.draft = draft.clone();
            t.notes.push(note.to_string());
        })
    }

    async fn resolve(&self, ticket: &TicketRef, note: &str) -> Result<(), TicketError> {
        self.enter("resolve")?;
        self.with(ticket, |t| {
            t.state = TicketState::Resolved;
            t.notes.push(note.to_string());
        })
    }

    async fn reopen(&self, ticket: &TicketRef, note: &str) -> Result<(), TicketError> {
        self.enter("reopen")?;
        self.with(ticket, |t| {
            t.state = TicketState::Open;
            t.notes.push(note.to_string());
        })
    }
}
