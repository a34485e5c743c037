using Mall.Functions;
using Mall.LocalHost.Development;
using Mall.LocalHost.Engine;
using Mall.Testing;
using Mall.WeChat.Sandbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mall.Soak;

/// <summary>
/// The mall as eng/run-local.sh runs it, with every part in the soak's hands: Azurite (persisted in a
/// temporary directory) and the local host as child processes it can kill and restart on the same
/// ports and state, and the WeChat sandbox in-process, so the workload can pay, duplicate and delay
/// notifications and refuse refunds.
/// </summary>
public sealed class SoakMall : IAsyncDisposable
{
    /// <summary>Business durations short enough that every order reaches its end within a run.</summary>
    private static readonly Dictionary<string, string> ShortDurations = new(StringComparer.Ordinal)
    {
        ["Orders:UnpaidTimeoutMinutes"] = "1",
        ["Orders:AutoConfirmDays"] = "0",
        ["Orders:AfterSaleDays"] = "0",
        ["Payments:ReconcileAfterMinutes"] = "1",
        ["Payments:RefundRetryMaxMinutes"] = "1",
        ["Distribution:SettleAfterCompletionSeconds"] = "5",
        // A flash order's unit goes back after a minute unpaid, as a normal order's stock does.
        ["FlashSale:UnpaidMinutes"] = "1",
        // Prices must not depend on the day the soak runs.
        ["Promotions:MemberDayOfMonth"] = "0",
    };

    /// <summary>Every minute of the day is a flash slot, so the operator can start a sale in the current minute.</summary>
    private static readonly IEnumerable<KeyValuePair<string, string>> EveryMinuteAFlashSlot =
        Enumerable.Range(0, 24 * 60).Select(m => KeyValuePair.Create($"FlashSale:Slots:{m}", $"{m / 60:D2}:{m % 60:D2}"));

    private readonly SemaphoreSlim hostLifecycle = new(1, 1);
    private readonly IConfiguration configuration;
    private ServiceProvider? services;

    private SoakMall(string stateDirectory, AzuriteProcess azurite, WeChatSandbox sandbox, MallHostProcess host, IConfiguration configuration, string adminPassword, string masterKey)
    {
        StateDirectory = stateDirectory;
        Azurite = azurite;
        Sandbox = sandbox;
        Host = host;
        this.configuration = configuration;
        AdminPassword = adminPassword;
        MasterKey = masterKey;
    }

    public string StateDirectory { get; }

    public AzuriteProcess Azurite { get; }

    public WeChatSandbox Sandbox { get; }

    public MallHostProcess Host { get; }

    public string AdminPassword { get; }

    public string MasterKey { get; }

    public Uri ApiBase => new(Host.BaseAddress, "api/");

    public Uri PaymentNotifyUrl => new(Host.BaseAddress, "api/payments/wechat/notify");

    /// <summary>Whether the soak stopped the host on purpose (the supervisor restarts it only when not).</summary>
    public bool HostDownOnPurpose { get; private set; }

    public string HostLog => Path.Combine(StateDirectory, "host.log");

    public string DispatchQueueName => configuration["Events:DispatchQueue"]!;

    /// <summary>The Durable Task hub (host.json's durableTask.hubName), whose queues hold the orchestrations' messages.</summary>
    public string TaskHubName => "MallHub";

    /// <summary>The mall's own services on the same storage, for reading its state (never for changing it).</summary>
    public IServiceProvider Services => services ??= BuildServices();

    public static async Task<SoakMall> StartAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var state = Directory.CreateTempSubdirectory("mall-soak-").FullName;
        var azurite = new AzuriteProcess(Path.Combine(state, "azurite"), Path.Combine(state, "azurite.log"));
        Directory.CreateDirectory(Path.Combine(state, "azurite"));
        await azurite.StartAsync();
        output.WriteLine($"Azurite up, data in {state}/azurite");

        var port = Mall.Testing.Azurite.FreePort();
        var sandbox = await WeChatSandbox.StartAsync(new WeChatSandboxOptions(), cancellationToken);
        var sandboxSettings = Path.Combine(state, "sandbox", "mall.settings.json");
        sandbox.WriteMallSettingsFile(sandboxSettings);

