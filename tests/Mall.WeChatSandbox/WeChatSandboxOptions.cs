using System.Security.Cryptography;
using Mall.WeChat.Pay;

namespace Mall.WeChat.Sandbox;

/// <summary>Which key the sandbox signs answers and notifications with (WeChat runs both kinds during its migration).</summary>
public enum SandboxSigningMode
{
    /// <summary>A WeChat Pay public key; Wechatpay-Serial is its <c>PUB_KEY_ID_…</c>.</summary>
    PublicKey,

    /// <summary>A self-signed platform certificate; Wechatpay-Serial is its serial number.</summary>
    PlatformCertificate,
}

public sealed record WeChatSandboxOptions
{
    /// <summary>WeChat's own notification retry schedule (15s, 15s, 30s, 3m, … 6h over 24 h).</summary>
    public static readonly IReadOnlyList<TimeSpan> WeChatRetrySchedule =
    [
        TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(3),
        TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30),
        TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(60), TimeSpan.FromHours(3), TimeSpan.FromHours(3),
        TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(6),
    ];

    /// <summary>Semicolon-separated listen URLs; port 0 picks a free port.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:0";

    /// <summary>Where keys are kept between runs; null generates fresh keys for this instance only.</summary>
    public string? StateDirectory { get; init; }

    public SandboxSigningMode SigningMode { get; init; } = SandboxSigningMode.PublicKey;

    /// <summary>Delays between notification attempts after a non-2xx answer; default: WeChat's schedule sped up 60×.</summary>
    public IReadOnlyList<TimeSpan> NotificationRetrySchedule { get; init; } = [.. WeChatRetrySchedule.Select(delay => delay / 60)];

    /// <summary>How long a refund stays PROCESSING before it succeeds and its notification goes out.</summary>
    public TimeSpan RefundCompletionDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public string AppId { get; init; } = "wxsandbox0000000001";

    public string AppSecret { get; init; } = "LOCAL-ONLY-app-secret";

    public string MchId { get; init; } = "1900000001";

    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Warning;
}

/// <summary>Options of a simulated payment.</summary>
public sealed record SandboxPayOptions
{
    /// <summary>False simulates a lost notification (the mall must find the payment by 查单).</summary>
    public bool Notify { get; init; } = true;

    /// <summary>Deliver the notification twice, as WeChat sometimes does.</summary>
    public bool Duplicate { get; init; }
}

/// <summary>How a test-built notification is signed and encrypted; null members take the sandbox's genuine values.</summary>
public sealed record SandboxNotificationSigning
{
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>A foreign key to sign with (e.g. to prove the mall rejects it).</summary>
    public RSA? SigningKey { get; init; }

    public string? Serial { get; init; }

    public string? EventType { get; init; }

    /// <summary>Encrypt under another APIv3key (32 characters) to provoke a decryption failure.</summary>
    public string? ApiV3Key { get; init; }
}

/// <summary>
/// How WeChat Pay refuses a refund request (申请退款 error table,
/// https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create.html): nothing is recorded, and
/// the merchant may resubmit under the same out_refund_no.
/// </summary>
public sealed record SandboxRefundRefusal(int Status, string Code, string Message)
{
    /// <summary>The merchant's refundable balance is short (retry after topping up).</summary>
    public static SandboxRefundRefusal NotEnough { get; } = new(403, WeChatPayErrorCodes.NotEnough, "基本账户余额不足，请充值后重新发起");

    /// <summary>The request's signature does not verify, as during a merchant key rotation (retry).</summary>
    public static SandboxRefundRefusal SignError { get; } = new(401, WeChatPayErrorCodes.SignError, "签名错误");

    /// <summary>WeChat timed out (retry with the same parameters).</summary>
    public static SandboxRefundRefusal SystemError { get; } = new(500, WeChatPayErrorCodes.SystemError, "系统超时，请稍后重试");

    /// <summary>The merchant may not refund this order (final until fixed in the merchant platform).</summary>
    public static SandboxRefundRefusal NoAuth { get; } = new(403, WeChatPayErrorCodes.NoAuth, "没有退款权限");
}
