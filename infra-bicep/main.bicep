// Production infrastructure of the WeChat mall backend: Azure Functions on Flex Consumption
// (.NET isolated), Table/Queue/Blob storage, Durable Functions, Service Bus integration events,
// Key Vault secrets and Application Insights. One user-assigned identity reaches everything;
// no connection strings or account keys exist anywhere in the deployment.

targetScope = 'resourceGroup'

import { weChatSettings, settingOverrides, eventSubscription, resourceTags } from 'modules/types.bicep'

// ---- Naming and placement -------------------------------------------------------------------

@description('Short name used in every resource name (lowercase letters and digits), e.g. mall or mallprod.')
@minLength(2)
@maxLength(9)
param baseName string = 'mall'

@description('Region of all resources; it must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@description('Tags applied to every resource.')
param tags resourceTags = {}

// ---- Function app (Flex Consumption) ----------------------------------------------------------

@description('dotnet-isolated runtime version (functionAppConfig.runtime.version).')
param functionsRuntimeVersion string = '10.0'

@description('Memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound on scale-out.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Allow FTP/SCM basic-auth publishing credentials. Keep false and deploy with Entra ID.')
param allowBasicPublishingCredentials bool = false

// ---- Storage ----------------------------------------------------------------------------------

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Storage__TablePrefix: prefix of every table the app creates (lets environments share an account).')
param storageTablePrefix string = ''

// ---- Service Bus ------------------------------------------------------------------------------

@description('Service Bus tier; topics need Standard or Premium.')
@allowed([
  'Standard'
  'Premium'
])
param serviceBusSkuName string = 'Standard'

@description('Topic for integration events (Messaging__Topic).')
param eventTopicName string = 'mall-events'

@description('ISO 8601 duplicate-detection window of the topic (20 seconds to 7 days). It must cover the outbox relay\'s redelivery horizon (EventOptions.RedeliveryHorizon, under 2 hours with the defaults).')
param duplicateDetectionWindow string = 'P1D'

@description('ISO 8601 time to live of an undelivered integration event.')
param eventMessageTimeToLive string = 'P14D'

@description('One subscription per downstream system; eventTypes narrows what a subscription receives (docs/events.md lists the events).')
param eventSubscriptions eventSubscription[] = [
  {
    // Finance: revenue, refunds and promoter commissions for the books and WeChat Pay reconciliation.
    name: 'erp'
    eventTypes: [
      'OrderPaid'
      'OrderPaidAfterClose'
      'OrderCompleted'
      'OrderAfterSaleClosed'
      'OrderRefunded'
      'RefundApproved'
      'RefundSucceeded'
      'RefundFailed'
      'CommissionAccrued'
      'CommissionReduced'
      'CommissionSettled'
      'CommissionReversed'
      'CommissionPaidOut'
    ]
  }
  {
    // Warehouse: what to pick and ship, returns to restock, the SKU master, card-set gifts to send.
    name: 'wms'
    eventTypes: [
      'OrderPaid'
      'OrderShipped'
      'OrderRefunded'
      'RefundApproved'
      'ProductChanged'
      'CardSetRedeemed'
    ]
  }
  {
    // Marketing: customers, their lifecycle and rewards; CustomerErased obliges it to erase too.
    name: 'crm'
    eventTypes: [
      'CustomerRegistered'
      'CustomerErased'
      'CustomerSegmentChanged'
      'MemberTierChanged'
      'PointsChanged'
      'OrderCompleted'
      'CampaignStarted'
      'CampaignEnded'
      'ShareCredited'
      'ShareRewardGranted'
      'BargainOrdered'
      'CardSetRedeemed'
    ]
  }
  // Analytics: everything.
  { name: 'bi' }
]

// ---- Key Vault, monitoring --------------------------------------------------------------------

@description('Object id of a user or group allowed to set secrets (Key Vault Secrets Officer); empty to skip.')
param keyVaultOperatorPrincipalId string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param keyVaultOperatorPrincipalType string = 'User'

@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Email address alerts (parked events, refunds that did not succeed) are sent to.')
@minLength(3)
param alertEmail string

// ---- Application settings (non-secret) --------------------------------------------------------

@description('Admin__Users__0__Name: the operator account; its password hash is a Key Vault secret.')
param adminUserName string = 'admin'

@description('WeChat mini-program and WeChat Pay settings (no secrets).')
param weChat weChatSettings

@description('Settings that replace defaults of the app\'s options classes, by app setting name, e.g. { Orders__UnpaidTimeoutMinutes: 15 }. Leave one out to keep the app\'s default.')
param appSettingOverrides settingOverrides = {}

var resourceToken = uniqueString(subscription().id, resourceGroup().id, baseName)
var names = {
  identity: 'id-${baseName}-${resourceToken}'
  plan: 'plan-${baseName}-${resourceToken}'
  functionApp: 'func-${baseName}-${resourceToken}'
  // Storage: 3-24 lowercase letters and digits.
  storage: toLower('st${baseName}${resourceToken}')
  serviceBus: 'sb-${baseName}-${resourceToken}'
  // Key Vault: 3-24 characters.
  keyVault: 'kv-${take(baseName, 7)}-${resourceToken}'
  logAnalytics: 'log-${baseName}-${resourceToken}'
  applicationInsights: 'appi-${baseName}-${resourceToken}'
  actionGroup: 'ag-${baseName}-${resourceToken}'
}
var deploymentContainerName = 'app-package'
// Known before deployment (unlike the identity's principal id), so role-assignment names derived
// from it keep what-if precise.
var identityResourceId = resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', names.identity)

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
    appPrincipalId: identity.outputs.principalId
    appIdentityResourceId: identityResourceId
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    actionGroupName: names.actionGroup
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    email: alertEmail
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: tags
    skuName: storageSkuName
    tablePrefix: storageTablePrefix
    deploymentContainerName: deploymentContainerName
    appPrincipalId: identity.outputs.principalId
    appIdentityResourceId: identityResourceId
  }
}

