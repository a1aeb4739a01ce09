//! The catalog of migration steps: static text, snippets and links, one entry per
//! [`StepId`]. Which steps a finding gets is decided by the tables in `rules`.
//!
//! Tokens filled in when a step is chosen: `@MIN_CLI@`, `@MIN_AZ@` (minimum client versions
//! from [`crate::calendar`]), `@DATE@` (the tenant's enforcement date), `@LAST_POSTPONE@`;
//! and, when the finding tells them, `<user-upn>` and `<subscription-id>`. `<tenant-id>` is
//! filled by [`super::Guidance::for_tenant`].

/// Every step the catalog knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum StepId {
    GithubFederatedCredential,
    GithubAzureLogin,
    PipelinesWorkloadIdentity,
    TerraformOidc,
    TerraformMsi,
    AzdFederated,
    AzdManagedIdentity,
    AnsibleCi,
    AnsibleMsi,
    CliManagedIdentity,
    CliCertificate,
    PwshManagedIdentity,
    PwshCertificate,
    SdkWorkloadIdentity,
    GrantRoles,
    RetireUserCredential,
    BreakGlassPhishingResistant,
    RegisterMfa,
    RegisterMfaGuest,
    UpgradeCli,
    UpgradeAz,
    SignInWithMfaCli,
    SignInWithMfaPwsh,
    MobileAppMfa,
    RequireMfaConditionalAccess,
    UnblockCli,
    UnblockPwsh,
    UnblockMobile,
    Postpone,
    SupportRequest,
    MigrateBeforeDate,
}

/// A link as stored in the catalog.
pub(crate) type LinkRef = (&'static str, &'static str);

/// One catalog entry.
pub(crate) struct StepTemplate {
    pub title: &'static str,
    pub text: &'static str,
    /// (language, code)
    pub snippet: Option<(&'static str, &'static str)>,
    pub links: &'static [LinkRef],
}

