// The Service Health alert of a subscription other than the one stepup is deployed in:
// a resource group to hold it (created if missing), then the alert rule inside.

targetScope = 'subscription'

@description('Resource group that holds the alert rule in this subscription.')
param resourceGroupName string

@description('Region of that resource group, if it has to be created.')
param location string

@description('Name of the alert rule.')
param alertName string

@description('Tags for the resource group and the alert rule.')
param tags object

@description('Resource id of stepup\'s action group.')
param actionGroupId string

@description('Service Health event types that fire the alert; empty for all of them.')
param incidentTypes array

resource group 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: resourceGroupName
  location: location
  tags: tags
}

module alert 'service-health-alert.bicep' = {
  name: 'stepup-service-health-alert'
  scope: group
  params: {
    name: alertName
    tags: tags
    actionGroupId: actionGroupId
    incidentTypes: incidentTypes
  }
}
