using System.Text.Json;
using Mall.WeChat.Pay;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Mall.WeChat.Sandbox;

/// <summary>
/// A local stand-in for WeChat's servers (mini-program API and WeChat Pay API v3) with its own keys and
/// real signatures. Start it in-process for tests, or run the executable for local development.
/// </summary>
public sealed class WeChatSandbox : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    private readonly WebApplication app;
    private readonly SandboxRuntime runtime;

    private WeChatSandbox(WebApplication app, SandboxRuntime runtime, Uri baseAddress)
    {
        this.app = app;
        this.runtime = runtime;
        BaseAddress = baseAddress;
        var root = baseAddress.GetLeftPart(UriPartial.Authority);
        var keys = runtime.Keys.Stored;
        MallSettings = new Dictionary<string, string>
        {
            ["WeChat:AppId"] = runtime.Options.AppId,
            ["WeChat:AppSecret"] = runtime.Options.AppSecret,
            ["WeChat:ApiBaseUrl"] = root,
            ["WeChatPay:MchId"] = runtime.Options.MchId,
            ["WeChatPay:MerchantSerialNo"] = keys.MerchantSerialNo,
            ["WeChatPay:MerchantPrivateKey"] = keys.MerchantPrivateKey,
            ["WeChatPay:ApiV3Key"] = keys.ApiV3Key,
            ["WeChatPay:PlatformCertificates:0"] = keys.PlatformCertificate,
            ["WeChatPay:PublicKeys:0:Id"] = keys.PublicKeyId,
            ["WeChatPay:PublicKeys:0:Pem"] = runtime.Keys.PublicKeyPem,
            ["WeChatPay:BaseUrl"] = root,
        };
    }

    public Uri BaseAddress { get; }

    /// <summary>The configuration (':'-separated keys) the mall needs to talk to this sandbox; notify URLs are the mall's own.</summary>
    public IReadOnlyDictionary<string, string> MallSettings { get; }

    /// <summary>The Wechatpay-Serial this sandbox signs with (a PUB_KEY_ID_… or the platform certificate serial).</summary>
    public string SigningSerial => runtime.Signer.Serial;

    public IReadOnlyList<SandboxTransaction> Transactions => runtime.Pay.Transactions;

    public IReadOnlyList<SandboxRefund> Refunds => runtime.Pay.Refunds;

    public IReadOnlyList<SandboxSubscribeMessage> SubscribeMessages => runtime.MiniProgram.SubscribeMessages;

    public IReadOnlyList<SandboxShippingUpload> ShippingUploads => runtime.MiniProgram.ShippingUploads;

    public IReadOnlyList<SandboxNotificationDelivery> NotificationDeliveries => runtime.Notifications.Deliveries;

    /// <summary>How many times an access token was requested (stable_token or token).</summary>
    public int AccessTokenRequests => runtime.MiniProgram.AccessTokenRequests;

    public static async Task<WeChatSandbox> StartAsync(WeChatSandboxOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(WeChatSandbox).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders()
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            })
            .SetMinimumLevel(options.MinimumLogLevel)

            // Per-request framework logs drown the sandbox's own (payments, deliveries, rejected signatures).
            .AddFilter("Microsoft", LogLevel.Warning);

        // The sandbox is embedded (tests) or driven by its command line; neither wants the host to own Ctrl-C.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        var app = builder.Build();
        app.Urls.Clear();
        foreach (var url in options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            app.Urls.Add(url);
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Mall.WeChatSandbox");
        var runtime = new SandboxRuntime(options, logger);
        SandboxEndpoints.Map(app, runtime, logger);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await runtime.DisposeAsync();
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new WeChatSandbox(app, runtime, new Uri(address));
    }

    /// <summary>Pays a pending (NOTPAY) transaction and, unless told otherwise, sends its notification.</summary>
    /// <exception cref="InvalidOperationException">No such transaction, or it is not payable.</exception>
    public Task<SandboxTransaction> PayAsync(string outTradeNo, SandboxPayOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var outcome = runtime.Pay.Pay(outTradeNo, options ?? new SandboxPayOptions());
        return outcome.Transaction is { } paid
            ? Task.FromResult(paid)
            : Task.FromException<SandboxTransaction>(new InvalidOperationException(outcome.Error));
    }

    public SandboxTransaction? FindTransaction(string outTradeNo) => runtime.Pay.FindTransaction(outTradeNo);

    /// <summary>WeChat refuses the order's next <paramref name="times"/> new refund requests with <paramref name="refusal"/> (nothing is recorded).</summary>
    public void RefuseRefunds(string outTradeNo, SandboxRefundRefusal refusal, int times = 1) => runtime.Pay.RefuseRefunds(outTradeNo, refusal, times);

    /// <summary>The order's refunds end ABNORMAL (e.g. the buyer's card was closed) until the merchant applies an abnormal refund.</summary>
    public void MakeRefundsAbnormal(string outTradeNo) => runtime.Pay.MakeRefundsAbnormal(outTradeNo);

    /// <summary>Replaces the stable access token, as another server forcing a refresh would: the old token now gets errcode 40001.</summary>
    public void RotateAccessToken() => runtime.MiniProgram.RotateAccessToken();

    /// <summary>
    /// The next <paramref name="times"/> calls of <paramref name="api"/> fail as <paramref name="fault"/> says
    /// (<see cref="int.MaxValue"/>: until <see cref="ClearFaults"/>), in the order injected.
    /// </summary>
    public void InjectFault(MiniProgramApi api, SandboxFault fault, int times = 1) => runtime.MiniProgram.InjectFault(api, fault, times);

    public void ClearFaults() => runtime.MiniProgram.ClearFaults();

    /// <summary>What wx.login returns for <paramref name="user"/>: a code valid for 5 minutes, once.</summary>
    public string IssueLoginCode(string user) => runtime.MiniProgram.IssueLoginCode(user);

    /// <summary>
    /// What the getPhoneNumber button gives the mini-program when <paramref name="user"/> shares <paramref name="phoneNumber"/>
    /// (without country code): a code valid for 5 minutes, once.
    /// </summary>
    public string IssuePhoneCode(string user, string phoneNumber, string countryCode = "86") => runtime.MiniProgram.IssuePhoneCode(user, phoneNumber, countryCode);

    /// <summary>The openid WeChat gives <paramref name="user"/> of a login code ("&lt;user&gt;#&lt;n&gt;", or <see cref="IssueLoginCode"/>'s).</summary>
    public string OpenIdOf(string user) => runtime.MiniProgram.OpenIdOf(user);

    /// <summary>
    /// The user accepted <paramref name="templateId"/> in wx.requestSubscribeMessage <paramref name="times"/> times:
    /// that many messages of it may be sent to them, and a send beyond them answers 43101, as WeChat's does.
    /// </summary>
    public void AcceptSubscribeMessages(string openId, string templateId, int times = 1) => runtime.MiniProgram.AcceptSubscribeMessages(openId, templateId, times);

    /// <summary>The user turned <paramref name="templateId"/> off in WeChat: sends to them answer 43101.</summary>
    public void RefuseSubscribeMessages(string openId, string templateId) => runtime.MiniProgram.RefuseSubscribeMessages(openId, templateId);

    /// <summary>A TRANSACTION.SUCCESS notification for any resource (e.g. a tampered amount), signed as <paramref name="signing"/> says.</summary>
    public SandboxWebhook BuildPaymentNotification(Transaction resource, SandboxNotificationSigning? signing = null) =>
        runtime.Notifications.Build(NotificationKind.Payment, WeChatJson.Serialize(resource), signing);

    /// <summary>A REFUND.SUCCESS notification for any resource, signed as <paramref name="signing"/> says.</summary>
    public SandboxWebhook BuildRefundNotification(RefundNotificationResource resource, SandboxNotificationSigning? signing = null) =>
        runtime.Notifications.Build(NotificationKind.Refund, WeChatJson.Serialize(resource), signing);

    /// <summary>Writes <see cref="MallSettings"/> as a local.settings.json file ('__' separators).</summary>
    public void WriteMallSettingsFile(string path)
    {
        var values = MallSettings.ToDictionary(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal), setting => setting.Value);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, JsonSerializer.Serialize(new { IsEncrypted = false, Values = values }, IndentedJson));
    }

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            await app.StopAsync(timeout.Token);
        }

        await runtime.DisposeAsync();
        await app.DisposeAsync();
    }

    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
