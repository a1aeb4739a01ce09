// Application Insights (workspace-based) for the Functions host's and stepup's logs.
// Local (instrumentation-key) authentication is off: the identity sends telemetry with a
// Microsoft Entra token, for which it holds Monitoring Metrics Publisher on the component.

import { roleIds } from 'role-ids.bicep'

@description('Name of the Application Insights component; the workspace gets a `-logs` suffix.')
param name string

@description('Azure region.')
param location string

@description('Tags for both resources.')
param tags object

@description('Object id of the managed identity that publishes telemetry.')
param principalId string

@description('Days Log Analytics keeps the data.')
@minValue(30)
@maxValue(730)
param retentionInDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${name}-logs'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource component 'Microsoft.Insights/components@2020-02-02' = {
  name: name
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

// Monitoring Metrics Publisher: the only way in once local authentication is off.
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(component.id, principalId, roleIds.monitoringMetricsPublisher)
  scope: component
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Name of the component.')
output name string = component.name

@description('Connection string (not a secret: with local authentication off it only names the endpoint).')
output connectionString string = component.properties.ConnectionString
