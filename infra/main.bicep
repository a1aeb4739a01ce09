// stepup on Azure: a Linux Flex Consumption function app running the custom handler, its
// storage account (no shared keys), Application Insights, a Key Vault for the secrets, one
// user-assigned managed identity with least-privilege roles, and Service Health alerts
// that call /api/service-health. Deployed by scripts/deploy (see docs/deploy.md):
//
//   az deployment group create --resource-group <rg> --template-file infra/main.bicep \
//     --parameters targetSubscriptionIds='["<id>", ...]'
//
// What the identity may touch: Storage Blob Data Owner and Storage Queue Data Contributor
// on its own storage account, Key Vault Secrets User on its own vault, Monitoring Metrics
// Publisher on its own Application Insights, Reader on the target subscriptions (or a
// management group, infra/management-group-reader.bicep), and the Microsoft Graph
// application roles AuditLog.Read.All and User.Read.All (granted by scripts/deploy or
// infra/graph-app-roles.bicep). Nothing else.

// ---------------------------------------------------------------------------------------
// Placement and naming

@description('Azure region of every resource. It must offer Flex Consumption (`az functionapp list-flexconsumption-locations`).')
param location string = resourceGroup().location

@description('Start of every resource name: 2-10 lowercase letters, digits or single hyphens, starting with a letter and ending with a letter or digit (Key Vault and storage naming rules). A hash of the resource group makes the names unique.')
@minLength(2)
@maxLength(10)
param namePrefix string = 'stepup'

@description('Tags for every resource.')
param tags object = {
  application: 'stepup'
}

// ---------------------------------------------------------------------------------------
// What stepup scans

@description('Subscriptions stepup scans: its identity gets Reader on each, and each gets a Service Health alert. Default: the deployment\'s subscription.')
param targetSubscriptionIds array = [
  subscription().subscriptionId
]

// ---------------------------------------------------------------------------------------
// Service Health

@description('Function key of the `service-health` function. It only exists once the code is deployed, so scripts/deploy runs this template twice: without it first (no alerts), then with it. Empty: no action group and no alerts.')
@secure()
param serviceHealthFunctionKey string = ''

@description('Service Health event types that notify stepup (Incident, Maintenance, Informational, ActionRequired, Security); empty for all. Mandatory-MFA notices are health advisories (Informational) and ActionRequired events.')
param serviceHealthIncidentTypes array = [
  'Informational'
  'ActionRequired'
]

@description('Resource group that holds the Service Health alert rule in target subscriptions other than this one (created if missing).')
param alertsResourceGroupName string = 'rg-${namePrefix}-alerts'

// ---------------------------------------------------------------------------------------
// Scale, retention, vault

@description('Largest number of instances the app scales out to. Scans are bound by Graph throttling, not CPU.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of each instance, in MB (512, 2048 or 4096).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Days Log Analytics keeps the logs (30-730).')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Key Vault purge protection. Recommended; once on it cannot be turned off, and a deleted vault keeps its name for 90 days.')
param keyVaultPurgeProtection bool = true

@description('Object id of the principal that may write the vault\'s secrets (scripts/deploy passes the signed-in deployer); empty for none.')
param secretsOfficerPrincipalId string = ''

