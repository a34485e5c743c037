// Integration events for downstream systems (ERP/WMS/CRM/BI). The app sets MessageId to the event
// id, so duplicate detection on the topic drops the repeats an at-least-once outbox relay produces.

import { eventSubscription, resourceTags } from 'types.bicep'

param name string
param location string
param tags resourceTags

@description('Standard is the smallest tier with topics.')
@allowed([
  'Standard'
  'Premium'
])
param skuName string

param topicName string

@description('ISO 8601 duration during which a repeated MessageId is dropped (20 seconds to 7 days).')
param duplicateDetectionWindow string

@description('ISO 8601 time to live of an undelivered event.')
param messageTimeToLive string

param subscriptions eventSubscription[]

@description('Principal id of the function app identity (sends only).')
param appPrincipalId string

@description('Resource id of that identity; it seeds role-assignment names, which must be known before deployment.')
param appIdentityResourceId string

var serviceBusDataSenderRoleId = '69a216fc-b8fb-44d8-bc22-1f3c2552ae39'

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuName
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
    defaultMessageTimeToLive: messageTimeToLive
    enableBatchedOperations: true
    maxSizeInMegabytes: 1024
  }
}

resource topicSubscriptions 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = [
  for subscription in subscriptions: {
    parent: topic
    name: subscription.name
    properties: {
      maxDeliveryCount: subscription.?maxDeliveryCount ?? 10
      lockDuration: 'PT1M'
      defaultMessageTimeToLive: messageTimeToLive
      deadLetteringOnMessageExpiration: true
      deadLetteringOnFilterEvaluationExceptions: true
      enableBatchedOperations: true
    }
  }
]

// Replacing the $Default (match-all) rule narrows a subscription to the listed event types.
resource subscriptionFilters 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules@2024-01-01' = [
  for (subscription, i) in subscriptions: if (!empty(subscription.?eventTypes ?? [])) {
    parent: topicSubscriptions[i]
    name: '$Default'
    properties: {
      filterType: 'SqlFilter'
      sqlFilter: {
        sqlExpression: format(
          'eventType IN ({0})',
          join(map(subscription.?eventTypes ?? [], type => '\'${type}\''), ', ')
        )
      }
    }
  }
]

// Scoped to the topic: the app only ever sends to this one entity.
resource senderRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, appIdentityResourceId, serviceBusDataSenderRoleId)
  scope: topic
  properties: {
    description: 'Azure Service Bus Data Sender on the integration-event topic for the function app identity'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSenderRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output namespaceName string = namespace.name
// serviceBusEndpoint is https://<fqdn>:443/; the SDK wants the bare host name.
output namespaceFqdn string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
output topicName string = topic.name
