// Example parameters for a production deployment. No secrets here: the six secret settings are
// Key Vault references whose values operators set with `az keyvault secret set` (see README.md).

using 'main.bicep'

param baseName = 'mall'
param tags = {
  app: 'wechat-mall'
  env: 'prod'
}

param functionsRuntimeVersion = '10.0'
param instanceMemoryMB = 2048
param maximumInstanceCount = 100

param storageSkuName = 'Standard_ZRS'

param duplicateDetectionWindow = 'P1D'
param eventSubscriptions = [
  { name: 'erp' }
  {
    name: 'wms'
    eventTypes: [
      'OrderPaid'
      'OrderRefunded'
    ]
  }
  {
    name: 'crm'
    eventTypes: [
      'CustomerSegmentChanged'
      'MemberTierChanged'
      'OrderCompleted'
    ]
  }
  { name: 'bi' }
]

// Object id of the operator group that sets the Key Vault secrets (az ad group show -g <name> --query id).
param keyVaultOperatorPrincipalId = ''
param keyVaultOperatorPrincipalType = 'Group'

param adminUserName = 'admin'

param weChat = {
  appId: 'wx0000000000000000'
  mchId: '1900000000'
  merchantSerialNo: '0000000000000000000000000000000000000000'
  // Give the WeChat Pay public key (current mode) and/or a platform certificate. Both are public,
  // so the PEM may sit next to this file and be loaded at build time, e.g.:
  //   publicKeyId: 'PUB_KEY_ID_0000000000000000000000000000000000'
  //   publicKeyPem: loadTextContent('wechatpay-public-key.pem')
  //   platformCertificatePem: loadTextContent('wechatpay-platform-cert.pem')
  // Notify URLs default to https://<function app host>/api/payments/wechat/notify and
  // /refund-notify; set paymentNotifyUrl/refundNotifyUrl when a custom domain fronts the app.
}

param business = {
  unpaidTimeoutMinutes: 30
  autoConfirmDays: 10
}
