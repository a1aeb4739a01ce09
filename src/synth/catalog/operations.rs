//! ARM operations as the activity log records them.

/// What an operation does, by the contract's reading of `authorization.action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpKind {
    /// Ends in `/write` (PUT or PATCH).
    Write,
    /// Ends in `/delete` (DELETE).
    Delete,
    /// Ends in `/action` (POST): never a create/update/delete.
    Action,
    /// Ends in `/read` (GET).
    Read,
}

/// One ARM operation.
#[derive(Debug)]
pub(crate) struct Operation {
    /// `authorization.action` and `operationName.value`.
    pub action: &'static str,
    /// `operationName.localizedValue`.
    pub localized: &'static str,
    /// `httpRequest.method`.
    pub method: &'static str,
    /// The kind of call.
    pub kind: OpKind,
    /// The resource provider namespace.
    pub provider: &'static str,
    /// `resourceType.value`.
    pub resource_type: &'static str,
    /// The resource path below the resource group's `providers/`; `{n}` is a two-digit
    /// number and `{g}` a GUID. Empty: the resource group itself.
    pub path: &'static str,
}

const fn op(
    action: &'static str,
    localized: &'static str,
    method: &'static str,
    kind: OpKind,
    provider: &'static str,
    resource_type: &'static str,
    path: &'static str,
) -> Operation {
    Operation {
        action,
        localized,
        method,
        kind,
        provider,
        resource_type,
        path,
    }
}

use OpKind::{Action, Delete, Read, Write};

