using System.Text.Json.Serialization;

namespace Mall.WeChat.Pay;

// Wire models of WeChat Pay API v3, field names exactly as WeChat documents them. Records so tests and the
// sandbox can derive variants with `with`.

/// <summary>Body of <c>POST /v3/pay/transactions/jsapi</c>.</summary>
public sealed record JsapiPrepayOrder
{
    [JsonPropertyName("appid")]
    public string? AppId { get; init; }

    [JsonPropertyName("mchid")]
    public string? MchId { get; init; }

    [JsonPropertyName("description")]
    public string? Description { get; init; }

    [JsonPropertyName("out_trade_no")]
    public string? OutTradeNo { get; init; }

    [JsonPropertyName("time_expire")]
    [JsonConverter(typeof(WeChatTimeConverter))]
    public DateTimeOffset? TimeExpire { get; init; }

    [JsonPropertyName("attach")]
    public string? Attach { get; init; }

    [JsonPropertyName("notify_url")]
    public string? NotifyUrl { get; init; }

    [JsonPropertyName("amount")]
    public TransactionAmount? Amount { get; init; }

    [JsonPropertyName("payer")]
    public Payer? Payer { get; init; }
}

public sealed record PrepayResponse
{
    [JsonPropertyName("prepay_id")]
    public string? PrepayId { get; init; }
}

/// <summary>Amount of a transaction (prepay request: total and currency; query/notification: all fields).</summary>
public sealed record TransactionAmount
{
    [JsonPropertyName("total")]
    public long Total { get; init; }

    [JsonPropertyName("payer_total")]
    public long? PayerTotal { get; init; }

    [JsonPropertyName("currency")]
    public string? Currency { get; init; }

    [JsonPropertyName("payer_currency")]
    public string? PayerCurrency { get; init; }
}

/// <summary>A transaction: the answer to 查单 and the decrypted resource of a TRANSACTION.* notification.</summary>
public sealed record Transaction
{
    [JsonPropertyName("appid")]
    public string? AppId { get; init; }

    [JsonPropertyName("mchid")]
    public string? MchId { get; init; }

    [JsonPropertyName("out_trade_no")]
    public string? OutTradeNo { get; init; }

    [JsonPropertyName("transaction_id")]
    public string? TransactionId { get; init; }

    [JsonPropertyName("trade_type")]
    public string? TradeType { get; init; }

    /// <summary>One of <see cref="TradeStates"/>.</summary>
    [JsonPropertyName("trade_state")]
    public string? TradeState { get; init; }

    [JsonPropertyName("trade_state_desc")]
    public string? TradeStateDesc { get; init; }

    [JsonPropertyName("bank_type")]
    public string? BankType { get; init; }

    [JsonPropertyName("attach")]
    public string? Attach { get; init; }

    [JsonPropertyName("success_time")]
    [JsonConverter(typeof(WeChatTimeConverter))]
    public DateTimeOffset? SuccessTime { get; init; }

    [JsonPropertyName("payer")]
    public Payer? Payer { get; init; }

    [JsonPropertyName("amount")]
    public TransactionAmount? Amount { get; init; }

    /// <summary>Coupons applied by WeChat Pay (kept as sent: the mall does not act on them; [] while unpaid).</summary>
    [JsonPropertyName("promotion_detail")]
    public IReadOnlyList<System.Text.Json.JsonElement>? PromotionDetail { get; init; }
}

public static class TradeStates
{
    public const string Success = "SUCCESS";
    public const string Refund = "REFUND";
    public const string NotPay = "NOTPAY";
    public const string Closed = "CLOSED";
    public const string Revoked = "REVOKED";
    public const string UserPaying = "USERPAYING";
    public const string PayError = "PAYERROR";
}

/// <summary>Body of <c>POST /v3/pay/transactions/out-trade-no/{no}/close</c>.</summary>
public sealed record CloseTransactionRequest
{
    [JsonPropertyName("mchid")]
    public string? MchId { get; init; }
}

/// <summary>Body of <c>POST /v3/refund/domestic/refunds</c> (by transaction_id or out_trade_no).</summary>
public sealed record CreateRefundRequest
{
    [JsonPropertyName("transaction_id")]
    public string? TransactionId { get; init; }

    [JsonPropertyName("out_trade_no")]
    public string? OutTradeNo { get; init; }

