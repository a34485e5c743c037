using Mall.Domain.Orders;

namespace Mall.Application.WeChat;

/// <summary>Mini-program login: exchanges a wx.login code for the user's identity (jscode2session).</summary>
public interface IWeChatLogin
{
    /// <exception cref="WeChatException">Invalid, expired or used code (<see cref="WeChatFailure.InvalidLoginCode"/>), a login WeChat's
    /// risk control blocks (<see cref="WeChatFailure.LoginBlocked"/>), or WeChat unavailable.</exception>
    Task<WeChatSession> ExchangeCodeAsync(string code, CancellationToken cancellationToken);
}

/// <summary>
/// The user's identity from jscode2session. <see cref="SessionKey"/> is a secret: it never leaves the
/// server and is never logged (ToString is overridden to hide it).
/// </summary>
public sealed record WeChatSession(string OpenId, string? UnionId, string SessionKey)
{
    public override string ToString() => $"WeChatSession {{ OpenId = {OpenId}, UnionId = {UnionId}, SessionKey = *** }}";
}

/// <summary>Mini-program server APIs that need an access token (obtained via the stable_token API and cached).</summary>
public interface IWeChatMiniProgram
{
    /// <summary>/wxa/sec/order/upload_shipping_info — required for trading mini-programs or funds stay frozen.</summary>
    /// <exception cref="WeChatException">
    /// <see cref="WeChatFailure.AlreadyDone"/>: WeChat holds shipping info for the payment and takes no further update;
    /// <see cref="WeChatFailure.NotAllowedNow"/>: the payment is not shippable at WeChat (ask <see cref="GetShippingStateAsync"/> why);
    /// <see cref="WeChatFailure.Rejected"/>: final until something changes (payer mismatch, API not authorised, bad data);
    /// <see cref="WeChatFailure.Unavailable"/>: try again later.
    /// </exception>
    Task UploadShippingInfoAsync(ShippingInfoUpload upload, CancellationToken cancellationToken);

    /// <summary>/wxa/sec/order/get_order — the payment's shipping state at WeChat; null if WeChat does not know it (yet).</summary>
    Task<WeChatShippingState?> GetShippingStateAsync(string transactionId, CancellationToken cancellationToken);

    /// <summary>/wxa/business/getuserphonenumber — the phone number behind a getPhoneNumber button's code (once, within 5 minutes).</summary>
    /// <exception cref="WeChatException">
    /// <see cref="WeChatFailure.InvalidLoginCode"/>: the code is invalid, expired or used (40029);
    /// <see cref="WeChatFailure.Rejected"/>: WeChat refuses the mall (40013 appid, the API not enabled…);
    /// <see cref="WeChatFailure.Unavailable"/>: busy (-1), rate-limited (45011), unreachable — a used code may then be gone.
    /// </exception>
    Task<WeChatPhoneNumber> GetPhoneNumberAsync(string code, CancellationToken cancellationToken);

    /// <summary>
    /// Checks <paramref name="message"/> against WeChat's template value rules without calling WeChat: the
    /// reason WeChat would refuse it (47003), or null.
    /// </summary>
    string? FindTemplateDataViolation(SubscribeMessage message);

    /// <summary>/cgi-bin/message/subscribe/send — one-time subscribe message.</summary>
    /// <exception cref="WeChatException"><see cref="WeChatFailure.RefusedByUser"/> (43101), <see cref="WeChatFailure.Rejected"/>
    /// (the message is wrong: 47003, 40003, 40037, 41030…) or <see cref="WeChatFailure.Unavailable"/>.</exception>
    Task SendSubscribeMessageAsync(SubscribeMessage message, CancellationToken cancellationToken);
}

public sealed record ShippingInfoUpload(
    string TransactionId,
    string PayerOpenId,
    string ExpressCompany,
    string TrackingNumber,
    string ItemDescription,
    string? ReceiverContactMasked,
    DateTimeOffset UploadTime);

