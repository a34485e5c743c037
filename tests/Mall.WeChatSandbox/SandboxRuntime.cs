using Mall.WeChat.Pay;

namespace Mall.WeChat.Sandbox;

/// <summary>Everything one sandbox instance holds: keys, state and background deliveries.</summary>
internal sealed class SandboxRuntime : IAsyncDisposable
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(5);

    private readonly BackgroundWork background;
    private readonly HttpClient notificationHttp = new() { Timeout = DeliveryTimeout };

    public SandboxRuntime(WeChatSandboxOptions options, ILogger logger)
    {
        Options = options;
        background = new BackgroundWork(logger);
        Keys = SandboxKeys.LoadOrCreate(options.StateDirectory, options.TimeProvider);
        var (serial, signingKey) = Keys.SigningKey(options.SigningMode);
        Signer = new WeChatPayPlatformSigner(serial, signingKey);
        Notifications = new NotificationCenter(serial, signingKey, Keys.Stored.ApiV3Key, options.TimeProvider, options.NotificationRetrySchedule, background, notificationHttp, logger);
        Pay = new PaySandbox(options, Notifications, background, Keys.PrivateKeyFor, logger);
        MiniProgram = new MiniProgramSandbox(options, Pay);
    }

    public WeChatSandboxOptions Options { get; }

    public SandboxKeys Keys { get; }

    public WeChatPayPlatformSigner Signer { get; }

    public NotificationCenter Notifications { get; }

    public PaySandbox Pay { get; }

    public MiniProgramSandbox MiniProgram { get; }

    public async ValueTask DisposeAsync()
    {
        await background.DisposeAsync();
        notificationHttp.Dispose();
        Keys.Dispose();
    }
}
