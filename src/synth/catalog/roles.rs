//! Azure role definitions: the built-in roles the tenant assigns and its two custom roles.

/// A role the generator assigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Role {
    /// Built-in Owner (`*`).
    Owner,
    /// Built-in Contributor (`*` minus authorization writes).
    Contributor,
    /// Built-in Reader (`*/read`).
    Reader,
    /// Built-in Monitoring Reader: a "…Reader" whose actions include `Microsoft.Support/*`.
    MonitoringReader,
    /// Built-in Virtual Machine Contributor.
    VmContributor,
    /// The tenant's custom read-only cost role (`Microsoft.Consumption/*/read`).
    CostWatcher,
    /// The tenant's custom DNS role (`Microsoft.Network/dnsZones/A/*`): write-capable.
    DnsOperator,
    /// A definition that was deleted: neither in the export nor built in.
    Unknown,
}

/// A role definition as the export lists it.
#[derive(Debug)]
pub(crate) struct Definition {
    /// `properties.roleName`.
    pub name: &'static str,
    /// Built-in roles have fixed GUIDs; custom ones get the tenant's.
    pub builtin_guid: Option<&'static str>,
    /// `properties.description`.
    pub description: &'static str,
    /// `permissions[0].actions`.
    pub actions: &'static [&'static str],
    /// `permissions[0].notActions`.
    pub not_actions: &'static [&'static str],
}

static OWNER: Definition = Definition {
    name: "Owner",
    builtin_guid: Some("8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
    description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    actions: &["*"],
    not_actions: &[],
};
static CONTRIBUTOR: Definition = Definition {
    name: "Contributor",
    builtin_guid: Some("b24988ac-6180-42a0-ab88-20f7382dd24c"),
    description: "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
    actions: &["*"],
    not_actions: &[
        "Microsoft.Authorization/*/Delete",
        "Microsoft.Authorization/*/Write",
        "Microsoft.Authorization/elevateAccess/Action",
        "Microsoft.Blueprint/blueprintAssignments/write",
        "Microsoft.Blueprint/blueprintAssignments/delete",
        "Microsoft.Compute/galleries/share/action",
        "Microsoft.Purview/consents/write",
        "Microsoft.Purview/consents/delete",
        "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
        "Microsoft.Subscription/cancel/action",
        "Microsoft.Subscription/enable/action",
    ],
};
static READER: Definition = Definition {
    name: "Reader",
    builtin_guid: Some("acdd72a7-3385-48ef-bd42-f606fba81ae7"),
    description: "View all resources, but does not allow you to make any changes.",
    actions: &["*/read"],
    not_actions: &[],
};
static MONITORING_READER: Definition = Definition {
    name: "Monitoring Reader",
    builtin_guid: Some("43d0d8ad-25c7-4714-9337-8ba259a9fe05"),
    description: "Can read all monitoring data.",
    actions: &[
        "*/read",
        "Microsoft.OperationalInsights/workspaces/search/action",
        "Microsoft.Support/*",
    ],
    not_actions: &[],
};
static VM_CONTRIBUTOR: Definition = Definition {
    name: "Virtual Machine Contributor",
    builtin_guid: Some("9980e02c-c2be-4d73-94e8-173b1dc7cf3c"),
    description: "Create and manage virtual machines, manage disks, install and run software, reset password of the root user of the virtual machine using VM extensions, and manage local user accounts using VM extensions.",
    actions: &[
        "Microsoft.Authorization/*/read",
        "Microsoft.Compute/availabilitySets/*",
        "Microsoft.Compute/locations/*",
        "Microsoft.Compute/virtualMachines/*",
        "Microsoft.Compute/virtualMachineScaleSets/*",
        "Microsoft.Compute/disks/write",
        "Microsoft.Compute/disks/read",
        "Microsoft.Compute/disks/delete",
        "Microsoft.Network/networkInterfaces/*",
        "Microsoft.Resources/deployments/*",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        "Microsoft.Storage/storageAccounts/listKeys/action",
        "Microsoft.Storage/storageAccounts/read",
        "Microsoft.Support/*",
    ],
    not_actions: &[],
};
static COST_WATCHER: Definition = Definition {
    name: "Cost Watcher",
    builtin_guid: None,
    description: "Reads consumption and cost data (custom, read-only).",
    actions: &[
        "Microsoft.Consumption/*/read",
        "Microsoft.CostManagement/*/read",
        "Microsoft.Billing/billingPeriods/read",
        "Microsoft.Resources/subscriptions/read",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
    ],
    not_actions: &[],
};
static DNS_OPERATOR: Definition = Definition {
    name: "DNS A Record Operator",
    builtin_guid: None,
    description: "Manages A records in the public DNS zones (custom).",
    actions: &[
        "Microsoft.Network/dnsZones/read",
        "Microsoft.Network/dnsZones/A/*",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
    ],
    not_actions: &[],
};

impl Role {
    /// Roles listed in `roleDefinitions.json` (every role but `Unknown`).
    pub(crate) const LISTED: [Role; 7] = [
        Role::Owner,
        Role::Contributor,
        Role::Reader,
        Role::MonitoringReader,
        Role::VmContributor,
        Role::CostWatcher,
        Role::DnsOperator,
    ];

    /// The definition, `None` for the deleted role.
    pub(crate) fn definition(self) -> Option<&'static Definition> {
        match self {
            Role::Owner => Some(&OWNER),
            Role::Contributor => Some(&CONTRIBUTOR),
            Role::Reader => Some(&READER),
            Role::MonitoringReader => Some(&MONITORING_READER),
            Role::VmContributor => Some(&VM_CONTRIBUTOR),
            Role::CostWatcher => Some(&COST_WATCHER),
            Role::DnsOperator => Some(&DNS_OPERATOR),
            Role::Unknown => None,
        }
    }
}
