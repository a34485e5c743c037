// Example parameters for a production deployment. No secrets here: the six secret settings are
// Key Vault references whose values operators set with `az keyvault secret set` (see docs/deploy.md).

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

// The topic's duplicate detection window and its subscriptions (erp, wms, crm, bi) keep the
// template's defaults; see main.bicep.

// Parked events and refunds that did not succeed are mailed here.
param alertEmail = 'mall-ops@example.com'

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

// Only what this shop decides differently from the app's defaults (the options classes), by app
// setting name, e.g. { Orders__UnpaidTimeoutMinutes: 15, Promotions__Gift__Name: '品鉴小样' }.
param appSettingOverrides = {}
