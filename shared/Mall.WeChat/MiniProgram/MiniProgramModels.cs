using System.Text.Json.Serialization;

namespace Mall.WeChat.MiniProgram;

// Wire models of the mini-program server API, field names exactly as WeChat documents them.

/// <summary>The errcode/errmsg every mini-program API answers with (errcode 0 or absent = success).</summary>
public record WeChatApiResult
{
    [JsonPropertyName("errcode")]
    public int ErrCode { get; init; }

    [JsonPropertyName("errmsg")]
    public string? ErrMsg { get; init; }
}

/// <summary>Answer of <c>GET /sns/jscode2session</c>. ToString hides the session key, which must never be logged.</summary>
public sealed record Code2SessionResponse : WeChatApiResult
{
    [JsonPropertyName("openid")]
    public string? OpenId { get; init; }

    [JsonPropertyName("session_key")]
    public string? SessionKey { get; init; }

    [JsonPropertyName("unionid")]
    public string? UnionId { get; init; }

    public override string ToString() => $"Code2SessionResponse {{ OpenId = {OpenId}, UnionId = {UnionId}, ErrCode = {ErrCode}, ErrMsg = {ErrMsg} }}";
}

/// <summary>Body of <c>POST /cgi-bin/stable_token</c>. ToString hides the secret.</summary>
public sealed record StableTokenRequest
{
    public const string ClientCredential = "client_credential";

    [JsonPropertyName("grant_type")]
    public string? GrantType { get; init; }

    [JsonPropertyName("appid")]
    public string? AppId { get; init; }

    [JsonPropertyName("secret")]
    public string? Secret { get; init; }

    [JsonPropertyName("force_refresh")]
    public bool ForceRefresh { get; init; }

    public override string ToString() => $"StableTokenRequest {{ GrantType = {GrantType}, AppId = {AppId}, ForceRefresh = {ForceRefresh} }}";
}

/// <summary>Answer of stable_token (and of the classic cgi-bin/token). ToString hides the token.</summary>
public sealed record AccessTokenResponse : WeChatApiResult
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; init; }

    /// <summary>Lifetime in seconds (7200 for stable tokens).</summary>
    [JsonPropertyName("expires_in")]
    public int ExpiresIn { get; init; }

    public override string ToString() => $"AccessTokenResponse {{ ExpiresIn = {ExpiresIn}, ErrCode = {ErrCode}, ErrMsg = {ErrMsg} }}";
}

/// <summary>Body of <c>POST /cgi-bin/message/subscribe/send</c>.</summary>
public sealed record SubscribeMessageRequest
{
    [JsonPropertyName("touser")]
    public string? ToUser { get; init; }

    [JsonPropertyName("template_id")]
    public string? TemplateId { get; init; }

    [JsonPropertyName("page")]
    public string? Page { get; init; }

    [JsonPropertyName("data")]
    public IReadOnlyDictionary<string, SubscribeMessageValue>? Data { get; init; }

    /// <summary>developer, trial or formal (default formal).</summary>
    [JsonPropertyName("miniprogram_state")]
    public string? MiniProgramState { get; init; }

    [JsonPropertyName("lang")]
    public string? Lang { get; init; }
}

public sealed record SubscribeMessageValue
{
    [JsonPropertyName("value")]
    public string? Value { get; init; }
}

/// <summary>Body of <c>POST /wxa/business/getuserphonenumber</c>: the code a getPhoneNumber button gave the mini-program.</summary>
public sealed record GetPhoneNumberRequest
{
    [JsonPropertyName("code")]
    public string? Code { get; init; }
}

/// <summary>Answer of <c>getuserphonenumber</c>. ToString hides the number: personal data is never logged.</summary>
public sealed record GetPhoneNumberResponse : WeChatApiResult
{
    [JsonPropertyName("phone_info")]
    public PhoneInfo? PhoneInfo { get; init; }

    public override string ToString() => $"GetPhoneNumberResponse {{ ErrCode = {ErrCode}, ErrMsg = {ErrMsg} }}";
}

/// <summary>The user's phone number as WeChat verified it. ToString hides it.</summary>
public sealed record PhoneInfo
{
    /// <summary>The number the user chose; numbers outside mainland China carry their country code.</summary>
    [JsonPropertyName("phoneNumber")]
    public string? PhoneNumber { get; init; }

    /// <summary>The number without a country code.</summary>
    [JsonPropertyName("purePhoneNumber")]
    public string? PurePhoneNumber { get; init; }

    /// <summary>Documented as a string, yet the documentation's own example answers a number: both are read.</summary>
    [JsonPropertyName("countryCode")]
    [JsonConverter(typeof(StringOrNumberConverter))]
    public string? CountryCode { get; init; }

