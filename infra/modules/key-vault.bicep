// Key Vault (Azure RBAC, no access policies) for stepup's secrets: the Teams outgoing
// webhook's HMAC secret and the ticket systems' tokens. The template creates the vault
// and the access; the deployer writes the secret values (docs/deploy.md), so no secret
// ever passes through a template or a deployment's history.

import { roleIds } from 'role-ids.bicep'

@description('Vault name (3-24 letters, digits and hyphens, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for the vault.')
param tags object

@description('Object id of the managed identity that reads the secrets.')
param principalId string

@description('Object id of a user, group or service principal that may write secrets (the deployer); empty for none.')
param secretsOfficerPrincipalId string

@description('Kind of principal `secretsOfficerPrincipalId` is.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param secretsOfficerPrincipalType string

@description('Purge protection: a deleted vault and its secrets cannot be purged before the retention ends. It cannot be turned off again.')
param purgeProtection bool

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // The API accepts `true` or nothing: once on, purge protection stays on.
    enablePurgeProtection: purgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

// Key Vault Secrets User: read secret values, nothing else (no listing of keys or
// certificates, no writes).
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, roleIds.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Key Vault Secrets Officer for the deployer, on this vault only, so that
// `scripts/deploy --secret` (or `az keyvault secret set`) can write the values.
resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(secretsOfficerPrincipalId)) {
  name: guid(vault.id, secretsOfficerPrincipalId, roleIds.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsOfficer)
    principalId: secretsOfficerPrincipalId
    principalType: secretsOfficerPrincipalType
  }
}

@description('Name of the vault.')
output name string = vault.name

@description('Vault URI, ending in a slash.')
output uri string = vault.properties.vaultUri
