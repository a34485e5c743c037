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

/// <summary>The mini-program APIs a test can make fail (<see cref="WeChatSandbox.InjectFault"/>).</summary>
public enum MiniProgramApi
{
    /// <summary>GET /sns/jscode2session.</summary>
    Code2Session,

    /// <summary>POST /cgi-bin/stable_token.</summary>
    StableToken,

    /// <summary>GET /cgi-bin/token.</summary>
    Token,

    /// <summary>POST /cgi-bin/message/subscribe/send.</summary>
    SendSubscribeMessage,

    /// <summary>POST /wxa/sec/order/upload_shipping_info.</summary>
    UploadShippingInfo,

    /// <summary>POST /wxa/sec/order/get_order.</summary>
    GetShippingOrder,

    /// <summary>POST /wxa/business/getuserphonenumber.</summary>
    GetPhoneNumber,
}

/// <summary>How a mini-program API fails: an errcode answered instead of doing the work, or the work done and its answer lost.</summary>
public sealed record SandboxFault
{
    /// <summary>The errcode WeChat answers (e.g. -1, 45011, 40226, 43101, 47003, 48001, 10060031).</summary>
    public int ErrCode { get; init; }

    public string? ErrMsg { get; init; }

    /// <summary>WeChat carries the call out, but the connection drops before its answer arrives.</summary>
    public bool LosesAnswer { get; init; }

    internal WeChatApiResult Answer => new() { ErrCode = ErrCode, ErrMsg = ErrMsg ?? $"errcode {ErrCode} (sandbox fault)" };

    public static SandboxFault Error(int errCode, string? errMsg = null) => new() { ErrCode = errCode, ErrMsg = errMsg };

    public static SandboxFault AnswerLost { get; } = new() { LosesAnswer = true };
}

/// <summary>Stands for an answer that never arrives: the endpoint drops the connection instead of answering.</summary>
internal sealed class LostAnswer
{
    public static LostAnswer Instance { get; } = new();

    private LostAnswer()
    {
    }
}