    [JsonPropertyName("watermark")]
    public PhoneWatermark? Watermark { get; init; }

    public override string ToString() => $"PhoneInfo {{ CountryCode = {CountryCode}, Watermark = {Watermark} }}";
}

/// <summary>Which app the number was given to, and when the user gave it.</summary>
public sealed record PhoneWatermark
{
    /// <summary>Unix seconds.</summary>
    [JsonPropertyName("timestamp")]
    public long Timestamp { get; init; }

    [JsonPropertyName("appid")]
    public string? AppId { get; init; }
}

/// <summary>Body of <c>POST /wxa/sec/order/upload_shipping_info</c> (发货信息录入).</summary>
public sealed record UploadShippingInfoRequest
{
    [JsonPropertyName("order_key")]
    public ShippingOrderKey? OrderKey { get; init; }

    /// <summary>One of <see cref="LogisticsTypes"/>.</summary>
    [JsonPropertyName("logistics_type")]
    public int LogisticsType { get; init; }

    /// <summary>One of <see cref="DeliveryModes"/> (unified: everything in one go; split: several parcels).</summary>
    [JsonPropertyName("delivery_mode")]
    public int DeliveryMode { get; init; }

    [JsonPropertyName("is_all_delivered")]
    public bool? IsAllDelivered { get; init; }

    [JsonPropertyName("shipping_list")]
    public IReadOnlyList<ShippingItem>? ShippingList { get; init; }

    [JsonPropertyName("upload_time")]
    [JsonConverter(typeof(WeChatTimeConverter))]
    public DateTimeOffset? UploadTime { get; init; }

    [JsonPropertyName("payer")]
    public Payer? Payer { get; init; }
}

public sealed record ShippingOrderKey
{
    /// <summary>One of <see cref="ShippingOrderNumberTypes"/>.</summary>
    [JsonPropertyName("order_number_type")]
    public int OrderNumberType { get; init; }

    [JsonPropertyName("transaction_id")]
    public string? TransactionId { get; init; }

    [JsonPropertyName("mchid")]
    public string? MchId { get; init; }

    [JsonPropertyName("out_trade_no")]
    public string? OutTradeNo { get; init; }
}

public sealed record ShippingItem
{
    [JsonPropertyName("tracking_no")]
    public string? TrackingNo { get; init; }

    [JsonPropertyName("express_company")]
    public string? ExpressCompany { get; init; }

    [JsonPropertyName("item_desc")]
    public string? ItemDesc { get; init; }

    [JsonPropertyName("contact")]
    public ShippingContact? Contact { get; init; }
}

/// <summary>Masked phone numbers; WeChat requires one for SF Express parcels.</summary>
public sealed record ShippingContact
{
    [JsonPropertyName("consignor_contact")]
    public string? ConsignorContact { get; init; }

    [JsonPropertyName("receiver_contact")]
    public string? ReceiverContact { get; init; }
}

/// <summary><see cref="ShippingOrderKey.OrderNumberType"/> values.</summary>
public static class ShippingOrderNumberTypes
{
    public const int ByOutTradeNo = 1;
    public const int ByTransactionId = 2;
}

/// <summary><see cref="UploadShippingInfoRequest.LogisticsType"/> values.</summary>
public static class LogisticsTypes
{
    public const int Express = 1;
    public const int SameCity = 2;
    public const int Virtual = 3;
    public const int PickUp = 4;
}

/// <summary><see cref="UploadShippingInfoRequest.DeliveryMode"/> values.</summary>
public static class DeliveryModes
{
    public const int Unified = 1;
    public const int Split = 2;
}

/// <summary>Body of <c>POST /wxa/sec/order/get_order</c> (查询订单发货状态): transaction_id, or merchant_id + merchant_trade_no.</summary>
public sealed record GetShippingOrderRequest
{
    [JsonPropertyName("transaction_id")]
    public string? TransactionId { get; init; }

    [JsonPropertyName("merchant_id")]
    public string? MerchantId { get; init; }

    [JsonPropertyName("merchant_trade_no")]
    public string? MerchantTradeNo { get; init; }
}

/// <summary>Answer of <c>get_order</c>.</summary>
public sealed record GetShippingOrderResponse : WeChatApiResult
{
    [JsonPropertyName("order")]
    public ShippingOrder? Order { get; init; }
}

/// <summary>A payment as the order shipping service (发货信息管理服务) records it.</summary>
public sealed record ShippingOrder
{
    [JsonPropertyName("transaction_id")]
    public string? TransactionId { get; init; }

    [JsonPropertyName("merchant_id")]
    public string? MerchantId { get; init; }

    [JsonPropertyName("merchant_trade_no")]
    public string? MerchantTradeNo { get; init; }

    [JsonPropertyName("openid")]
    public string? OpenId { get; init; }

