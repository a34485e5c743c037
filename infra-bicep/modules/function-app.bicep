// Flex Consumption plan + function app. The settings the deployment decides are spelled out in one
// object literal, so the compiled template can be checked against local.settings.sample.json key by
// key; a setting whose default lives in the app's options classes is only set when overridden.

import { weChatSettings, settingOverrides, resourceTags } from 'types.bicep'

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
@description('Settings that replace the defaults of the app\'s options classes; absent ones keep the default.')
param overrides settingOverrides

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

// App settings are strings; string() turns 45 into '45' and true into 'True', both bindable.
var overriddenSettings = toObject(items(overrides), setting => setting.key, setting => string(setting.value))

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: union({
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
    // function's queue trigger reads it (AzureWebJobsStorage) - the same account. Set although
    // EventOptions has the same default: the host resolves the trigger's %Events:DispatchQueue%
    // from app settings only.
    Events__DispatchQueue: 'mall-dispatch'

    // Secrets are Key Vault references. Secret name = setting name with '__' replaced by '--'
    // (Key Vault allows no '_'); versionless URIs pick up a new secret version without a redeployment.
    Auth__SessionSigningKey: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/Auth--SessionSigningKey/)'
    Admin__Users__0__Name: adminUserName
    Admin__Users__0__PasswordHash: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/Admin--Users--0--PasswordHash/)'
    Security__DataProtectionKey: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/Security--DataProtectionKey/)'

    WeChat__AppId: weChat.appId
    WeChat__AppSecret: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/WeChat--AppSecret/)'

    WeChatPay__MchId: weChat.mchId
    WeChatPay__MerchantSerialNo: weChat.merchantSerialNo
    WeChatPay__MerchantPrivateKey: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/WeChatPay--MerchantPrivateKey/)'
    WeChatPay__ApiV3Key: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/WeChatPay--ApiV3Key/)'
    WeChatPay__PlatformCertificates__0: weChat.?platformCertificatePem ?? ''
    WeChatPay__PublicKeys__0__Id: weChat.?publicKeyId ?? ''
    WeChatPay__PublicKeys__0__Pem: weChat.?publicKeyPem ?? ''
    WeChatPay__PaymentNotifyUrl: weChat.?paymentNotifyUrl ?? '${appBaseUrl}/api/payments/wechat/notify'
    WeChatPay__RefundNotifyUrl: weChat.?refundNotifyUrl ?? '${appBaseUrl}/api/payments/wechat/refund-notify'
  }, overriddenSettings)
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
