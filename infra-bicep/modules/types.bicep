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

  @description('Payments__RefundRetryMaxMinutes: longest wait between automatic resubmissions of a refund WeChat Pay refused for a retryable reason (NOT_ENOUGH, SYSTEM_ERROR, FREQUENCY_LIMITED, SIGN_ERROR). Default: 60')
  refundRetryMaxMinutes: int?

  @description('Distribution__SettleAfterCompletionSeconds: commission stays pending this long after an order completes. Default: 604800 (7 days)')
  settleAfterCompletionSeconds: int?

  @description('Segmentation__DormantAfterDays: no interaction this long makes a customer Dormant. Default: 180')
  dormantAfterDays: int?

  @description('Segmentation__ActiveOrdersPerMonth: paid orders per month (on average) that make a customer Active. Default: 3')
  activeOrdersPerMonth: int?

  @description('Segmentation__ActiveWindowMonths: months the Active average is taken over. Default: 3')
  activeWindowMonths: int?

  @description('Segmentation__CouponTemplates__Potential: coupon template granted on becoming Potential (new-user gift pack). Default: none')
  potentialCouponTemplateId: string?

  @description('Segmentation__CouponTemplates__FirstOrder: coupon template granted after the first order (threshold coupon). Default: none')
  firstOrderCouponTemplateId: string?

  @description('Recommendations__SlotSize: products a recommendation slot shows. Default: 10')
  recommendationSlotSize: int?

  @description('Recommendations__MinSupport: baskets two products must share to count as related. Default: 2')
  recommendationMinSupport: int?

  @description('Recommendations__FeedExperimentId: experiment (variants personal, popular) deciding the home feed. Default: none')
  feedExperimentId: string?

  @description('Membership__BronzeLifetimeYuan: cumulative net paid for Bronze. Default: 500')
  bronzeLifetimeYuan: int?

  @description('Membership__SilverTwelveMonthYuan: net paid over the last 12 months for Silver. Default: 8000')
  silverTwelveMonthYuan: int?

  @description('Membership__GoldTwelveMonthYuan: Gold needs more than this over 12 months with an order every month. Default: 5000')
  goldTwelveMonthYuan: int?

  @description('Membership__PointsPerYuan: points earned per yuan paid. Default: 1')
  pointsPerYuan: int?

  @description('Membership__RedeemPointsPerYuan: points worth one yuan at checkout. Default: 100')
  redeemPointsPerYuan: int?

  @description('Membership__RedeemMaxShareBps: most of the goods amount payable with points, basis points. Default: 5000')
  redeemMaxShareBps: int?

  @description('Membership__BirthdayCouponTemplateId: coupon template of the birthday gift pack. Default: none')
  birthdayCouponTemplateId: string?

  @description('Promotions__MemberDayOfMonth: CST day of the monthly member day, 0 for none. Default: 8')
  memberDayOfMonth: int?

  @description('Promotions__MemberDayPriceBps: what members pay on the member day, basis points of the list price. Default: 9000')
  memberDayPriceBps: int?

  @description('Promotions__Gift__Name: the gift option at checkout; empty for none. Default: none')
  giftName: string?

  @description('Promotions__Gift__PriceFen: its price (fen). Default: 0')
  giftPriceFen: int?

  @description('Promotions__Gift__SelectedByDefault: ticked by default (only a free gift may be). Default: false')
  giftSelectedByDefault: bool?

  @description('Reactivation__CouponTemplateId: the wake-up coupon template. Default: none')
  wakeUpCouponTemplateId: string?

  @description('Reactivation__MessageTemplateId: the recall subscribe-message template. Default: none')
  wakeUpMessageTemplateId: string?

  @description('Campaigns__AnnouncementTemplateId: the campaign pre-announcement subscribe-message template. Default: none (campaigns are not announced)')
  campaignAnnouncementTemplateId: string?

  @description('Replenishment__LeadTimeHours: hours from a replenishment order to the goods on sale (48-hour supply response in the seed). Default: 48')
  replenishmentLeadTimeHours: int?

  @description('Replenishment__ServiceLevelBps: chance that stock lasts through the lead time, basis points (sets the safety stock). Default: 9500')
  replenishmentServiceLevelBps: int?

  @description('Replenishment__HistoryDays: CST days of sales the demand forecast learns from. Default: 28')
  replenishmentHistoryDays: int?

  @description('Replenishment__ReviewDays: days of demand beyond the lead time a suggested order covers. Default: 7')
  replenishmentReviewDays: int?

  @description('Replenishment__SmoothingBps: smoothing constant of the forecast (weight of the newest day), basis points. Default: 2000')
  replenishmentSmoothingBps: int?

  @description('Replenishment__TurnoverGoalPerMonth: the inventory turnover aimed for, times a month. Default: 6')
  replenishmentTurnoverGoalPerMonth: int?

  @description('Fission__{Bargains,CardCollecting,ShareRewards}__Enabled: each social-fission mechanic runs until an operator switches it off (PUT manage/fission/{mechanic} overrides). Default: true')
  fissionEnabled: bool?

  @description('Fission__{Bargains,CardCollecting,ShareRewards}__DailyBudgetFen: what each mechanic may give away per CST day, fen (operators override per mechanic). Default: 500000')
  fissionDailyBudgetFen: int?

  @description('Sharing__LinkLifetimeDays: how long a share link credits new customers to its sharer. Default: 7')
  shareLinkLifetimeDays: int?

  @description('Reactivation__ContactIntervalDays: at most one wake-up per customer this often. Default: 30')
  wakeUpContactIntervalDays: int?

  @description('Reactivation__ReturnWindowDays: a payment this soon after a wake-up counts as a return. Default: 30')
  wakeUpReturnWindowDays: int?

  @description('Reactivation__MessagesPerSecond: send rate of recall messages. Default: 20')
  wakeUpMessagesPerSecond: int?

  @description('Limits__CustomerLoginsPerAddressPerMinute: customer logins per client address and minute. Default: 30')
  customerLoginsPerAddressPerMinute: int?

  @description('Limits__OperatorFailuresAllowed: failed operator sign-ins per account and per address before a lockout. Default: 5')
  operatorFailuresAllowed: int?

  @description('Limits__OperatorLockoutSeconds: the first lockout; it doubles with each further failure. Default: 60')
  operatorLockoutSeconds: int?

  @description('Limits__OperatorMaxLockoutSeconds: the longest lockout. Default: 3600')
  operatorMaxLockoutSeconds: int?

  @description('Limits__OrdersPerCustomerPerMinute: orders a customer may create per minute. Default: 10')
  ordersPerCustomerPerMinute: int?

  @description('Limits__UnpaidOrdersPerCustomer: open unpaid orders a customer may hold. Default: 5')
  unpaidOrdersPerCustomer: int?

  @description('Compliance__PayoutChannelCapBps: the most of an order the payout channel lets commissions take; a policy above it is saved with the warning commission-over-payout-cap. Default: 3000 (WeChat Pay profit sharing, 30%)')
  payoutChannelCapBps: int?

  @description('Bargains__DefaultHelpsToFloor: helps that bring a bargain to its floor when its campaign does not say (1-100). Default: 10')
  bargainHelpsToFloor: int?

  @description('Bargains__DefaultTimeLimitHours: the time limit of a bargain when its campaign does not say (1-168). Default: 24')
  bargainTimeLimitHours: int?

  @description('CardCollecting__DefaultMissesBeforeGuarantee: for card campaigns that do not set it, draws in a row without a missing card before the next gives one (0–20). Default: 3')
  cardMissesBeforeGuarantee: int?

  @description('CardCollecting__RedeemDaysAfterEnd: days after a card campaign ends in which a full set can still be redeemed (0–90). Default: 7')
  cardRedeemDaysAfterEnd: int?
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
