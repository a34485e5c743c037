using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Mall.WeChat.Pay;

public enum WeChatPayFailure
{
    /// <summary>404, ORDER_NOT_EXIST or RESOURCE_NOT_EXISTS.</summary>
    NotFound,

    /// <summary>ORDERPAID: the order was paid (answer to close).</summary>
    AlreadyPaid,

    /// <summary>Any other 4xx: a business error, not worth retrying as is.</summary>
    Rejected,

    /// <summary>
    /// 5xx, rate limit, network failure, an unverifiable answer, or an error WeChat means to be
    /// retried (<see cref="WeChatPayErrorCodes.IsRetryable"/>, e.g. NOT_ENOUGH): retry later.
    /// </summary>
    Unavailable,
}

public sealed class WeChatPayException : Exception
{
    public WeChatPayException(WeChatPayFailure failure, string message, string? code = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        Code = code;
    }

    public WeChatPayException()
        : this(WeChatPayFailure.Unavailable, "WeChat Pay is unavailable.")
    {
    }

    public WeChatPayException(string message)
        : this(WeChatPayFailure.Unavailable, message)
    {
    }

    public WeChatPayException(string message, Exception innerException)
        : this(WeChatPayFailure.Unavailable, message, null, innerException)
    {
    }

    public WeChatPayFailure Failure { get; }

    /// <summary>WeChat's error code (e.g. PARAM_ERROR) when it gave one.</summary>
    public string? Code { get; }
}

/// <summary>
/// WeChat Pay API v3 merchant client. Signs every request with the merchant key and verifies every
/// answer that WeChat signs; a successful answer must be signed, so a forged success never gets through.
/// The HttpClient's BaseAddress is the API root (https://api.mch.weixin.qq.com/).
/// </summary>
public sealed class WeChatPayClient
{
    private readonly HttpClient http;
    private readonly WeChatPayMerchant merchant;
    private readonly WeChatPaySignatureVerifier verifier;
    private readonly TimeProvider timeProvider;

    public WeChatPayClient(HttpClient http, WeChatPayMerchant merchant, WeChatPaySignatureVerifier verifier, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(http.BaseAddress);
        ArgumentNullException.ThrowIfNull(merchant);
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(timeProvider);
        this.http = http;
        this.merchant = merchant;
        this.verifier = verifier;
        this.timeProvider = timeProvider;
    }

    /// <summary>JSAPI 下单. <paramref name="order"/> carries appid, mchid and notify_url as sent.</summary>
    /// <exception cref="WeChatPayException">Rejected or unavailable.</exception>
    public async Task<PrepayResponse> CreateJsapiPrepayAsync(JsapiPrepayOrder order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        return Parse<PrepayResponse>(await SendAsync(HttpMethod.Post, "v3/pay/transactions/jsapi", order, cancellationToken));
    }

    /// <summary>查单 by out_trade_no; null if WeChat has no such order.</summary>
    public async Task<Transaction?> QueryTransactionAsync(string outTradeNo, CancellationToken cancellationToken)
    {
        var url = $"v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNo)}?mchid={Uri.EscapeDataString(merchant.MchId)}";
        var body = await NullIfNotFound(SendAsync(HttpMethod.Get, url, null, cancellationToken));
        return body is null ? null : Parse<Transaction>(body);
    }

    /// <exception cref="WeChatPayException"><see cref="WeChatPayFailure.AlreadyPaid"/> if paid, <see cref="WeChatPayFailure.NotFound"/> if unknown.</exception>
    public async Task CloseTransactionAsync(string outTradeNo, CancellationToken cancellationToken)
    {
        var url = $"v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNo)}/close";
        await SendAsync(HttpMethod.Post, url, new CloseTransactionRequest { MchId = merchant.MchId }, cancellationToken);
    }

    /// <summary>申请退款; idempotent per out_refund_no at WeChat.</summary>
    public async Task<Refund> CreateRefundAsync(CreateRefundRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Parse<Refund>(await SendAsync(HttpMethod.Post, "v3/refund/domestic/refunds", request, cancellationToken));
    }

    /// <summary>发起异常退款: sends a refund WeChat reported ABNORMAL to a bank account instead.</summary>
    /// <param name="refundId">WeChat's refund_id (not out_refund_no).</param>
    /// <param name="weChatPaySerial">The key the request's sensitive fields are encrypted with, if any.</param>
    public async Task<Refund> ApplyAbnormalRefundAsync(string refundId, AbnormalRefundRequest request, string? weChatPaySerial, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var url = $"v3/refund/domestic/refunds/{Uri.EscapeDataString(refundId)}/apply-abnormal-refund";
        return Parse<Refund>(await SendAsync(HttpMethod.Post, url, request, cancellationToken, weChatPaySerial));
    }

