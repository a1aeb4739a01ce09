//! Evidence candidates and the bounded, order-independent sets that keep the best of them.
//!
//! A signal keeps at most [`PER_SIGNAL`] pieces of evidence: the most telling and most recent,
//! preferring different clients and IP addresses, one per operation (candidates with the
//! same id and (client, IP) key count once, the better one). [`EvidenceSet`] keeps just enough
//! candidates (at most `PER_SIGNAL` per (client, IP) key, for at most `PER_SIGNAL` keys) to
//! make the same choice as if it had seen every event at once, whatever the order the events
//! came in, however they were split between aggregators.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::detect::model::{CiSystem, Client};
use crate::detect::records::{AuthProtocol, HttpMethod, OperationStatus};
use crate::detect::version::Version;
use crate::ids::{AppId, SubscriptionId};

/// How many pieces of evidence a signal shows.
pub const PER_SIGNAL: usize = 3;

/// What an event says, kept for the evidence line and its context.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Facts {
    /// The client.
    pub client: Option<Client>,
    /// The caller's IP.
    pub ip: Option<String>,
    /// The application id.
    pub app_id: Option<AppId>,
    /// The application's display name (sign-ins).
    pub app_name: Option<String>,
    /// The CI system.
    pub ci: Option<CiSystem>,
    /// The CLI/PowerShell version.
    pub version: Option<Version>,
    /// Interactive or not (sign-ins).
    pub interactive: Option<bool>,
    /// The sign-in protocol.
    pub protocol: Option<AuthProtocol>,
    /// The resource signed in to.
    pub resource: Option<AppId>,
    /// The ARM operation (writes).
    pub operation: Option<String>,
    /// The HTTP method (writes).
    pub method: Option<HttpMethod>,
    /// The resource written (writes).
    pub scope: Option<String>,
    /// The subscription written to.
    pub subscription: Option<SubscriptionId>,
    /// The write's status.
    pub status: Option<OperationStatus>,
    /// The token's amr claim (writes).
    pub amr: Option<String>,
    /// The user agent.
    pub user_agent: Option<String>,
}

/// One event offered as evidence for one signal. Candidates are totally ordered; greater is
/// better: more telling, then more recent, then by id and content (ties are deterministic).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Candidate {
    /// How telling the event is for its signal (higher is more).
    pub telling: u8,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The record's id, when it has one.
    pub id: Option<Uuid>,
    /// What it says.
    pub facts: Facts,
}

impl Candidate {
    fn key(&self) -> (Option<Client>, Option<&str>) {
        (self.facts.client, self.facts.ip.as_deref())
    }
}

/// The best candidates for one signal (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceSet {
    items: Vec<Candidate>,
}

impl EvidenceSet {
    /// Offers a candidate; it is cloned only when kept. Returns whether it was kept.
    pub fn offer(&mut self, cand: &Candidate) -> bool {
        let key = cand.key();
        if self.items.iter().any(|c| c.key() == key && c == cand) {
            return false;
        }
        if cand.id.is_some() {
            // The same operation seen twice (ARM's Started/Succeeded events share a
            // correlation id): keep the better of the two in its place.
            if let Some(old) = self
                .items
                .iter_mut()
                .find(|c| c.id == cand.id && c.key() == key)
            {
                if *cand > *old {
                    *old = cand.clone();
                    return true;
                }
                return false;
            }
        }
        let same = self.items.iter().filter(|c| c.key() == key).count();
        if same > 0 {
            if same < PER_SIGNAL {
                self.items.push(cand.clone());
                return true;
            }
            let worst = self
                .items
                .iter()
                .enumerate()
                .filter(|(_, c)| c.key() == key)
                .min_by(|a, b| a.1.cmp(b.1))
                .map(|(i, _)| i);
            return match worst {
                Some(i) if *cand > self.items[i] => {
                    self.items[i] = cand.clone();
                    true
                }
                _ => false,
            };
        }
        let bests = self.key_bests();
        if bests.len() < PER_SIGNAL {
            self.items.push(cand.clone());
            return true;
        }
        let Some(weakest) = bests.iter().min_by(|a, b| a.1.cmp(b.1)) else {
            return false;
        };
        if cand <= weakest.1 {
            return false;
        }
        let evict = (weakest.0 .0, weakest.0 .1.map(str::to_owned));
        self.items
            .retain(|c| (c.facts.client, c.facts.ip.as_deref()) != (evict.0, evict.1.as_deref()));
        self.items.push(cand.clone());
        true
    }

    /// Offers every candidate another set kept.
    pub fn merge(&mut self, other: &EvidenceSet) {
        for c in &other.items {
            self.offer(c);
        }
    }

    /// Each key with its best candidate.
    #[allow(clippy::type_complexity)]
    fn key_bests(&self) -> Vec<((Option<Client>, Option<&str>), &Candidate)> {
        let mut out: Vec<((Option<Client>, Option<&str>), &Candidate)> = Vec::new();
        for c in &self.items {
            match out.iter_mut().find(|(k, _)| *k == c.key()) {
                Some(slot) if c > slot.1 => slot.1 = c,
                Some(_) => {}
                None => out.push((c.key(), c)),
            }
        }
        out
    }