/// <summary>A phone number WeChat verified for the user (with its country code outside mainland China). ToString masks it.</summary>
public sealed record WeChatPhoneNumber(string PhoneNumber, string? CountryCode)
{
    public override string ToString() => $"WeChatPhoneNumber {{ PhoneNumber = {Platform.PersonalData.MaskPhone(PhoneNumber)}, CountryCode = {CountryCode} }}";
}

public sealed record SubscribeMessage(
    string ToOpenId,
    string TemplateId,
    string? Page,
    IReadOnlyDictionary<string, string> Data);

/// <summary>WeChat Pay API v3 (JSAPI), merchant side. Requests are signed and responses verified.</summary>
public interface IWeChatPay
{
    /// <summary>POST /v3/pay/transactions/jsapi; returns the prepay_id.</summary>
    Task<string> CreateJsapiPrepayAsync(JsapiPrepayRequest request, CancellationToken cancellationToken);

    /// <summary>The parameters the mini-program passes to wx.requestPayment, signed with the merchant key.</summary>
    RequestPaymentParameters SignRequestPayment(string prepayId);

    /// <summary>GET /v3/pay/transactions/out-trade-no/{no} (查单); null if WeChat has no such order.</summary>
    Task<PaymentTransaction?> QueryTransactionAsync(string outTradeNo, CancellationToken cancellationToken);

    /// <summary>POST /v3/pay/transactions/out-trade-no/{no}/close.</summary>
    /// <exception cref="WeChatException"><see cref="WeChatFailure.AlreadyPaid"/> if the order was paid meanwhile.</exception>
    Task CloseTransactionAsync(string outTradeNo, CancellationToken cancellationToken);

    /// <summary>POST /v3/refund/domestic/refunds. Idempotent per out_refund_no at WeChat.</summary>
    Task<RefundStatusReport> CreateRefundAsync(RefundSubmission request, CancellationToken cancellationToken);

    /// <summary>GET /v3/refund/domestic/refunds/{out_refund_no}; null if unknown.</summary>
    Task<RefundStatusReport?> QueryRefundAsync(string outRefundNo, CancellationToken cancellationToken);

    /// <summary>POST /v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund: an ABNORMAL refund goes to another account.</summary>
    Task<RefundStatusReport> ApplyAbnormalRefundAsync(AbnormalRefundInstruction instruction, CancellationToken cancellationToken);

    /// <summary>
    /// Verifies (Wechatpay-Signature over "timestamp\nnonce\nbody\n", key chosen by Wechatpay-Serial among
    /// platform certificates and WeChat Pay public keys, timestamp skew) and decrypts a payment
    /// notification, and checks its mchid/appid belong to this merchant.
    /// </summary>
    /// <exception cref="WebhookRejectedException">Anything that is not a genuine notification for this merchant.</exception>
    PaymentTransaction ReadPaymentNotification(WebhookRequest request);

    /// <summary>Same verification as payments, for REFUND.* notifications.</summary>
    /// <exception cref="WebhookRejectedException">Anything that is not a genuine notification for this merchant.</exception>
    RefundStatusReport ReadRefundNotification(WebhookRequest request);
}

/// <summary>Raw webhook as received: the body exactly as sent (signatures cover the bytes) and its headers.</summary>
public sealed record WebhookRequest(string Body, IReadOnlyDictionary<string, string> Headers);

public sealed record JsapiPrepayRequest(
    string OutTradeNo,
    string Description,
    long AmountFen,
    string PayerOpenId,
    DateTimeOffset ExpiresAt,
    string? Attach);

public sealed record RequestPaymentParameters(
    string AppId,
    string TimeStamp,
    string NonceStr,
    string Package,
    string SignType,
    string PaySign);

public enum TradeState
{
    Success,
    Refund,
    NotPay,
    Closed,
    Revoked,
    UserPaying,
    PayError,
}

