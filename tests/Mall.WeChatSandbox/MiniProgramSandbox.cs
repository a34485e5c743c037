using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Pay;

namespace Mall.WeChat.Sandbox;

/// <summary>
/// The mini-program server API: login codes, access tokens, subscribe messages, shipping uploads.
/// Answers are errcode/errmsg JSON with HTTP 200, as WeChat does.
/// </summary>
internal sealed class MiniProgramSandbox
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(2);

    // WeChat lets a merchant correct shipping info once after the first upload.
    private const int MaxShippingUploads = 2;

    private readonly WeChatSandboxOptions options;
    private readonly PaySandbox pay;
    private readonly Lock gate = new();
    private readonly HashSet<string> usedCodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> shippingUploadsByTransaction = new(StringComparer.Ordinal);
    private readonly List<SandboxSubscribeMessage> subscribeMessages = [];
    private readonly List<SandboxShippingUpload> shippingUploads = [];
    private string? accessToken;
    private DateTimeOffset accessTokenExpiresAt;
    private int accessTokenRequests;

    public MiniProgramSandbox(WeChatSandboxOptions options, PaySandbox pay)
    {
        this.options = options;
        this.pay = pay;
    }

    public int AccessTokenRequests => Volatile.Read(ref accessTokenRequests);

    public IReadOnlyList<SandboxSubscribeMessage> SubscribeMessages
    {
        get
        {
            lock (gate)
            {
                return [.. subscribeMessages];
            }
        }
    }

    public IReadOnlyList<SandboxShippingUpload> ShippingUploads
    {
        get
        {
            lock (gate)
            {
                return [.. shippingUploads];
            }
        }
    }

    private DateTimeOffset Now => options.TimeProvider.GetUtcNow();

    /// <summary>
    /// The openid of the user behind a login code: the part before an optional '#', so "alice#1" and
    /// "alice#2" are two logins of the same user. Stable across restarts for the same appid.
    /// </summary>
    public static string OpenIdFor(string appId, string code)
    {
        var user = code.Split('#', 2)[0];
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(appId + "|" + user));
        return "o" + Convert.ToBase64String(hash).Replace('+', '-').Replace('/', '_')[..27];
    }

    public object Code2Session(string? appId, string? secret, string? code, string? grantType)
    {
        if (CheckApp(appId, secret) is { } appError)
        {
            return appError;
        }

        if (grantType != "authorization_code")
        {
            return Answer(40002, "invalid grant_type");
        }

        if (string.IsNullOrWhiteSpace(code))
        {
            return Answer(WeChatErrorCodes.InvalidCode, "invalid code");
        }

        lock (gate)
        {
            if (!usedCodes.Add(code))
            {
                return Answer(WeChatErrorCodes.CodeUsed, "code been used");
            }
        }

        return new Code2SessionResponse
        {
            OpenId = OpenIdFor(options.AppId, code),
            SessionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)),
        };
    }

    /// <summary>stable_token (and the classic token API): the current token until it expires, a new one on force_refresh.</summary>
    public object Token(string? grantType, string? appId, string? secret, bool forceRefresh)
    {
        if (CheckApp(appId, secret) is { } appError)
        {
            return appError;
        }

        if (grantType != StableTokenRequest.ClientCredential)
        {
            return Answer(40002, "invalid grant_type");
        }

        Interlocked.Increment(ref accessTokenRequests);
        lock (gate)
        {
            if (forceRefresh || accessToken is null || Now >= accessTokenExpiresAt)
            {
                IssueToken();
            }

            return new AccessTokenResponse { AccessToken = accessToken, ExpiresIn = (int)(accessTokenExpiresAt - Now).TotalSeconds };
        }
    }

    /// <summary>Replaces the current token, as if another server forced a refresh: the old one now gets 40001.</summary>
    public void RotateAccessToken()
    {
        lock (gate)
        {
            IssueToken();
        }
    }

    public object SendSubscribeMessage(string? token, string body)
    {
        if (CheckToken(token) is { } tokenError)
        {
            return tokenError;
        }

        if (!TryParse<SubscribeMessageRequest>(body, out var message))
        {
            return Answer(47001, "data format error");
        }

        if (string.IsNullOrWhiteSpace(message.ToUser))
        {
            return Answer(40003, "invalid openid");
        }

        if (string.IsNullOrWhiteSpace(message.TemplateId))
        {
            return Answer(40037, "invalid template_id");
        }

        if (message.Data is null || message.Data.Count == 0)
        {
            return Answer(47003, "argument invalid! data is empty");
        }

        lock (gate)
        {
            subscribeMessages.Add(new SandboxSubscribeMessage(Now, message));
            return new { errcode = 0, errmsg = "ok", msgid = subscribeMessages.Count };
        }
    }

    public object UploadShippingInfo(string? token, string body)
    {
        if (CheckToken(token) is { } tokenError)
        {
            return tokenError;
        }

        if (!TryParse<UploadShippingInfoRequest>(body, out var upload) || upload.OrderKey is null)
        {
            return Answer(47001, "data format error: order_key is required");
        }

        if (InvalidShipping(upload) is { } invalid)
        {
            return Answer(47001, "data format error: " + invalid);
        }

        var transaction = pay.FindTransaction(upload.OrderKey);
        if (transaction is null)
        {
            return Answer(10060001, "支付单不存在");
        }

        if (transaction.TradeState is not (TradeStates.Success or TradeStates.Refund))
        {
            return Answer(10060004, "支付单处于不可发货的状态");
        }

        if (transaction.Payer?.OpenId != upload.Payer?.OpenId)
        {
            return Answer(47001, "data format error: payer.openid does not match the transaction's payer");
        }

        lock (gate)
        {
            var uploads = shippingUploadsByTransaction.GetValueOrDefault(transaction.TransactionId!);
            if (uploads >= MaxShippingUploads)
            {
                return Answer(10060003, "支付单已使用重新发货机会");
            }

            shippingUploadsByTransaction[transaction.TransactionId!] = uploads + 1;
            shippingUploads.Add(new SandboxShippingUpload(Now, upload));
            return Answer(0, "ok");
        }
    }

    private static WeChatApiResult Answer(int errCode, string errMsg) => new() { ErrCode = errCode, ErrMsg = errMsg };

    private static string? InvalidShipping(UploadShippingInfoRequest upload) => upload switch
    {
        { LogisticsType: < LogisticsTypes.Express or > LogisticsTypes.PickUp } => "logistics_type must be 1-4",
        { DeliveryMode: not (DeliveryModes.Unified or DeliveryModes.Split) } => "delivery_mode must be 1 or 2",
        { ShippingList: null or { Count: 0 or > 10 } } => "shipping_list needs 1-10 items",
        { UploadTime: null } => "upload_time is required",
        { Payer: null } or { Payer.OpenId: null or "" } => "payer.openid is required",
        _ when upload.ShippingList.Any(item => string.IsNullOrWhiteSpace(item.ItemDesc)) => "item_desc is required",
        { LogisticsType: LogisticsTypes.Express } when upload.ShippingList.Any(item => string.IsNullOrWhiteSpace(item.TrackingNo) || string.IsNullOrWhiteSpace(item.ExpressCompany)) =>
            "tracking_no and express_company are required for express delivery",
        _ => null,
    };

    private static bool TryParse<T>(string body, out T value)
        where T : class
    {
        try
        {
            value = WeChatJson.Deserialize<T>(body);
            return true;
        }
        catch (JsonException)
        {
            value = null!;
            return false;
        }
    }

    private WeChatApiResult? CheckApp(string? appId, string? secret) =>
        appId != options.AppId ? Answer(40013, "invalid appid")
        : secret != options.AppSecret ? Answer(40125, "invalid appsecret")
        : null;

    private WeChatApiResult? CheckToken(string? token)
    {
        lock (gate)
        {
            return token is null || token != accessToken ? Answer(WeChatErrorCodes.InvalidAccessToken, "invalid credential, access_token is invalid or not latest")
                : Now >= accessTokenExpiresAt ? Answer(WeChatErrorCodes.AccessTokenExpired, "access_token expired")
                : null;
        }
    }

    private void IssueToken()
    {
        accessToken = WeChatPaySignatures.CreateNonce(64);
        accessTokenExpiresAt = Now + TokenLifetime;
    }
}
