// The action group Service Health alerts notify: one webhook to stepup's
// /api/service-health function, in the common alert schema.

@description('Name of the action group.')
param name string

@description('Tags for the action group.')
param tags object

@description('Host name of the function app.')
param functionAppHostName string

@description('Function key of the service-health function; it becomes the `code` query parameter of the webhook URL.')
@secure()
param functionKey string

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: name
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'stepup'
    enabled: true
    webhookReceivers: [
      {
        name: 'stepup-service-health'
        serviceUri: 'https://${functionAppHostName}/api/service-health?code=${functionKey}'
        useCommonAlertSchema: true
        useAadAuth: false
      }
    ]
  }
}

@description('Resource id of the action group.')
output id string = actionGroup.id
