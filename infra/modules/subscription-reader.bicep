// Reader on one subscription stepup scans: ARM activity log, role assignments and the
// subscription's tags. Deployed once per subscription with `scope: subscription(id)`.

targetScope = 'subscription'

import { roleIds } from 'role-ids.bicep'

@description('Object id of the managed identity.')
param principalId string

resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, roleIds.reader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.reader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
