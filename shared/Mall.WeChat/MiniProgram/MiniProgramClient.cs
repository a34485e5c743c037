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
    /// <summary>40029 / 40163: the login code is invalid, expired or already used.</summary>
    InvalidLoginCode,

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

    /// <summary>The request may have been carried out: WeChat's answer never arrived or could not be read.</summary>
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
        var session = EnsureSuccess(await SendAsync<Code2SessionResponse>(HttpMethod.Get, url, null, cancellationToken), "jscode2session");
        return string.IsNullOrEmpty(session.OpenId) || string.IsNullOrEmpty(session.SessionKey)
            ? throw new WeChatApiException(WeChatApiFailure.Unavailable, "jscode2session answered without openid or session_key.")
            : session;
    }

    /// <summary>The current access token (cached; fetched through stable_token when missing or about to expire).</summary>
    public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken) => tokens.GetAsync(FetchStableTokenAsync, cancellationToken);

    public Task SendSubscribeMessageAsync(SubscribeMessageRequest message, CancellationToken cancellationToken) =>
        PostWithAccessTokenAsync("cgi-bin/message/subscribe/send", message, cancellationToken);

    public Task UploadShippingInfoAsync(UploadShippingInfoRequest upload, CancellationToken cancellationToken) =>
        PostWithAccessTokenAsync("wxa/sec/order/upload_shipping_info", upload, cancellationToken);

    private static T EnsureSuccess<T>(T result, string api)
        where T : WeChatApiResult
    {
        if (result.ErrCode == 0)
        {
            return result;
        }

        var failure = result.ErrCode switch
        {
            WeChatErrorCodes.InvalidCode or WeChatErrorCodes.CodeUsed => WeChatApiFailure.InvalidLoginCode,
            WeChatErrorCodes.Busy or WeChatErrorCodes.RateLimited => WeChatApiFailure.Unavailable,

            // Still invalid right after a refresh: someone rotated it again meanwhile; a later try will do.
            WeChatErrorCodes.InvalidAccessToken or WeChatErrorCodes.AccessTokenExpired => WeChatApiFailure.Unavailable,
            _ => WeChatApiFailure.Rejected,
        };
        throw new WeChatApiException(failure, $"WeChat {api} failed: errcode {result.ErrCode} {result.ErrMsg}", result.ErrCode);
    }

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
        var answer = EnsureSuccess(await SendAsync<AccessTokenResponse>(HttpMethod.Post, "cgi-bin/stable_token", request, cancellationToken), "stable_token");
        return string.IsNullOrEmpty(answer.AccessToken) || answer.ExpiresIn <= 0
            ? throw new WeChatApiException(WeChatApiFailure.Unavailable, "stable_token answered without a token.")
            : new AccessToken(answer.AccessToken, TimeSpan.FromSeconds(answer.ExpiresIn));
    }

    private async Task PostWithAccessTokenAsync(string path, object body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var token = await GetAccessTokenAsync(cancellationToken);
        var result = await SendAsync<WeChatApiResult>(HttpMethod.Post, $"{path}?access_token={Uri.EscapeDataString(token)}", body, cancellationToken);
        if (result.ErrCode is WeChatErrorCodes.InvalidAccessToken or WeChatErrorCodes.AccessTokenExpired)
        {
            tokens.Invalidate(token);
            token = await GetAccessTokenAsync(cancellationToken);
            result = await SendAsync<WeChatApiResult>(HttpMethod.Post, $"{path}?access_token={Uri.EscapeDataString(token)}", body, cancellationToken);
        }

        EnsureSuccess(result, path);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string relativeUrl, object? body, CancellationToken cancellationToken)
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
                throw new WeChatApiException(WeChatApiFailure.Unavailable, $"WeChat {api} answered HTTP {(int)response.StatusCode}.") { OutcomeUnknown = true };
            }

            return WeChatJson.Deserialize<T>(text);
        }
        catch (HttpRequestException exception)
        {
            // Refused before anything was sent is a known outcome; a connection lost mid-request is not.
            throw new WeChatApiException(WeChatApiFailure.Unavailable, $"WeChat {api} failed: {exception.Message}", 0, exception) { OutcomeUnknown = exception.HttpRequestError != HttpRequestError.ConnectionError };
        }
        catch (JsonException exception)
        {
            throw new WeChatApiException(WeChatApiFailure.Unavailable, $"WeChat {api} answered with unreadable JSON.", 0, exception) { OutcomeUnknown = true };
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WeChatApiException(WeChatApiFailure.Unavailable, $"WeChat {api} timed out.", 0, exception) { OutcomeUnknown = true };
        }
    }
}
