using System.Text;
using System.Text.Json;

namespace Mall.WeChat.MiniProgram;

/// <summary>A mini-program's credentials. ToString hides the secret.</summary>
public sealed record MiniProgramCredentials(string AppId, string AppSecret)
{
    public override string ToString() => $"MiniProgramCredentials {{ AppId = {AppId} }}";
}

public enum WeChatApiFailure
{
    /// <summary>40029 / 40163: a one-time code (wx.login's, or a getPhoneNumber button's) is invalid, expired or already used.</summary>
    InvalidLoginCode,

    /// <summary>40226: WeChat's risk control blocks this user's login (高风险等级用户).</summary>
    LoginBlocked,

    /// <summary>43101: the user refused the message, or holds no subscription to its template.</summary>
    RefusedByUser,

    /// <summary>10060002 / 10060003: WeChat holds the shipping info already and takes no further update.</summary>
    AlreadyDone,

    /// <summary>10060004: the payment's state at WeChat does not allow the request (e.g. not shippable).</summary>
    NotAllowedNow,

    /// <summary>Any other errcode: not worth retrying as is.</summary>
    Rejected,

    /// <summary>-1 (busy), rate limit, 5xx, network failure, unreadable answer: retry later.</summary>
    Unavailable,
}

public sealed class WeChatApiException : Exception
{
    public WeChatApiException(WeChatApiFailure failure, string message, int errCode = 0, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        ErrCode = errCode;
    }

    public WeChatApiException()
        : this(WeChatApiFailure.Unavailable, "WeChat is unavailable.")
    {
    }

    public WeChatApiException(string message)
        : this(WeChatApiFailure.Unavailable, message)
    {
    }

    public WeChatApiException(string message, Exception innerException)
        : this(WeChatApiFailure.Unavailable, message, 0, innerException)
    {
    }

    public WeChatApiFailure Failure { get; }

    /// <summary>
    /// The request may have been carried out: WeChat's answer never arrived or could not be read. Never set for
    /// a call that failed getting its access token (it was not sent) nor for one that changes nothing at WeChat.
    /// </summary>
    public bool OutcomeUnknown { get; init; }

    public int ErrCode { get; }
}

/// <summary>
/// Mini-program server API client. The HttpClient's BaseAddress is the API root
/// (https://api.weixin.qq.com/). Calls that need an access token take it from the shared
/// <see cref="AccessTokenCache"/> (stable_token API) and retry once with a fresh one if WeChat says it
/// is invalid or expired.
/// </summary>
public sealed class MiniProgramClient
{
    private readonly HttpClient http;
    private readonly MiniProgramCredentials credentials;
    private readonly AccessTokenCache tokens;

