using System.Threading.Channels;
using Mall.Application.WeChat;
using Mall.Infrastructure.WeChat;
using Mall.WeChat.Sandbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mall.UnitTests.WeChat;

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "WeChat sandbox";
}

/// <summary>One sandbox for the collection, with fast notification retries and immediate refunds.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public static readonly WeChatSandboxOptions Options = new()
    {
        NotificationRetrySchedule = [TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(20)],
        RefundCompletionDelay = TimeSpan.Zero,
    };

    public WeChatSandbox Sandbox { get; private set; } = null!;

    public async Task InitializeAsync() => Sandbox = await WeChatSandbox.StartAsync(Options, CancellationToken.None);

    public async Task DisposeAsync() => await Sandbox.DisposeAsync();
}

/// <summary>
/// The mall's side of a test: the WeChat adapters built by AddWeChat from the sandbox's settings, and an
/// HTTP listener standing in for the mall's notify endpoints.
/// </summary>
public sealed class MallSide : IAsyncDisposable
{
    private readonly WebApplication listener;
    private readonly Channel<(string Path, WebhookRequest Request)> received = Channel.CreateUnbounded<(string, WebhookRequest)>();
    private int failuresToAnswer;

    private MallSide(WebApplication listener, Uri baseAddress, ServiceProvider services)
    {
        this.listener = listener;
        BaseAddress = baseAddress;
        Services = services;
    }

    public Uri BaseAddress { get; }

    public Uri PaymentNotifyUrl => new(BaseAddress, "/payments/notify");

    public Uri RefundNotifyUrl => new(BaseAddress, "/refunds/notify");

    public ServiceProvider Services { get; }

    public IWeChatPay Pay => Services.GetRequiredService<IWeChatPay>();

    public IWeChatLogin Login => Services.GetRequiredService<IWeChatLogin>();

    public IWeChatMiniProgram MiniProgram => Services.GetRequiredService<IWeChatMiniProgram>();

    /// <param name="settings">Adjusts the configuration before the services are built.</param>
    /// <param name="services">Adds to the services after AddWeChat (e.g. a message handler).</param>
    public static async Task<MallSide> StartAsync(
        WeChatSandbox sandbox,
        Action<Dictionary<string, string?>>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var mall = (MallSide?)null;
        app.MapPost("/{**path}", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            await mall!.received.Writer.WriteAsync((request.Path.Value!, new WebhookRequest(body, headers)));
            return Interlocked.Decrement(ref mall.failuresToAnswer) >= 0 ? Results.StatusCode(500) : Results.NoContent();
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

        var configuration = sandbox.MallSettings.ToDictionary(setting => setting.Key, setting => (string?)setting.Value);
        configuration["WeChatPay:PaymentNotifyUrl"] = new Uri(address, "/payments/notify").ToString();
        configuration["WeChatPay:RefundNotifyUrl"] = new Uri(address, "/refunds/notify").ToString();
        settings?.Invoke(configuration);
        var collection = new ServiceCollection().AddLogging();
        collection.AddWeChat(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build());
        services?.Invoke(collection);
        mall = new MallSide(app, address, collection.BuildServiceProvider(validateScopes: true));
        return mall;
    }

    /// <summary>The listener answers 500 to the next <paramref name="count"/> notifications.</summary>
    public void FailNext(int count) => Volatile.Write(ref failuresToAnswer, count);

    public async Task<WebhookRequest> NextNotificationAsync(string path)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var (receivedPath, request) = await received.Reader.ReadAsync(timeout.Token);
        Assert.Equal(path, receivedPath);
        return request;
    }

    public bool HasPendingNotification => received.Reader.TryPeek(out _);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await listener.StopAsync();
        await listener.DisposeAsync();
    }
}
