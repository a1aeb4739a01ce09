//! What the aggregator remembers about one account: names by source, directory facts and
//! bounded activity state. Every update is order-independent (a maximum, a union, a sum).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::detect::evidence::{Candidate, EvidenceSet};
use crate::detect::model::{CiSystem, Client, UserKind};
use crate::detect::records::MethodSet;
use crate::ids::SubscriptionId;

/// Where a name came from; a higher source wins (the directory names the account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Source {
    /// The `upn` claim of an ARM token.
    ArmClaim,
    /// A sign-in record.
    SignIn,
    /// The registration report.
    Registration,
    /// The users list.
    Users,
}

/// The rank of a candidate name: source, then recency, then record id.
pub type Rank = (Source, Option<DateTime<Utc>>, Option<Uuid>);

/// A value with the rank of the record that gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked<T> {
    /// Its rank.
    pub rank: Rank,
    /// The value.
    pub value: T,
}

/// Keeps the best-ranked value (ties by the greater value, so order never matters).
pub fn offer<T: Ord>(slot: &mut Option<Ranked<T>>, rank: Rank, value: T) {
    let better = match slot {
        None => true,
        Some(old) => (rank, &value) > (old.rank, &old.value),
    };
    if better {
        *slot = Some(Ranked { rank, value });
    }
}

fn offer_ranked<T: Ord>(slot: &mut Option<Ranked<T>>, other: Option<Ranked<T>>) {
    if let Some(o) = other {
        offer(slot, o.rank, o.value);
    }
}

/// The non-interactive rule's state for one IP address.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IpState {
    /// Whether the user signed in interactively (successfully, in scope) from here.
    pub interactive: bool,
    /// Single-factor in-scope non-interactive sign-ins from here.
    pub non_interactive: EvidenceSet,
}

/// Activity-derived state, allocated on an account's first relevant event.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Activity {
    /// `single_factor_arm_write` candidates.
    pub sf_write: EvidenceSet,
    /// `single_factor_signin` candidates.
    pub sf_signin: EvidenceSet,
    /// `ropc` candidates.
    pub ropc: EvidenceSet,
    /// `outdated_client` candidates.
    pub outdated: EvidenceSet,
    /// Per IP address, for `non_interactive`.
    pub ips: HashMap<String, IpState>,
    /// Clients seen in evidence-bearing events.
    pub clients: BTreeSet<Client>,
    /// CI systems seen in evidence-bearing events.
    pub ci: BTreeSet<CiSystem>,
    /// Write events per subscription.
    pub writes: BTreeMap<SubscriptionId, u64>,
    /// The newest single-factor write.
    pub latest_sf_write: Option<DateTime<Utc>>,
}

impl Activity {
    /// Notes a successful in-scope interactive sign-in from `ip`.
    pub fn note_interactive_ip(&mut self, ip: &str) {
        match self.ips.get_mut(ip) {
            Some(state) => state.interactive = true,
            None => {
                let state = IpState {
                    interactive: true,
                    ..IpState::default()
                };
                self.ips.insert(ip.to_owned(), state);
            }
        }
    }

    /// Offers a single-factor non-interactive sign-in from `ip`.
    pub fn offer_non_interactive(&mut self, ip: &str, cand: &Candidate) {
        match self.ips.get_mut(ip) {
            Some(state) => {
                state.non_interactive.offer(cand);
            }
            None => {
                let mut state = IpState::default();
                state.non_interactive.offer(cand);
                self.ips.insert(ip.to_owned(), state);
            }
        }
    }

    fn merge(&mut self, other: Activity) {
        self.sf_write.merge(&other.sf_write);
        self.sf_signin.merge(&other.sf_signin);
        self.ropc.merge(&other.ropc);
        self.outdated.merge(&other.outdated);
        for (ip, state) in other.ips {
            let mine = self.ips.entry(ip).or_default();
            mine.interactive |= state.interactive;
            mine.non_interactive.merge(&state.non_interactive);
        }
        self.clients.extend(other.clients);
        self.ci.extend(other.ci);
        for (sub, n) in other.writes {
            *self.writes.entry(sub).or_default() += n;
        }
        self.latest_sf_write = self.latest_sf_write.max(other.latest_sf_write);
    }
}

/// Everything known about one account.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Account {
    /// The best UPN seen.
    pub upn: Option<Ranked<String>>,
    /// The best display name seen.
    pub display_name: Option<Ranked<String>>,
    /// Member or guest (0 member, 1 guest).
    pub kind: Option<Ranked<u8>>,
    /// `Some(false)` when any users record says the account is disabled.
    pub enabled: Option<bool>,
    /// Whether the registration report says an MFA method is registered.
    pub mfa_registered: Option<bool>,
    /// Registered methods.
    pub methods: MethodSet,
    /// Whether a registration record was seen.
    pub registration_seen: bool,
    /// The newest registration record's time.
    pub registration_updated: Option<DateTime<Utc>>,
    /// The manager's address (the least, when records disagree).
    pub manager: Option<String>,
    /// Sponsors' addresses.
    pub sponsors: BTreeSet<String>,
    /// Role assignments: (role definition, scope).
    pub roles: BTreeSet<(Uuid, Option<String>)>,
    /// Activity state.
    pub activity: Option<Box<Activity>>,
}

