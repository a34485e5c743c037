// Storage for the Functions host (AzureWebJobsStorage, Durable Functions task hub), the app's
// tables and queues, and the Flex Consumption deployment package. Shared keys are disabled:
// every caller authenticates with Entra ID.

import { resourceTags } from 'types.bicep'

param name string
param location string
param tags resourceTags

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param skuName string

@description('Storage__TablePrefix, put before every table name.')
param tablePrefix string

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Principal id of the function app identity.')
param appPrincipalId string

@description('Resource id of that identity; it seeds role-assignment names, which must be known before deployment.')
param appIdentityResourceId string

// The app's tables (logical names; the app puts Storage__TablePrefix before each). The app would
// create a missing one on first use, but deploying them keeps the data estate reviewable, and
// Mall.InfraBicep.Tests fails when this list and the tables the code registers differ.
var appTables = [
  'AlertBooks'
  'AnalyticsDays'
  'AnalyticsEvents'
  'AnalyticsHours'
  'AnalyticsLateHours'
  'BargainCampaigns'
  'BargainStarters'
  'Bargains'
  'CampaignAnnouncementRecipients'
  'CampaignAnnouncements'
  'CampaignKeys'
  'Campaigns'
  'CardCampaigns'
  'CardCollections'
  'CardFulfilments'
  'Carts'
  'Categories'
  'CommissionLedger'
  'ComplianceChecks'
  'Counters'
  'CouponTemplates'
  'Coupons'
  'CustomerInterests'
  'CustomerOpenIds'
  'CustomerOrders'
  'Customers'
  'DistributionPolicy'
  'DueWork'
  'ErasedCustomers'
  'EventDeliveries'
  'ExperimentAssignments'
  'Experiments'
  'FissionControls'
  'FlashPlanRuns'
  'FlashSales'
  'FlashShards'
  'FlashSkuCalendars'
  'FlashSlotTemplates'
  'FlashTakes'
  'GroupBuyCampaigns'
  'GroupBuyGroups'
  'InviteCodes'
  'MessageSubscriptions'
  'OperatorSignIns'
  'OrderCommissions'
  'OrderPoints'
  'Orders'
  'ParkedEvents'
  'Payouts'
  'PersonalDataAudit'
  'PointsLedger'
  'PopularProducts'
  'PresaleCampaigns'
  'PresaleReservations'
  'PriceRules'
  'ProductListings'
  'Products'
  'Promoters'
  'RateAllowances'
  'ReactivationRuns'
  'RecommendationRuns'
  'Referrals'
  'RelatedProducts'
  'ReplenishmentLines'
  'ReplenishmentRuns'
  'SegmentationRuns'
  'SettledOperations'
  'ShareCredits'
  'ShareDomains'
  'ShareProgramCalendar'
  'ShareRewardPrograms'
  'ShareTierGrants'
  'SignInFailures'
  'StockAdjustments'
  'WakeUpContacts'
  'Withdrawals'
]

// Blob: host leases, Durable Functions large messages and the deployment package.
// Queue and table: Durable Functions control/work-item queues and history, plus the app's own data.
var appRoles = [
  {
    name: 'Storage Blob Data Owner'
    id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  }
  {
    name: 'Storage Queue Data Contributor'
    id: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  }
  {
    name: 'Storage Table Data Contributor'
    id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  }
]

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource tableService 'tableServices' = {
    name: 'default'

    resource tables 'tables' = [
      for table in appTables: {
        name: '${tablePrefix}${table}'
      }
    ]
  }

  resource blobService 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }
}

resource appRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in appRoles: {
    name: guid(storage.id, appIdentityResourceId, role.id)
    scope: storage
    properties: {
      description: '${role.name} for the function app identity'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.id)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