    public MiniProgramClient(HttpClient http, MiniProgramCredentials credentials, AccessTokenCache tokens)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(http.BaseAddress);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(tokens);
        this.http = http;
        this.credentials = credentials;
        this.tokens = tokens;
    }

    /// <summary>jscode2session: exchanges a wx.login code (single use, valid 5 minutes).</summary>
    /// <exception cref="WeChatApiException">Invalid code, rejected or unavailable.</exception>
    public async Task<Code2SessionResponse> Code2SessionAsync(string jsCode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jsCode);
        var url = $"sns/jscode2session?appid={Uri.EscapeDataString(credentials.AppId)}&secret={Uri.EscapeDataString(credentials.AppSecret)}"
            + $"&js_code={Uri.EscapeDataString(jsCode)}&grant_type=authorization_code";
        var session = EnsureSuccess(await SendAsync<Code2SessionResponse>(HttpMethod.Get, url, null, changesState: true, cancellationToken), "jscode2session");
        return string.IsNullOrEmpty(session.OpenId) || string.IsNullOrEmpty(session.SessionKey)
            ? throw new WeChatApiException(WeChatApiFailure.Unavailable, "jscode2session answered without openid or session_key.")
            : session;
    }

    /// <summary>The current access token (cached; fetched through stable_token when missing or about to expire).</summary>
    public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken) => tokens.GetAsync(FetchStableTokenAsync, cancellationToken);

    public Task<WeChatApiResult> SendSubscribeMessageAsync(SubscribeMessageRequest message, CancellationToken cancellationToken) =>
        PostWithAccessTokenAsync<WeChatApiResult>("cgi-bin/message/subscribe/send", message, changesState: true, cancellationToken);

    public Task<WeChatApiResult> UploadShippingInfoAsync(UploadShippingInfoRequest upload, CancellationToken cancellationToken) =>
        PostWithAccessTokenAsync<WeChatApiResult>("wxa/sec/order/upload_shipping_info", upload, changesState: true, cancellationToken);

    /// <summary>
    /// getPhoneNumber (手机号快速验证): the number behind the code of the mini-program's getPhoneNumber button. Each
    /// code is used once and is valid 5 minutes (developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-info/phone-number/getPhoneNumber.html,
    /// 每个 code 只能使用一次，code 的有效期为 5min); a code WeChat will not take answers 40029. The number must be
    /// watermarked with this app's id.
    /// </summary>
    /// <exception cref="WeChatApiException">Invalid, expired or used code; rejected (e.g. 40013); unavailable (-1, 45011, network).</exception>
    public async Task<PhoneInfo> GetPhoneNumberAsync(string code, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        var answer = await PostWithAccessTokenAsync<GetPhoneNumberResponse>("wxa/business/getuserphonenumber", new GetPhoneNumberRequest { Code = code }, changesState: true, cancellationToken);
        var phone = answer.PhoneInfo;
        if (string.IsNullOrEmpty(phone?.PhoneNumber))
        {
            throw new WeChatApiException(WeChatApiFailure.Unavailable, "WeChat getuserphonenumber answered without phone_info.") { OutcomeUnknown = true };
        }

        return phone.Watermark?.AppId == credentials.AppId
            ? phone
            : throw new WeChatApiException(WeChatApiFailure.Rejected, "WeChat getuserphonenumber answered a number watermarked for another app.");
    }

    /// <summary>查询订单发货状态: what WeChat's shipping service holds for a payment; null if it does not know it (10060001).</summary>
    public async Task<ShippingOrder?> GetShippingOrderAsync(string transactionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(transactionId);
        try
        {
            var answer = await PostWithAccessTokenAsync<GetShippingOrderResponse>("wxa/sec/order/get_order", new GetShippingOrderRequest { TransactionId = transactionId }, changesState: false, cancellationToken);
            return answer.Order ?? throw new WeChatApiException(WeChatApiFailure.Unavailable, "WeChat get_order answered without the order.");
        }
        catch (WeChatApiException exception) when (exception.ErrCode == WeChatErrorCodes.PaymentNotFound)
        {
            return null;
        }
    }

    private static T EnsureSuccess<T>(T result, string api)
        where T : WeChatApiResult =>
        result.ErrCode == 0
            ? result
            : throw new WeChatApiException(WeChatErrorCodes.Classify(result.ErrCode), $"WeChat {api} failed: errcode {result.ErrCode} {result.ErrMsg}", result.ErrCode);

    private async Task<AccessToken> FetchStableTokenAsync(CancellationToken cancellationToken)
    {
        // force_refresh stays false: in that mode WeChat returns the token currently valid, which is also
        // what we need after someone else rotated it; forced refreshes are rate-limited and would
        // invalidate the token for every other instance.
        var request = new StableTokenRequest
        {
            GrantType = StableTokenRequest.ClientCredential,
            AppId = credentials.AppId,
            Secret = credentials.AppSecret,
            ForceRefresh = false,
        };

        // A non-forced fetch changes nothing at WeChat, so however it fails, the call that wanted the token was
        // not sent: a lost stable_token answer must not make a subscribe message's outcome unknown.
        var answer = EnsureSuccess(await SendAsync<AccessTokenResponse>(HttpMethod.Post, "cgi-bin/stable_token", request, changesState: false, cancellationToken), "stable_token");
        return string.IsNullOrEmpty(answer.AccessToken) || answer.ExpiresIn <= 0
            ? throw new WeChatApiException(WeChatApiFailure.Unavailable, "stable_token answered without a token.")
            : new AccessToken(answer.AccessToken, TimeSpan.FromSeconds(answer.ExpiresIn));
    }

    /// <summary>
    /// Calls with the cached token; on 40001, 40014 or 42001 forgets it, fetches a fresh one and calls once more
    /// (WxJava's BaseWxMaServiceImpl does the same, and never a second time: that would loop when the token
    /// is refused for another reason).
    /// </summary>
    private async Task<T> PostWithAccessTokenAsync<T>(string path, object body, bool changesState, CancellationToken cancellationToken)
        where T : WeChatApiResult
    {
        ArgumentNullException.ThrowIfNull(body);
        var token = await GetAccessTokenAsync(cancellationToken);
        var result = await SendAsync<T>(HttpMethod.Post, $"{path}?access_token={Uri.EscapeDataString(token)}", body, changesState, cancellationToken);
        if (WeChatErrorCodes.IsTokenError(result.ErrCode))
        {
            tokens.Invalidate(token);
            token = await GetAccessTokenAsync(cancellationToken);
            result = await SendAsync<T>(HttpMethod.Post, $"{path}?access_token={Uri.EscapeDataString(token)}", body, changesState, cancellationToken);
        }

        return EnsureSuccess(result, path);
    }

    /// <param name="changesState">
    /// Whether WeChat carrying the request out changes anything (a message sent, a code used, shipping info
    /// taken): only then does a failure without a readable answer leave the outcome unknown.
    /// </param>
    private async Task<T> SendAsync<T>(HttpMethod method, string relativeUrl, object? body, bool changesState, CancellationToken cancellationToken)
        where T : WeChatApiResult
    {
        // Only the path goes into messages: the query carries the secret, the login code or the token.
        var api = relativeUrl.Split('?')[0];
        using var request = new HttpRequestMessage(method, new Uri(http.BaseAddress!, relativeUrl));
        if (body is not null)
        {
            request.Content = new StringContent(WeChatJson.Serialize(body), Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new WeChatApiException(WeChatApiFailure.Unavailable, $"WeChat {api} answered HTTP {(int)response.StatusCode}.") { OutcomeUnknown = changesState };
            }

            return WeChatJson.Deserialize<T>(text);
        }
        catch (HttpRequestException exception)
        {
            // Refused before anything was sent is a known outcome; a connection lost mid-request is not.
            throw new WeChatApiException(WeChatApiFailure.Unavailable, $"WeChat {api} failed: {exception.Message}", 0, exception) { OutcomeUnknown = changesState && exception.HttpRequestError != HttpRequestError.ConnectionError };
        }
        catch (JsonException exception)
        {
            throw new WeChatApiException(WeChatApiFailure.Unavailable, $"WeChat {api} answered with unreadable JSON.", 0, exception) { OutcomeUnknown = changesState };
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WeChatApiException(WeChatApiFailure.Unavailable, $"WeChat {api} timed out.", 0, exception) { OutcomeUnknown = changesState };
        }
    }
}
