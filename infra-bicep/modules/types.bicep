// Shared parameter shapes. Properties are optional where the app has a sensible default, so a
// .bicepparam file only lists what differs from local.settings.sample.json.

@export()
@description('Resource tags: names to string values.')
type resourceTags = {
  *: string
}

@export()
@description('WeChat mini-program and WeChat Pay (API v3) settings that are not secrets. Secrets live in Key Vault.')
type weChatSettings = {
  @description('WeChat__AppId: the mini-program app id (wx...).')
  appId: string

  @description('WeChat__ApiBaseUrl. Default: https://api.weixin.qq.com')
  apiBaseUrl: string?

  @description('WeChatPay__MchId: the merchant id.')
  mchId: string

  @description('WeChatPay__MerchantSerialNo: serial number of the merchant API certificate.')
  merchantSerialNo: string

  @description('WeChatPay__BaseUrl. Default: https://api.mch.weixin.qq.com')
  payBaseUrl: string?

  @description('WeChatPay__PlatformCertificates__0: PEM of a WeChat Pay platform certificate (public). Give this or the public key.')
  platformCertificatePem: string?

  @description('WeChatPay__PublicKeys__0__Id: PUB_KEY_ID_... of the WeChat Pay public key.')
  publicKeyId: string?

  @description('WeChatPay__PublicKeys__0__Pem: PEM of the WeChat Pay public key (public).')
  publicKeyPem: string?

  @description('WeChatPay__PaymentNotifyUrl. Default: https://<app host>/api/payments/wechat/notify')
  paymentNotifyUrl: string?

  @description('WeChatPay__RefundNotifyUrl. Default: https://<app host>/api/payments/wechat/refund-notify')
  refundNotifyUrl: string?

  @description('WeChatPay__MaxClockSkewSeconds: replay window for webhook timestamps. Default: 300')
  maxClockSkewSeconds: int?
}

@export()
@description('Business defaults; omitted properties take the values of local.settings.sample.json.')
type businessSettings = {
  @description('Auth__SessionLifetimeMinutes. Default: 1440')
  sessionLifetimeMinutes: int?

  @description('Auth__AdminTokenLifetimeMinutes. Default: 480')
  adminTokenLifetimeMinutes: int?

  @description('Catalog__ReferencePriceLookbackDays. Default: 7')
  referencePriceLookbackDays: int?

  @description('Orders__UnpaidTimeoutMinutes. Default: 30')
  unpaidTimeoutMinutes: int?

  @description('Orders__AutoConfirmDays. Default: 10')
  autoConfirmDays: int?

  @description('Orders__AfterSaleDays. Default: 7')
  afterSaleDays: int?

  @description('Orders__ShippingFeeFen (fen). Default: 1000')
  shippingFeeFen: int?

  @description('Orders__FreeShippingThresholdFen (fen). Default: 9900')
  freeShippingThresholdFen: int?

  @description('Orders__MaxLinesPerOrder. Default: 50')
  maxLinesPerOrder: int?

  @description('Payments__ReconcileAfterMinutes. Default: 5')
  reconcileAfterMinutes: int?

  @description('Distribution__SettleAfterCompletionSeconds: commission stays pending this long after an order completes. Default: 604800 (7 days)')
  settleAfterCompletionSeconds: int?
}

@export()
@description('A Service Bus subscription on the integration-event topic for one downstream system.')
type eventSubscription = {
  @description('Subscription name, e.g. erp, wms, crm, bi.')
  @minLength(1)
  @maxLength(50)
  name: string

  @description('Only these event types (message property eventType) are delivered; omit for all events.')
  eventTypes: string[]?

  @description('Deliveries before a message is dead-lettered. Default: 10')
  @minValue(1)
  maxDeliveryCount: int?
}
