// An activity-log alert on the ServiceHealth category of one subscription. An activity-log
// alert only watches the subscription it lives in, so there is one per scanned subscription.

@description('Name of the alert rule.')
param name string

@description('Tags for the alert rule.')
param tags object

@description('Resource id of the action group to notify (may be in another subscription).')
param actionGroupId string

@description('Service Health event types that fire the alert; empty for all of them.')
param incidentTypes array

var incidentCondition = empty(incidentTypes) ? [] : [
  {
    anyOf: map(incidentTypes, t => {
      field: 'properties.incidentType'
      equals: t
    })
  }
]

resource alert 'Microsoft.Insights/activityLogAlerts@2020-10-01' = {
  name: name
  location: 'Global'
  tags: tags
  properties: {
    enabled: true
    description: 'Azure Service Health events of this subscription, sent to stepup (/api/service-health).'
    scopes: [
      subscription().id
    ]
    condition: {
      allOf: concat([
        {
          field: 'category'
          equals: 'ServiceHealth'
        }
      ], incidentCondition)
    }
    actions: {
      actionGroups: [
        {
          actionGroupId: actionGroupId
        }
      ]
    }
  }
}