    [JsonPropertyName("out_refund_no")]
    public string? OutRefundNo { get; init; }

    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("notify_url")]
    public string? NotifyUrl { get; init; }

    [JsonPropertyName("funds_account")]
    public string? FundsAccount { get; init; }

    [JsonPropertyName("amount")]
    public RefundAmount? Amount { get; init; }
}

/// <summary>Amount of a refund (request: refund, total, currency; answers and notifications: more).</summary>
public sealed record RefundAmount
{
    [JsonPropertyName("refund")]
    public long Refund { get; init; }

    [JsonPropertyName("total")]
    public long Total { get; init; }

    [JsonPropertyName("currency")]
    public string? Currency { get; init; }

    [JsonPropertyName("payer_total")]
    public long? PayerTotal { get; init; }

    [JsonPropertyName("payer_refund")]
    public long? PayerRefund { get; init; }

    [JsonPropertyName("settlement_refund")]
    public long? SettlementRefund { get; init; }

    [JsonPropertyName("settlement_total")]
    public long? SettlementTotal { get; init; }

    [JsonPropertyName("discount_refund")]
    public long? DiscountRefund { get; init; }
}

/// <summary>A refund: the answer to refund creation and to refund query.</summary>
public sealed record Refund
{
    [JsonPropertyName("refund_id")]
    public string? RefundId { get; init; }

    [JsonPropertyName("out_refund_no")]
    public string? OutRefundNo { get; init; }

    [JsonPropertyName("transaction_id")]
    public string? TransactionId { get; init; }

    [JsonPropertyName("out_trade_no")]
    public string? OutTradeNo { get; init; }

    [JsonPropertyName("channel")]
    public string? Channel { get; init; }

    [JsonPropertyName("user_received_account")]
    public string? UserReceivedAccount { get; init; }

    [JsonPropertyName("success_time")]
    [JsonConverter(typeof(WeChatTimeConverter))]
    public DateTimeOffset? SuccessTime { get; init; }

    [JsonPropertyName("create_time")]
    [JsonConverter(typeof(WeChatTimeConverter))]
    public DateTimeOffset? CreateTime { get; init; }

    /// <summary>One of <see cref="RefundStatuses"/>.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    [JsonPropertyName("funds_account")]
    public string? FundsAccount { get; init; }

    [JsonPropertyName("amount")]
    public RefundAmount? Amount { get; init; }
}

/// <summary>The decrypted resource of a REFUND.* notification.</summary>
public sealed record RefundNotificationResource
{
    [JsonPropertyName("mchid")]
    public string? MchId { get; init; }

    [JsonPropertyName("transaction_id")]
    public string? TransactionId { get; init; }

    [JsonPropertyName("out_trade_no")]
    public string? OutTradeNo { get; init; }

    [JsonPropertyName("refund_id")]
    public string? RefundId { get; init; }

    [JsonPropertyName("out_refund_no")]
    public string? OutRefundNo { get; init; }

    /// <summary>One of <see cref="RefundStatuses"/>.</summary>
    [JsonPropertyName("refund_status")]
    public string? RefundStatus { get; init; }

    [JsonPropertyName("success_time")]
    [JsonConverter(typeof(WeChatTimeConverter))]
    public DateTimeOffset? SuccessTime { get; init; }

    [JsonPropertyName("user_received_account")]
    public string? UserReceivedAccount { get; init; }

    [JsonPropertyName("amount")]
    public RefundAmount? Amount { get; init; }
}

public static class RefundStatuses
{
    public const string Success = "SUCCESS";
    public const string Closed = "CLOSED";
    public const string Processing = "PROCESSING";
    public const string Abnormal = "ABNORMAL";
}

/// <summary>The outer JSON of a notification; <see cref="Resource"/> is encrypted.</summary>
public sealed record NotificationEnvelope
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("create_time")]
    [JsonConverter(typeof(WeChatTimeConverter))]
    public DateTimeOffset? CreateTime { get; init; }

    /// <summary>One of <see cref="NotificationEventTypes"/>.</summary>
    [JsonPropertyName("event_type")]
    public string? EventType { get; init; }

    [JsonPropertyName("resource_type")]
    public string? ResourceType { get; init; }

    [JsonPropertyName("resource")]
    public NotificationResource? Resource { get; init; }

    [JsonPropertyName("summary")]
    public string? Summary { get; init; }
}

public sealed record NotificationResource
{
    [JsonPropertyName("algorithm")]
    public string? Algorithm { get; init; }

    [JsonPropertyName("ciphertext")]
    public string? Ciphertext { get; init; }

