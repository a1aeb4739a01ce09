// Reader for stepup's identity on a whole management group, instead of (or besides) one
// assignment per subscription. A resource-group deployment cannot reach a management
// group, so this is its own deployment; scripts/deploy runs it for --management-group:
//
//   az deployment mg create --management-group-id <id> --location <region> \
//     --template-file infra/management-group-reader.bicep --parameters principalId=<object id>

targetScope = 'managementGroup'

import { roleIds } from 'modules/role-ids.bicep'

@description('Object id of stepup\'s managed identity (output `identityPrincipalId` of main.bicep).')
param principalId string

resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(managementGroup().id, principalId, roleIds.reader)
  properties: {
    roleDefinitionId: tenantResourceId('Microsoft.Authorization/roleDefinitions', roleIds.reader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
