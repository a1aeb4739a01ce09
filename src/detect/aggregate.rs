//! The streaming aggregator: records in, one [`Detection`] out (DESIGN.md §3).
//!
//! Memory grows with accounts (and, per account, with distinct IP addresses and clients),
//! never with events: each signal keeps a bounded set of evidence candidates. The result
//! does not depend on the order records arrive in or on how they are split between
//! aggregators ([`Aggregator::merge`]).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::calendar::Phase2;
use crate::detect::account::{Account, Source};
use crate::detect::client::{self, ClientInfo};
use crate::detect::detail;
use crate::detect::directory_part::{DirectoryPart, StoredRoleDefinition, StoredSubscription};
use crate::detect::evidence::{Candidate, EvidenceSet, Facts, PER_SIGNAL};
use crate::detect::model::{
    Detection, DisabledAccount, Evidence, EvidenceContext, Finding, Signal,
};
use crate::detect::owners::{resolve_owner, OwnerHints};
use crate::detect::records::{
    ActivityEvent, AuthProtocol, OperationStatus, PrincipalType, RegistrationDetails,
    RoleAssignment, RoleDefinition, SignIn, Subscription, User,
};
use crate::detect::roles::RoleCatalog;
use crate::detect::severity::severity;
use crate::ids::{ObjectId, SubscriptionId};
use crate::settings::TenantSettings;

/// What an aggregator learnt, without the tenant settings: serialisable, so that a live scan
/// can keep one day of a source between scans, and a queue job what it read until its run is
/// reconciled, and merge it later ([`Aggregator::merge_partial`]). Event data (sign-ins,
/// activity) lives in the accounts; directory data (role definitions, subscriptions, role
/// assignments without `principalType`) in a [`DirectoryPart`], empty for event data.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Partial {
    accounts: HashMap<ObjectId, Account>,
    window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    #[serde(default, skip_serializing_if = "DirectoryPart::is_empty")]
    directory: DirectoryPart,
}

impl Partial {
    /// Accounts it holds.
    pub fn accounts(&self) -> usize {
        self.accounts.len()
    }

    /// The time span of its records.
    pub fn window(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.window
    }

    /// The subscriptions its directory data lists, in id order.
    pub fn subscription_ids(&self) -> Vec<SubscriptionId> {
        self.directory
            .subscriptions
            .iter()
            .map(|s| s.subscription_id)
            .collect()
    }
}

