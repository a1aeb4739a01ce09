// Optional: the Microsoft Graph application roles of stepup's identity, with the Microsoft
// Graph Bicep extension. scripts/deploy grants the same roles with `az rest` by default
// (--graph-roles az); this template is the declarative alternative (--graph-roles bicep):
//
//   az deployment group create --resource-group <rg> \
//     --template-file infra/graph-app-roles.bicep --parameters principalId=<object id>
//
// It is its own deployment so that main.bicep never needs the extension (it is fetched from
// mcr.microsoft.com at build time, and it is not available in every cloud). Either way, the
// deployer needs a Microsoft Entra role that may grant application permissions on
// Microsoft Graph: Privileged Role Administrator (or Global Administrator).

extension microsoftGraphV1

@description('Object id of stepup\'s managed identity (output `identityPrincipalId` of main.bicep).')
param principalId string

// Microsoft Graph's application id, the same in every tenant.
var graphAppId = '00000003-0000-0000-c000-000000000000'

// Application roles (app-only permissions) of Microsoft Graph, by name; the ids are the
// same in every tenant.
var graphAppRoleIds = {
  // AuditLog.Read.All: sign-in logs and userRegistrationDetails (MFA registration).
  'AuditLog.Read.All': 'b0afded3-3588-46d8-8b3d-9842eff778da'
  // User.Read.All: users, their managers and sponsors.
  'User.Read.All': 'df021288-bdef-4463-88db-98f22de89214'
}

resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

resource assignments 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [
  for role in items(graphAppRoleIds): {
    appRoleId: role.value
    principalId: principalId
    resourceId: graph.id
  }
]