const MANAGED_IDENTITIES: LinkRef = (
    "Managed identities for Azure resources",
    "https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/overview",
);
const WORKLOAD_FEDERATION: LinkRef = (
    "Workload identity federation",
    "https://learn.microsoft.com/entra/workload-id/workload-identity-federation",
);
const GITHUB_OIDC: LinkRef = (
    "Azure Login action with OpenID Connect",
    "https://learn.microsoft.com/azure/developer/github/connect-from-azure-openid-connect",
);
const PIPELINES_WIF: LinkRef = (
    "Azure Pipelines: workload identity service connections",
    "https://learn.microsoft.com/azure/devops/pipelines/release/configure-workload-identity",
);
const TERRAFORM_OIDC: LinkRef = (
    "Terraform azurerm: authenticating with OpenID Connect",
    "https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/guides/service_principal_oidc",
);
const TERRAFORM_MSI: LinkRef = (
    "Terraform azurerm: authenticating with a managed identity",
    "https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/guides/managed_service_identity",
);
const AZD_AUTH: LinkRef = (
    "azd auth login reference",
    "https://learn.microsoft.com/azure/developer/azure-developer-cli/reference#azd-auth-login",
);
const ANSIBLE_AUTH: LinkRef = (
    "Ansible azure.azcollection authentication",
    "https://learn.microsoft.com/azure/developer/ansible/install-on-linux-vm#create-azure-credentials",
);
const CLI_MI: LinkRef = (
    "Sign in to Azure CLI with a managed identity",
    "https://learn.microsoft.com/cli/azure/authenticate-azure-cli-managed-identity",
);
const CLI_SP: LinkRef = (
    "Sign in to Azure CLI with a service principal",
    "https://learn.microsoft.com/cli/azure/authenticate-azure-cli-service-principal",
);
const KEYVAULT_SP_CERT: LinkRef = (
    "Create a service principal with a certificate in Key Vault",
    "https://learn.microsoft.com/cli/azure/azure-cli-sp-tutorial-3",
);
const PWSH_MI: LinkRef = (
    "Sign in to Azure PowerShell with a managed identity",
    "https://learn.microsoft.com/powershell/azure/authenticate-noninteractive",
);
const SDK_IDENTITY: LinkRef = (
    "DefaultAzureCredential and workload identities",
    "https://learn.microsoft.com/azure/developer/intro/passwordless-overview",
);
const ROLE_ASSIGN: LinkRef = (
    "Assign Azure roles with Azure CLI",
    "https://learn.microsoft.com/azure/role-based-access-control/role-assignments-cli",
);
const EMERGENCY_ACCESS: LinkRef = (
    "Manage emergency access accounts",
    "https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access",
);
const PASSKEYS: LinkRef = (
    "Enable passkeys (FIDO2)",
    "https://learn.microsoft.com/entra/identity/authentication/how-to-enable-passkey-fido2",
);
const CBA: LinkRef = (
    "Certificate-based authentication",
    "https://learn.microsoft.com/entra/identity/authentication/how-to-certificate-based-authentication",
);
const MFA_SETUP: LinkRef = ("Register MFA (security info)", "https://aka.ms/mfasetup");
const CROSS_TENANT_TRUST: LinkRef = (
    "Cross-tenant access: trust MFA from other tenants",
    "https://learn.microsoft.com/entra/external-id/cross-tenant-access-settings-b2b-collaboration",
);
const CLI_INSTALL: LinkRef = (
    "Install or update Azure CLI",
    "https://learn.microsoft.com/cli/azure/install-azure-cli",
);
const AZ_INSTALL: LinkRef = (
    "Install or update Azure PowerShell",
    "https://learn.microsoft.com/powershell/azure/install-azure-powershell",
);
const CLI_MFA: LinkRef = (
    "Azure CLI and mandatory MFA",
    "https://learn.microsoft.com/cli/azure/authenticate-azure-cli-mfa",
);
const CA_AZURE_MANAGEMENT: LinkRef = (
    "Conditional Access: require MFA for Azure management",
    "https://learn.microsoft.com/entra/identity/conditional-access/howto-conditional-access-policy-azure-management",
);
const POSTPONE: LinkRef = (
    "Postpone Phase 2 enforcement",
    crate::calendar::POSTPONE_URL,
);
const SUPPORT: LinkRef = (
    "Create an Azure support request",
    "https://learn.microsoft.com/azure/azure-portal/supportability/how-to-create-azure-support-request",
);

const GITHUB_FEDERATED_CREDENTIAL: StepTemplate = StepTemplate {
    title: "Create a workload identity the GitHub workflow can use",
    text: "Create a user-assigned managed identity and trust the workflow's OIDC token for one \
           repository and branch (or environment: subject repo:<org>/<repo>:environment:<name>). \
           No secret and no user password is stored in GitHub.",
    snippet: Some((
        "bash",
        r#"az identity create --name id-github-deploy --resource-group <resource-group>

az identity federated-credential create --name github-main \
  --identity-name id-github-deploy --resource-group <resource-group> \
  --issuer https://token.actions.githubusercontent.com \
  --subject repo:<org>/<repo>:ref:refs/heads/main \
  --audiences api://AzureADTokenExchange"#,
    )),
    links: &[WORKLOAD_FEDERATION, GITHUB_OIDC],
};

const GITHUB_AZURE_LOGIN: StepTemplate = StepTemplate {
    title: "Sign in with azure/login and OIDC in GitHub Actions",
    text: "Give the job permission to request an OIDC token and let azure/login exchange it for \
           the identity's token. Then delete the user's name and password (or a creds JSON that \
           holds them) from the repository secrets.",
    snippet: Some((
        "yaml",
        r#"permissions:
  id-token: write   # lets the job request an OIDC token
  contents: read

jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: azure/login@v2
        with:
          client-id: ${{ vars.AZURE_CLIENT_ID }}   # the identity's client id
          tenant-id: ${{ vars.AZURE_TENANT_ID }}
          subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}
          # enable-AzPSSession: true              # for Azure PowerShell steps
      - run: az deployment group create --resource-group <resource-group> --template-file main.bicep"#,
    )),
    links: &[GITHUB_OIDC],
};