    /// <summary>查询单笔退款; null if WeChat has no such refund.</summary>
    public async Task<Refund?> QueryRefundAsync(string outRefundNo, CancellationToken cancellationToken)
    {
        var body = await NullIfNotFound(SendAsync(HttpMethod.Get, $"v3/refund/domestic/refunds/{Uri.EscapeDataString(outRefundNo)}", null, cancellationToken));
        return body is null ? null : Parse<Refund>(body);
    }

    private static async Task<string?> NullIfNotFound(Task<string> send)
    {
        try
        {
            return await send;
        }
        catch (WeChatPayException exception) when (exception.Failure == WeChatPayFailure.NotFound)
        {
            return null;
        }
    }

    private static T Parse<T>(string body)
        where T : class
    {
        try
        {
            return WeChatJson.Deserialize<T>(body);
        }
        catch (JsonException exception)
        {
            throw new WeChatPayException(WeChatPayFailure.Unavailable, $"WeChat Pay answered with an unexpected {typeof(T).Name}.", null, exception);
        }
    }

    private static WeChatPayError? ParseError(string body)
    {
        try
        {
            return body.Length == 0 ? null : WeChatJson.Deserialize<WeChatPayError>(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<string> SendAsync(HttpMethod method, string relativeUrl, object? body, CancellationToken cancellationToken, string? weChatPaySerial = null)
    {
        var json = body is null ? string.Empty : WeChatJson.Serialize(body);
        var uri = new Uri(http.BaseAddress!, relativeUrl);
        using var request = new HttpRequestMessage(method, uri);
        var authorization = merchant.Authorize(
            method.Method,
            uri.PathAndQuery,
            json,
            WeChatPaySignatures.Timestamp(timeProvider.GetUtcNow()),
            WeChatPaySignatures.CreateNonce());
        request.Headers.TryAddWithoutValidation("Authorization", authorization.ToString());
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        // WeChat Pay refuses requests without a User-Agent.
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Mall.WeChat", "1.0"));
        if (weChatPaySerial is not null)
        {
            request.Headers.TryAddWithoutValidation(WeChatPayHeaders.Serial, weChatPaySerial);
        }

        if (body is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var responseBody = await response.Content.ReadAsStringAsync(cancellationToken);
            return Interpret(method, relativeUrl, response, responseBody);
        }
        catch (HttpRequestException exception)
        {
            throw new WeChatPayException(WeChatPayFailure.Unavailable, $"WeChat Pay {method} {relativeUrl} failed: {exception.Message}", null, exception);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WeChatPayException(WeChatPayFailure.Unavailable, $"WeChat Pay {method} {relativeUrl} timed out.", null, exception);
        }
    }

    private string Interpret(HttpMethod method, string relativeUrl, HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        var what = $"WeChat Pay {method} {relativeUrl} answered {status}";
        if (status >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            throw new WeChatPayException(WeChatPayFailure.Unavailable, what, ParseError(body)?.Code);
        }

        // WeChat signs successful answers; error answers may come unsigned (official SDKs do not verify
        // them either). An unsigned error can only make us give up or retry, never grant anything.
        if (response.Headers.Contains(WeChatPayHeaders.Signature))
        {
            try
            {
                verifier.Verify(WeChatPaySignedMessage.FromHeaders(
                    response.Headers.Select(header => KeyValuePair.Create(header.Key, string.Join(',', header.Value))),
                    body));
            }
            catch (WeChatPaySignatureException exception)
            {
                throw new WeChatPayException(WeChatPayFailure.Unavailable, $"{what} that does not verify: {exception.Message}", null, exception);
            }
        }
        else if (response.IsSuccessStatusCode)
        {
            throw new WeChatPayException(WeChatPayFailure.Unavailable, $"{what} without a signature.");
        }

        if (response.IsSuccessStatusCode)
        {
            return body;
        }

        // Only WeChat Pay's own codes say what happened; a 404 or 4xx without one (a gateway's page, a path
        // the API does not serve) says nothing about the order, so it is retried rather than taken as "no such order".
        var error = ParseError(body);
        var failure = error?.Code switch
        {
            null => WeChatPayFailure.Unavailable,
            WeChatPayErrorCodes.OrderNotExist or WeChatPayErrorCodes.ResourceNotExists => WeChatPayFailure.NotFound,
            WeChatPayErrorCodes.OrderPaid => WeChatPayFailure.AlreadyPaid,
            _ when WeChatPayErrorCodes.IsRetryable(error?.Code) => WeChatPayFailure.Unavailable,
            _ => WeChatPayFailure.Rejected,
        };
        throw new WeChatPayException(failure, $"{what} {error?.Code}: {error?.Message}", error?.Code);
    }
}
