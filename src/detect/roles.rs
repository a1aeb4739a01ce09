//! Whether an Azure role can write (DESIGN.md §3, `no_mfa_method`).
//!
//! Built-in roles whose names end in "Reader" are read-only. Any other role is
//! write-capable when one of its actions ends in `/write`, `/delete` or `*`
//! (case-insensitive). Definitions from `roleDefinitions.json` override the built-in table;
//! a role known to neither counts as write-capable.

use std::collections::HashMap;

use uuid::Uuid;

use crate::detect::builtin_roles::built_in_role;
use crate::detect::records::RoleDefinition;

/// Whether one action lets the holder create, update or delete.
pub fn action_is_write(action: &str) -> bool {
    let a = action.trim();
    let ends = |s: &str| {
        a.len() >= s.len()
            && a.is_char_boundary(a.len() - s.len())
            && a[a.len() - s.len()..].eq_ignore_ascii_case(s)
    };
    ends("/write") || ends("/delete") || ends("*")
}

/// Applies the rule to a role's name, origin and actions.
pub fn is_write_capable<'a>(
    name: Option<&str>,
    built_in: bool,
    actions: impl IntoIterator<Item = &'a str>,
) -> bool {
    if built_in && name.is_some_and(|n| n.trim().to_ascii_lowercase().ends_with("reader")) {
        return false;
    }
    actions.into_iter().any(action_is_write)
}

/// Role definitions known to a scan: the built-in table, overridden by exported ones.
#[derive(Debug, Clone, Default)]
pub struct RoleCatalog {
    exported: HashMap<Uuid, RoleDefinition>,
}

impl RoleCatalog {
    /// Adds an exported definition. Duplicates of one id keep the greatest by
    /// (name, origin, actions), so the outcome never depends on input order.
    pub fn add(&mut self, def: RoleDefinition) {
        let key = |d: &RoleDefinition| (d.role_name.clone(), d.built_in, d.actions.clone());
        match self.exported.get(&def.id) {
            Some(old) if key(old) >= key(&def) => {}
            _ => {
                self.exported.insert(def.id, def);
            }
        }
    }

    /// Adds every definition of another catalog.
    pub fn merge(&mut self, other: RoleCatalog) {
        for def in other.exported.into_values() {
            self.add(def);
        }
    }

    /// The exported definitions, by id.
    pub fn into_definitions(self) -> impl Iterator<Item = RoleDefinition> {
        let mut defs: Vec<RoleDefinition> = self.exported.into_values().collect();
        defs.sort_by_key(|d| d.id);
        defs.into_iter()
    }

    /// Whether the role can write; unknown roles can.
    pub fn write_capable(&self, id: &Uuid) -> bool {
        if let Some(d) = self.exported.get(id) {
            return is_write_capable(
                d.role_name.as_deref(),
                d.built_in,
                d.actions.iter().map(String::as_str),
            );
        }
        match built_in_role(id) {
            Some(r) => is_write_capable(Some(r.name), true, r.actions.iter().copied()),
            None => true,
        }
    }

    /// The role's name, when known.
    pub fn name(&self, id: &Uuid) -> Option<&str> {
        self.exported
            .get(id)
            .and_then(|d| d.role_name.as_deref())
            .or_else(|| built_in_role(id).map(|r| r.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::builtin_roles::BUILT_IN_ROLES;

    fn id(s: &str) -> Uuid {
        Uuid::parse_str(s).unwrap()
    }

    #[test]
    fn action_rule_from_the_contract() {
        for w in [
            "*",
            "Microsoft.Compute/*",
            "Microsoft.Network/dnsZones/A/*",
            "Microsoft.Compute/virtualMachines/write",
            "microsoft.compute/virtualmachines/DELETE",
            "Microsoft.Storage/storageAccounts/blobServices/containers/Write ",
        ] {
            assert!(action_is_write(w), "{w}");
        }
        for r in [
            "*/read",
            "Microsoft.Consumption/*/read",
            "Microsoft.Compute/virtualMachines/restart/action",
            "Microsoft.ContainerRegistry/registries/pull/read",
            "",
        ] {
            assert!(!action_is_write(r), "{r}");
        }
    }

    #[test]
    fn built_in_readers_are_read_only_even_with_star_actions() {
        let c = RoleCatalog::default();
        // Monitoring Reader holds "Microsoft.Support/*", Key Vault Reader "alertRules/*".
        assert!(!c.write_capable(&id("43d0d8ad-25c7-4714-9337-8ba259a9fe05")));
        assert!(!c.write_capable(&id("21090545-7ca7-4776-b22c-e363652d74d2")));
        assert!(!c.write_capable(&id("acdd72a7-3385-48ef-bd42-f606fba81ae7")));
        assert!(!c.write_capable(&id("72fafb9e-0641-4937-9268-a91bfd8191a3")));
        // The same actions under a non-Reader name write.
        assert!(c.write_capable(&id("00482a5a-887f-4fb3-b363-3b7fe8e74483")));
    }

    #[test]
    fn built_in_writers_and_non_writers() {
        let c = RoleCatalog::default();
        for w in [
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            "b24988ac-6180-42a0-ab88-20f7382dd24c",
            "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
            "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
            "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
            "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
            "4d97b98b-1d4f-4787-a291-c67834d212e7",
            "de139f84-1756-47ae-9be6-808fbbe84772",
            "9b7fa17d-e63e-47b0-bb0a-15c516ac86ec",
        ] {
            assert!(c.write_capable(&id(w)), "{w} {:?}", c.name(&id(w)));
        }
        for r in [
            "7f951dda-4ed3-4680-a7ca-43fe172d538d", // AcrPull: only a read action
            "4633458b-17de-408a-b874-0445c86b69e6", // Key Vault Secrets User: data plane only
            "1c0163c0-47e6-4577-8991-ea5c82e286e4", // VM Administrator Login
        ] {
            assert!(!c.write_capable(&id(r)), "{r} {:?}", c.name(&id(r)));
        }
        assert_eq!(
            c.name(&id("b24988ac-6180-42a0-ab88-20f7382dd24c")),
            Some("Contributor")
        );
    }

    #[test]
    fn unknown_roles_write_and_exports_override() {
        let mut c = RoleCatalog::default();
        let custom = id("4f8fab4f-1852-4a58-a46a-8eaf358af14a");
        assert!(
            c.write_capable(&custom),
            "unknown role counts as write-capable"
        );
        assert_eq!(c.name(&custom), None);
        c.add(RoleDefinition {
            id: custom,
            role_name: Some("Cost Reader".into()),
            built_in: false,
            actions: vec!["Microsoft.Consumption/*/read".into()],
        });
        assert!(!c.write_capable(&custom), "reads only");
        // A custom role named "...Reader" is judged by its actions, not its name.
        let sneaky = id("5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d");
        c.add(RoleDefinition {
            id: sneaky,
            role_name: Some("Friendly Reader".into()),
            built_in: false,
            actions: vec!["Microsoft.Resources/deployments/*".into()],
        });
        assert!(c.write_capable(&sneaky));
        // An exported definition overrides the table.
        let reader = id("acdd72a7-3385-48ef-bd42-f606fba81ae7");
        c.add(RoleDefinition {
            id: reader,
            role_name: Some("Renamed".into()),
            built_in: false,
            actions: vec!["*".into()],
        });
        assert!(c.write_capable(&reader));
        assert_eq!(c.name(&reader), Some("Renamed"));
    }

    #[test]
    fn table_ids_are_unique() {
        let mut ids: Vec<_> = BUILT_IN_ROLES.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), BUILT_IN_ROLES.len());
    }
}
