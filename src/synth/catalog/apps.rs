//! Application (client) and resource ids as Entra sign-in logs name them.

/// A client application as a sign-in log names it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct App {
    /// The application (client) id.
    pub id: &'static str,
    /// `appDisplayName`.
    pub name: &'static str,
    /// `clientAppUsed`.
    pub client_app_used: &'static str,
}

/// A resource (audience) as a sign-in log names it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Resource {
    /// `resourceId`.
    pub id: &'static str,
    /// `resourceDisplayName`.
    pub name: &'static str,
}

const DESKTOP: &str = "Mobile Apps and Desktop clients";

/// Azure CLI (in scope).
pub(crate) static AZURE_CLI: App = App {
    id: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
    name: "Microsoft Azure CLI",
    client_app_used: DESKTOP,
};
/// Azure PowerShell (in scope).
pub(crate) static AZURE_POWERSHELL: App = App {
    id: "1950a258-227b-4e31-a9cf-717495945fc2",
    name: "Microsoft Azure PowerShell",
    client_app_used: DESKTOP,
};
/// The Azure mobile app (in scope).
pub(crate) static AZURE_MOBILE_APP: App = App {
    id: "0c1307d4-29d6-4389-a11c-5cbe7f65d7fa",
    name: "Azure Mobile App",
    client_app_used: DESKTOP,
};
/// The Azure portal (Phase 1; in scope only through its ARM resource).
pub(crate) static AZURE_PORTAL: App = App {
    id: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
    name: "Azure Portal",
    client_app_used: "Browser",
};
/// Visual Studio Code (out of scope as an app).
pub(crate) static VS_CODE: App = App {
    id: "aebc6443-996d-45c2-90f0-388ff96faa56",
    name: "Visual Studio Code",
    client_app_used: DESKTOP,
};
/// Microsoft Teams.
pub(crate) static TEAMS: App = App {
    id: "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
    name: "Microsoft Teams",
    client_app_used: DESKTOP,
};
/// Microsoft Office desktop.
pub(crate) static OFFICE: App = App {
    id: "d3590ed6-52b3-4102-aeff-aad2292ab01c",
    name: "Microsoft Office",
    client_app_used: DESKTOP,
};
/// Outlook for iOS and Android.
pub(crate) static OUTLOOK_MOBILE: App = App {
    id: "27922004-5251-4030-b22d-91ecd9a37ea4",
    name: "Outlook Mobile",
    client_app_used: DESKTOP,
};
/// The OneDrive sync client.
pub(crate) static ONEDRIVE: App = App {
    id: "ab9b8c07-8f02-4f72-87fa-80105867a763",
    name: "OneDrive SyncEngine",
    client_app_used: DESKTOP,
};
/// office.com in a browser.
pub(crate) static OFFICE_HOME: App = App {
    id: "4765445b-32c6-49b0-83e6-1d93765276ca",
    name: "OfficeHome",
    client_app_used: "Browser",
};
/// Graph Explorer.
pub(crate) static GRAPH_EXPLORER: App = App {
    id: "de8bc8b5-d9f9-48b1-a8ad-b748da725064",
    name: "Graph Explorer",
    client_app_used: "Browser",
};

/// "Windows Azure Service Management API" (ARM): in scope whatever the app.
pub(crate) static ARM: Resource = Resource {
    id: "797f4846-ba00-4fd7-ba43-dac1f8f63013",
    name: "Windows Azure Service Management API",
};
/// Microsoft Graph.
pub(crate) static GRAPH: Resource = Resource {
    id: "00000003-0000-0000-c000-000000000000",
    name: "Microsoft Graph",
};
/// Exchange Online.
pub(crate) static EXCHANGE: Resource = Resource {
    id: "00000002-0000-0ff1-ce00-000000000000",
    name: "Office 365 Exchange Online",
};
/// SharePoint Online.
pub(crate) static SHAREPOINT: Resource = Resource {
    id: "00000003-0000-0ff1-ce00-000000000000",
    name: "Office 365 SharePoint Online",
};
/// Teams services.
pub(crate) static TEAMS_SERVICES: Resource = Resource {
    id: "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
    name: "Microsoft Teams Services",
};
/// Azure Key Vault.
pub(crate) static KEY_VAULT: Resource = Resource {
    id: "cfa8b339-82a2-471a-a3c9-0fc0be7a4093",
    name: "Azure Key Vault",
};
/// Azure Storage.
pub(crate) static STORAGE: Resource = Resource {
    id: "e406a681-f3d4-42a8-90b6-c2b029497af1",
    name: "Azure Storage",
};

/// Microsoft 365 sign-ins of an ordinary day: (app, resource), all out of Phase 2 scope.
pub(crate) static OFFICE_PAIRS: [(&App, &Resource); 6] = [
    (&TEAMS, &TEAMS_SERVICES),
    (&OFFICE, &EXCHANGE),
    (&OUTLOOK_MOBILE, &EXCHANGE),
    (&ONEDRIVE, &SHAREPOINT),
    (&OFFICE_HOME, &GRAPH),
    (&TEAMS, &GRAPH),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar;

    #[test]
    fn in_scope_ids_match_the_calendar() {
        assert_eq!(AZURE_CLI.id, calendar::AZURE_CLI.to_string());
        assert_eq!(AZURE_POWERSHELL.id, calendar::AZURE_POWERSHELL.to_string());
        assert_eq!(AZURE_MOBILE_APP.id, calendar::AZURE_MOBILE_APP.to_string());
        assert_eq!(AZURE_PORTAL.id, calendar::AZURE_PORTAL.to_string());
        assert_eq!(ARM.id, calendar::SERVICE_MANAGEMENT_API.to_string());
        for (app, res) in OFFICE_PAIRS {
            let app = crate::ids::AppId::parse(app.id).unwrap();
            let res = crate::ids::AppId::parse(res.id).unwrap();
            assert!(!calendar::Phase2::in_scope(Some(&app), Some(&res)));
        }
    }
}
