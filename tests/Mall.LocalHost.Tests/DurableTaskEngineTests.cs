using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using Mall.LocalHost.Engine;
using Mall.Testing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mall.LocalHost.Tests;

public sealed class WaitForGo : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string name)
    {
        await context.WaitForExternalEvent<string>("Go");
        return await context.CallActivityAsync<string>(nameof(SayHello), name);
    }
}

public sealed class SayHello : TaskActivity<string, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, string name) => Task.FromResult("hello " + name);
}

public sealed class CountedFanOut : TaskOrchestrator<int, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, int count)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i => context.CallActivityAsync<int>(nameof(CountedActivity), $"{context.InstanceId}/{i}")));
        return results.Sum();
    }
}

public sealed class CountedActivity : TaskActivity<string, int>
{
    public static ConcurrentDictionary<string, int> Runs { get; } = new();

    public override async Task<int> RunAsync(TaskActivityContext context, string key)
    {
        Runs.AddOrUpdate(key, 1, (_, n) => n + 1);
        await Task.Delay(200);
        return 1;
    }
}

/// <summary>The durable engine on its own, in a plain host: what a stop leaves behind and what the next start finds.</summary>
public sealed class DurableTaskEngineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private sealed record Engine(IHost Host, DurableTaskHub Hub, int SidecarPort) : IAsyncDisposable
    {
        public DurableTaskClient Client => Host.Services.GetRequiredService<DurableTaskClient>();

        public async ValueTask DisposeAsync()
        {
            await Host.StopAsync();
            Host.Dispose();
        }
    }

    private static async Task<Engine> StartAsync(string hubName)
    {
        var hub = new DurableTaskHub(hubName, (await Azurite.InstanceAsync()).ConnectionString);
        var port = Azurite.FreePort();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddDurableTaskEngine(hub, port, registry => registry.AddOrchestrator<WaitForGo>().AddActivity<SayHello>().AddOrchestrator<CountedFanOut>().AddActivity<CountedActivity>());
        var host = builder.Build();
        await host.StartAsync();
        return new Engine(host, hub, port);
    }

    private static string NewHubName() => Azurite.NewTablePrefix() + "Hub";

    private static async Task<string> StartWaitingAsync(Engine engine, string name)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var instanceId = await engine.Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitForGo), name, timeout.Token);
        await engine.Client.WaitForInstanceStartAsync(instanceId, timeout.Token);
        return instanceId;
    }

    private static async Task<OrchestrationMetadata> GoAsync(Engine engine, string instanceId)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await engine.Client.RaiseEventAsync(instanceId, "Go", "now", timeout.Token);
        return await engine.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
    }

    [Fact]
    public async Task A_stopped_engine_gives_up_its_partitions_and_port_and_the_next_one_on_its_hub_finishes_what_it_left_waiting()
    {
        var hubName = NewHubName();
        var first = await StartAsync(hubName);
        var instanceId = await StartWaitingAsync(first, "mei");

        var stopping = Stopwatch.StartNew();
        await first.DisposeAsync();
        // Far below the host's 30 s shutdown timeout, after which the engine is stopped without waiting.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(15), $"The engine took {stopping.Elapsed} to stop.");

        var partitions = new TableClient((await Azurite.InstanceAsync()).ConnectionString, hubName + "Partitions");
        var owners = new List<string?>();
        await foreach (var partition in partitions.QueryAsync<TableEntity>())
        {
            owners.Add(partition.GetString("CurrentOwner"));
        }

        Assert.NotEmpty(owners);
        Assert.All(owners, Assert.Null);
        using (var listener = new TcpListener(IPAddress.Loopback, first.SidecarPort))
        {
            listener.Start();
        }

        await using var second = await StartAsync(hubName);
        var completed = await GoAsync(second, instanceId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, completed.RuntimeStatus);
        Assert.Equal("hello mei", completed.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Engines_on_different_task_hubs_run_side_by_side_and_see_only_their_own_orchestrations()
    {
        var engines = await Task.WhenAll(StartAsync(NewHubName()), StartAsync(NewHubName()));
        await using var first = engines[0];
        await using var second = engines[1];

        var instances = await Task.WhenAll(StartWaitingAsync(first, "first"), StartWaitingAsync(second, "second"));
        var results = await Task.WhenAll(GoAsync(first, instances[0]), GoAsync(second, instances[1]));

        Assert.Equal(["hello first", "hello second"], results.Select(r => r.ReadOutputAs<string>()));
        Assert.Null(await first.Client.GetInstanceAsync(instances[1]));
        Assert.Null(await second.Client.GetInstanceAsync(instances[0]));
    }

    /// <summary>Two hosts on one task hub, as two instances of an app in Azure: when one stops, the other takes its partitions and finishes its orchestrations.</summary>
    [Fact]
    public async Task When_one_of_two_engines_on_a_hub_stops_the_other_carries_on()
    {
        var hubName = NewHubName();
        var first = await StartAsync(hubName);
        await using var second = await StartAsync(hubName);
        var instanceId = await StartWaitingAsync(first, "mei");

        await first.DisposeAsync();
        var completed = await GoAsync(second, instanceId);

        Assert.Equal("hello mei", completed.ReadOutputAs<string>());
    }

    /// <summary>Two hosts on one task hub share its partitions between them: each activity runs once.</summary>
    [Fact]
    public async Task Two_engines_on_one_hub_run_each_activity_once()
    {
        var hubName = NewHubName();
        await using var first = await StartAsync(hubName);
        await using var second = await StartAsync(hubName);
        using var timeout = new CancellationTokenSource(Patience * 2);

        var ids = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? first : second).Client.ScheduleNewOrchestrationInstanceAsync(nameof(CountedFanOut), 10, timeout.Token)));
        var results = await Task.WhenAll(ids.Select(id => first.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token)));

        Assert.All(results, r => Assert.Equal(10, r.ReadOutputAs<int>()));
        Assert.Empty(CountedActivity.Runs.Where(r => ids.Any(id => r.Key.StartsWith(id, StringComparison.Ordinal)) && r.Value > 1).Select(r => $"{r.Key} ran {r.Value} times"));
    }
}