const PIPELINES_WORKLOAD_IDENTITY: StepTemplate = StepTemplate {
    title: "Use a workload identity federation service connection in Azure Pipelines",
    text: "Create an Azure Resource Manager service connection of type \"Workload identity \
           federation\" (or convert the existing one) and run Azure CLI and PowerShell through \
           the AzureCLI@2 / AzurePowerShell@5 tasks. Remove any az login with a user name and \
           password, and the variables that held them.",
    snippet: Some((
        "yaml",
        r#"steps:
  - task: AzureCLI@2
    inputs:
      azureSubscription: sc-<subscription-name>   # workload identity federation connection
      scriptType: bash
      scriptLocation: inlineScript
      inlineScript: |
        az deployment group create --resource-group <resource-group> --template-file main.bicep"#,
    )),
    links: &[PIPELINES_WIF],
};

const TERRAFORM_OIDC_STEP: StepTemplate = StepTemplate {
    title: "Let Terraform authenticate with OIDC (ARM_USE_OIDC)",
    text: "Configure the azurerm provider (and an azurerm state backend) for OIDC with the \
           identity's client id. In GitHub Actions the job needs \"id-token: write\"; in Azure \
           Pipelines run terraform inside AzureCLI@2 with addSpnToEnvironment: true and export \
           ARM_OIDC_TOKEN=$idToken. Never set ARM_CLIENT_SECRET.",
    snippet: Some((
        "hcl",
        r#"provider "azurerm" {
  features {}
  use_oidc        = true                # or ARM_USE_OIDC=true
  client_id       = var.client_id       # or ARM_CLIENT_ID: the federated identity
  tenant_id       = var.tenant_id       # or ARM_TENANT_ID
  subscription_id = var.subscription_id # or ARM_SUBSCRIPTION_ID
}"#,
    )),
    links: &[TERRAFORM_OIDC],
};

const TERRAFORM_MSI_STEP: StepTemplate = StepTemplate {
    title: "Let Terraform authenticate with a managed identity (ARM_USE_MSI)",
    text: "Run terraform on an Azure VM or agent with a managed identity and point the azurerm \
           provider at it instead of a user's az login. Outside Azure, use a service principal \
           with a certificate (ARM_CLIENT_CERTIFICATE_PATH) instead.",
    snippet: Some((
        "bash",
        r#"export ARM_USE_MSI=true
export ARM_CLIENT_ID=<identity-client-id>   # user-assigned identity only
export ARM_TENANT_ID=<tenant-id>
export ARM_SUBSCRIPTION_ID=<subscription-id>
unset ARM_CLIENT_SECRET                     # no secret, no user password
terraform plan"#,
    )),
    links: &[TERRAFORM_MSI],
};

const AZD_FEDERATED: StepTemplate = StepTemplate {
    title: "Sign azd in with a federated credential in CI",
    text: "\"azd pipeline config\" creates the identity and federated credential for you; the \
           pipeline then signs in without a password. Use \"azure-pipelines\" as the provider in \
           Azure Pipelines.",
    snippet: Some((
        "bash",
        r#"azd auth login --client-id "$AZURE_CLIENT_ID" --tenant-id "$AZURE_TENANT_ID" \
  --federated-credential-provider github
azd provision --no-prompt"#,
    )),
    links: &[AZD_AUTH, WORKLOAD_FEDERATION],
};

const AZD_MANAGED_IDENTITY: StepTemplate = StepTemplate {
    title: "Sign azd in with a managed identity",
    text: "On an Azure host, let azd use the host's managed identity instead of a user's login.",
    snippet: Some((
        "bash",
        r#"azd auth login --managed-identity                                   # system-assigned
azd auth login --managed-identity --client-id <identity-client-id>  # user-assigned
azd provision --no-prompt"#,
    )),
    links: &[AZD_AUTH, MANAGED_IDENTITIES],
};

