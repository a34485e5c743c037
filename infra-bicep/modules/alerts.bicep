// Alerts on the app's own OpenTelemetry metrics (exported to Application Insights, table
// customMetrics): events parked for an operator and refunds WeChat Pay did not complete. Each
// notifies one action group by email.

import { resourceTags } from 'types.bicep'

param actionGroupName string
param location string
param tags resourceTags

@description('Resource id of the Application Insights component the metrics arrive in.')
param applicationInsightsId string

@description('Where alerts are mailed.')
param email string

// Counters: a value above zero within the window means it happened at least once.
var rules = [
  {
    name: 'poisoned-events'
    metric: 'mall.events.poisoned'
    description: 'An integration event was parked after its last retry (or could not be read): look at manage/events/parked.'
  }
  {
    name: 'refunds-not-succeeded'
    metric: 'mall.refunds.not_succeeded'
    description: 'A refund did not succeed at WeChat Pay, so the money has not gone back: look at the order\'s refunds under manage/orders.'
  }
]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    enabled: true
    groupShortName: 'mall-ops'
    emailReceivers: [
      {
        name: 'operators'
        emailAddress: email
        useCommonAlertSchema: true
      }
    ]
  }
}

resource metricAlerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in rules: {
    name: '${actionGroupName}-${rule.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.metric
      description: rule.description
      severity: 1
      enabled: true
      scopes: [
        applicationInsightsId
      ]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      criteria: {
        allOf: [
          {
            query: 'customMetrics | where name == \'${rule.metric}\' | summarize occurrences = sum(valueSum)'
            timeAggregation: 'Total'
            metricMeasureColumn: 'occurrences'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

output actionGroupId string = actionGroup.id