impl Account {
    /// The activity state, created on first use.
    pub fn activity(&mut self) -> &mut Activity {
        self.activity.get_or_insert_with(Box::default)
    }

    /// Offers names from a record.
    pub fn offer_names(
        &mut self,
        rank: Rank,
        upn: Option<String>,
        display_name: Option<String>,
        kind: Option<UserKind>,
    ) {
        if let Some(upn) = upn {
            offer(&mut self.upn, rank, upn);
        }
        if let Some(name) = display_name {
            offer(&mut self.display_name, rank, name);
        }
        if let Some(kind) = kind {
            offer(&mut self.kind, rank, kind_code(kind));
        }
    }

    /// Member or guest.
    pub fn user_kind(&self) -> Option<UserKind> {
        self.kind.as_ref().map(|k| {
            if k.value == 1 {
                UserKind::Guest
            } else {
                UserKind::Member
            }
        })
    }

    /// Records `accountEnabled`; a disabled report wins.
    pub fn note_enabled(&mut self, enabled: Option<bool>) {
        self.enabled = match (self.enabled, enabled) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), _) | (_, Some(true)) => Some(true),
            _ => None,
        };
    }

    /// Records `isMfaRegistered`; a registered report wins.
    pub fn note_mfa_registered(&mut self, registered: Option<bool>) {
        self.mfa_registered = match (self.mfa_registered, registered) {
            (Some(a), Some(b)) => Some(a || b),
            (a, b) => a.or(b),
        };
    }

    /// Records a manager's address.
    pub fn note_manager(&mut self, address: &str) {
        if self.manager.as_deref().is_none_or(|m| address < m) {
            self.manager = Some(address.to_owned());
        }
    }

    /// Merges what another aggregator knows about the same account.
    pub fn merge(&mut self, other: Account) {
        offer_ranked(&mut self.upn, other.upn);
        offer_ranked(&mut self.display_name, other.display_name);
        offer_ranked(&mut self.kind, other.kind);
        self.note_enabled(other.enabled);
        self.note_mfa_registered(other.mfa_registered);
        self.methods = self.methods.union(other.methods);
        self.registration_seen |= other.registration_seen;
        self.registration_updated = self.registration_updated.max(other.registration_updated);
        if let Some(m) = other.manager {
            self.note_manager(&m);
        }
        self.sponsors.extend(other.sponsors);
        self.roles.extend(other.roles);
        if let Some(act) = other.activity {
            self.activity().merge(*act);
        }
    }
}

fn kind_code(kind: UserKind) -> u8 {
    match kind {
        UserKind::Member => 0,
        UserKind::Guest => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn directory_names_beat_sign_in_names_whatever_the_order() {
        let t = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let mut a = Account::default();
        a.offer_names(
            (Source::Users, None, None),
            Some("alice_fabrikam.com#EXT#@contoso.onmicrosoft.com".into()),
            None,
            Some(UserKind::Guest),
        );
        a.offer_names(
            (Source::ArmClaim, Some(t), None),
            Some("alice@fabrikam.com".into()),
            None,
            None,
        );
        a.offer_names(
            (Source::SignIn, Some(t), None),
            Some("old@contoso.com".into()),
            Some("Alice".into()),
            Some(UserKind::Member),
        );
        assert_eq!(
            a.upn.as_ref().unwrap().value,
            "alice_fabrikam.com#EXT#@contoso.onmicrosoft.com"
        );
        assert_eq!(a.user_kind(), Some(UserKind::Guest));
        assert_eq!(a.display_name.as_ref().unwrap().value, "Alice");
    }

    #[test]
    fn merges_are_monotone() {
        let mut a = Account::default();
        a.note_enabled(Some(true));
        a.note_enabled(None);
        assert_eq!(a.enabled, Some(true));
        a.note_enabled(Some(false));
        a.note_enabled(Some(true));
        assert_eq!(a.enabled, Some(false));
        a.note_mfa_registered(Some(false));
        assert_eq!(a.mfa_registered, Some(false));
        a.note_mfa_registered(Some(true));
        a.note_mfa_registered(Some(false));
        assert_eq!(a.mfa_registered, Some(true));
        a.note_manager("zed@contoso.com");
        a.note_manager("amy@contoso.com");
        a.note_manager("bob@contoso.com");
        assert_eq!(a.manager.as_deref(), Some("amy@contoso.com"));
    }
}
