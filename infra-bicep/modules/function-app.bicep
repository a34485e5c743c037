// Flex Consumption plan + function app. Every app setting is spelled out in one object literal so
// the compiled template can be checked against local.settings.sample.json key by key.

import { weChatSettings, businessSettings, resourceTags } from 'types.bicep'

param planName string
param name string
param location string
param tags resourceTags

@description('functionAppConfig.runtime.version for dotnet-isolated.')
param runtimeVersion string

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Allow FTP/SCM basic-auth publishing credentials (off: deploy with Entra ID).')
param allowBasicPublishingCredentials bool

// Dependencies, all reached with the user-assigned identity.
param identityResourceId string
param identityClientId string
param storageAccountName string
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string
param deploymentContainerName string
param applicationInsightsConnectionString string
param serviceBusNamespaceFqdn string
param eventTopicName string
param keyVaultUri string

// Application settings.
param storageTablePrefix string
param adminUserName string
param weChat weChatSettings
param business businessSettings

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Without this, Key Vault references would try a system-assigned identity the app does not have.
    keyVaultReferenceIdentity: identityResourceId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: runtimeVersion
      }
    }
  }

  resource ftpCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: allowBasicPublishingCredentials
    }
  }

  resource scmCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: allowBasicPublishingCredentials
    }
  }
}