const ANSIBLE_CI: StepTemplate = StepTemplate {
    title: "Let Ansible reuse the pipeline's workload identity (auth_source: cli)",
    text: "After azure/login (GitHub Actions) or inside AzureCLI@2 (Azure Pipelines), the \
           azure.azcollection modules can reuse that session. Remove ad_user/password \
           (AZURE_AD_USER/AZURE_PASSWORD) from inventory, vault and environment.",
    snippet: Some((
        "yaml",
        r#"- name: Resource group exists
  azure.azcollection.azure_rm_resourcegroup:
    name: <resource-group>
    location: westeurope
    auth_source: cli   # or set ANSIBLE_AZURE_AUTH_SOURCE=cli"#,
    )),
    links: &[ANSIBLE_AUTH],
};

const ANSIBLE_MSI: StepTemplate = StepTemplate {
    title: "Let Ansible use a managed identity (auth_source: msi)",
    text: "Run the playbook on an Azure host with a managed identity. Remove ad_user/password \
           (AZURE_AD_USER/AZURE_PASSWORD) from inventory, vault and environment.",
    snippet: Some((
        "yaml",
        r#"- name: Resource group exists
  azure.azcollection.azure_rm_resourcegroup:
    name: <resource-group>
    location: westeurope
    auth_source: msi                      # or set ANSIBLE_AZURE_AUTH_SOURCE=msi
    # client_id: <identity-client-id>     # user-assigned identity
    subscription_id: <subscription-id>"#,
    )),
    links: &[ANSIBLE_AUTH, MANAGED_IDENTITIES],
};

const CLI_MANAGED_IDENTITY: StepTemplate = StepTemplate {
    title: "Run the job as a managed identity (Azure CLI)",
    text: "Run the script on an Azure VM, scale set, container, Function or Automation account \
           with a managed identity and sign in as that identity instead of the user: no password \
           and no MFA prompt are involved. Delete the \"az login -u … -p …\" line.",
    snippet: Some((
        "bash",
        r#"# system-assigned identity of the host
az login --identity

# or a user-assigned identity
az login --identity --client-id <identity-client-id>

az account set --subscription <subscription-id>"#,
    )),
    links: &[CLI_MI, MANAGED_IDENTITIES],
};

const CLI_CERTIFICATE: StepTemplate = StepTemplate {
    title: "Outside Azure: a service principal with a certificate kept in Key Vault (Azure CLI)",
    text: "Where no managed identity is available, create a service principal whose certificate \
           Key Vault generates and keeps. An administrator installs the PEM on the job host, \
           readable only by the job's account; Key Vault handles renewal.",
    snippet: Some((
        "bash",
        r#"az ad sp create-for-rbac --name sp-<job-name> \
  --create-cert --cert sp-<job-name> --keyvault <key-vault-name>

# once, by an administrator: the certificate with its private key, as PEM
az keyvault secret download --vault-name <key-vault-name> --name sp-<job-name> \
  --encoding base64 --file sp.pfx
openssl pkcs12 -in sp.pfx -passin pass: -nodes -out sp.pem && rm sp.pfx
chmod 600 sp.pem

# in the job, instead of the user's az login
az login --service-principal --username <app-id> --tenant <tenant-id> --certificate sp.pem"#,
    )),
    links: &[KEYVAULT_SP_CERT, CLI_SP],
};

const PWSH_MANAGED_IDENTITY: StepTemplate = StepTemplate {
    title: "Run the job as a managed identity (Azure PowerShell)",
    text: "Run the script where a managed identity exists (VM, Automation account, Function) \
           and connect as that identity instead of passing the user's PSCredential.",
    snippet: Some((
        "powershell",
        r#"# system-assigned identity of the host
Connect-AzAccount -Identity

# or a user-assigned identity (its client id)
Connect-AzAccount -Identity -AccountId <identity-client-id>"#,
    )),
    links: &[PWSH_MI, MANAGED_IDENTITIES],
};

const PWSH_CERTIFICATE: StepTemplate = StepTemplate {
    title: "Outside Azure: a service principal with a certificate (Azure PowerShell)",
    text: "Create the service principal with its certificate in Key Vault (az ad sp \
           create-for-rbac --create-cert --keyvault …), import the PFX into the job account's \
           certificate store with Import-PfxCertificate, and connect with the thumbprint.",
    snippet: Some((
        "powershell",
        r#"Connect-AzAccount -ServicePrincipal -ApplicationId <app-id> -Tenant <tenant-id> `
  -CertificateThumbprint <thumbprint>"#,
    )),
    links: &[KEYVAULT_SP_CERT, PWSH_MI],
};