/// Create or update a virtual machine.
pub(crate) static VM_WRITE: Operation = op(
    "Microsoft.Compute/virtualMachines/write",
    "Create or Update Virtual Machine",
    "PUT",
    Write,
    "Microsoft.Compute",
    "Microsoft.Compute/virtualMachines",
    "Microsoft.Compute/virtualMachines/vm-app-{n}",
);
/// Delete a virtual machine.
pub(crate) static VM_DELETE: Operation = op(
    "Microsoft.Compute/virtualMachines/delete",
    "Delete Virtual Machine",
    "DELETE",
    Delete,
    "Microsoft.Compute",
    "Microsoft.Compute/virtualMachines",
    "Microsoft.Compute/virtualMachines/vm-app-{n}",
);
/// Create a disk snapshot.
pub(crate) static SNAPSHOT_WRITE: Operation = op(
    "Microsoft.Compute/snapshots/write",
    "Create or update Snapshot",
    "PUT",
    Write,
    "Microsoft.Compute",
    "Microsoft.Compute/snapshots",
    "Microsoft.Compute/snapshots/snap-osdisk-{n}",
);
/// Delete a disk snapshot.
pub(crate) static SNAPSHOT_DELETE: Operation = op(
    "Microsoft.Compute/snapshots/delete",
    "Delete Snapshot",
    "DELETE",
    Delete,
    "Microsoft.Compute",
    "Microsoft.Compute/snapshots",
    "Microsoft.Compute/snapshots/snap-osdisk-{n}",
);
/// Create or update a storage account.
pub(crate) static STORAGE_WRITE: Operation = op(
    "Microsoft.Storage/storageAccounts/write",
    "Create/Update Storage Account",
    "PUT",
    Write,
    "Microsoft.Storage",
    "Microsoft.Storage/storageAccounts",
    "Microsoft.Storage/storageAccounts/stdata{n}",
);
/// Create or update a web app.
pub(crate) static SITE_WRITE: Operation = op(
    "Microsoft.Web/sites/write",
    "Create or Update Web App",
    "PUT",
    Write,
    "Microsoft.Web",
    "Microsoft.Web/sites",
    "Microsoft.Web/sites/app-portal-{n}",
);
/// Update a web app's configuration (PATCH).
pub(crate) static SITE_CONFIG_WRITE: Operation = op(
    "Microsoft.Web/sites/config/write",
    "Update Web App Configuration",
    "PATCH",
    Write,
    "Microsoft.Web",
    "Microsoft.Web/sites/config",
    "Microsoft.Web/sites/app-portal-{n}/config/web",
);
/// Create or update an NSG rule.
pub(crate) static NSG_RULE_WRITE: Operation = op(
    "Microsoft.Network/networkSecurityGroups/securityRules/write",
    "Create or Update Security Rule",
    "PUT",
    Write,
    "Microsoft.Network",
    "Microsoft.Network/networkSecurityGroups/securityRules",
    "Microsoft.Network/networkSecurityGroups/nsg-web-{n}/securityRules/allow-https",
);
/// Create or update an A record set.
pub(crate) static DNS_A_WRITE: Operation = op(
    "Microsoft.Network/dnsZones/A/write",
    "Create or update record set of type A",
    "PUT",
    Write,
    "Microsoft.Network",
    "Microsoft.Network/dnsZones/A",
    "Microsoft.Network/dnsZones/contoso.com/A/app{n}",
);
/// Delete an A record set.
pub(crate) static DNS_A_DELETE: Operation = op(
    "Microsoft.Network/dnsZones/A/delete",
    "Delete record set of type A",
    "DELETE",
    Delete,
    "Microsoft.Network",
    "Microsoft.Network/dnsZones/A",
    "Microsoft.Network/dnsZones/contoso.com/A/app{n}",
);
/// Create a template deployment.
pub(crate) static DEPLOYMENT_WRITE: Operation = op(
    "Microsoft.Resources/deployments/write",
    "Create Deployment",
    "PUT",
    Write,
    "Microsoft.Resources",
    "Microsoft.Resources/deployments",
    "Microsoft.Resources/deployments/main-{n}",
);
/// Create or update a resource group.
pub(crate) static RESOURCE_GROUP_WRITE: Operation = op(
    "Microsoft.Resources/subscriptions/resourceGroups/write",
    "Update resource group",
    "PUT",
    Write,
    "Microsoft.Resources",
    "Microsoft.Resources/subscriptions/resourceGroups",
    "",
);
/// Update tags (PATCH).
pub(crate) static TAGS_WRITE: Operation = op(
    "Microsoft.Resources/tags/write",
    "Update resource tags",
    "PATCH",
    Write,
    "Microsoft.Resources",
    "Microsoft.Resources/tags",
    "Microsoft.Resources/tags/default",
);
/// Update a key vault.
pub(crate) static KEY_VAULT_WRITE: Operation = op(
    "Microsoft.KeyVault/vaults/write",
    "Update Key Vault",
    "PUT",
    Write,
    "Microsoft.KeyVault",
    "Microsoft.KeyVault/vaults",
    "Microsoft.KeyVault/vaults/kv-app-{n}",
);
/// Create a role assignment.
pub(crate) static ROLE_ASSIGNMENT_WRITE: Operation = op(
    "Microsoft.Authorization/roleAssignments/write",
    "Create role assignment",
    "PUT",
    Write,
    "Microsoft.Authorization",
    "Microsoft.Authorization/roleAssignments",
    "Microsoft.Authorization/roleAssignments/{g}",
);
/// Create or update a SQL database.
pub(crate) static SQL_DB_WRITE: Operation = op(
    "Microsoft.Sql/servers/databases/write",
    "Create/Update Database",
    "PUT",
    Write,
    "Microsoft.Sql",
    "Microsoft.Sql/servers/databases",
    "Microsoft.Sql/servers/sql-app-{n}/databases/appdb",
);
/// Start a virtual machine (POST).
pub(crate) static VM_START: Operation = op(
    "Microsoft.Compute/virtualMachines/start/action",
    "Start Virtual Machine",
    "POST",
    Action,
    "Microsoft.Compute",
    "Microsoft.Compute/virtualMachines",
    "Microsoft.Compute/virtualMachines/vm-app-{n}",
);
/// Deallocate a virtual machine (POST).
pub(crate) static VM_DEALLOCATE: Operation = op(
    "Microsoft.Compute/virtualMachines/deallocate/action",
    "Deallocate Virtual Machine",
    "POST",
    Action,
    "Microsoft.Compute",
    "Microsoft.Compute/virtualMachines",
    "Microsoft.Compute/virtualMachines/vm-app-{n}",
);
/// Restart a web app (POST).
pub(crate) static SITE_RESTART: Operation = op(
    "Microsoft.Web/sites/restart/action",
    "Restart Web App",
    "POST",
    Action,
    "Microsoft.Web",
    "Microsoft.Web/sites",
    "Microsoft.Web/sites/app-portal-{n}",
);
/// List storage account keys (POST).
pub(crate) static STORAGE_LIST_KEYS: Operation = op(
    "Microsoft.Storage/storageAccounts/listKeys/action",
    "List Storage Account Keys",
    "POST",
    Action,
    "Microsoft.Storage",
    "Microsoft.Storage/storageAccounts",
    "Microsoft.Storage/storageAccounts/stdata{n}",
);
/// Get AKS user credentials (POST).
pub(crate) static AKS_CREDENTIALS: Operation = op(
    "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
    "List clusterUser credential action",
    "POST",
    Action,
    "Microsoft.ContainerService",
    "Microsoft.ContainerService/managedClusters",
    "Microsoft.ContainerService/managedClusters/aks-app-{n}",
);
/// Validate a deployment (POST).
pub(crate) static DEPLOYMENT_VALIDATE: Operation = op(
    "Microsoft.Resources/deployments/validate/action",
    "Validate Deployment",
    "POST",
    Action,
    "Microsoft.Resources",
    "Microsoft.Resources/deployments",
    "Microsoft.Resources/deployments/main-{n}",
);
/// Read a virtual machine (GET).
pub(crate) static VM_READ: Operation = op(
    "Microsoft.Compute/virtualMachines/read",
    "Get Virtual Machine",
    "GET",
    Read,
    "Microsoft.Compute",
    "Microsoft.Compute/virtualMachines",
    "Microsoft.Compute/virtualMachines/vm-app-{n}",
);
/// Read a storage account (GET).
pub(crate) static STORAGE_READ: Operation = op(
    "Microsoft.Storage/storageAccounts/read",
    "Get Storage Account",
    "GET",
    Read,
    "Microsoft.Storage",
    "Microsoft.Storage/storageAccounts",
    "Microsoft.Storage/storageAccounts/stdata{n}",
);

