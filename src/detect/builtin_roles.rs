//! A table of common Azure built-in roles: GUID, name and control-plane `actions`, from
//! Microsoft's "Azure built-in roles" reference. Lists marked *abridged* keep the documented
//! actions that decide write capability and drop the long tail of reads and joins.

use uuid::{uuid, Uuid};

/// One built-in role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltInRole {
    /// The role definition GUID (the same in every tenant).
    pub id: Uuid,
    /// The role name.
    pub name: &'static str,
    /// Control-plane actions.
    pub actions: &'static [&'static str],
}

const fn role(id: Uuid, name: &'static str, actions: &'static [&'static str]) -> BuiltInRole {
    BuiltInRole { id, name, actions }
}

/// Common built-in roles.
pub const BUILT_IN_ROLES: &[BuiltInRole] = &[
    role(
        uuid!("8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
        "Owner",
        &["*"],
    ),
    role(
        uuid!("b24988ac-6180-42a0-ab88-20f7382dd24c"),
        "Contributor",
        &["*"],
    ),
    role(
        uuid!("acdd72a7-3385-48ef-bd42-f606fba81ae7"),
        "Reader",
        &["*/read"],
    ),
    role(
        uuid!("18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"),
        "User Access Administrator",
        &["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
    ),
    role(
        uuid!("f58310d9-a9f6-439a-9e8d-f62e7b41a168"),
        "Role Based Access Control Administrator",
        &[
            "Microsoft.Authorization/roleAssignments/write",
            "Microsoft.Authorization/roleAssignments/delete",
            "*/read",
            "Microsoft.Support/*",
        ],
    ),
    // abridged
    role(
        uuid!("9980e02c-c2be-4d73-94e8-173b1dc7cf3c"),
        "Virtual Machine Contributor",
        &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Compute/availabilitySets/*",
            "Microsoft.Compute/virtualMachines/*",
            "Microsoft.Compute/virtualMachineScaleSets/*",
            "Microsoft.Network/networkInterfaces/*",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Support/*",
        ],
    ),
    role(
        uuid!("1c0163c0-47e6-4577-8991-ea5c82e286e4"),
        "Virtual Machine Administrator Login",
        &[
            "Microsoft.Network/publicIPAddresses/read",
            "Microsoft.Network/virtualNetworks/read",
            "Microsoft.Network/loadBalancers/read",
            "Microsoft.Network/networkInterfaces/read",
            "Microsoft.Compute/virtualMachines/*/read",
            "Microsoft.HybridCompute/machines/*/read",
            "Microsoft.HybridConnectivity/endpoints/listCredentials/action",
        ],
    ),
    role(
        uuid!("ba92f5b4-2d11-453d-a403-e96b0029c9fe"),
        "Storage Blob Data Contributor",
        &[
            "Microsoft.Storage/storageAccounts/blobServices/containers/delete",
            "Microsoft.Storage/storageAccounts/blobServices/containers/read",
            "Microsoft.Storage/storageAccounts/blobServices/containers/write",
            "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
        ],
    ),
    role(
        uuid!("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"),
        "Storage Blob Data Reader",
        &[
            "Microsoft.Storage/storageAccounts/blobServices/containers/read",
            "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
        ],
    ),
    role(
        uuid!("b7e6dc6d-f1e8-4753-8033-0f276bb0955b"),
        "Storage Blob Data Owner",
        &[
            "Microsoft.Storage/storageAccounts/blobServices/containers/*",
            "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
        ],
    ),
    role(
        uuid!("17d1049b-9a84-46fb-8f53-869881c3d3ab"),
        "Storage Account Contributor",
        &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.Insights/diagnosticSettings/*",
            "Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action",
            "Microsoft.ResourceHealth/availabilityStatuses/read",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Storage/storageAccounts/*",
            "Microsoft.Support/*",
        ],
    ),
    role(
        uuid!("4d97b98b-1d4f-4787-a291-c67834d212e7"),
        "Network Contributor",
        &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.Network/*",
            "Microsoft.ResourceHealth/availabilityStatuses/read",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Support/*",
        ],
    ),
    role(
        uuid!("00482a5a-887f-4fb3-b363-3b7fe8e74483"),
        "Key Vault Administrator",
        KEY_VAULT_CONTROL_PLANE,
    ),
    role(
        uuid!("21090545-7ca7-4776-b22c-e363652d74d2"),
        "Key Vault Reader",
        KEY_VAULT_CONTROL_PLANE,
    ),
    role(
        uuid!("b86a8fe4-44ce-4948-aee5-eccb2c155cd7"),
        "Key Vault Secrets Officer",
        KEY_VAULT_CONTROL_PLANE,
    ),
    // Data-plane only: no control-plane actions.
    role(
        uuid!("4633458b-17de-408a-b874-0445c86b69e6"),
        "Key Vault Secrets User",
        &[],
    ),
    role(
        uuid!("f25e0fa2-a7c8-4377-a976-54943a77a395"),
        "Key Vault Contributor",
        &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.KeyVault/*",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Support/*",
        ],
    ),
    role(
        uuid!("43d0d8ad-25c7-4714-9337-8ba259a9fe05"),
        "Monitoring Reader",
        &[
            "*/read",
            "Microsoft.OperationalInsights/workspaces/search/action",
            "Microsoft.Support/*",
        ],
    ),
    // abridged
    role(
        uuid!("749f88d5-cbae-40b8-bcfc-e573ddc772fa"),
        "Monitoring Contributor",
        &[
            "*/read",
            "Microsoft.AlertsManagement/alerts/*",
            "Microsoft.Insights/actionGroups/*",
            "Microsoft.Insights/diagnosticSettings/*",
            "Microsoft.Insights/metricAlerts/*",
            "Microsoft.Support/*",
        ],
    ),
    // abridged
    role(
        uuid!("39bc4728-0917-49c7-9d2c-d95423bc2eb4"),
        "Security Reader",
        &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Insights/alertRules/read",
            "Microsoft.operationalInsights/workspaces/*/read",
            "Microsoft.Resources/deployments/*/read",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Security/*/read",
            "Microsoft.Support/*/read",
            "Microsoft.Management/managementGroups/read",
        ],
    ),
    // abridged
    role(
        uuid!("fb1c8493-542b-48eb-b624-b4c8fea62acd"),
        "Security Admin",
        &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Authorization/policyAssignments/*",
            "Microsoft.Authorization/policyDefinitions/*",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Security/*",
            "Microsoft.Support/*",
        ],
    ),
    role(
        uuid!("73c42c96-874c-492b-b04d-ab87d138a893"),
        "Log Analytics Reader",
        &[
            "*/read",
            "Microsoft.OperationalInsights/workspaces/analytics/query/action",
            "Microsoft.OperationalInsights/workspaces/search/action",
            "Microsoft.Support/*",
        ],
    ),
    // abridged
    role(
        uuid!("92aaf0da-9dab-42b6-94a3-d43ce8d16293"),
        "Log Analytics Contributor",
        &[
            "*/read",
            "Microsoft.Compute/virtualMachines/extensions/*",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.Insights/diagnosticSettings/*",
            "Microsoft.OperationalInsights/*",
            "Microsoft.OperationsManagement/*",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Storage/storageAccounts/listKeys/action",
            "Microsoft.Support/*",
        ],
    ),
    role(
        uuid!("72fafb9e-0641-4937-9268-a91bfd8191a3"),
        "Cost Management Reader",
        &[
            "Microsoft.Consumption/*/read",
            "Microsoft.CostManagement/*/read",
            "Microsoft.Billing/billingPeriods/read",
            "Microsoft.Resources/subscriptions/read",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Support/*",
            "Microsoft.Advisor/configurations/read",
            "Microsoft.Advisor/recommendations/read",
            "Microsoft.Management/managementGroups/read",
            "Microsoft.Billing/billingProperty/read",
        ],
    ),
    role(
        uuid!("434105ed-43f6-45c7-a02f-909b2ba83430"),
        "Cost Management Contributor",
        &[
            "Microsoft.Consumption/*",
            "Microsoft.CostManagement/*",
            "Microsoft.Billing/billingPeriods/read",
            "Microsoft.Resources/subscriptions/read",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Support/*",
            "Microsoft.Advisor/configurations/read",
            "Microsoft.Advisor/recommendations/read",
            "Microsoft.Management/managementGroups/read",
            "Microsoft.Billing/billingProperty/read",
        ],
    ),
    role(
        uuid!("fa23ad8b-c56e-40d8-ac0c-ce449e1d2c64"),
        "Billing Reader",
        &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Billing/*/read",
            "Microsoft.Commerce/*/read",
            "Microsoft.Consumption/*/read",
            "Microsoft.Management/managementGroups/read",
            "Microsoft.CostManagement/*/read",
            "Microsoft.Support/*",
        ],
    ),
    role(
        uuid!("de139f84-1756-47ae-9be6-808fbbe84772"),
        "Website Contributor",
        &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.Insights/components/*",
            "Microsoft.ResourceHealth/availabilityStatuses/read",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Support/*",
            "Microsoft.Web/certificates/*",
            "Microsoft.Web/listSitesAssignedToHostName/read",
            "Microsoft.Web/serverFarms/join/action",
            "Microsoft.Web/serverFarms/read",
            "Microsoft.Web/sites/*",
        ],
    ),
    // abridged
    role(
        uuid!("9b7fa17d-e63e-47b0-bb0a-15c516ac86ec"),
        "SQL DB Contributor",
        &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.ResourceHealth/availabilityStatuses/read",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Sql/servers/databases/*",
            "Microsoft.Sql/servers/read",
            "Microsoft.Support/*",
        ],
    ),
    // abridged
    role(
        uuid!("6d8ee4ec-f05a-4a1d-8b00-a9b17e38b437"),
        "SQL Server Contributor",
        &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Sql/servers/*",
            "Microsoft.Support/*",
        ],
    ),
    role(
        uuid!("7f951dda-4ed3-4680-a7ca-43fe172d538d"),
        "AcrPull",
        &["Microsoft.ContainerRegistry/registries/pull/read"],
    ),
];

/// The control-plane actions shared by the Key Vault RBAC roles (their differences are in
/// `dataActions`).
const KEY_VAULT_CONTROL_PLANE: &[&str] = &[
    "Microsoft.Authorization/*/read",
    "Microsoft.Insights/alertRules/*",
    "Microsoft.Resources/deployments/*",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Support/*",
    "Microsoft.KeyVault/checkNameAvailability/read",
    "Microsoft.KeyVault/deletedVaults/read",
    "Microsoft.KeyVault/locations/*/read",
    "Microsoft.KeyVault/vaults/*/read",
    "Microsoft.KeyVault/operations/read",
];

/// The built-in role with this GUID, when the table has it.
pub fn built_in_role(id: &Uuid) -> Option<&'static BuiltInRole> {
    BUILT_IN_ROLES.iter().find(|r| r.id == *id)
}