const SDK_WORKLOAD_IDENTITY: StepTemplate = StepTemplate {
    title: "Use DefaultAzureCredential with a workload identity (REST / SDK)",
    text: "Build clients with DefaultAzureCredential (or ManagedIdentityCredential / \
           WorkloadIdentityCredential) instead of a username-password credential, so the code \
           never handles a password. A REST caller gets its bearer token the same way.",
    snippet: Some((
        "bash",
        r#"# the user credentials EnvironmentCredential would use for a password sign-in
unset AZURE_USERNAME AZURE_PASSWORD
# a user-assigned managed identity (DefaultAzureCredential picks it up)
export AZURE_CLIENT_ID=<identity-client-id>
# workload identity federation (AKS or another OIDC issuer) additionally uses
# AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE"#,
    )),
    links: &[SDK_IDENTITY, WORKLOAD_FEDERATION],
};

const GRANT_ROLES: StepTemplate = StepTemplate {
    title: "Give the new identity only the roles the job needs",
    text: "List what the user account holds, then assign the workload identity the narrowest \
           roles and scopes the job uses.",
    snippet: Some((
        "bash",
        r#"az role assignment list --assignee <user-upn> --all --output table

az role assignment create --assignee-object-id <identity-principal-id> \
  --assignee-principal-type ServicePrincipal --role "<role-name>" \
  --scope /subscriptions/<subscription-id>/resourceGroups/<resource-group>"#,
    )),
    links: &[ROLE_ASSIGN],
};

const RETIRE_USER_CREDENTIAL: StepTemplate = StepTemplate {
    title: "Remove the user's password from scripts and retire it",
    text: "Find every place the job kept the user's sign-in, delete it, then reset the password \
           so a forgotten copy stops working; disable the account if it existed only for this job.",
    snippet: Some((
        "bash",
        r#"grep -rnE 'az login (-u|--username)|AZURE_USERNAME|AZURE_PASSWORD|AZURE_AD_USER|Connect-AzAccount .*-Credential' .

az ad user update --id <user-upn> --account-enabled false   # only if nobody signs in with it"#,
    )),
    links: &[],
};

const BREAK_GLASS: StepTemplate = StepTemplate {
    title: "Give the emergency-access account a phishing-resistant method (FIDO2 or certificate)",
    text: "Mandatory MFA applies to emergency-access accounts too; they cannot be excluded. \
           Register FIDO2 security keys or passkeys (two keys, kept apart) or configure \
           certificate-based authentication, then test a sign-in and an ARM write. Do not rely \
           on SMS, voice or one person's phone.",
    snippet: Some((
        "powershell",
        r#"Connect-MgGraph -Scopes UserAuthenticationMethod.Read.All
Get-MgUserAuthenticationMethod -UserId <user-upn> |
  Select-Object Id, @{ n = 'Type'; e = { $_.AdditionalProperties['@odata.type'] } }"#,
    )),
    links: &[EMERGENCY_ACCESS, PASSKEYS, CBA],
};

const REGISTER_MFA: StepTemplate = StepTemplate {
    title: "Register an MFA method",
    text: "Open https://aka.ms/mfasetup and add Microsoft Authenticator, a passkey or a FIDO2 \
           security key, then sign in again so new tokens carry MFA.",
    snippet: None,
    links: &[MFA_SETUP],
};

const REGISTER_MFA_GUEST: StepTemplate = StepTemplate {
    title: "As a guest, satisfy MFA for this tenant",
    text: "Register a method for this tenant at \
           https://mysignins.microsoft.com/security-info?tenant=<tenant-id>, or ask an \
           administrator to trust MFA from your home tenant in the cross-tenant access settings.",
    snippet: None,
    links: &[CROSS_TENANT_TRUST],
};