/// Accumulates records and produces the findings.
#[derive(Debug, Clone)]
pub struct Aggregator {
    settings: TenantSettings,
    enforcement: DateTime<Utc>,
    accounts: HashMap<ObjectId, Account>,
    /// Assignments without `principalType` (old API versions): applied at the end to
    /// principals known as users from another source.
    untyped_assignments: BTreeSet<(ObjectId, Uuid, Option<String>)>,
    roles: RoleCatalog,
    subscriptions: HashMap<SubscriptionId, Subscription>,
    window: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl Aggregator {
    /// An empty aggregator for a tenant.
    pub fn new(settings: &TenantSettings) -> Self {
        Self {
            settings: settings.clone(),
            enforcement: settings
                .effective_enforcement_date()
                .and_time(NaiveTime::MIN)
                .and_utc(),
            accounts: HashMap::new(),
            untyped_assignments: BTreeSet::new(),
            roles: RoleCatalog::default(),
            subscriptions: HashMap::new(),
            window: None,
        }
    }

    fn see(&mut self, at: DateTime<Utc>) {
        self.window = Some(match self.window {
            None => (at, at),
            Some((lo, hi)) => (lo.min(at), hi.max(at)),
        });
    }

    /// Adds a Graph sign-in.
    pub fn add_sign_in(&mut self, mut s: SignIn) {
        self.see(s.created_date_time);
        if s.is_workload() {
            return;
        }
        let Some(user_id) = s.user_id else {
            return;
        };
        let account = self.accounts.entry(user_id).or_default();
        account.offer_names(
            (Source::SignIn, Some(s.created_date_time), s.id),
            s.user_principal_name.take(),
            s.user_display_name.take(),
            s.user_type,
        );
        if !s.succeeded() {
            return;
        }
        let in_scope = Phase2::in_scope(s.app_id.as_ref(), s.resource_id.as_ref());
        let interactive = s.interactive();
        if in_scope && interactive == Some(true) {
            if let Some(ip) = s.ip_address.as_deref() {
                account.activity().note_interactive_ip(ip);
            }
        }
        // MFA-satisfied sign-ins are no evidence of single-factor use, but an old client is
        // outdated whoever runs it: it cannot answer ARM's claims challenge even for a person
        // who does MFA, so `outdated_client` looks at every successful sign-in.
        let info = client::classify(s.app_id.as_ref(), s.user_agent.as_deref());
        let single_factor = in_scope && !s.mfa_satisfied() && s.single_factor();
        let outdated = info.outdated() == Some(true);
        if !single_factor && !outdated {
            return;
        }
        let ropc = s.authentication_protocol == Some(AuthProtocol::Ropc);
        let mut cand = Candidate {
            telling: 0,
            at: s.created_date_time,
            id: s.id,
            facts: sign_in_facts(&mut s, info, interactive),
        };
        let activity = account.activity();
        note_client(activity, &info);
        if single_factor {
            // Unattended sign-ins are the more telling evidence of a single-factor sign-in.
            cand.telling = if ropc {
                2
            } else {
                u8::from(interactive == Some(false))
            };
            activity.sf_signin.offer(&cand);
            cand.telling = 0;
            if ropc {
                activity.ropc.offer(&cand);
            }
            if interactive == Some(false) {
                if let Some(ip) = cand.facts.ip.as_deref() {
                    activity.offer_non_interactive(ip, &cand);
                }
            }
        }
        if outdated {
            activity.outdated.offer(&cand);
        }
    }

    /// Adds an ARM activity log event.
    pub fn add_activity(&mut self, mut e: ActivityEvent) {
        self.see(e.event_timestamp);
        if e.is_workload() {
            return;
        }
        let Some(user_id) = e.claims.object_id else {
            return;
        };
        let enforcement = self.enforcement;
        let account = self.accounts.entry(user_id).or_default();
        let operation_id = e.operation_id();
        account.offer_names(
            (Source::ArmClaim, Some(e.event_timestamp), operation_id),
            e.claims.upn.take(),
            None,
            None,
        );
        if !e.is_write() {
            return;
        }
        let activity = account.activity();
        if let Some(sub) = e.subscription_id {
            *activity.writes.entry(sub).or_default() += 1;
        }
        if e.claims.has_mfa() != Some(false) {
            return;
        }
        let info = client::classify(e.claims.app_id.as_ref(), e.properties.user_agent.as_deref());
        let telling = match &e.status {
            Some(OperationStatus::Failed) if e.event_timestamp >= enforcement => 3,
            Some(OperationStatus::Succeeded) => 2,
            Some(OperationStatus::Failed) => 1,
            _ => 0,
        };
        let cand = Candidate {
            telling,
            at: e.event_timestamp,
            id: operation_id,
            facts: write_facts(&mut e, info),
        };
        note_client(activity, &info);
        activity.sf_write.offer(&cand);
        activity.latest_sf_write = activity.latest_sf_write.max(Some(e.event_timestamp));
    }

    /// Adds a Graph `userRegistrationDetails` record.
    pub fn add_registration(&mut self, r: RegistrationDetails) {
        let account = self.accounts.entry(r.id).or_default();
        account.offer_names(
            (Source::Registration, r.last_updated_date_time, None),
            r.user_principal_name,
            r.user_display_name,
            r.user_type,
        );
        account.note_mfa_registered(r.is_mfa_registered);
        account.methods = account.methods.union(r.methods_registered);
        account.registration_seen = true;
        account.registration_updated = account.registration_updated.max(r.last_updated_date_time);
    }

    /// Adds a Graph user.
    pub fn add_user(&mut self, u: User) {
        let account = self.accounts.entry(u.id).or_default();
        account.offer_names(
            (Source::Users, None, None),
            u.user_principal_name,
            u.display_name,
            u.user_type,
        );
        account.note_enabled(u.account_enabled);
        if let Some(address) = u.manager.as_ref().and_then(|m| m.address()) {
            account.note_manager(address);
        }
        for sponsor in &u.sponsors {
            if let Some(address) = sponsor.address() {
                account.sponsors.insert(address.to_owned());
            }
        }
    }

    /// Adds an ARM role assignment. Only assignments to users count (groups are not
    /// expanded; workloads are out of scope).
    pub fn add_role_assignment(&mut self, a: RoleAssignment) {
        match a.principal_type {
            Some(PrincipalType::User) => {
                self.accounts
                    .entry(a.principal_id)
                    .or_default()
                    .roles
                    .insert((a.role_definition_id, a.scope));
            }
            None => {
                self.untyped_assignments
                    .insert((a.principal_id, a.role_definition_id, a.scope));
            }
            Some(_) => {}
        }
    }

    /// Adds an ARM role definition (overrides the built-in table).
    pub fn add_role_definition(&mut self, d: RoleDefinition) {
        self.roles.add(d);
    }

    /// Adds an ARM subscription. Duplicates merge their tags (the least value wins a clash).
    pub fn add_subscription(&mut self, s: Subscription) {
        match self.subscriptions.get_mut(&s.subscription_id) {
            None => {
                self.subscriptions.insert(s.subscription_id, s);
            }
            Some(old) => {
                for (k, v) in s.tags {
                    match old.tags.get(&k) {
                        Some(existing) if *existing <= v => {}
                        _ => {
                            old.tags.insert(k, v);
                        }
                    }
                }
                old.display_name = old
                    .display_name
                    .take()
                    .into_iter()
                    .chain(s.display_name)
                    .min();
            }
        }
    }

    /// Adds everything another aggregator (same tenant settings) has seen, as if its
    /// records had been added here.
    pub fn merge(&mut self, other: Aggregator) {
        if let Some((lo, hi)) = other.window {
            self.see(lo);
            self.see(hi);
        }
        for (id, account) in other.accounts {
            self.accounts.entry(id).or_default().merge(account);
        }
        self.untyped_assignments.extend(other.untyped_assignments);
        self.roles.merge(other.roles);
        for s in other.subscriptions.into_values() {
            self.add_subscription(s);
        }
    }

    /// Everything this aggregator learnt, without the settings (see [`Partial`]).
    pub fn into_partial(self) -> Partial {
        let mut untyped_assignments: Vec<_> = self.untyped_assignments.into_iter().collect();
        untyped_assignments.sort();
        let mut subscriptions: Vec<StoredSubscription> = self
            .subscriptions
            .into_values()
            .map(StoredSubscription::from)
            .collect();
        subscriptions.sort_by_key(|s| s.subscription_id);
        Partial {
            accounts: self.accounts,
            window: self.window,
            directory: DirectoryPart {
                role_definitions: self
                    .roles
                    .into_definitions()
                    .map(StoredRoleDefinition::from)
                    .collect(),
                subscriptions,
                untyped_assignments,
            },
        }
    }

    /// Adds a partial, as if its records had been added here.
    pub fn merge_partial(&mut self, partial: Partial) {
        if let Some((lo, hi)) = partial.window {
            self.see(lo);
            self.see(hi);
        }
        for (id, account) in partial.accounts {
            self.accounts.entry(id).or_default().merge(account);
        }
        let directory = partial.directory;
        self.untyped_assignments
            .extend(directory.untyped_assignments);
        for def in directory.role_definitions {
            self.roles.add(def.into());
        }
        for s in directory.subscriptions {
            self.add_subscription(s.into());
        }
    }

    /// Widens the window to cover `from..to` (a live scan's window is its look-back, not
    /// only the span of the records it happened to read).
    pub fn cover(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) {
        self.see(from);
        self.see(to);
    }

    /// The findings.
    pub fn finish(mut self) -> Detection {
        for (principal, role, scope) in std::mem::take(&mut self.untyped_assignments) {
            if let Some(account) = self.accounts.get_mut(&principal) {
                account.roles.insert((role, scope));
            }
        }
        let as_of = self.window.map(|w| w.1);
        let mut findings = Vec::new();
        let mut disabled = Vec::new();
        for (id, account) in &self.accounts {
            let Some(finding) = self.assess(*id, account, as_of) else {
                continue;
            };
            if account.enabled == Some(false) {
                disabled.push(DisabledAccount {
                    user_id: finding.user_id,
                    upn: finding.upn,
                });
            } else {
                findings.push(finding);
            }
        }
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| upn_order(&a.upn, &b.upn))
                .then(a.user_id.cmp(&b.user_id))
        });
        disabled.sort_by(|a, b| upn_order(&a.upn, &b.upn).then(a.user_id.cmp(&b.user_id)));
        Detection {
            accounts_scanned: self.accounts.len(),
            findings,
            disabled,
            window: self.window,
        }
    }

    /// The finding for one account, when any signal holds.
    fn assess(&self, id: ObjectId, a: &Account, as_of: Option<DateTime<Utc>>) -> Option<Finding> {
        let upn = a.upn.as_ref().map(|r| r.value.clone());
        let break_glass = self
            .settings
            .is_break_glass(upn.as_deref(), &id.to_string());
        let empty = Default::default();
        let act = a.activity.as_deref().unwrap_or(&empty);
        let mut evidence: Vec<Evidence> = Vec::new();
        from_set(Signal::SingleFactorArmWrite, &act.sf_write, &mut evidence);
        from_set(Signal::SingleFactorSignin, &act.sf_signin, &mut evidence);
        let mut unattended = EvidenceSet::default();
        for state in act.ips.values().filter(|s| !s.interactive) {
            unattended.merge(&state.non_interactive);
        }
        from_set(Signal::NonInteractive, &unattended, &mut evidence);
        from_set(Signal::Ropc, &act.ropc, &mut evidence);
        evidence.extend(self.no_mfa_method(a, act, as_of));
        if break_glass && a.registration_seen && !a.methods.has_phishing_resistant() {
            evidence.push(Evidence {
                signal: Signal::BreakGlassWeakMfa,
                at: a.registration_updated.or(as_of).unwrap_or_default(),
                detail: detail::one_line(&format!(
                    "emergency-access account without a phishing-resistant method (registered: {})",
                    a.methods
                )),
                context: EvidenceContext::default(),
            });
        }
        from_set(Signal::OutdatedClient, &act.outdated, &mut evidence);
        let signals: BTreeSet<Signal> = evidence.iter().map(|e| e.signal).collect();
        let severity = severity(&signals)?;
        let owner = resolve_owner(
            &self.settings,
            &self.subscriptions,
            &OwnerHints {
                upn: upn.as_deref(),
                user_id: id,
                sponsors: &a.sponsors,
                manager: a.manager.as_deref(),
                writes: &act.writes,
            },
        );
        Some(Finding {
            user_id: id,
            upn,
            display_name: a.display_name.as_ref().map(|r| r.value.clone()),
            kind: a.user_kind(),
            break_glass,
            severity,
            signals,
            evidence,
            clients: act.clients.clone(),
            ci: act.ci.clone(),
            subscriptions: act.writes.keys().copied().collect(),
            owner,
        })
    }

    /// `no_mfa_method` evidence: no MFA method registered, and single-factor writes or a
    /// write-capable role.
    fn no_mfa_method(
        &self,
        a: &Account,
        act: &crate::detect::account::Activity,
        as_of: Option<DateTime<Utc>>,
    ) -> Vec<Evidence> {
        if a.mfa_registered != Some(false) {
            return Vec::new();
        }
        let at = a.registration_updated.or(as_of).unwrap_or_default();
        let mut out = Vec::new();
        if let Some(latest) = act.latest_sf_write {
            out.push(Evidence {
                signal: Signal::NoMfaMethod,
                at: latest,
                detail:
                    "no MFA method registered, and writes to Azure Resource Manager without MFA"
                        .into(),
                context: EvidenceContext::default(),
            });
        }
        let mut writers: Vec<(&str, Option<&str>, String)> = a
            .roles
            .iter()
            .filter(|(role, _)| self.roles.write_capable(role))
            .map(|(role, scope)| {
                let name = self.roles.name(role).map_or_else(
                    || format!("{role} (not in the built-in table, so counted as write-capable)"),
                    str::to_owned,
                );
                (scope.as_deref().unwrap_or("/"), scope.as_deref(), name)
            })
            .collect();
        writers.sort_by(|x, y| x.2.cmp(&y.2).then(x.0.cmp(y.0)));
        for (scope, raw_scope, name) in writers.into_iter().take(PER_SIGNAL - out.len()) {
            out.push(Evidence {
                signal: Signal::NoMfaMethod,
                at,
                detail: detail::one_line(&format!(
                    "no MFA method registered while holding the write-capable role {name} at {scope}"
                )),
                context: EvidenceContext {
                    subscription: raw_scope.and_then(subscription_of),
                    ..EvidenceContext::default()
                },
            });
        }
        out.sort_by_key(|e| std::cmp::Reverse(e.at));
        out
    }
}