        var (adminPassword, adminSettings) = DevelopmentSetup.PrepareAdmin(Path.Combine(state, "dev"));
        var masterKey = DevelopmentSetup.PrepareMasterKey(Path.Combine(state, "dev"));
        var settings = new Dictionary<string, string>(ShortDurations, StringComparer.Ordinal)
        {
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["WeChatPay:PaymentNotifyUrl"] = $"http://127.0.0.1:{port}/api/payments/wechat/notify",
            ["WeChatPay:RefundNotifyUrl"] = $"http://127.0.0.1:{port}/api/payments/wechat/refund-notify",
        };
        foreach (var (key, value) in EveryMinuteAFlashSlot)
        {
            settings[key] = value;
        }

        var sampleSettings = Path.Combine(RepositoryPaths.Root, "local.settings.sample.json");
        var host = new MallHostProcess(
            port,
            ["--urls", $"http://127.0.0.1:{port}", "--settings", sampleSettings, "--settings", sandboxSettings, "--dev", Path.Combine(state, "dev")],
            settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value),
            Path.Combine(state, "host.log"));
        var configuration = new ConfigurationBuilder()
            .AddLocalSettingsFile(sampleSettings)
            .AddLocalSettingsFile(sandboxSettings)
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .AddInMemoryCollection(adminSettings)
            .Build();
        var mall = new SoakMall(state, azurite, sandbox, host, configuration, adminPassword, masterKey);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await host.StartAsync(cancellationToken);
        output.WriteLine($"Mall host up at {host.BaseAddress} in {started.Elapsed.TotalSeconds:0.0} s (log {mall.HostLog})");
        return mall;
    }

    /// <summary>SIGKILL, then a new host on the same port and state, as soon as it can serve.</summary>
    public async Task KillAndRestartHostAsync(TimeSpan downFor, CancellationToken cancellationToken)
    {
        await hostLifecycle.WaitAsync(cancellationToken);
        try
        {
            HostDownOnPurpose = true;
            await Host.KillAsync();
            await Task.Delay(downFor, cancellationToken);
            await Host.StartAsync(cancellationToken);
        }
        finally
        {
            HostDownOnPurpose = false;
            hostLifecycle.Release();
        }
    }

    /// <summary>Starts the host again if it is not running and nobody stopped it on purpose; true if it had to.</summary>
    public async Task<bool> ReviveHostAsync(CancellationToken cancellationToken)
    {
        if (Host.IsRunning || HostDownOnPurpose)
        {
            return false;
        }

        await hostLifecycle.WaitAsync(cancellationToken);
        try
        {
            if (Host.IsRunning)
            {
                return false;
            }

            Host.Log($"==== mall host found not running at {DateTimeOffset.UtcNow:O}; starting it again");
            await Host.StartAsync(cancellationToken);
            return true;
        }
        finally
        {
            hostLifecycle.Release();
        }
    }

    public MallClient Client(SoakStats stats, string? forwardedFor = null) => new(ApiBase, stats, forwardedFor);

    public async Task<MallClient> OperatorAsync(SoakStats stats, CancellationToken cancellationToken)
    {
        var client = Client(stats);
        var login = await client.PostAsync("manage/auth/login", new { username = DevelopmentSetup.AdminUser, password = AdminPassword }, cancellationToken);
        client.Authorize(login.Ok ? login.Body.GetProperty("token").GetString()! : throw new InvalidOperationException($"Operator login failed: {login.Status} {login.Body}"));
        return client;
    }

    private ServiceProvider BuildServices()
    {
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        collection.AddSingleton(TimeProvider.System);
        collection.AddMallFunctions(configuration);
        return collection.BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        HostDownOnPurpose = true;
        await Host.DisposeAsync();
        await Sandbox.DisposeAsync();
        await Azurite.DisposeAsync();
        if (services is not null)
        {
            await services.DisposeAsync();
        }

        hostLifecycle.Dispose();
    }
}