const UPGRADE_CLI: StepTemplate = StepTemplate {
    title: "Upgrade Azure CLI to @MIN_CLI@ or later",
    text: "Older versions do not surface ARM's MFA claims challenge: writes fail with a generic \
           error and cannot re-authenticate. Upgrade every machine, container image and build \
           agent that runs az.",
    snippet: Some((
        "bash",
        r#"az version
az upgrade --yes   # or: winget upgrade Microsoft.AzureCLI / brew upgrade azure-cli / apt-get install --only-upgrade azure-cli"#,
    )),
    links: &[CLI_INSTALL],
};

const UPGRADE_AZ: StepTemplate = StepTemplate {
    title: "Upgrade Azure PowerShell (Az) to @MIN_AZ@ or later",
    text: "Older Az modules do not surface ARM's MFA claims challenge. Upgrade on every machine \
           and runbook environment that runs Az.",
    snippet: Some((
        "powershell",
        r#"Get-InstalledModule -Name Az, Az.Accounts | Select-Object Name, Version
Install-Module -Name Az -MinimumVersion @MIN_AZ@.0 -Repository PSGallery -Scope CurrentUser -Force"#,
    )),
    links: &[AZ_INSTALL],
};

const SIGN_IN_WITH_MFA_CLI: StepTemplate = StepTemplate {
    title: "Sign in to Azure CLI with MFA",
    text: "Sign in interactively and complete MFA: a token obtained without MFA fails on \
           create, update and delete. Terraform, Bicep and Ansible on your machine reuse this \
           login. \"az login -u … -p …\" can never satisfy MFA.",
    snippet: Some((
        "bash",
        r#"az logout
az login --tenant <tenant-id>   # complete the MFA prompt in the browser"#,
    )),
    links: &[CLI_MFA],
};

const SIGN_IN_WITH_MFA_PWSH: StepTemplate = StepTemplate {
    title: "Sign in to Azure PowerShell with MFA",
    text: "Connect interactively and complete MFA instead of passing a PSCredential, which can \
           never satisfy MFA.",
    snippet: Some((
        "powershell",
        r#"Disconnect-AzAccount
Connect-AzAccount -Tenant <tenant-id>   # complete the MFA prompt"#,
    )),
    links: &[],
};

const MOBILE_APP_MFA: StepTemplate = StepTemplate {
    title: "Update the Azure mobile app and sign in with MFA",
    text: "Changes made from the app are ARM writes too. Update the app, sign out and sign in \
           again, completing MFA.",
    snippet: None,
    links: &[],
};

const REQUIRE_MFA_CA: StepTemplate = StepTemplate {
    title: "Make MFA the default for Azure management (administrator)",
    text: "A Conditional Access policy that requires MFA for Azure management makes the first \
           sign-in prompt for MFA, instead of the first write failing.",
    snippet: None,
    links: &[CA_AZURE_MANAGEMENT],
};

const UNBLOCK_CLI: StepTemplate = StepTemplate {
    title: "Blocked now? Re-authenticate Azure CLI with the claims challenge",
    text: "When a create, update or delete fails with an MFA error, Azure CLI @MIN_CLI@ or later \
           prints a claims challenge. Sign out, sign in again passing it, complete MFA and retry \
           the command. Older versions cannot pass the challenge: upgrade first.",
    snippet: Some((
        "bash",
        r#"az logout
az login --tenant <tenant-id> --scope "https://management.core.windows.net//.default" \
  --claims-challenge "<base64 challenge from the error>""#,
    )),
    links: &[CLI_MFA],
};

const UNBLOCK_PWSH: StepTemplate = StepTemplate {
    title: "Blocked now? Re-authenticate Azure PowerShell with the claims challenge",
    text: "When a write fails with an MFA error, Az @MIN_AZ@ or later shows a claims challenge. \
           Connect again passing it, complete MFA and retry. Older versions cannot pass the \
           challenge: upgrade first.",
    snippet: Some((
        "powershell",
        r#"Connect-AzAccount -Tenant <tenant-id> -ClaimsChallenge "<base64 challenge from the error>""#,
    )),
    links: &[],
};

const UNBLOCK_MOBILE: StepTemplate = StepTemplate {
    title: "Blocked now? Sign out of the Azure mobile app and back in",
    text: "Signing in again with MFA gives the app a token that ARM accepts for changes.",
    snippet: None,
    links: &[],
};