    /// The chosen evidence, at most [`PER_SIGNAL`], newest first: the best of each of the
    /// best keys, then (with fewer keys than places) the next best overall.
    pub fn select(&self) -> Vec<&Candidate> {
        let mut bests = self.key_bests();
        bests.sort_by(|a, b| b.1.cmp(a.1));
        let mut chosen: Vec<&Candidate> = bests.iter().take(PER_SIGNAL).map(|(_, c)| *c).collect();
        if chosen.len() < PER_SIGNAL {
            let mut rest: Vec<&Candidate> = self
                .items
                .iter()
                .filter(|c| !chosen.iter().any(|k| std::ptr::eq(*k, *c)))
                .collect();
            rest.sort_by(|a, b| b.cmp(a));
            let room = PER_SIGNAL - chosen.len();
            chosen.extend(rest.into_iter().take(room));
        }
        chosen.sort_by(|a, b| newest_first(a, b));
        chosen
    }
}

/// Newest first, ties by the candidate order (best first).
pub fn newest_first(a: &Candidate, b: &Candidate) -> Ordering {
    b.at.cmp(&a.at).then_with(|| b.cmp(a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn cand(telling: u8, minute: u32, client: u8, ip: u8) -> Candidate {
        with_id(telling, minute, client, ip, None)
    }

    fn with_id(telling: u8, minute: u32, client: u8, ip: u8, id: Option<u8>) -> Candidate {
        Candidate {
            telling,
            at: Utc.with_ymd_and_hms(2026, 11, 1, 0, minute, 0).unwrap(),
            id: id.map(|n| Uuid::from_u128(n.into())),
            facts: Facts {
                client: [Client::AzureCli, Client::Terraform, Client::RestSdk][client as usize % 3]
                    .into(),
                ip: Some(format!("10.0.0.{ip}")),
                ..Facts::default()
            },
        }
    }

    fn chosen(set: &EvidenceSet) -> Vec<Candidate> {
        set.select().into_iter().cloned().collect()
    }

    #[test]
    fn prefers_distinct_keys_then_fills() {
        let mut s = EvidenceSet::default();
        for m in 0..10 {
            s.offer(&cand(0, m, 0, 1));
        }
        s.offer(&cand(0, 5, 1, 2));
        let got = chosen(&s);
        assert_eq!(got.len(), 3);
        assert!(got
            .iter()
            .any(|c| c.facts.client == Some(Client::Terraform)));
        assert_eq!(got[0].at.format("%M").to_string(), "09", "newest first");
        let mut s = EvidenceSet::default();
        for m in 0..10 {
            s.offer(&cand(0, m, 0, 1));
        }
        let mins: Vec<_> = chosen(&s)
            .iter()
            .map(|c| c.at.format("%M").to_string())
            .collect();
        assert_eq!(mins, ["09", "08", "07"]);
    }

    #[test]
    fn one_operation_counts_once() {
        let mut s = EvidenceSet::default();
        s.offer(&with_id(0, 1, 0, 1, Some(7))); // Started
        s.offer(&with_id(2, 2, 0, 1, Some(7))); // Succeeded
        s.offer(&with_id(0, 3, 0, 1, Some(8)));
        let got = chosen(&s);
        assert_eq!(got.len(), 2);
        assert!(got.iter().any(|c| c.telling == 2));
        assert!(!got
            .iter()
            .any(|c| c.id == Some(Uuid::from_u128(7)) && c.telling == 0));
    }

    #[test]
    fn telling_beats_recent_and_duplicates_collapse() {
        let mut s = EvidenceSet::default();
        s.offer(&cand(1, 1, 0, 1));
        for m in 10..20 {
            s.offer(&cand(0, m, 0, 1));
        }
        assert!(chosen(&s).iter().any(|c| c.telling == 1));
        let mut d = EvidenceSet::default();
        assert!(d.offer(&cand(0, 1, 0, 1)));
        assert!(!d.offer(&cand(0, 1, 0, 1)));
        assert_eq!(d.items.len(), 1);
    }

    /// Every candidate at once: exact duplicates collapse, and so do candidates of the same
    /// operation (same id and key), the better one staying.
    fn brute_force(all: &[Candidate]) -> Vec<Candidate> {
        let mut set = EvidenceSet { items: Vec::new() };
        let mut uniq: Vec<Candidate> = all.to_vec();
        uniq.sort_by(|a, b| b.cmp(a));
        uniq.dedup();
        let mut seen = Vec::new();
        uniq.retain(|c| {
            if c.id.is_none() {
                return true;
            }
            let op = (c.id, c.facts.client, c.facts.ip.clone());
            if seen.contains(&op) {
                return false;
            }
            seen.push(op);
            true
        });
        set.items = uniq;
        chosen(&set)
    }

    proptest! {
        #[test]
        fn same_choice_as_seeing_everything(
            raw in prop::collection::vec(
                (0u8..3, 0u32..30, 0u8..4, 0u8..4, prop::option::of(0u8..4)),
                0..40,
            ),
            split in 0usize..40,
        ) {
            let all: Vec<Candidate> =
                raw.iter().map(|&(t, m, c, i, id)| with_id(t, m, c, i, id)).collect();
            let mut one = EvidenceSet::default();
            for c in &all { one.offer(c); }
            prop_assert_eq!(chosen(&one), brute_force(&all));
            let cut = split.min(all.len());
            let (mut a, mut b) = (EvidenceSet::default(), EvidenceSet::default());
            for c in &all[..cut] { a.offer(c); }
            for c in all[cut..].iter().rev() { b.offer(c); }
            a.merge(&b);
            prop_assert_eq!(chosen(&a), brute_force(&all));
        }
    }
}