/// What people change by hand.
pub(crate) static PERSON_CHANGES: [&Operation; 12] = [
    &VM_WRITE,
    &STORAGE_WRITE,
    &SITE_WRITE,
    &SITE_CONFIG_WRITE,
    &NSG_RULE_WRITE,
    &DEPLOYMENT_WRITE,
    &RESOURCE_GROUP_WRITE,
    &TAGS_WRITE,
    &KEY_VAULT_WRITE,
    &SQL_DB_WRITE,
    &VM_DELETE,
    &DNS_A_WRITE,
];
/// What scheduled jobs change.
pub(crate) static JOB_CHANGES: [&Operation; 5] = [
    &SNAPSHOT_WRITE,
    &SNAPSHOT_DELETE,
    &TAGS_WRITE,
    &STORAGE_WRITE,
    &DNS_A_DELETE,
];
/// What pipelines change.
pub(crate) static PIPELINE_CHANGES: [&Operation; 5] = [
    &DEPLOYMENT_WRITE,
    &SITE_WRITE,
    &SITE_CONFIG_WRITE,
    &SQL_DB_WRITE,
    &ROLE_ASSIGNMENT_WRITE,
];
/// POST `/action` calls.
pub(crate) static ACTIONS: [&Operation; 6] = [
    &VM_START,
    &VM_DEALLOCATE,
    &SITE_RESTART,
    &STORAGE_LIST_KEYS,
    &AKS_CREDENTIALS,
    &DEPLOYMENT_VALIDATE,
];
/// GET reads.
pub(crate) static READS: [&Operation; 2] = [&VM_READ, &STORAGE_READ];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_agree_with_actions_and_methods() {
        let all = PERSON_CHANGES
            .iter()
            .chain(&JOB_CHANGES)
            .chain(&PIPELINE_CHANGES)
            .chain(&ACTIONS)
            .chain(&READS);
        for o in all {
            let (suffix, methods): (&str, &[&str]) = match o.kind {
                OpKind::Write => ("/write", &["PUT", "PATCH"]),
                OpKind::Delete => ("/delete", &["DELETE"]),
                OpKind::Action => ("/action", &["POST"]),
                OpKind::Read => ("/read", &["GET"]),
            };
            assert!(o.action.ends_with(suffix), "{}", o.action);
            assert!(methods.contains(&o.method), "{}", o.action);
            assert!(o.action.starts_with(o.provider), "{}", o.action);
        }
    }
}