module serviceBus 'modules/service-bus.bicep' = {
  name: 'service-bus'
  params: {
    name: names.serviceBus
    location: location
    tags: tags
    skuName: serviceBusSkuName
    topicName: eventTopicName
    duplicateDetectionWindow: duplicateDetectionWindow
    messageTimeToLive: eventMessageTimeToLive
    subscriptions: eventSubscriptions
    appPrincipalId: identity.outputs.principalId
    appIdentityResourceId: identityResourceId
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    appIdentityResourceId: identityResourceId
    operatorPrincipalId: keyVaultOperatorPrincipalId
    operatorPrincipalType: keyVaultOperatorPrincipalType
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    workspaceId: monitoring.outputs.workspaceId
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    planName: names.plan
    name: names.functionApp
    location: location
    tags: tags
    runtimeVersion: functionsRuntimeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    allowBasicPublishingCredentials: allowBasicPublishingCredentials
    identityResourceId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    serviceBusNamespaceFqdn: serviceBus.outputs.namespaceFqdn
    eventTopicName: serviceBus.outputs.topicName
    keyVaultUri: keyVault.outputs.uri
    storageTablePrefix: storageTablePrefix
    adminUserName: adminUserName
    weChat: weChat
    overrides: appSettingOverrides
  }
}

output functionAppName string = functionApp.outputs.name
output functionAppDefaultHostName string = functionApp.outputs.defaultHostName
output storageAccountName string = storage.outputs.name
output serviceBusNamespaceFqdn string = serviceBus.outputs.namespaceFqdn
output keyVaultName string = keyVault.outputs.name
output keyVaultUri string = keyVault.outputs.uri
output identityClientId string = identity.outputs.clientId
output applicationInsightsName string = monitoring.outputs.applicationInsightsName