/// UPN order for findings: case-insensitive, then exact; accounts without a UPN last.
fn upn_order(a: &Option<String>, b: &Option<String>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a
            .to_lowercase()
            .cmp(&b.to_lowercase())
            .then_with(|| a.cmp(b)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}

/// The subscription of an ARM scope (`/subscriptions/<id>/…`).
fn subscription_of(scope: &str) -> Option<SubscriptionId> {
    let mut parts = scope.split('/').filter(|p| !p.is_empty());
    match (parts.next(), parts.next()) {
        (Some(s), Some(id)) if s.eq_ignore_ascii_case("subscriptions") => {
            SubscriptionId::parse(id).ok()
        }
        _ => None,
    }
}

fn from_set(signal: Signal, set: &EvidenceSet, out: &mut Vec<Evidence>) {
    out.extend(
        set.select()
            .into_iter()
            .map(|c| detail::evidence(signal, c)),
    );
}

fn note_client(activity: &mut crate::detect::account::Activity, info: &ClientInfo) {
    if let Some(c) = info.client {
        activity.clients.insert(c);
    }
    if let Some(ci) = info.ci {
        activity.ci.insert(ci);
    }
}

fn sign_in_facts(s: &mut SignIn, info: ClientInfo, interactive: Option<bool>) -> Facts {
    Facts {
        client: info.client,
        ip: s.ip_address.take(),
        app_id: s.app_id,
        app_name: s.app_display_name.take(),
        ci: info.ci,
        version: info.version,
        interactive,
        protocol: s.authentication_protocol,
        resource: s.resource_id,
        user_agent: s.user_agent.take(),
        ..Facts::default()
    }
}

fn write_facts(e: &mut ActivityEvent, info: ClientInfo) -> Facts {
    let ip = e
        .http_request
        .client_ip_address
        .take()
        .or_else(|| e.claims.ip_addr.take());
    Facts {
        client: info.client,
        ip,
        app_id: e.claims.app_id,
        ci: info.ci,
        version: info.version,
        operation: e
            .authorization
            .action
            .take()
            .or_else(|| e.operation_name.take()),
        method: e.http_request.method,
        scope: e.authorization.scope.take(),
        subscription: e.subscription_id,
        status: e.status.take(),
        amr: e.claims.amr.take(),
        user_agent: e.properties.user_agent.take(),
        ..Facts::default()
    }
}