@description('Kind of principal `secretsOfficerPrincipalId` is: User, Group or ServicePrincipal.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param secretsOfficerPrincipalType string = 'User'

// ---------------------------------------------------------------------------------------
// stepup's settings (STEPUP_* app settings; README.md "Configuration" explains each)

@description('STEPUP_SCAN_SCHEDULE: six-field NCRONTAB (UTC) of the daily scan.')
param scanSchedule string = '0 0 6 * * *'

@description('STEPUP_DIGEST_SCHEDULE: six-field NCRONTAB (UTC) of the weekly digest; write days as names (Mon).')
param digestSchedule string = '0 0 8 * * Mon'

@description('STEPUP_ENFORCEMENT_DATE: the tenant\'s Phase 2 date (YYYY-MM-DD) from its own notice; empty for stepup\'s default.')
param enforcementDate string = ''

@description('STEPUP_BREAK_GLASS: emergency-access accounts (UPN or object id) stepup never flags.')
param breakGlassAccounts array = []

@description('STEPUP_OWNERS: ownership rules, each `glob=owner` (e.g. `svc-*@contoso.com=platform@contoso.com`); the first match wins.')
param ownerRules array = []

@description('STEPUP_DEFAULT_OWNER: owner of accounts no rule, sponsor, manager or tag names.')
param defaultOwner string = ''

@description('STEPUP_STATE_DIR: local state directory. The app\'s package is read-only, so it must be under /tmp.')
param stateDir string = '/tmp/stepup'

@description('STEPUP_LOG_FORMAT: `json` lines are searchable as fields in Application Insights; `text` for reading by eye.')
@allowed([
  'json'
  'text'
])
param logFormat string = 'json'

@description('Ticket system settings, by the STEPUP_ name without its prefix (e.g. `{ TICKETS: \'jira\', JIRA_URL: \'https://contoso.atlassian.net\', JIRA_PROJECT: \'OPS\', JIRA_EMAIL: \'bot@contoso.com\' }`); README.md "Configuration" lists them. Secrets (ADO_PAT, GITHUB_TOKEN, JIRA_API_TOKEN, SERVICENOW_PASSWORD, SERVICENOW_TOKEN) never go here: they are Key Vault references.')
param tickets object = {}

@description('Scan, Teams and alert settings, by the STEPUP_ name without its prefix (e.g. `{ SUBSCRIPTIONS: \'<id>,<id>\', ADMINS: \'lead@contoso.com\', ALERT_AUDIENCE: \'api://stepup-alerts\' }`); README.md "Configuration" lists them with their defaults. Secrets (TEAMS_WEBHOOK, TEAMS_HMAC_SECRET) never go here: they are Key Vault references.')
param options object = {}

@description('RUST_LOG: log filter (tracing EnvFilter syntax).')
param rustLog string = 'info'

// ---------------------------------------------------------------------------------------
// Names

var suffix = uniqueString(resourceGroup().id)
var appName = '${namePrefix}-${suffix}'
var storageAccountName = toLower(replace('${namePrefix}${suffix}', '-', ''))
var keyVaultName = '${namePrefix}-${suffix}'
var keyVaultUri = 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/'
var actionGroupName = '${appName}-service-health'
var alertName = '${appName}-service-health'

// Subscription ids in lowercase, as subscription().subscriptionId gives them.
var targets = map(targetSubscriptionIds, id => toLower(id))

// Queue names the function bindings use (function-defs/*/function.json).
var queueNames = [
  'stepup-jobs'
  'stepup-notify'
]

// ---------------------------------------------------------------------------------------
// Resources

module identity 'modules/identity.bicep' = {
  name: '${namePrefix}-identity'
  params: {
    name: '${appName}-id'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: '${namePrefix}-storage'
  params: {
    name: storageAccountName
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    stateContainerName: 'stepup'
    deploymentContainerName: 'app-package'
    queueNames: queueNames
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: '${namePrefix}-monitoring'
  params: {
    name: '${appName}-insights'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    retentionInDays: logRetentionDays
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: '${namePrefix}-key-vault'
  params: {
    name: keyVaultName
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    secretsOfficerPrincipalId: secretsOfficerPrincipalId
    secretsOfficerPrincipalType: secretsOfficerPrincipalType
    purgeProtection: keyVaultPurgeProtection
  }
}

// Every app setting that is not a secret. tests/infra.rs checks that the STEPUP_* names
// here and in `secretSettings` are exactly the STEPUP_* settings stepup reads
// (src/config.rs SETTINGS).
var appSettings = {
  // Functions host storage, identity-based: the account has no usable keys.
  AzureWebJobsStorage__accountName: storage.outputs.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  // Application Insights with Entra authentication (local authentication is off).
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
  // azure_identity: the user-assigned managed identity (no secret, no certificate).
  AZURE_CLIENT_ID: identity.outputs.clientId
  RUST_LOG: rustLog
  STEPUP_STATE_DIR: stateDir
  STEPUP_SCAN_SCHEDULE: scanSchedule
  STEPUP_DIGEST_SCHEDULE: digestSchedule
  STEPUP_TENANT_ID: tenant().tenantId
  STEPUP_ENFORCEMENT_DATE: enforcementDate
  STEPUP_BREAK_GLASS: join(breakGlassAccounts, ',')
  STEPUP_OWNERS: join(ownerRules, ';')
  STEPUP_DEFAULT_OWNER: defaultOwner
  STEPUP_LOG_FORMAT: logFormat
  // State in the account's blob container, through the managed identity.
  STEPUP_STORAGE_BLOB_URL: storage.outputs.blobEndpoint
  STEPUP_STATE_CONTAINER: 'stepup'
  // Jobs queued from HTTP functions go to the account's queues, through the managed identity.
  STEPUP_STORAGE_QUEUE_URL: storage.outputs.queueEndpoint
  // Live sources, Teams and alerts: stepup's defaults unless `options` says otherwise.
  STEPUP_GRAPH_URL: options.?GRAPH_URL ?? 'https://graph.microsoft.com'
  STEPUP_ARM_URL: options.?ARM_URL ?? 'https://management.azure.com'
  STEPUP_LOOKBACK_DAYS: options.?LOOKBACK_DAYS ?? '30'
  STEPUP_OVERLAP_MINUTES: options.?OVERLAP_MINUTES ?? '120'
  STEPUP_SUBSCRIPTIONS: options.?SUBSCRIPTIONS ?? ''
  STEPUP_GRAPH_REPORT_RATE: options.?GRAPH_REPORT_RATE ?? '5/10s'
  STEPUP_ARM_CONCURRENCY: options.?ARM_CONCURRENCY ?? '8'
  STEPUP_TENANTS: options.?TENANTS ?? ''
  STEPUP_JOB_BUDGET_SECONDS: options.?JOB_BUDGET_SECONDS ?? '480'
  STEPUP_TEAMS_DIR: options.?TEAMS_DIR ?? ''
  STEPUP_TEAMS_RATE: options.?TEAMS_RATE ?? '4'
  STEPUP_RENOTIFY_DAYS: options.?RENOTIFY_DAYS ?? '7'
  STEPUP_ADMINS: options.?ADMINS ?? ''
  STEPUP_MAX_SNOOZE_DAYS: options.?MAX_SNOOZE_DAYS ?? '30'
  STEPUP_ALERT_AUDIENCE: options.?ALERT_AUDIENCE ?? ''
  STEPUP_ALERT_TRACKING_IDS: options.?ALERT_TRACKING_IDS ?? ''
  // Reconciliation and tickets: `file` (in the state directory) unless `tickets` says otherwise.
  STEPUP_RESOLVE_AFTER_SCANS: tickets.?RESOLVE_AFTER_SCANS ?? '2'
  STEPUP_TICKET_DUE_DAYS: tickets.?TICKET_DUE_DAYS ?? '14'
  STEPUP_TICKETS: tickets.?TICKETS ?? 'file'
  STEPUP_TICKETS_DIR: tickets.?TICKETS_DIR ?? ''
  STEPUP_ADO_ORG_URL: tickets.?ADO_ORG_URL ?? ''
  STEPUP_ADO_PROJECT: tickets.?ADO_PROJECT ?? ''
  STEPUP_ADO_WORK_ITEM_TYPE: tickets.?ADO_WORK_ITEM_TYPE ?? 'Issue'
  STEPUP_ADO_DONE_STATE: tickets.?ADO_DONE_STATE ?? 'Done'
  STEPUP_ADO_OPEN_STATE: tickets.?ADO_OPEN_STATE ?? 'To Do'
  STEPUP_GITHUB_API_URL: tickets.?GITHUB_API_URL ?? 'https://api.github.com'
  STEPUP_GITHUB_REPO: tickets.?GITHUB_REPO ?? ''
  STEPUP_JIRA_URL: tickets.?JIRA_URL ?? ''
  STEPUP_JIRA_PROJECT: tickets.?JIRA_PROJECT ?? ''
  STEPUP_JIRA_ISSUE_TYPE: tickets.?JIRA_ISSUE_TYPE ?? 'Task'
  STEPUP_JIRA_EMAIL: tickets.?JIRA_EMAIL ?? ''
  STEPUP_JIRA_ACCOUNT_IDS: tickets.?JIRA_ACCOUNT_IDS ?? ''
  STEPUP_JIRA_PRIORITIES: tickets.?JIRA_PRIORITIES ?? ''
  STEPUP_SERVICENOW_URL: tickets.?SERVICENOW_URL ?? ''
  STEPUP_SERVICENOW_USER: tickets.?SERVICENOW_USER ?? ''
  STEPUP_SERVICENOW_ASSIGNMENT_GROUP: tickets.?SERVICENOW_ASSIGNMENT_GROUP ?? ''
  STEPUP_SERVICENOW_CLOSE_CODE: tickets.?SERVICENOW_CLOSE_CODE ?? 'Solution provided'
  STEPUP_SERVICENOW_ASSIGN_OWNER: tickets.?SERVICENOW_ASSIGN_OWNER ?? 'true'
}

// App settings whose values are secrets: setting name -> Key Vault secret name (the
// setting's name without `STEPUP_`, in lowercase with hyphens). Each becomes a Key Vault
// reference resolved by the identity; the deployer writes the value (scripts/deploy
// --secret, or `az keyvault secret set`). Every setting marked secret in src/config.rs
// belongs here, e.g. `STEPUP_TEAMS_HMAC_SECRET: 'teams-hmac-secret'`.
var secretSettings = {
  STEPUP_ADO_PAT: 'ado-pat'
  STEPUP_GITHUB_TOKEN: 'github-token'
  STEPUP_JIRA_API_TOKEN: 'jira-api-token'
  STEPUP_SERVICENOW_PASSWORD: 'servicenow-password'
  STEPUP_SERVICENOW_TOKEN: 'servicenow-token'
  STEPUP_TEAMS_WEBHOOK: 'teams-webhook'
  STEPUP_TEAMS_HMAC_SECRET: 'teams-hmac-secret'
}

var keyVaultReferences = toObject(
  items(secretSettings),
  s => s.key,
  s => '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${s.value}/)'
)

module functionApp 'modules/function-app.bicep' = {
  name: '${namePrefix}-function-app'
  params: {
    name: appName
    location: location
    tags: tags
    identityId: identity.outputs.id
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    appSettings: union(appSettings, keyVaultReferences)
  }
  // The vault and the identity's Secrets User role exist before the references do.
  dependsOn: [
    keyVault
  ]
}

// Reader on every target subscription (ARM activity log, role assignments, tags).
module readers 'modules/subscription-reader.bicep' = [
  for id in targets: {
    name: '${namePrefix}-reader-${uniqueString(resourceGroup().id, id)}'
    scope: subscription(id)
    params: {
      principalId: identity.outputs.principalId
    }
  }
]

// ---------------------------------------------------------------------------------------
// Service Health: an action group with a webhook to /api/service-health, and an activity-log
// alert on the ServiceHealth category in each target subscription. Only once the function
// key is known (second pass of scripts/deploy).

var deployAlerts = !empty(serviceHealthFunctionKey)
var actionGroupId = resourceId('Microsoft.Insights/actionGroups', actionGroupName)
var otherSubscriptionIds = filter(targets, id => id != subscription().subscriptionId)

module actionGroup 'modules/service-health-action-group.bicep' = if (deployAlerts) {
  name: '${namePrefix}-action-group'
  params: {
    name: actionGroupName
    tags: tags
    functionAppHostName: functionApp.outputs.defaultHostName
    functionKey: serviceHealthFunctionKey
  }
}

module alertHere 'modules/service-health-alert.bicep' = if (deployAlerts && contains(targets, subscription().subscriptionId)) {
  name: '${namePrefix}-service-health-alert'
  params: {
    name: alertName
    tags: tags
    actionGroupId: actionGroupId
    incidentTypes: serviceHealthIncidentTypes
  }
  dependsOn: [
    actionGroup
  ]
}

module alertsElsewhere 'modules/service-health-subscription.bicep' = [
  for id in otherSubscriptionIds: if (deployAlerts) {
    name: '${namePrefix}-service-health-${uniqueString(resourceGroup().id, id)}'
    scope: subscription(id)
    params: {
      resourceGroupName: alertsResourceGroupName
      location: location
      alertName: alertName
      tags: tags
      actionGroupId: actionGroupId
      incidentTypes: serviceHealthIncidentTypes
    }
    dependsOn: [
      actionGroup
    ]
  }
]

// ---------------------------------------------------------------------------------------
// Outputs (scripts/deploy reads them)

@description('Name of the function app.')
output functionAppName string = functionApp.outputs.name

@description('Host name of the function app.')
output functionAppHostName string = functionApp.outputs.defaultHostName

@description('URL for the Teams outgoing webhook (chat commands).')
output teamsWebhookUrl string = 'https://${functionApp.outputs.defaultHostName}/api/teams'

@description('URL the Service Health action group calls (plus `?code=<function key>`).')
output serviceHealthUrl string = 'https://${functionApp.outputs.defaultHostName}/api/service-health'

@description('Object id of the managed identity (Graph app roles, management-group Reader).')
output identityPrincipalId string = identity.outputs.principalId

@description('Client id of the managed identity.')
output identityClientId string = identity.outputs.clientId

@description('Name of the Key Vault that holds the secrets.')
output keyVaultName string = keyVault.outputs.name

@description('Name of the storage account.')
output storageAccountName string = storage.outputs.name

@description('Name of the Application Insights component.')
output applicationInsightsName string = monitoring.outputs.name

@description('Whether this run created the Service Health action group and alerts.')
output serviceHealthAlertsDeployed bool = deployAlerts
