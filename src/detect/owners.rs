//! Who owns an account's remediation (DESIGN.md §6): the ownership map in settings, then an
//! Entra sponsor, then the manager, then the `owner`/`contact` tag of a subscription the
//! account wrote to, then the default owner.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::detect::model::{Owner, OwnerRule};
use crate::detect::records::Subscription;
use crate::ids::{ObjectId, SubscriptionId};
use crate::settings::TenantSettings;

/// What is known about an account that can name its owner.
#[derive(Debug, Clone, Copy)]
pub struct OwnerHints<'a> {
    /// The account's directory UPN.
    pub upn: Option<&'a str>,
    /// The account's object id.
    pub user_id: ObjectId,
    /// Sponsors' addresses.
    pub sponsors: &'a BTreeSet<String>,
    /// The manager's address.
    pub manager: Option<&'a str>,
    /// Subscriptions written to, with the number of writes.
    pub writes: &'a BTreeMap<SubscriptionId, u64>,
}

/// The owner by the first rule that names one. Among sponsors the least address is chosen;
/// among tagged subscriptions the one written to most (ties by subscription id).
pub fn resolve_owner(
    settings: &TenantSettings,
    subscriptions: &HashMap<SubscriptionId, Subscription>,
    hints: &OwnerHints<'_>,
) -> Option<Owner> {
    let owner = |who: &str, rule| {
        let who = who.trim();
        (!who.is_empty()).then(|| Owner {
            who: who.to_owned(),
            rule,
            team: None,
            ticket_project: None,
        })
    };
    if let Some(rule) = settings.owner_rule_for(hints.upn, &hints.user_id.to_string()) {
        if let Some(mut o) = owner(rule.entry.owner(), OwnerRule::OwnershipMap) {
            if let crate::settings::OwnerEntry::Rich(rich) = &rule.entry {
                o.team = rich.team.clone();
                o.ticket_project = rich.ticket_project.clone();
            }
            return Some(o);
        }
    }
    if let Some(o) = hints
        .sponsors
        .iter()
        .find_map(|s| owner(s, OwnerRule::Sponsor))
    {
        return Some(o);
    }
    if let Some(o) = hints.manager.and_then(|m| owner(m, OwnerRule::Manager)) {
        return Some(o);
    }
    let mut written: Vec<(&SubscriptionId, &u64)> = hints.writes.iter().collect();
    written.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    if let Some(o) = written.into_iter().find_map(|(sub, _)| {
        subscriptions
            .get(sub)
            .and_then(Subscription::owner_tag)
            .and_then(|tag| owner(tag, OwnerRule::SubscriptionTag))
    }) {
        return Some(o);
    }
    settings
        .default_owner
        .as_deref()
        .and_then(|d| owner(d, OwnerRule::Default))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(id: &str, tags: &[(&str, &str)]) -> (SubscriptionId, Subscription) {
        let s = Subscription {
            subscription_id: SubscriptionId::parse(id).unwrap(),
            display_name: None,
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        (s.subscription_id, s)
    }

    #[test]
    fn first_rule_that_names_an_owner_wins() {
        let settings = TenantSettings::from_toml(
            "default_owner = \"cloud@contoso.com\"\n[owners]\n\"svc-*@contoso.com\" = \"platform@contoso.com\"\n",
            "t",
        )
        .unwrap();
        let (s1, sub1) = sub(
            "11111111-1111-4111-8111-111111111111",
            &[("Owner", "team-1@contoso.com")],
        );
        let (s2, sub2) = sub(
            "22222222-2222-4222-8222-222222222222",
            &[("contact", "team-2@contoso.com")],
        );
        let subs: HashMap<_, _> = [(s1, sub1), (s2, sub2)].into_iter().collect();
        let id = ObjectId::parse("26be570a-ae82-4189-b4e2-a37c6808512d").unwrap();
        let sponsors: BTreeSet<String> =
            ["zoe@contoso.com".into(), "amy@contoso.com".into()].into();
        let none = BTreeSet::new();
        let writes: BTreeMap<_, _> = [(s1, 1), (s2, 5)].into();
        let no_writes = BTreeMap::new();
        let hints = OwnerHints {
            upn: Some("svc-deploy@contoso.com"),
            user_id: id,
            sponsors: &sponsors,
            manager: Some("boss@contoso.com"),
            writes: &writes,
        };
        let who = |h: &OwnerHints| resolve_owner(&settings, &subs, h).map(|o| (o.who, o.rule));
        assert_eq!(
            who(&hints),
            Some(("platform@contoso.com".into(), OwnerRule::OwnershipMap))
        );
        let h = OwnerHints {
            upn: Some("alice@contoso.com"),
            ..hints
        };
        assert_eq!(
            who(&h),
            Some(("amy@contoso.com".into(), OwnerRule::Sponsor))
        );
        let h = OwnerHints {
            sponsors: &none,
            ..h
        };
        assert_eq!(
            who(&h),
            Some(("boss@contoso.com".into(), OwnerRule::Manager))
        );
        let h = OwnerHints { manager: None, ..h };
        assert_eq!(
            who(&h),
            Some(("team-2@contoso.com".into(), OwnerRule::SubscriptionTag)),
            "the subscription written to most"
        );
        let h = OwnerHints {
            writes: &no_writes,
            ..h
        };
        assert_eq!(
            who(&h),
            Some(("cloud@contoso.com".into(), OwnerRule::Default))
        );
        let bare = TenantSettings::default();
        assert_eq!(resolve_owner(&bare, &subs, &h), None);
    }

    #[test]
    fn a_rich_ownership_entry_carries_its_team_and_ticket_project() {
        let settings = TenantSettings::from_toml(
            r#"
[owners]
"svc-*@contoso.com" = { owner = "platform@contoso.com", team = "Platform", ticket_project = "PLAT" }
"#,
            "stepup.toml",
        )
        .unwrap();
        let none = BTreeSet::new();
        let writes = BTreeMap::new();
        let hints = OwnerHints {
            upn: Some("svc-deploy@contoso.com"),
            user_id: ObjectId::parse("0d3e7999-75b3-4fee-8157-6e36e2473000").unwrap(),
            sponsors: &none,
            manager: None,
            writes: &writes,
        };
        let o = resolve_owner(&settings, &HashMap::new(), &hints).unwrap();
        assert_eq!(o.who, "platform@contoso.com");
        assert_eq!(o.team.as_deref(), Some("Platform"));
        assert_eq!(o.ticket_project.as_deref(), Some("PLAT"));
    }
}
