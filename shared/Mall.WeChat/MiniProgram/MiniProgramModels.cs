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

/// <summary>errcode values the clients act on.</summary>
public static class WeChatErrorCodes
{
    public const int Busy = -1;
    public const int InvalidAccessToken = 40001;
    public const int InvalidCode = 40029;
    public const int CodeUsed = 40163;
    public const int AccessTokenExpired = 42001;
    public const int RateLimited = 45011;
}
