// The function app's own storage account: the Functions host's state, stepup's state
// (blob container `stepup`), the work queues and the Flex Consumption deployment package.
// Shared-key access is disabled: everything authenticates with Microsoft Entra ID, and the
// identity gets exactly two data roles on this account.

import { roleIds } from 'role-ids.bicep'

@description('Storage account name (3-24 lowercase letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for the account.')
param tags object

@description('Object id of the managed identity that gets the data roles.')
param principalId string

@description('Blob container holding stepup\'s state.')
param stateContainerName string

@description('Blob container holding the deployment package (Flex Consumption).')
param deploymentContainerName string

@description('Queues stepup reads and writes; the host adds `<queue>-poison` for failed messages.')
param queueNames array

@description('Days a deleted blob or container can be restored.')
@minValue(1)
@maxValue(365)
param deleteRetentionDays int = 7

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: deleteRetentionDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: deleteRetentionDays
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for container in [stateContainerName, deploymentContainerName]: {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

// The poison queues are created up front too, so that they exist (and can be watched)
// before the first message fails.
resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queue in flatten(map(queueNames, q => [q, '${q}-poison'])): {
    parent: queueService
    name: queue
  }
]

// Storage Blob Data Owner: the host's leases, timers and keys live in blobs, and so does
// stepup's state (ETag concurrency needs read and write).
resource blobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, roleIds.storageBlobDataOwner)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Queue Data Contributor: queue triggers and outputs, and stepup's own enqueueing.
resource queueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, roleIds.storageQueueDataContributor)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageQueueDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Name of the account.')
output name string = account.name

@description('Blob endpoint, ending in a slash.')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Queue endpoint (stepup queues jobs from HTTP functions here).')
output queueEndpoint string = account.properties.primaryEndpoints.queue

@description('URL of the deployment-package container.')
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainerName}'
