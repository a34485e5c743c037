using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Pay;

namespace Mall.WeChat.Sandbox;

/// <summary>
/// The mini-program server API: login codes, access tokens, subscribe messages, shipping uploads and the
/// shipping state. Answers are errcode/errmsg JSON with HTTP 200, as WeChat does, and each API can be made to
/// fail the way WeChat fails (<see cref="InjectFault"/>).
/// </summary>
internal sealed partial class MiniProgramSandbox
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(2);

    // stable_token hands out a new token once the current one has less than this left (expires_in never drops
    // below it); the classic token API keeps the replaced token valid this long (both: getStableAccessToken and
    // getAccessToken docs, developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-access-token/).
    private static readonly TimeSpan TokenOverlap = TimeSpan.FromMinutes(5);

    // wx.login codes are valid for 5 minutes and once (auth.code2Session).
    private static readonly TimeSpan LoginCodeLifetime = TimeSpan.FromMinutes(5);

    // getPhoneNumber codes too: "每个 code 只能使用一次，code 的有效期为 5min"
    // (developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-info/phone-number/getPhoneNumber.html).
    private static readonly TimeSpan PhoneCodeLifetime = TimeSpan.FromMinutes(5);

    // getStableAccessToken's force_refresh mode: "该模式下，限制每天20次" and "连续使用该模式时，请保证调用时间隔至少为30s，
    // 否则不会刷新" (developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-access-token/getStableAccessToken.html).
    private static readonly TimeSpan ForcedRefreshSpacing = TimeSpan.FromSeconds(30);
    private const int ForcedRefreshesPerDay = 20;

    // WeChat's daily quotas start over at midnight Beijing time.
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    // WeChat lets a merchant correct shipping info once after the first upload (重新发货机会).
    private const int MaxShippingUploads = 2;

    // shipping_list takes at most 15 parcels (upload_shipping_info).
    private const int MaxShippingItems = 15;

    private readonly WeChatSandboxOptions options;
    private readonly PaySandbox pay;
    private readonly Lock gate = new();
    private readonly Dictionary<string, IssuedCode> issuedCodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> usedCodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedPhoneCode> phoneCodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedToken> tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<MiniProgramApi, Queue<InjectedFault>> faults = [];
    private readonly HashSet<(string OpenId, string TemplateId)> refusedTemplates = [];
    private readonly Dictionary<(string OpenId, string TemplateId), int> acceptances = [];
    private readonly Dictionary<string, List<UploadShippingInfoRequest>> shippingByTransaction = new(StringComparer.Ordinal);
    private readonly List<SandboxSubscribeMessage> subscribeMessages = [];
    private readonly List<SandboxShippingUpload> shippingUploads = [];
    private IssuedToken? stableToken;
    private IssuedToken? classicToken;
    private DateTimeOffset? lastForcedRefreshAt;
    private DateOnly forcedRefreshDay;
    private int forcedRefreshesThatDay;
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

    /// <summary>The next <paramref name="times"/> calls of <paramref name="api"/> fail with <paramref name="fault"/> (int.MaxValue: until cleared).</summary>
    public void InjectFault(MiniProgramApi api, SandboxFault fault, int times)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        lock (gate)
        {
            if (!faults.TryGetValue(api, out var queue))
            {
                faults[api] = queue = new Queue<InjectedFault>();
            }

            queue.Enqueue(new InjectedFault(fault, times));
        }
    }

    public void ClearFaults()
    {
        lock (gate)
        {
            faults.Clear();
        }
    }

    /// <summary>What wx.login does: a code for <paramref name="user"/>, valid for 5 minutes and once.</summary>
    public string IssueLoginCode(string user)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var code = WeChatPaySignatures.CreateNonce(32);
        lock (gate)
        {
            issuedCodes[code] = new IssuedCode(user, Now);
        }

        return code;
    }

    /// <summary>
    /// What the getPhoneNumber button gives the mini-program once <paramref name="user"/> agrees to share
    /// <paramref name="phoneNumber"/> (without a country code; <paramref name="countryCode"/> 86 is mainland China):
    /// a code valid for 5 minutes and once.
    /// </summary>
    public string IssuePhoneCode(string user, string phoneNumber, string countryCode = "86")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        ArgumentException.ThrowIfNullOrWhiteSpace(phoneNumber);
        ArgumentException.ThrowIfNullOrWhiteSpace(countryCode);
        var code = WeChatPaySignatures.CreateNonce(32);
        lock (gate)
        {
            phoneCodes[code] = new IssuedPhoneCode(user, phoneNumber, countryCode, Now);
        }

        return code;
    }

    /// <summary>
    /// The user tapped "accept" for <paramref name="templateId"/> in wx.requestSubscribeMessage <paramref name="times"/>
    /// times: a one-time subscription (一次性订阅) lets exactly one message through per acceptance.
    /// </summary>
    public void AcceptSubscribeMessages(string openId, string templateId, int times)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(openId);
        ArgumentException.ThrowIfNullOrWhiteSpace(templateId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        lock (gate)
        {
            acceptances[(openId, templateId)] = checked(acceptances.GetValueOrDefault((openId, templateId)) + times);
        }
    }

    /// <summary>The user switched the template off in WeChat: every send to them answers 43101, whatever they accepted.</summary>
    public void RefuseSubscribeMessages(string openId, string templateId)
    {
        lock (gate)
        {
            refusedTemplates.Add((openId, templateId));
        }
    }

    public object Code2Session(string? appId, string? secret, string? code, string? grantType) => Serve(
        MiniProgramApi.Code2Session,
        () => CheckApp(appId, secret)
            ?? (grantType != "authorization_code" ? Answer(40002, "invalid grant_type")
            : string.IsNullOrWhiteSpace(code) ? Answer(WeChatErrorCodes.InvalidCode, "invalid code")
            : null),
        () =>
        {
            string user;
            lock (gate)
            {
                // A code the sandbox issued lives 5 minutes; a developer's shortcut "<user>#<n>" never expires; WeChat
                // knows no other code (40029).
                if (issuedCodes.TryGetValue(code!, out var issued))
                {
                    if (Now - issued.IssuedAt > LoginCodeLifetime)
                    {
                        return Answer(WeChatErrorCodes.InvalidCode, "invalid code, code expired");
                    }

                    user = issued.User;
                }
                else if (ShortcutCode().IsMatch(code!))
                {
                    user = code!.Split('#', 2)[0];
                }
                else
                {
                    return Answer(WeChatErrorCodes.InvalidCode, "invalid code");
                }

                if (!usedCodes.Add(code!))
                {
                    return Answer(WeChatErrorCodes.CodeUsed, "code been used");
                }
            }

            return new Code2SessionResponse
            {
                OpenId = OpenIdOf(user),
                SessionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)),
            };
        });

    /// <summary>
    /// POST /wxa/business/getuserphonenumber: the number behind a code of <see cref="IssuePhoneCode"/>. A code is
    /// taken by its first call that WeChat carries out (an injected errcode leaves it unused); an unknown, used or
    /// expired code answers 40029, the one errcode WeChat documents for a code it will not take.
    /// </summary>
    public object GetPhoneNumber(string? token, string body) => Serve(MiniProgramApi.GetPhoneNumber, () => CheckToken(token), () =>
    {
        if (!TryParse<GetPhoneNumberRequest>(body, out var request) || string.IsNullOrWhiteSpace(request.Code))
        {
            return Answer(WeChatErrorCodes.DataFormatError, "data format error: code is required");
        }

        IssuedPhoneCode? issued;
        lock (gate)
        {
            if (!phoneCodes.Remove(request.Code, out issued))
            {
                return Answer(WeChatErrorCodes.InvalidCode, "invalid code");
            }
        }

        if (Now - issued.IssuedAt > PhoneCodeLifetime)
        {
            return Answer(WeChatErrorCodes.InvalidCode, "invalid code, code expired");
        }

        return new GetPhoneNumberResponse
        {
            ErrMsg = "ok",
            PhoneInfo = new PhoneInfo
            {
                PhoneNumber = issued.CountryCode == "86" ? issued.PhoneNumber : $"+{issued.CountryCode}{issued.PhoneNumber}",
                PurePhoneNumber = issued.PhoneNumber,
                CountryCode = issued.CountryCode,
                Watermark = new PhoneWatermark { Timestamp = issued.IssuedAt.ToUnixTimeSeconds(), AppId = options.AppId },
            },
        };
    });

    /// <summary>
    /// POST /cgi-bin/stable_token: the current stable token while it has more than 5 minutes left, then a new
    /// one (the old one stays valid until it expires); force_refresh replaces it at once and the old one is
    /// refused from then on, but not within 30 s of the last forced refresh (the current token is returned),
    /// and the 21st forced call of a day answers 45009.
    /// </summary>
    public object StableToken(string? grantType, string? appId, string? secret, bool forceRefresh) => ServeToken(
        MiniProgramApi.StableToken,
        grantType,
        appId,
        secret,
        () =>
        {
            lock (gate)
            {
                if (forceRefresh)
                {
                    var today = DateOnly.FromDateTime(Now.ToOffset(ChinaOffset).DateTime);
                    if (today != forcedRefreshDay)
                    {
                        (forcedRefreshDay, forcedRefreshesThatDay) = (today, 0);
                    }

                    if (forcedRefreshesThatDay == ForcedRefreshesPerDay)
                    {
                        return Answer(WeChatErrorCodes.MinuteQuotaReached, "reach max api daily quota limit");
                    }

                    forcedRefreshesThatDay++;
                    if (lastForcedRefreshAt is null || Now - lastForcedRefreshAt >= ForcedRefreshSpacing)
                    {
                        RevokeStableToken();
                        lastForcedRefreshAt = Now;
                    }
                }

                if (stableToken is null || stableToken.ExpiresAt - Now < TokenOverlap)
                {
                    stableToken = Issue();
                }

                return new AccessTokenResponse { AccessToken = stableToken.Value, ExpiresIn = (int)(stableToken.ExpiresAt - Now).TotalSeconds };
            }
        });

    /// <summary>
    /// GET /cgi-bin/token, kept apart from the stable token: every call issues a new token, and the one it
    /// replaces stays valid for 5 more minutes.
    /// </summary>
    public object ClassicToken(string? grantType, string? appId, string? secret) => ServeToken(
        MiniProgramApi.Token,
        grantType,
        appId,
        secret,
        () =>
        {
            lock (gate)
            {
                if (classicToken is not null && classicToken.ExpiresAt > Now + TokenOverlap)
                {
                    classicToken.ExpiresAt = Now + TokenOverlap;
                }

                classicToken = Issue();
                return new AccessTokenResponse { AccessToken = classicToken.Value, ExpiresIn = (int)TokenLifetime.TotalSeconds };
            }
        });

    /// <summary>
    /// Replaces the stable token, as another server forcing a refresh would: the old one now gets 40001. A test's
    /// shortcut, so neither the 30 s spacing nor the daily limit of force_refresh applies.
    /// </summary>
    public void RotateAccessToken()
    {
        lock (gate)
        {
            RevokeStableToken();
            stableToken = Issue();
        }
    }

    public object SendSubscribeMessage(string? token, string body) => Serve(MiniProgramApi.SendSubscribeMessage, () => CheckToken(token), () =>
    {
        if (!TryParse<SubscribeMessageRequest>(body, out var message))
        {
            return Answer(WeChatErrorCodes.DataFormatError, "data format error");
        }

        if (string.IsNullOrWhiteSpace(message.ToUser))
        {
            return Answer(WeChatErrorCodes.InvalidOpenId, "invalid openid");
        }

        if (string.IsNullOrWhiteSpace(message.TemplateId))
        {
            return Answer(WeChatErrorCodes.InvalidTemplateId, "invalid template_id");
        }

        if (message.Data is null || message.Data.Count == 0)
        {
            return Answer(WeChatErrorCodes.InvalidTemplateData, "argument invalid! data is empty");
        }

        if (SubscribeMessageRules.FindViolation(message.Data.Select(field => KeyValuePair.Create(field.Key, field.Value.Value ?? string.Empty))) is { } violation)
        {
            return Answer(WeChatErrorCodes.InvalidTemplateData, violation.WeChatMessage);
        }

        lock (gate)
        {
            // One message per acceptance in wx.requestSubscribeMessage (subscribeMessage.send: 43101 "用户拒绝接受消息"
            // for a user who holds none); nothing is consumed by a message that is not sent.
            var subscription = (message.ToUser, message.TemplateId);
            if (refusedTemplates.Contains(subscription) || !acceptances.TryGetValue(subscription, out var accepted))
            {
                return Answer(WeChatErrorCodes.UserRefusedMessage, "user refuse to accept the msg");
            }

            if (accepted == 1)
            {
                acceptances.Remove(subscription);
            }
            else
            {
                acceptances[subscription] = accepted - 1;
            }

            subscribeMessages.Add(new SandboxSubscribeMessage(Now, message));
            return new { errcode = 0, errmsg = "ok", msgid = subscribeMessages.Count };
        }
    });

    public object UploadShippingInfo(string? token, string body) => Serve(MiniProgramApi.UploadShippingInfo, () => CheckToken(token), () =>
    {
        if (!TryParse<UploadShippingInfoRequest>(body, out var upload) || upload.OrderKey is null)
        {
            return Answer(WeChatErrorCodes.DataFormatError, "data format error: order_key is required");
        }

        if (InvalidShipping(upload) is { } invalid)
        {
            return Answer(WeChatErrorCodes.DataFormatError, "data format error: " + invalid);
        }

        var transaction = pay.FindTransaction(upload.OrderKey);
        if (transaction is null)
        {
            return Answer(WeChatErrorCodes.PaymentNotFound, "支付单不存在");
        }

        if (transaction.TradeState is not (TradeStates.Success or TradeStates.Refund) || FullyRefunded(transaction))
        {
            return Answer(WeChatErrorCodes.NotShippable, "支付单处于不可发货的状态");
        }

        if (transaction.Payer?.OpenId != upload.Payer?.OpenId)
        {
            return Answer(WeChatErrorCodes.PayerMismatch, "该笔支付单不属于 openid 所指定的用户");
        }

        lock (gate)
        {
            if (!shippingByTransaction.TryGetValue(transaction.TransactionId!, out var uploads))
            {
                shippingByTransaction[transaction.TransactionId!] = uploads = [];
            }

            if (uploads.Count >= MaxShippingUploads)
            {
                return Answer(WeChatErrorCodes.ShippingUpdateUsed, "支付单已使用重新发货机会");
            }

            uploads.Add(upload);
            shippingUploads.Add(new SandboxShippingUpload(Now, upload));
            return Answer(0, "ok");
        }
    });

    /// <summary>POST /wxa/sec/order/get_order: the payment's shipping state (by transaction_id, or merchant_id + merchant_trade_no).</summary>
    public object GetShippingOrder(string? token, string body) => Serve(MiniProgramApi.GetShippingOrder, () => CheckToken(token), () =>
    {
        if (!TryParse<GetShippingOrderRequest>(body, out var query) || (query.TransactionId is null && query.MerchantTradeNo is null))
        {
            return Answer(WeChatErrorCodes.DataFormatError, "data format error: transaction_id or merchant_id + merchant_trade_no is required");
        }

        var key = query.TransactionId is not null
            ? new ShippingOrderKey { OrderNumberType = ShippingOrderNumberTypes.ByTransactionId, TransactionId = query.TransactionId }
            : new ShippingOrderKey { OrderNumberType = ShippingOrderNumberTypes.ByOutTradeNo, MchId = query.MerchantId, OutTradeNo = query.MerchantTradeNo };
        if (pay.FindTransaction(key) is not { TransactionId: not null } transaction)
        {
            return Answer(WeChatErrorCodes.PaymentNotFound, "支付单不存在");
        }

        lock (gate)
        {
            var uploads = shippingByTransaction.GetValueOrDefault(transaction.TransactionId) ?? [];
            var latest = uploads.LastOrDefault();
            var state = FullyRefunded(transaction) ? ShippingOrderStates.Refunded
                : latest is null ? ShippingOrderStates.AwaitingShipment
                : ShippingOrderStates.Shipped;
            return new GetShippingOrderResponse
            {
                ErrMsg = "ok",
                Order = new ShippingOrder
                {
                    TransactionId = transaction.TransactionId,
                    MerchantId = transaction.MchId,
                    MerchantTradeNo = transaction.OutTradeNo,
                    OpenId = transaction.Payer?.OpenId,
                    PaidAmount = transaction.Amount?.PayerTotal ?? 0,
                    OrderState = state,
                    Shipping = latest is null ? null : new ShippingRecord
                    {
                        DeliveryMode = latest.DeliveryMode,
                        LogisticsType = latest.LogisticsType,
                        FinishShipping = true,
                        FinishShippingCount = uploads.Count,
                        ShippingList = [.. latest.ShippingList!.Select(item => new ShippedParcel
                        {
                            TrackingNo = item.TrackingNo,
                            ExpressCompany = item.ExpressCompany,
                            GoodsDesc = item.ItemDesc,
                            UploadTime = latest.UploadTime!.Value.ToUnixTimeSeconds(),
                        })],
                    },
                },
            };
        }
    });

    /// <summary>
    /// The openid of a user: the same for every login of the user (the part of a shortcut code before its
    /// '#', or the user a code was issued to), stable across restarts for the same appid.
    /// </summary>
    public string OpenIdOf(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(options.AppId + "|" + user));
        return "o" + Convert.ToBase64String(hash).Replace('+', '-').Replace('/', '_')[..27];
    }

    private static WeChatApiResult Answer(int errCode, string errMsg) => new() { ErrCode = errCode, ErrMsg = errMsg };

    private static string? InvalidShipping(UploadShippingInfoRequest upload) => upload switch
    {
        { LogisticsType: < LogisticsTypes.Express or > LogisticsTypes.PickUp } => "logistics_type must be 1-4",
        { DeliveryMode: not (DeliveryModes.Unified or DeliveryModes.Split) } => "delivery_mode must be 1 or 2",
        { ShippingList: null or { Count: 0 } } => "shipping_list is required",
        { ShippingList.Count: > MaxShippingItems } => $"shipping_list takes at most {MaxShippingItems} items",
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

    /// <summary>A payment refunded in full is not shippable (get_order: 已退款).</summary>
    private bool FullyRefunded(Transaction transaction) =>
        pay.Refunds
            .Where(refund => refund.Resource.OutTradeNo == transaction.OutTradeNo && refund.Resource.Status == RefundStatuses.Success)
            .Sum(refund => refund.Resource.Amount!.Refund) >= transaction.Amount!.Total;

    /// <summary>
    /// One call: an injected fault answers instead of WeChat (or, for a lost answer, after the work is done);
    /// otherwise <paramref name="check"/> may refuse the call before <paramref name="work"/> answers it.
    /// </summary>
    private object Serve(MiniProgramApi api, Func<WeChatApiResult?> check, Func<object> work)
    {
        var fault = TakeFault(api);
        if (fault is { LosesAnswer: false })
        {
            return fault.Answer;
        }

        if (check() is { } refused)
        {
            return refused;
        }

        var answer = work();
        return fault is null ? answer : LostAnswer.Instance;
    }

    /// <summary>A token request, counted whatever it is answered.</summary>
    private object ServeToken(MiniProgramApi api, string? grantType, string? appId, string? secret, Func<object> work)
    {
        Interlocked.Increment(ref accessTokenRequests);
        return Serve(api, () => CheckApp(appId, secret) ?? (grantType != StableTokenRequest.ClientCredential ? Answer(40002, "invalid grant_type") : null), work);
    }

    private SandboxFault? TakeFault(MiniProgramApi api)
    {
        lock (gate)
        {
            if (!faults.TryGetValue(api, out var queue) || !queue.TryPeek(out var injected))
            {
                return null;
            }

            // int.MaxValue: until cleared.
            if (injected.Remaining != int.MaxValue && --injected.Remaining == 0)
            {
                queue.Dequeue();
            }

            return injected.Fault;
        }
    }

    private WeChatApiResult? CheckApp(string? appId, string? secret) =>
        appId != options.AppId ? Answer(40013, "invalid appid")
        : secret != options.AppSecret ? Answer(40125, "invalid appsecret")
        : null;

    /// <summary>42001 for an expired token, 40001 for one replaced or never issued, 40014 for what is not a token at all.</summary>
    private WeChatApiResult? CheckToken(string? token)
    {
        lock (gate)
        {
            if (string.IsNullOrEmpty(token) || token.Length != IssuedToken.Length || !token.All(char.IsAsciiLetterOrDigit))
            {
                return Answer(WeChatErrorCodes.IllegalAccessToken, "invalid access_token");
            }

            return !tokens.TryGetValue(token, out var issued) || issued.Revoked ? Answer(WeChatErrorCodes.InvalidAccessToken, "invalid credential, access_token is invalid or not latest")
                : Now >= issued.ExpiresAt ? Answer(WeChatErrorCodes.AccessTokenExpired, "access_token expired")
                : null;
        }
    }

    private void RevokeStableToken()
    {
        if (stableToken is not null)
        {
            stableToken.Revoked = true;
            stableToken = null;
        }
    }

    private IssuedToken Issue()
    {
        var issued = new IssuedToken(WeChatPaySignatures.CreateNonce(IssuedToken.Length), Now + TokenLifetime);
        tokens[issued.Value] = issued;
        return issued;
    }

    /// <summary>The developer's shortcut login code "&lt;user&gt;#&lt;n&gt;".</summary>
    [GeneratedRegex(@"^[^#]+#\d+$")]
    private static partial Regex ShortcutCode();

    private sealed record IssuedCode(string User, DateTimeOffset IssuedAt);

    private sealed record IssuedPhoneCode(string User, string PhoneNumber, string CountryCode, DateTimeOffset IssuedAt);

    private sealed class InjectedFault(SandboxFault fault, int remaining)
    {
        public SandboxFault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }

    private sealed class IssuedToken(string value, DateTimeOffset expiresAt)
    {
        public const int Length = 64;

        public string Value { get; } = value;

        public DateTimeOffset ExpiresAt { get; set; } = expiresAt;

        public bool Revoked { get; set; }
    }
}
