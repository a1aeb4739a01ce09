// The user-assigned managed identity stepup runs as. Storage, Key Vault references,
// Application Insights ingestion, ARM reads and Microsoft Graph all use this one identity,
// so its role assignments are the whole of what stepup may touch.

@description('Name of the identity.')
param name string

@description('Azure region.')
param location string

@description('Tags for the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity.')
output id string = identity.id

@description('Object id of its service principal (role assignments, Graph app roles).')
output principalId string = identity.properties.principalId

@description('Client id (AZURE_CLIENT_ID, AzureWebJobsStorage__clientId).')
output clientId string = identity.properties.clientId