const POSTPONE_STEP: StepTemplate = StepTemplate {
    title: "Need more time? A Global Administrator can postpone Phase 2",
    text: "Until enforcement starts, a Global Administrator can move the tenant's date (to \
           @LAST_POSTPONE@ at the latest) at https://aka.ms/postponePhase2MFA. Once enforced, \
           only a support request lifts it, temporarily.",
    snippet: None,
    links: &[POSTPONE],
};

const SUPPORT_REQUEST: StepTemplate = StepTemplate {
    title: "Already failing? Ask Microsoft support to lift enforcement temporarily",
    text: "Phase 2 is enforced, so self-service postponement no longer applies (it closed for \
           every tenant on @LAST_POSTPONE@). A Global Administrator can open an Azure support \
           request to lift enforcement for a short time while the job is migrated.",
    snippet: None,
    links: &[SUPPORT],
};

const MIGRATE_BEFORE_DATE: StepTemplate = StepTemplate {
    title: "Finish the migration before @DATE@",
    text: "Self-service postponement ended on @LAST_POSTPONE@; once enforcement starts only a \
           support request lifts it, temporarily.",
    snippet: None,
    links: &[SUPPORT],
};

/// The catalog entry of a step.
pub(crate) fn template(id: StepId) -> &'static StepTemplate {
    match id {
        StepId::GithubFederatedCredential => &GITHUB_FEDERATED_CREDENTIAL,
        StepId::GithubAzureLogin => &GITHUB_AZURE_LOGIN,
        StepId::PipelinesWorkloadIdentity => &PIPELINES_WORKLOAD_IDENTITY,
        StepId::TerraformOidc => &TERRAFORM_OIDC_STEP,
        StepId::TerraformMsi => &TERRAFORM_MSI_STEP,
        StepId::AzdFederated => &AZD_FEDERATED,
        StepId::AzdManagedIdentity => &AZD_MANAGED_IDENTITY,
        StepId::AnsibleCi => &ANSIBLE_CI,
        StepId::AnsibleMsi => &ANSIBLE_MSI,
        StepId::CliManagedIdentity => &CLI_MANAGED_IDENTITY,
        StepId::CliCertificate => &CLI_CERTIFICATE,
        StepId::PwshManagedIdentity => &PWSH_MANAGED_IDENTITY,
        StepId::PwshCertificate => &PWSH_CERTIFICATE,
        StepId::SdkWorkloadIdentity => &SDK_WORKLOAD_IDENTITY,
        StepId::GrantRoles => &GRANT_ROLES,
        StepId::RetireUserCredential => &RETIRE_USER_CREDENTIAL,
        StepId::BreakGlassPhishingResistant => &BREAK_GLASS,
        StepId::RegisterMfa => &REGISTER_MFA,
        StepId::RegisterMfaGuest => &REGISTER_MFA_GUEST,
        StepId::UpgradeCli => &UPGRADE_CLI,
        StepId::UpgradeAz => &UPGRADE_AZ,
        StepId::SignInWithMfaCli => &SIGN_IN_WITH_MFA_CLI,
        StepId::SignInWithMfaPwsh => &SIGN_IN_WITH_MFA_PWSH,
        StepId::MobileAppMfa => &MOBILE_APP_MFA,
        StepId::RequireMfaConditionalAccess => &REQUIRE_MFA_CA,
        StepId::UnblockCli => &UNBLOCK_CLI,
        StepId::UnblockPwsh => &UNBLOCK_PWSH,
        StepId::UnblockMobile => &UNBLOCK_MOBILE,
        StepId::Postpone => &POSTPONE_STEP,
        StepId::SupportRequest => &SUPPORT_REQUEST,
        StepId::MigrateBeforeDate => &MIGRATE_BEFORE_DATE,
    }
}

/// Links every guidance carries: Microsoft's planning page.
pub(crate) const ALWAYS_LINKS: &[LinkRef] = &[(
    "Mandatory MFA for Azure: planning and dates",
    crate::calendar::DOCS_URL,
)];
