// Shared parameter shapes. A default the app has lives in its options class only: the template
// sets such a setting only when a deployment overrides it (settingOverrides).

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

  @description('WeChatPay__MchId: the merchant id.')
  mchId: string

  @description('WeChatPay__MerchantSerialNo: serial number of the merchant API certificate.')
  merchantSerialNo: string

  @description('WeChatPay__PlatformCertificates__0: PEM of a WeChat Pay platform certificate (public). Give this or the public key.')
  platformCertificatePem: string?

  @description('WeChatPay__PublicKeys__0__Id: PUB_KEY_ID_... of the WeChat Pay public key.')
  publicKeyId: string?

  @description('WeChatPay__PublicKeys__0__Pem: PEM of the WeChat Pay public key (public).')
  publicKeyPem: string?

  @description('WeChatPay__PaymentNotifyUrl, when a custom domain fronts the app. Without it: https://<app host>/api/payments/wechat/notify')
  paymentNotifyUrl: string?

  @description('WeChatPay__RefundNotifyUrl, when a custom domain fronts the app. Without it: https://<app host>/api/payments/wechat/refund-notify')
  refundNotifyUrl: string?
}

@export()
@description('Overrides of settings whose defaults live in the app\'s options classes (e.g. Orders__UnpaidTimeoutMinutes in OrderOptions). Each property is the app setting of that name; leave it out to keep the app\'s default.')
type settingOverrides = {
  @description('How long a customer session token is valid, minutes.')
  Auth__SessionLifetimeMinutes: int?

  @description('How long an operator token is valid, minutes.')
  Auth__AdminTokenLifetimeMinutes: int?

  @description('A reference price must have been the selling price within this many days.')
  Catalog__ReferencePriceLookbackDays: int?

  @description('An unpaid order closes (its stock released) after this many minutes.')
  Orders__UnpaidTimeoutMinutes: int?

  @description('A shipped order is confirmed automatically after this many days.')
  Orders__AutoConfirmDays: int?

  @description('Days after completion in which refunds may be asked for.')
  Orders__AfterSaleDays: int?

  @description('Shipping fee of an order below the free-shipping threshold, fen.')
  Orders__ShippingFeeFen: int?

  @description('Goods amount from which shipping is free, fen.')
  Orders__FreeShippingThresholdFen: int?

  @description('Most lines in one order.')
  Orders__MaxLinesPerOrder: int?

  @description('An order still unpaid this many minutes after its prepay is queried at WeChat Pay, in case a notification was lost.')
  Payments__ReconcileAfterMinutes: int?

  @description('Longest wait between automatic resubmissions of a refund WeChat Pay refused for a retryable reason (NOT_ENOUGH, SYSTEM_ERROR, FREQUENCY_LIMITED, SIGN_ERROR).')
  Payments__RefundRetryMaxMinutes: int?

  @description('Commission stays pending this long after an order completes.')
  Distribution__SettleAfterCompletionSeconds: int?

  @description('No interaction this long makes a customer Dormant.')
  Segmentation__DormantAfterDays: int?

  @description('Paid orders per month (on average) that make a customer Active.')
  Segmentation__ActiveOrdersPerMonth: int?

  @description('Months the Active average is taken over.')
  Segmentation__ActiveWindowMonths: int?

  @description('Coupon template granted on becoming Potential (new-user gift pack).')
  Segmentation__CouponTemplates__Potential: string?

  @description('Coupon template granted after the first order (threshold coupon).')
  Segmentation__CouponTemplates__FirstOrder: string?

  @description('Products a recommendation slot shows.')
  Recommendations__SlotSize: int?

  @description('Baskets two products must share before one is recommended with the other.')
  Recommendations__MinSupport: int?

  @description('The experiment (id) comparing the personal feed with the popular list; empty runs none.')
  Recommendations__FeedExperimentId: string?

  @description('Cumulative net paid for Bronze.')
  Membership__BronzeLifetimeYuan: int?

  @description('Net paid over the last 12 months for Silver.')
  Membership__SilverTwelveMonthYuan: int?

  @description('Gold needs more than this over 12 months with an order every month.')
  Membership__GoldTwelveMonthYuan: int?

  @description('Points earned per yuan paid.')
  Membership__PointsPerYuan: int?

  @description('Points worth one yuan at checkout.')
  Membership__RedeemPointsPerYuan: int?

  @description('Most of the goods amount payable with points, basis points.')
  Membership__RedeemMaxShareBps: int?

  @description('Coupon template of the birthday gift pack.')
  Membership__BirthdayCouponTemplateId: string?

  @description('CST day of the monthly member day, 0 for none.')
  Promotions__MemberDayOfMonth: int?

  @description('What members pay on the member day, basis points of the list price.')
  Promotions__MemberDayPriceBps: int?

  @description('The gift option at checkout; empty for none.')
  Promotions__Gift__Name: string?

  @description('Its price (fen).')
  Promotions__Gift__PriceFen: int?

  @description('Ticked by default (only a free gift may be).')
  Promotions__Gift__SelectedByDefault: bool?

  @description('The wake-up coupon template.')
  Reactivation__CouponTemplateId: string?

  @description('The recall subscribe-message template.')
  Reactivation__MessageTemplateId: string?

  @description('The campaign pre-announcement subscribe-message template.')
  Campaigns__AnnouncementTemplateId: string?

  @description('Hours from a replenishment order to the goods on sale (48-hour supply response in the seed).')
  Replenishment__LeadTimeHours: int?

  @description('Chance that stock lasts through the lead time, basis points (sets the safety stock).')
  Replenishment__ServiceLevelBps: int?

  @description('CST days of sales the demand forecast learns from.')
  Replenishment__HistoryDays: int?

  @description('Days of demand beyond the lead time a suggested order covers.')
  Replenishment__ReviewDays: int?

  @description('Smoothing constant of the forecast (weight of the newest day), basis points.')
  Replenishment__SmoothingBps: int?

  @description('The inventory turnover aimed for, times a month.')
  Replenishment__TurnoverGoalPerMonth: int?

  @description('The mechanic runs until an operator switches it off (PUT manage/fission/{mechanic} overrides).')
  Fission__Bargains__Enabled: bool?

  @description('What the mechanic may give away per CST day, fen (operators override per mechanic).')
  Fission__Bargains__DailyBudgetFen: int?

  @description('The mechanic runs until an operator switches it off (PUT manage/fission/{mechanic} overrides).')
  Fission__CardCollecting__Enabled: bool?

  @description('What the mechanic may give away per CST day, fen (operators override per mechanic).')
  Fission__CardCollecting__DailyBudgetFen: int?

  @description('The mechanic runs until an operator switches it off (PUT manage/fission/{mechanic} overrides).')
  Fission__ShareRewards__Enabled: bool?

  @description('What the mechanic may give away per CST day, fen (operators override per mechanic).')
  Fission__ShareRewards__DailyBudgetFen: int?

  @description('How long a share link credits new customers to its sharer.')
  Sharing__LinkLifetimeDays: int?

  @description('At most one wake-up per customer this often.')
  Reactivation__ContactIntervalDays: int?

  @description('A payment this soon after a wake-up counts as a return.')
  Reactivation__ReturnWindowDays: int?

  @description('Send rate of recall messages.')
  Reactivation__MessagesPerSecond: int?

  @description('Customer logins per client address and minute.')
  Limits__CustomerLoginsPerAddressPerMinute: int?

  @description('Failed operator sign-ins per account and per address before a lockout.')
  Limits__OperatorFailuresAllowed: int?

  @description('The first lockout; it doubles with each further failure.')
  Limits__OperatorLockoutSeconds: int?

  @description('The longest lockout.')
  Limits__OperatorMaxLockoutSeconds: int?

  @description('Orders a customer may create per minute.')
  Limits__OrdersPerCustomerPerMinute: int?

  @description('Open unpaid orders a customer may hold.')
  Limits__UnpaidOrdersPerCustomer: int?

  @description('The most of an order the payout channel lets commissions take; a policy above it is saved with the warning commission-over-payout-cap.')
  Compliance__PayoutChannelCapBps: int?

  @description('Helps that bring a bargain to its floor when its campaign does not say (1-100).')
  Bargains__DefaultHelpsToFloor: int?

  @description('The time limit of a bargain when its campaign does not say (1-168).')
  Bargains__DefaultTimeLimitHours: int?

  @description('For card campaigns that do not set it, draws in a row without a missing card before the next gives one (0–20).')
  CardCollecting__DefaultMissesBeforeGuarantee: int?

  @description('Days after a card campaign ends in which a full set can still be redeemed (0–90).')
  CardCollecting__RedeemDaysAfterEnd: int?

  @description('The mini-program API root (change it only for a proxy).')
  WeChat__ApiBaseUrl: string?

  @description('The WeChat Pay API v3 root (change it only for a proxy).')
  WeChatPay__BaseUrl: string?

  @description('How far a webhook timestamp may be off before the notification is refused as a replay, seconds.')
  WeChatPay__MaxClockSkewSeconds: int?
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