/// <summary>A WeChat Pay transaction as reported by a notification or a query.</summary>
/// <param name="SuccessTime">When WeChat took the money, in UTC (WeChat reports CST).</param>
public sealed record PaymentTransaction(
    string OutTradeNo,
    string? TransactionId,
    TradeState TradeState,
    long TotalFen,
    string? Currency,
    long? PayerTotalFen,
    string? PayerOpenId,
    DateTimeOffset? SuccessTime,
    string? NotificationId);

public sealed record RefundSubmission(
    string OutTradeNo,
    string OutRefundNo,
    long RefundFen,
    long TotalFen,
    string Reason);

/// <summary>
/// Where an ABNORMAL refund goes instead. The card number and the name are the buyer's personal data:
/// sent to WeChat encrypted, never stored or logged (ToString hides them).
/// </summary>
/// <param name="RefundId">WeChat's refund_id.</param>
public sealed record AbnormalRefundInstruction(string RefundId, string OutRefundNo, AbnormalRefundDestination Destination, string? BankType, string? BankAccount, string? RealName)
{
    public override string ToString() => $"AbnormalRefundInstruction {{ RefundId = {RefundId}, OutRefundNo = {OutRefundNo}, Destination = {Destination}, BankType = {BankType}, BankAccount = ***, RealName = *** }}";
}

public enum RefundState
{
    Processing,
    Success,
    Closed,
    Abnormal,
}

public sealed record RefundStatusReport(
    string OutTradeNo,
    string OutRefundNo,
    string? RefundId,
    RefundState State,
    long RefundFen,
    DateTimeOffset? SuccessTime);

public enum WeChatFailure
{
    /// <summary>A one-time code (wx.login's, or a getPhoneNumber button's) is invalid, expired or already used.</summary>
    InvalidLoginCode,

    /// <summary>WeChat's risk control blocks this user's login (40226).</summary>
    LoginBlocked,

    /// <summary>The user refused the message or holds no subscription to its template at WeChat (43101).</summary>
    RefusedByUser,

    /// <summary>WeChat holds the result already and takes no further change (shipping info recorded, its one update used).</summary>
    AlreadyDone,

    /// <summary>The object's state at WeChat does not allow the request now (e.g. a payment that cannot ship).</summary>
    NotAllowedNow,

    /// <summary>The order was paid before it could be closed.</summary>
    AlreadyPaid,

    /// <summary>WeChat refused the request (business error); not worth retrying as is.</summary>
    Rejected,

    /// <summary>Network error, 5xx, busy or unverifiable response: retry later.</summary>
    Unavailable,
}

public sealed class WeChatException : Exception
{
    public WeChatException(WeChatFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    public WeChatException()
        : this(WeChatFailure.Unavailable, "WeChat is unavailable.")
    {
    }

    public WeChatException(string message)
        : this(WeChatFailure.Unavailable, message)
    {
    }

    public WeChatException(string message, Exception innerException)
        : this(WeChatFailure.Unavailable, message, innerException)
    {
    }

    public WeChatFailure Failure { get; }

    /// <summary>WeChat may have carried the request out (no readable answer): do not assume it did not happen.</summary>
    public bool OutcomeUnknown { get; init; }

    /// <summary>WeChat's own code (an errcode such as 10060031, or a v3 code such as NOT_ENOUGH) when it answered one.</summary>
    public string? ErrorCode { get; init; }
}

public enum WebhookRejection
{
    MissingHeaders,
    UnknownSerial,
    StaleTimestamp,
    InvalidSignature,
    MalformedBody,
    DecryptionFailed,
    MerchantMismatch,
    UnexpectedEventType,
}

/// <summary>A webhook that must not be trusted. The HTTP layer answers 4xx with {code,message} so WeChat retries.</summary>
public sealed class WebhookRejectedException : Exception
{
    public WebhookRejectedException(WebhookRejection reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public WebhookRejectedException()
        : this(WebhookRejection.InvalidSignature, "The webhook could not be verified.")
    {
    }

    public WebhookRejectedException(string message)
        : this(WebhookRejection.InvalidSignature, message)
    {
    }

    public WebhookRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = WebhookRejection.InvalidSignature;
    }

    public WebhookRejection Reason { get; }
}
