using System.Security.Cryptography;
using Mall.Application.Platform;
using Mall.Functions;
using Mall.LocalHost.Engine;
using Mall.WeChat.Sandbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mall.Testing;

/// <summary>
/// Everything a mall needs to run in a test: a real Azurite (shared, isolated by table prefix), a WeChat
/// sandbox started in-process with its own generated keys, and secrets generated for this run only.
/// </summary>
public sealed class MallTestEnvironment : IAsyncDisposable
{
    private MallTestEnvironment(WeChatSandbox sandbox, IReadOnlyDictionary<string, string?> settings, string adminPassword, TimeProvider time)
    {
        Sandbox = sandbox;
        Settings = settings;
        AdminPassword = adminPassword;
        Time = time;
    }

    public WeChatSandbox Sandbox { get; }

    /// <summary>Configuration keys (':'-separated) for the mall under test.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    public string AdminUser => "admin";

    public string AdminPassword { get; }

    public TimeProvider Time { get; }

    /// <param name="mallBaseAddress">Where the mall will listen, for WeChat's notify URLs (null: notifications go nowhere).</param>
    /// <param name="time">A shared clock for mall and sandbox (signatures carry timestamps both sides check).</param>
    /// <param name="overrides">Settings to change for this run (e.g. short business durations).</param>
    public static async Task<MallTestEnvironment> StartAsync(
        Uri? mallBaseAddress = null,
        TimeProvider? time = null,
        WeChatSandboxOptions? sandboxOptions = null,
        IReadOnlyDictionary<string, string?>? overrides = null)
    {
        time ??= TimeProvider.System;
        var azurite = await Azurite.InstanceAsync();
        var sandbox = await WeChatSandbox.StartAsync((sandboxOptions ?? new WeChatSandboxOptions()) with { TimeProvider = time }, CancellationToken.None);
        var prefix = Azurite.NewTablePrefix();
        var adminPassword = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
        var notifyBase = mallBaseAddress ?? new Uri("http://127.0.0.1:9/");
        var settings = new Dictionary<string, string?>
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = prefix,
            // Orchestrations too, in a task hub of their own, so hosts of parallel tests never share one.
            [DurableTaskHub.StorageSetting] = azurite.ConnectionString,
            [DurableTaskHub.NameSetting] = prefix + "Hub",
            ["Messaging:QueueName"] = prefix + "-events",
            ["Events:DispatchQueue"] = prefix + "-dispatch",
            ["Auth:SessionSigningKey"] = RandomKey(),
            ["Security:DataProtectionKey"] = RandomKey(),
            ["Admin:Users:0:Name"] = "admin",
            ["Admin:Users:0:PasswordHash"] = PasswordHashing.Hash(adminPassword),
            ["WeChatPay:PaymentNotifyUrl"] = new Uri(notifyBase, "api/payments/wechat/notify").ToString(),
            ["WeChatPay:RefundNotifyUrl"] = new Uri(notifyBase, "api/payments/wechat/refund-notify").ToString(),
            // No member day unless a test asks for one: prices must not depend on the day the suite runs.
            ["Promotions:MemberDayOfMonth"] = "0",
        };
        foreach (var (key, value) in sandbox.MallSettings)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return new MallTestEnvironment(sandbox, settings, adminPassword, time);
    }

    public IConfiguration BuildConfiguration() => new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();

    /// <summary>The mall's services as both hosts register them, on this environment's clock.</summary>
    /// <param name="configure">Changes a test makes to the registrations, e.g. decorating a collection to force an interleaving.</param>
    public ServiceProvider BuildServices(Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(Time);
        services.AddMallFunctions(BuildConfiguration());
        configure?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    public ValueTask DisposeAsync() => Sandbox.DisposeAsync();

    private static string RandomKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
