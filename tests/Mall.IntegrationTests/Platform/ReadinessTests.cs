using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using Azure.Messaging.ServiceBus;
using Mall.Application.Platform;
using Mall.Functions.Platform;
using Mall.Infrastructure;
using Mall.Infrastructure.Messaging;
using Mall.Infrastructure.Storage;
using Mall.Infrastructure.WeChat;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Moq;

namespace Mall.IntegrationTests.Platform;

/// <summary>
/// Readiness when a dependency is down or not configured (the end-to-end HealthTests see them all up): storage and
/// Service Bus at a closed port, a task hub that fails, WeChat settings missing or malformed, a check that hangs.
/// </summary>
public sealed class ReadinessTests
{
    private static readonly MessagingOptions LocalMessaging = new() { QueueName = "mall-events" };

    [Fact]
    public async Task Storage_that_does_not_answer_is_down_and_the_mall_not_ready()
    {
        var closed = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:{ClosedPort()}/devstoreaccount1";
        var storage = new StorageReadiness(new TableProvider(new TableServiceClient(closed), new StorageOptions()));

        var report = await Check(storage, new ServiceBusReadiness(LocalMessaging, null, required: false));

        Assert.False(report.Ready);
        Assert.Equal(DependencyStatus.Down, report.Dependencies["storage"].Status);
        Assert.True(report.Dependencies["storage"].Required);
        Assert.NotEmpty(report.Dependencies["storage"].Detail);
    }

    [Fact]
    public async Task Without_a_Service_Bus_namespace_a_local_mall_says_so_and_is_still_ready()
    {
        var report = await Check(new ServiceBusReadiness(LocalMessaging, null, required: false));

        Assert.True(report.Ready);
        var serviceBus = report.Dependencies["serviceBus"];
        Assert.Equal(DependencyStatus.NotConfigured, serviceBus.Status);
        Assert.False(serviceBus.Required);
        Assert.Contains("storage queue 'mall-events'", serviceBus.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_Service_Bus_namespace_a_mall_in_Azure_is_not_ready()
    {
        var report = await Check(new ServiceBusReadiness(LocalMessaging, null, required: true));

        Assert.False(report.Ready);
        Assert.Equal(DependencyStatus.NotConfigured, report.Dependencies["serviceBus"].Status);
    }

    [Fact]
    public async Task A_Service_Bus_that_does_not_answer_is_down()
    {
        await using var client = new ServiceBusClient(
            $"Endpoint=sb://127.0.0.1:{ClosedPort()};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=bm90LWEta2V5;UseDevelopmentEmulator=true",
            new ServiceBusClientOptions { RetryOptions = { MaxRetries = 0, TryTimeout = TimeSpan.FromSeconds(2) } });
        var bus = new ServiceBusEventBus(client.CreateSender("mall-events"));

        var report = await Check(new ServiceBusReadiness(new MessagingOptions { ServiceBusNamespace = "mall.servicebus.windows.net" }, bus, required: true));

        Assert.False(report.Ready);
        Assert.Equal(DependencyStatus.Down, report.Dependencies["serviceBus"].Status);
    }

    [Fact]
    public async Task A_task_hub_that_fails_is_down()
    {
        var client = new Mock<DurableTaskClient>("MallHub");
        client.Setup(c => c.GetAllInstancesAsync(It.IsAny<OrchestrationQuery?>()))
            .Returns(Pageable.Create<OrchestrationMetadata>((_, _, _) => throw new InvalidOperationException("The task hub's storage is unreachable.")));

        var report = await Check(new DurableHubReadiness(client.Object));

        Assert.False(report.Ready);
        Assert.Equal(DependencyStatus.Down, report.Dependencies["durableTaskHub"].Status);
        Assert.Contains("unreachable", report.Dependencies["durableTaskHub"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_WeChat_settings_the_mall_is_not_ready()
    {
        var report = await Check(new WeChatReadiness(new ConfigurationBuilder().Build()));

        Assert.False(report.Ready);
        Assert.Equal(DependencyStatus.NotConfigured, report.Dependencies["weChat"].Status);
    }

    [Fact]
    public async Task Malformed_WeChat_settings_are_named_but_their_values_never_shown()
    {
        const string appSecret = "app-secret-do-not-show";
        const string shortApiV3Key = "apiv3-do-not-show";
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WeChat:AppId"] = "wx0000000000000001",
            ["WeChat:AppSecret"] = appSecret,
            ["WeChatPay:MchId"] = "1900000001",
            ["WeChatPay:ApiV3Key"] = shortApiV3Key,
        }).Build();

        var weChat = (await Check(new WeChatReadiness(settings))).Dependencies["weChat"];

        Assert.Equal(DependencyStatus.Down, weChat.Status);
        Assert.Contains("WeChatPay:ApiV3Key", weChat.Detail, StringComparison.Ordinal);
        Assert.Contains("WeChatPay:MerchantPrivateKey", weChat.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(appSecret, weChat.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(shortApiV3Key, weChat.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_check_that_never_answers_is_down_once_its_time_is_up()
    {
        var report = await Check(new Hanging());

        Assert.False(report.Ready);
        Assert.Equal(DependencyStatus.Down, report.Dependencies["hanging"].Status);
        Assert.Contains("No answer within", report.Dependencies["hanging"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probes_at_once_share_one_round_of_checks_and_one_probe_giving_up_does_not_fail_the_others()
    {
        var slow = new Counting();
        var readiness = new Readiness([slow], TimeProvider.System);
        using var givingUp = new CancellationTokenSource();

        var first = readiness.CheckAsync([], givingUp.Token);
        var others = Enumerable.Range(0, 20).Select(_ => readiness.CheckAsync([], CancellationToken.None)).ToList();
        await givingUp.CancelAsync();
        slow.Answer.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        var reports = await Task.WhenAll(others);
        Assert.All(reports, report => Assert.True(report.Ready));
        Assert.Equal(1, slow.Runs);
        Assert.Same(reports[0], await readiness.CheckAsync([], CancellationToken.None));
    }

    private static Task<ReadinessReport> Check(params IReadinessCheck[] checks) =>
        new Readiness(checks, TimeProvider.System).CheckAsync([], CancellationToken.None);

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Answers up once the test says so, counting how often it was asked.</summary>
    private sealed class Counting : IReadinessCheck
    {
        private int runs;

        public TaskCompletionSource Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Runs => runs;

        public string Name => "counting";

        public bool Required => true;

        public async Task<DependencyCheck> CheckAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref runs);
            await Answer.Task.WaitAsync(cancellationToken);
            return new DependencyCheck(DependencyStatus.Up, "answered");
        }
    }

    private sealed class Hanging : IReadinessCheck
    {
        public string Name => "hanging";

        public bool Required => true;

        public async Task<DependencyCheck> CheckAsync(CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, CancellationToken.None);
            return new DependencyCheck(DependencyStatus.Up, "never");
        }
    }
}