var appBaseUrl = 'https://${site.properties.defaultHostName}'

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Functions host and Durable Functions (task hub MallHub from host.json): identity-based
    // storage connection instead of a connection string.
    AzureWebJobsStorage__accountName: storageAccountName
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AZURE_FUNCTIONS_ENVIRONMENT: 'Production'
    // DefaultAzureCredential in the app picks the user-assigned identity by this id.
    AZURE_CLIENT_ID: identityClientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'

    Storage__TableServiceUri: tableEndpoint
    Storage__QueueServiceUri: queueEndpoint
    Storage__TablePrefix: storageTablePrefix

    Messaging__ServiceBusNamespace: serviceBusNamespaceFqdn
    Messaging__Topic: eventTopicName
    // Only used when Messaging__ServiceBusNamespace is empty (storage-queue fallback).
    Messaging__QueueName: eventTopicName
    // The outbox dispatch queue: the app writes it (Storage__QueueServiceUri) and the dispatch
    // function's queue trigger reads it (AzureWebJobsStorage) - the same account.
    Events__DispatchQueue: 'mall-dispatch'

    // Secrets are Key Vault references. Secret name = setting name with '__' replaced by '--'
    // (Key Vault allows no '_'); versionless URIs pick up a new secret version without a redeployment.
    Auth__SessionSigningKey: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/Auth--SessionSigningKey/)'
    Auth__SessionLifetimeMinutes: string(business.?sessionLifetimeMinutes ?? 1440)
    Auth__AdminTokenLifetimeMinutes: string(business.?adminTokenLifetimeMinutes ?? 480)
    Admin__Users__0__Name: adminUserName
    Admin__Users__0__PasswordHash: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/Admin--Users--0--PasswordHash/)'
    Security__DataProtectionKey: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/Security--DataProtectionKey/)'

    WeChat__AppId: weChat.appId
    WeChat__AppSecret: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/WeChat--AppSecret/)'
    WeChat__ApiBaseUrl: weChat.?apiBaseUrl ?? 'https://api.weixin.qq.com'

    WeChatPay__MchId: weChat.mchId
    WeChatPay__MerchantSerialNo: weChat.merchantSerialNo
    WeChatPay__MerchantPrivateKey: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/WeChatPay--MerchantPrivateKey/)'
    WeChatPay__ApiV3Key: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/WeChatPay--ApiV3Key/)'
    WeChatPay__PlatformCertificates__0: weChat.?platformCertificatePem ?? ''
    WeChatPay__PublicKeys__0__Id: weChat.?publicKeyId ?? ''
    WeChatPay__PublicKeys__0__Pem: weChat.?publicKeyPem ?? ''
    WeChatPay__BaseUrl: weChat.?payBaseUrl ?? 'https://api.mch.weixin.qq.com'
    WeChatPay__PaymentNotifyUrl: weChat.?paymentNotifyUrl ?? '${appBaseUrl}/api/payments/wechat/notify'
    WeChatPay__RefundNotifyUrl: weChat.?refundNotifyUrl ?? '${appBaseUrl}/api/payments/wechat/refund-notify'
    WeChatPay__MaxClockSkewSeconds: string(weChat.?maxClockSkewSeconds ?? 300)

    Catalog__ReferencePriceLookbackDays: string(business.?referencePriceLookbackDays ?? 7)
    Orders__UnpaidTimeoutMinutes: string(business.?unpaidTimeoutMinutes ?? 30)
    Orders__AutoConfirmDays: string(business.?autoConfirmDays ?? 10)
    Orders__AfterSaleDays: string(business.?afterSaleDays ?? 7)
    Orders__ShippingFeeFen: string(business.?shippingFeeFen ?? 1000)
    Orders__FreeShippingThresholdFen: string(business.?freeShippingThresholdFen ?? 9900)
    Orders__MaxLinesPerOrder: string(business.?maxLinesPerOrder ?? 50)
    Payments__ReconcileAfterMinutes: string(business.?reconcileAfterMinutes ?? 5)
    Payments__RefundRetryMaxMinutes: string(business.?refundRetryMaxMinutes ?? 60)
    Distribution__SettleAfterCompletionSeconds: string(business.?settleAfterCompletionSeconds ?? 604800)
    Segmentation__DormantAfterDays: string(business.?dormantAfterDays ?? 180)
    Segmentation__ActiveOrdersPerMonth: string(business.?activeOrdersPerMonth ?? 3)
    Segmentation__ActiveWindowMonths: string(business.?activeWindowMonths ?? 3)
    Segmentation__CouponTemplates__Potential: business.?potentialCouponTemplateId ?? ''
    Segmentation__CouponTemplates__FirstOrder: business.?firstOrderCouponTemplateId ?? ''
    Recommendations__SlotSize: string(business.?recommendationSlotSize ?? 10)
    Recommendations__MinSupport: string(business.?recommendationMinSupport ?? 2)
    Recommendations__FeedExperimentId: business.?feedExperimentId ?? ''
    Membership__BronzeLifetimeYuan: string(business.?bronzeLifetimeYuan ?? 500)
    Membership__SilverTwelveMonthYuan: string(business.?silverTwelveMonthYuan ?? 8000)
    Membership__GoldTwelveMonthYuan: string(business.?goldTwelveMonthYuan ?? 5000)
    Membership__PointsPerYuan: string(business.?pointsPerYuan ?? 1)
    Membership__RedeemPointsPerYuan: string(business.?redeemPointsPerYuan ?? 100)
    Membership__RedeemMaxShareBps: string(business.?redeemMaxShareBps ?? 5000)
    Membership__BirthdayCouponTemplateId: business.?birthdayCouponTemplateId ?? ''
    Promotions__MemberDayOfMonth: string(business.?memberDayOfMonth ?? 8)
    Promotions__MemberDayPriceBps: string(business.?memberDayPriceBps ?? 9000)
    Promotions__Gift__Name: business.?giftName ?? ''
    Promotions__Gift__PriceFen: string(business.?giftPriceFen ?? 0)
    Promotions__Gift__SelectedByDefault: string(business.?giftSelectedByDefault ?? false)
    Reactivation__CouponTemplateId: business.?wakeUpCouponTemplateId ?? ''
    Reactivation__MessageTemplateId: business.?wakeUpMessageTemplateId ?? ''
    Campaigns__AnnouncementTemplateId: business.?campaignAnnouncementTemplateId ?? ''
    Replenishment__LeadTimeHours: string(business.?replenishmentLeadTimeHours ?? 48)
    Replenishment__ServiceLevelBps: string(business.?replenishmentServiceLevelBps ?? 9500)
    Replenishment__HistoryDays: string(business.?replenishmentHistoryDays ?? 28)
    Replenishment__ReviewDays: string(business.?replenishmentReviewDays ?? 7)
    Replenishment__SmoothingBps: string(business.?replenishmentSmoothingBps ?? 2000)
    Replenishment__TurnoverGoalPerMonth: string(business.?replenishmentTurnoverGoalPerMonth ?? 6)
    Fission__Bargains__Enabled: string(business.?fissionEnabled ?? true)
    Fission__Bargains__DailyBudgetFen: string(business.?fissionDailyBudgetFen ?? 500000)
    Fission__CardCollecting__Enabled: string(business.?fissionEnabled ?? true)
    Fission__CardCollecting__DailyBudgetFen: string(business.?fissionDailyBudgetFen ?? 500000)
    Fission__ShareRewards__Enabled: string(business.?fissionEnabled ?? true)
    Fission__ShareRewards__DailyBudgetFen: string(business.?fissionDailyBudgetFen ?? 500000)
    Sharing__LinkLifetimeDays: string(business.?shareLinkLifetimeDays ?? 7)
    Reactivation__ContactIntervalDays: string(business.?wakeUpContactIntervalDays ?? 30)
    Reactivation__ReturnWindowDays: string(business.?wakeUpReturnWindowDays ?? 30)
    Reactivation__MessagesPerSecond: string(business.?wakeUpMessagesPerSecond ?? 20)
    Limits__CustomerLoginsPerAddressPerMinute: string(business.?customerLoginsPerAddressPerMinute ?? 30)
    Limits__OperatorFailuresAllowed: string(business.?operatorFailuresAllowed ?? 5)
    Limits__OperatorLockoutSeconds: string(business.?operatorLockoutSeconds ?? 60)
    Limits__OperatorMaxLockoutSeconds: string(business.?operatorMaxLockoutSeconds ?? 3600)
    Limits__OrdersPerCustomerPerMinute: string(business.?ordersPerCustomerPerMinute ?? 10)
    Limits__UnpaidOrdersPerCustomer: string(business.?unpaidOrdersPerCustomer ?? 5)
    Compliance__PayoutChannelCapBps: string(business.?payoutChannelCapBps ?? 3000)

    Bargains__DefaultHelpsToFloor: string(business.?bargainHelpsToFloor ?? 10)
    Bargains__DefaultTimeLimitHours: string(business.?bargainTimeLimitHours ?? 24)

    CardCollecting__DefaultMissesBeforeGuarantee: string(business.?cardMissesBeforeGuarantee ?? 3)
    CardCollecting__RedeemDaysAfterEnd: string(business.?cardRedeemDaysAfterEnd ?? 7)
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
