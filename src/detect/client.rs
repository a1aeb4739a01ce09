//! Which client made a request or sign-in, from its application id and user agent, and
//! whether it is too old to answer ARM's claims challenge.

use crate::calendar::{
    AZURE_CLI, AZURE_MOBILE_APP, AZURE_PORTAL, AZURE_POWERSHELL, MIN_AZURE_CLI, MIN_AZ_POWERSHELL,
};
use crate::detect::model::{CiSystem, Client};
use crate::detect::version::Version;
use crate::ids::AppId;

/// What the app id and user agent say about a client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientInfo {
    /// The client, when recognisable.
    pub client: Option<Client>,
    /// The CI system it ran on, when the user agent says.
    pub ci: Option<CiSystem>,
    /// The Azure CLI or Az PowerShell version in the user agent.
    pub version: Option<Version>,
}

impl ClientInfo {
    /// Whether the version is older than the minimum that surfaces ARM's claims challenge
    /// (Azure CLI 2.76, Az PowerShell 14.3); `None` when there is no CLI/PowerShell version.
    pub fn outdated(&self) -> Option<bool> {
        let v = self.version?;
        match self.client? {
            Client::AzureCli => Some(v.older_than(MIN_AZURE_CLI)),
            Client::AzurePowerShell => Some(v.older_than(MIN_AZ_POWERSHELL)),
            _ => None,
        }
    }

    /// The minimum version for the client, as text (`2.76`).
    pub fn minimum(&self) -> Option<String> {
        let (major, minor) = match self.client? {
            Client::AzureCli => MIN_AZURE_CLI,
            Client::AzurePowerShell => MIN_AZ_POWERSHELL,
            _ => return None,
        };
        Some(format!("{major}.{minor}"))
    }
}

/// User-agent markers, most specific first, and the client they mean.
const MARKERS: [(&str, Client); 16] = [
    ("terraform/", Client::Terraform),
    ("terraform-provider-azurerm", Client::Terraform),
    ("terraform-provider-azapi", Client::Terraform),
    ("hashicorp terraform", Client::Terraform),
    ("ansible", Client::Ansible),
    ("azdev/", Client::BicepAzd),
    ("azure-dev-cli", Client::BicepAzd),
    ("bicep", Client::BicepAzd),
    ("azurepowershell/", Client::AzurePowerShell),
    ("azurecli/", Client::AzureCli),
    ("azure-cli/", Client::AzureCli),
    ("azsdk-", Client::RestSdk),
    ("azure-sdk", Client::RestSdk),
    ("python-requests/", Client::RestSdk),
    ("curl/", Client::RestSdk),
    ("postmanruntime/", Client::RestSdk),
];

const GITHUB_MARKERS: [&str; 4] = [
    "githubactions",
    "github_actions",
    "github-actions",
    "github actions",
];
const PIPELINES_MARKERS: [&str; 5] = [
    "vsts_",
    "azurepipelines",
    "azure-pipelines",
    "azure_pipelines",
    "tf_build",
];

/// Classifies a client. The user agent wins over the app id, because IaC tools reuse the
/// CLI's and PowerShell's app ids.
pub fn classify(app_id: Option<&AppId>, user_agent: Option<&str>) -> ClientInfo {
    let ua = user_agent.unwrap_or("");
    // One lowercase copy, then fast substring searches; ASCII lowercasing keeps byte offsets.
    let lower = ua.to_ascii_lowercase();
    let from_ua = MARKERS
        .iter()
        .find(|(m, _)| lower.contains(m))
        .map(|(_, c)| *c);
    let from_app = app_id.and_then(|a| {
        [
            (AZURE_CLI, Client::AzureCli),
            (AZURE_POWERSHELL, Client::AzurePowerShell),
            (AZURE_MOBILE_APP, Client::MobileApp),
            (AZURE_PORTAL, Client::Portal),
        ]
        .iter()
        .find(|(id, _)| id == a)
        .map(|(_, c)| *c)
    });
    let client = from_ua.or(from_app).or_else(|| {
        // Some other application calling with a user agent: a script or an SDK.
        (app_id.is_some() && !ua.trim().is_empty()).then_some(Client::RestSdk)
    });
    let version = match client {
        Some(Client::AzureCli) => cli_version_in(ua, &lower),
        Some(Client::AzurePowerShell) => powershell_version_in(ua, &lower),
        _ => None,
    };
    ClientInfo {
        client,
        ci: ci_in(&lower),
        version,
    }
}

/// The CI system named in a user agent (`AZURE_HTTP_USER_AGENT` values of GitHub's
/// `azure/login` and of Azure Pipelines tasks).
pub fn ci_system(user_agent: &str) -> Option<CiSystem> {
    ci_in(&user_agent.to_ascii_lowercase())
}

fn ci_in(lower: &str) -> Option<CiSystem> {
    if GITHUB_MARKERS.iter().any(|m| lower.contains(m)) {
        Some(CiSystem::GitHubActions)
    } else if PIPELINES_MARKERS.iter().any(|m| lower.contains(m)) {
        Some(CiSystem::AzurePipelines)
    } else {
        None
    }
}

/// The Azure CLI version in a user agent (`azure-cli/2.60.0`, `AZURECLI/2.60.0`).
pub fn cli_version(user_agent: &str) -> Option<Version> {
    cli_version_in(user_agent, &user_agent.to_ascii_lowercase())
}

fn cli_version_in(ua: &str, lower: &str) -> Option<Version> {
    ["azurecli/", "azure-cli/"].iter().find_map(|m| {
        let at = lower.find(m)?;
        Version::parse_prefix(ua.get(at + m.len()..)?)
    })
}