    [JsonPropertyName("paid_amount")]
    public long PaidAmount { get; init; }

    /// <summary>One of <see cref="ShippingOrderStates"/>.</summary>
    [JsonPropertyName("order_state")]
    public int OrderState { get; init; }

    [JsonPropertyName("in_complaint")]
    public bool InComplaint { get; init; }

    [JsonPropertyName("shipping")]
    public ShippingRecord? Shipping { get; init; }
}

/// <summary>The shipping WeChat holds for a payment.</summary>
public sealed record ShippingRecord
{
    [JsonPropertyName("delivery_mode")]
    public int DeliveryMode { get; init; }

    [JsonPropertyName("logistics_type")]
    public int LogisticsType { get; init; }

    [JsonPropertyName("finish_shipping")]
    public bool FinishShipping { get; init; }

    /// <summary>0 before the goods are all shipped, 1 after, 2 once the one permitted re-upload was used.</summary>
    [JsonPropertyName("finish_shipping_count")]
    public int FinishShippingCount { get; init; }

    [JsonPropertyName("shipping_list")]
    public IReadOnlyList<ShippedParcel>? ShippingList { get; init; }
}

public sealed record ShippedParcel
{
    [JsonPropertyName("tracking_no")]
    public string? TrackingNo { get; init; }

    [JsonPropertyName("express_company")]
    public string? ExpressCompany { get; init; }

    [JsonPropertyName("goods_desc")]
    public string? GoodsDesc { get; init; }

    /// <summary>Unix seconds.</summary>
    [JsonPropertyName("upload_time")]
    public long UploadTime { get; init; }
}

/// <summary><see cref="ShippingOrder.OrderState"/> values: 待发货, 已发货, 确认收货, 交易完成, 已退款.</summary>
public static class ShippingOrderStates
{
    public const int AwaitingShipment = 1;
    public const int Shipped = 2;
    public const int ReceiptConfirmed = 3;
    public const int Completed = 4;
    public const int Refunded = 5;
}

/// <summary>
/// errcode values the clients act on, and what each means for the caller (<see cref="Classify"/>). Sources:
/// developers.weixin.qq.com server API docs (auth.code2Session, subscribeMessage.send, 发货信息管理服务 and the
/// global return codes) and WxJava's WxMaErrorMsgEnum.
/// </summary>
public static class WeChatErrorCodes
{
    public const int Busy = -1;
    public const int InvalidAccessToken = 40001;
    public const int InvalidOpenId = 40003;
    public const int IllegalAccessToken = 40014;
    public const int InvalidCode = 40029;
    public const int InvalidTemplateId = 40037;
    public const int CodeUsed = 40163;
    public const int HighRiskUser = 40226;
    public const int InvalidPage = 41030;
    public const int AccessTokenExpired = 42001;
    public const int UserRefusedMessage = 43101;
    public const int MinuteQuotaReached = 45009;
    public const int RateLimited = 45011;
    public const int DataFormatError = 47001;
    public const int InvalidTemplateData = 47003;
    public const int ApiUnauthorized = 48001;
    public const int PaymentNotFound = 10060001;
    public const int ShippingCompleted = 10060002;
    public const int ShippingUpdateUsed = 10060003;
    public const int NotShippable = 10060004;
    public const int ShippingSystemError = 10060012;
    public const int ShippingWriteConflict = 10060019;
    public const int PayerMismatch = 10060031;

    /// <summary>The access token is not (or no longer) valid: fetch a fresh one and call again, once (as WxJava does).</summary>
    public static bool IsTokenError(int errCode) => errCode is InvalidAccessToken or IllegalAccessToken or AccessTokenExpired;

    /// <summary>What a non-zero errcode means. Codes not listed are final: the request must change before it can succeed.</summary>
    public static WeChatApiFailure Classify(int errCode) => errCode switch
    {
        InvalidCode or CodeUsed => WeChatApiFailure.InvalidLoginCode,
        HighRiskUser => WeChatApiFailure.LoginBlocked,
        UserRefusedMessage => WeChatApiFailure.RefusedByUser,
        ShippingCompleted or ShippingUpdateUsed => WeChatApiFailure.AlreadyDone,
        NotShippable => WeChatApiFailure.NotAllowedNow,

        // Busy and rate limits pass; a payment reaches the shipping service up to a minute after it is made
        // (10060001); a write conflict or system error at the shipping service is worth another try. A token
        // error still there right after a refresh means another server rotated it meanwhile.
        Busy or MinuteQuotaReached or RateLimited or PaymentNotFound or ShippingSystemError or ShippingWriteConflict => WeChatApiFailure.Unavailable,
        _ when IsTokenError(errCode) => WeChatApiFailure.Unavailable,
        _ => WeChatApiFailure.Rejected,
    };
}
