using System.Text;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Pay;

namespace Mall.WeChat.Sandbox;

/// <summary>A transaction known to the sandbox; <see cref="Resource"/> is what 查单 answers.</summary>
public sealed record SandboxTransaction(
    string OutTradeNo,
    string PrepayId,
    string? Description,
    string NotifyUrl,
    DateTimeOffset? TimeExpire,
    DateTimeOffset CreatedAt,
    Transaction Resource);

/// <summary>A refund; <see cref="Resource"/> is what refund query answers, <see cref="NotificationResource"/> what its notification carries.</summary>
public sealed record SandboxRefund(
    string OutRefundNo,
    string? NotifyUrl,
    string? Reason,
    DateTimeOffset CreatedAt,
    Refund Resource,
    RefundNotificationResource NotificationResource);

public sealed record SandboxSubscribeMessage(DateTimeOffset ReceivedAt, SubscribeMessageRequest Message);

public sealed record SandboxShippingUpload(DateTimeOffset ReceivedAt, UploadShippingInfoRequest Upload);

/// <summary>One attempt to deliver a notification (copy 2 is the duplicate delivery, if asked for).</summary>
public sealed record SandboxNotificationDelivery(
    string NotificationId,
    string EventType,
    string Subject,
    string Url,
    int Copy,
    int Attempt,
    DateTimeOffset At,
    int? StatusCode,
    string? Error)
{
    public bool Delivered => StatusCode is >= 200 and < 300;
}

/// <summary>A notification as WeChat Pay would POST it: the exact body and the Wechatpay-* headers.</summary>
public sealed record SandboxWebhook(string Body, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The POST WeChat Pay would make to <paramref name="notifyUrl"/>.</summary>
    public HttpRequestMessage ToHttpRequest(Uri notifyUrl)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, notifyUrl) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}