/// The Az PowerShell version in a user agent (`AzurePowershell/v14.2.0`).
pub fn powershell_version(user_agent: &str) -> Option<Version> {
    powershell_version_in(user_agent, &user_agent.to_ascii_lowercase())
}

fn powershell_version_in(ua: &str, lower: &str) -> Option<Version> {
    const MARKER: &str = "azurepowershell/";
    let at = lower.find(MARKER)? + MARKER.len();
    let rest = ua.get(at..)?;
    let rest = match lower.get(at..at + 2) {
        Some("az") => rest.get(2..)?,
        _ => rest,
    };
    Version::parse_prefix(rest)
}

/// A short human name for a client.
pub fn label(client: Client) -> &'static str {
    match client {
        Client::AzureCli => "Azure CLI",
        Client::AzurePowerShell => "Azure PowerShell",
        Client::MobileApp => "Azure mobile app",
        Client::Terraform => "Terraform",
        Client::BicepAzd => "Bicep/azd",
        Client::Ansible => "Ansible",
        Client::RestSdk => "REST/SDK",
        Client::Portal => "Azure portal",
    }
}

/// A short human name for a CI system.
pub fn ci_label(ci: CiSystem) -> &'static str {
    match ci {
        CiSystem::GitHubActions => "GitHub Actions",
        CiSystem::AzurePipelines => "Azure Pipelines",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(app: Option<AppId>, ua: &str) -> ClientInfo {
        classify(app.as_ref(), Some(ua))
    }

    #[test]
    fn cli_and_powershell_versions() {
        let old = c(
            Some(AZURE_CLI),
            "AZURECLI/2.60.0 (DEB) azsdk-python-azure-mgmt-resource/23.1.0 Python/3.11.8",
        );
        assert_eq!(old.client, Some(Client::AzureCli));
        assert_eq!(old.version, Some(Version::new(2, 60, 0)));
        assert_eq!(old.outdated(), Some(true));
        assert_eq!(old.minimum().as_deref(), Some("2.76"));
        let new = c(None, "azure-cli/2.100.0");
        assert_eq!(new.client, Some(Client::AzureCli));
        assert_eq!(new.outdated(), Some(false));
        let nine = c(None, "azure-cli/2.9.1");
        assert_eq!(nine.outdated(), Some(true), "2.9 < 2.76 numerically");
        let ps = c(
            Some(AZURE_POWERSHELL),
            "AzurePowershell/v14.2.0 PSVersion/v7.4.1 Az.Resources/7.1.0",
        );
        assert_eq!(ps.client, Some(Client::AzurePowerShell));
        assert_eq!(ps.outdated(), Some(true));
        assert_eq!(c(None, "AzurePowershell/v14.3.0").outdated(), Some(false));
        assert_eq!(
            c(None, "AzurePowershell/Az14.10.0").version,
            Some(Version::new(14, 10, 0))
        );
    }

    #[test]
    fn iac_tools_reuse_cli_app_ids() {
        let tf = c(
            Some(AZURE_CLI),
            "Terraform/1.9.0 (+https://www.terraform.io) terraform-provider-azurerm/4.2.0 pid-222c6c49-1b0a-5959-a213-6608f9eb8820",
        );
        assert_eq!(tf.client, Some(Client::Terraform));
        assert_eq!(
            tf.outdated(),
            None,
            "no CLI version in a Terraform user agent"
        );
        assert_eq!(
            c(
                Some(AZURE_CLI),
                "azsdk-go-armresources/v1.2.0 (go1.22; linux)"
            )
            .client,
            Some(Client::RestSdk)
        );
        assert_eq!(
            c(Some(AZURE_CLI), "azdev/1.9.3 (Go go1.22; linux/amd64)").client,
            Some(Client::BicepAzd)
        );
        assert_eq!(
            c(
                Some(AZURE_CLI),
                "Python/3.11 ansible-collection-azure/2.3.0 Ansible"
            )
            .client,
            Some(Client::Ansible)
        );
        assert_eq!(
            classify(Some(&AZURE_POWERSHELL), None).client,
            Some(Client::AzurePowerShell)
        );
        assert_eq!(
            classify(Some(&AZURE_MOBILE_APP), Some("")).client,
            Some(Client::MobileApp)
        );
        let other = AppId::parse("de8bc8b5-d9f9-48b1-a8ad-b748da725064").unwrap();
        assert_eq!(c(Some(other), "Mozilla/5.0").client, Some(Client::RestSdk));
        assert_eq!(classify(Some(&other), None).client, None);
        assert_eq!(classify(None, None), ClientInfo::default());
    }

    #[test]
    fn ci_hints() {
        assert_eq!(
            c(
                Some(AZURE_CLI),
                "AZURECLI/2.61.0 (DEB) GITHUBACTIONS/AzureLogin@v1_abc123"
            )
            .ci,
            Some(CiSystem::GitHubActions)
        );
        assert_eq!(
            c(
                Some(AZURE_CLI),
                "AZURECLI/2.61.0 VSTS_0fb41ef4-5012-48a9-bf39-4ee3de03ee35_build_123_0"
            )
            .ci,
            Some(CiSystem::AzurePipelines)
        );
        assert_eq!(
            ci_system("Terraform/1.9.0 AzurePipelines"),
            Some(CiSystem::AzurePipelines)
        );
        assert_eq!(
            ci_system("GITHUB_ACTIONS=true"),
            Some(CiSystem::GitHubActions)
        );
        assert_eq!(ci_system("AZURECLI/2.61.0 (DEB)"), None);
    }
}
