using System.Security.Cryptography;
using Mall.WeChat.Pay;

namespace Mall.WeChat.Sandbox;

/// <summary>The kinds of notification the sandbox sends, with WeChat's envelope values.</summary>
internal sealed record NotificationKind(string EventType, string Summary, string OriginalType)
{
    public static readonly NotificationKind Payment = new(NotificationEventTypes.TransactionSuccess, "支付成功", "transaction");

    public static readonly NotificationKind Refund = new(NotificationEventTypes.RefundSuccess, "退款成功", "refund");

    public static readonly NotificationKind RefundAbnormal = new(NotificationEventTypes.RefundAbnormal, "退款异常", "refund");
}

/// <summary>
/// Builds notifications exactly like WeChat Pay (encrypted resource, signed body) and delivers them to the
/// notify_url, retrying non-2xx answers on the configured schedule. Each attempt is signed afresh, as
/// WeChat does, so late retries do not carry stale timestamps.
/// </summary>
internal sealed class NotificationCenter
{
    private readonly string serial;
    private readonly RSA signingKey;
    private readonly WeChatPayPlatformSigner signer;
    private readonly string apiV3Key;
    private readonly TimeProvider timeProvider;
    private readonly IReadOnlyList<TimeSpan> retrySchedule;
    private readonly BackgroundWork background;
    private readonly HttpClient http;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private readonly List<SandboxNotificationDelivery> deliveries = [];

    public NotificationCenter(
        string serial,
        RSA signingKey,
        string apiV3Key,
        TimeProvider timeProvider,
        IReadOnlyList<TimeSpan> retrySchedule,
        BackgroundWork background,
        HttpClient http,
        ILogger logger)
    {
        this.serial = serial;
        this.signingKey = signingKey;
        signer = new WeChatPayPlatformSigner(serial, signingKey);
        this.apiV3Key = apiV3Key;
        this.timeProvider = timeProvider;
        this.retrySchedule = retrySchedule;
        this.background = background;
        this.http = http;
        this.logger = logger;
    }

    public IReadOnlyList<SandboxNotificationDelivery> Deliveries
    {
        get
        {
            lock (gate)
            {
                return [.. deliveries];
            }
        }
    }

    public SandboxWebhook Build(NotificationKind kind, string resourceJson, SandboxNotificationSigning? signing)
    {
        var (_, body) = Seal(kind, resourceJson, signing?.EventType, signing?.ApiV3Key ?? apiV3Key);
        var notificationSigner = new WeChatPayPlatformSigner(signing?.Serial ?? serial, signing?.SigningKey ?? signingKey);
        return new SandboxWebhook(body, notificationSigner.Sign(body, signing?.Timestamp ?? timeProvider.GetUtcNow()));
    }

    /// <summary>Queues delivery of a new notification (<paramref name="copies"/> = 2 delivers it twice).</summary>
    public void Send(NotificationKind kind, string subject, string resourceJson, string url, int copies)
    {
        var (id, body) = Seal(kind, resourceJson, null, apiV3Key);
        background.Run(async stopping =>
        {
            for (var copy = 1; copy <= copies; copy++)
            {
                await DeliverAsync(id, kind, subject, url, body, copy, stopping);
            }
        });
    }

    private (string Id, string Body) Seal(NotificationKind kind, string resourceJson, string? eventType, string key)
    {
        var id = Guid.NewGuid().ToString();
        var envelope = WeChatPayNotifications.Seal(id, timeProvider.GetUtcNow(), eventType ?? kind.EventType, kind.Summary, kind.OriginalType, resourceJson, key);
        return (id, WeChatJson.Serialize(envelope));
    }

    private async Task DeliverAsync(string id, NotificationKind kind, string subject, string url, string body, int copy, CancellationToken stopping)
    {
        for (var attempt = 1; ; attempt++)
        {
            int? status = null;
            string? error = null;
            try
            {
                using var request = new SandboxWebhook(body, signer.Sign(body, timeProvider.GetUtcNow())).ToHttpRequest(new Uri(url));
                using var response = await http.SendAsync(request, stopping);
                status = (int)response.StatusCode;
            }
            catch (Exception exception) when (exception is HttpRequestException || (exception is OperationCanceledException && !stopping.IsCancellationRequested))
            {
                error = exception.Message;
            }

            var delivery = new SandboxNotificationDelivery(id, kind.EventType, subject, url, copy, attempt, timeProvider.GetUtcNow(), status, error);
            lock (gate)
            {
                deliveries.Add(delivery);
            }

            if (delivery.Delivered)
            {
                logger.LogInformation("{EventType} for {Subject} delivered to {Url} (attempt {Attempt})", kind.EventType, subject, url, attempt);
                return;
            }

            if (attempt > retrySchedule.Count)
            {
                logger.LogWarning("{EventType} for {Subject} given up after {Attempts} attempts", kind.EventType, subject, attempt);
                return;
            }

            logger.LogInformation("{EventType} for {Subject} to {Url} failed ({Status}{Error}); retrying in {Delay}", kind.EventType, subject, url, status, error, retrySchedule[attempt - 1]);
            await Task.Delay(retrySchedule[attempt - 1], timeProvider, stopping);
        }
    }
}