    [JsonPropertyName("associated_data")]
    public string? AssociatedData { get; init; }

    /// <summary><c>transaction</c> or <c>refund</c>.</summary>
    [JsonPropertyName("original_type")]
    public string? OriginalType { get; init; }

    [JsonPropertyName("nonce")]
    public string? Nonce { get; init; }
}

public static class NotificationEventTypes
{
    public const string TransactionSuccess = "TRANSACTION.SUCCESS";
    public const string RefundSuccess = "REFUND.SUCCESS";
    public const string RefundAbnormal = "REFUND.ABNORMAL";
    public const string RefundClosed = "REFUND.CLOSED";
}

/// <summary>The body of a v3 error answer.</summary>
public sealed record WeChatPayError
{
    [JsonPropertyName("code")]
    public string? Code { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }
}

/// <summary>v3 error codes the clients act on.</summary>
public static class WeChatPayErrorCodes
{
    public const string OrderNotExist = "ORDER_NOT_EXIST";
    public const string ResourceNotExists = "RESOURCE_NOT_EXISTS";
    public const string OrderPaid = "ORDERPAID";
    public const string OrderClosed = "ORDER_CLOSED";
    public const string SystemError = "SYSTEM_ERROR";
    public const string SignError = "SIGN_ERROR";
    public const string ParamError = "PARAM_ERROR";
    public const string InvalidRequest = "INVALID_REQUEST";
    public const string AppIdMchIdNotMatch = "APPID_MCHID_NOT_MATCH";
    public const string NotEnough = "NOT_ENOUGH";
    public const string NoAuth = "NO_AUTH";
    public const string FrequencyLimited = "FREQUENCY_LIMITED";
    public const string BizErrNeedRetry = "BIZ_ERR_NEED_RETRY";
    public const string MchNotExists = "MCH_NOT_EXISTS";
    public const string UserAccountAbnormal = "USER_ACCOUNT_ABNORMAL";
    public const string NotFound = "NOT_FOUND";

    /// <summary>
    /// Errors WeChat Pay means to be retried, with the same parameters (for a refund, the same
    /// out_refund_no), from the error table of 申请退款
    /// (https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create.html): SYSTEM_ERROR (系统超时),
    /// BIZ_ERR_NEED_RETRY (退款业务流程错误，需要商户触发重试), FREQUENCY_LIMITED (频率限制，降低频率后重试),
    /// NOT_ENOUGH (余额不足: the merchant's refundable balance is short, common right after a big sale;
    /// top up and resubmit) and SIGN_ERROR (签名错误: our signature, e.g. during a key rotation). The
    /// rest of that table is final as asked: PARAM_ERROR, INVALID_REQUEST, MCH_NOT_EXISTS, NO_AUTH
    /// (没有退款权限), RESOURCE_NOT_EXISTS, USER_ACCOUNT_ABNORMAL (用户帐号注销: refund outside WeChat).
    /// </summary>
    public static bool IsRetryable(string? code) =>
        code is SystemError or BizErrNeedRetry or FrequencyLimited or NotEnough or SignError;
}

/// <summary>
/// Body of <c>POST /v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund</c>
/// (https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create-abnormal-refund.html): where a
/// refund WeChat reported ABNORMAL goes instead. The card number and name are encrypted with WeChat
/// Pay's public key (<see cref="WeChatPaySensitiveData"/>) and the request names that key in Wechatpay-Serial.
/// </summary>
public sealed record AbnormalRefundRequest
{
    [JsonPropertyName("out_refund_no")]
    public string? OutRefundNo { get; init; }

    /// <summary>One of <see cref="AbnormalRefundTypes"/>.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    /// <summary>The user's bank (WeChat's bank type, e.g. ICBC_DEBIT); for <see cref="AbnormalRefundTypes.UserBankCard"/>.</summary>
    [JsonPropertyName("bank_type")]
    public string? BankType { get; init; }

    [JsonPropertyName("bank_account")]
    public string? BankAccount { get; init; }

    [JsonPropertyName("real_name")]
    public string? RealName { get; init; }
}

public static class AbnormalRefundTypes
{
    /// <summary>退款到用户银行卡: to a debit card the user gives (bank_type, bank_account and real_name required).</summary>
    public const string UserBankCard = "USER_BANK_CARD";

    /// <summary>退款至交易商户银行账户: to the merchant's bank account, which pays the user back itself.</summary>
    public const string MerchantBankCard = "MERCHANT_BANK_CARD";
}
