using System.Diagnostics;
using Mall.LocalHost.Engine;
using Mall.Testing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mall.Benchmarks;

public sealed class OneActivity : TaskOrchestrator<int, int>
{
    public override Task<int> RunAsync(TaskOrchestrationContext context, int input) => context.CallActivityAsync<int>(nameof(Echo), input);
}

public sealed class Echo : TaskActivity<int, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int input) => Task.FromResult(input);
}

public sealed class OneTimer : TaskOrchestrator<int, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, int input)
    {
        await context.CreateTimer(TimeSpan.FromSeconds(1), CancellationToken.None);
        return input;
    }
}

/// <summary>
/// Orchestrations completed per second on the in-memory engine of InProcessTestHost (what the local
/// host ran before) and on the local host's engine (the Azure Storage provider on Azurite, with the
/// local host's settings): a batch started at once, timed from the first start until a query finds
/// them all completed.
/// </summary>
internal static class DurableEngineBenchmark
{
    private const int Rounds = 3;
    private const int WarmUp = 10;

    private static readonly (string Name, string Orchestrator)[] Cases =
    [
        ("one activity", nameof(OneActivity)),
        ("one 1 s durable timer", nameof(OneTimer)),
    ];

    public static async Task RunAsync(int orchestrations)
    {
        Console.WriteLine($"Load average (1, 5, 15 min) before: {LoadAverage()}");
        var inMemory = await MeasureAsync("in-memory", orchestrations, async () =>
        {
            // The test host's sidecar logs every gRPC request to the console unless its configuration,
            // read from the environment (Host.CreateDefaultBuilder), says otherwise.
            Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
            var host = await DurableTaskTestHost.StartAsync(Register, new DurableTaskTestHostOptions { Port = Azurite.FreePort(), LoggerFactory = NullLoggerFactory.Instance });
            return (host.Client, host.DisposeAsync);
        });
        var azurite = await Azurite.InstanceAsync();
        var persistent = await MeasureAsync("Azure Storage on Azurite", orchestrations, async () =>
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Services.AddDurableTaskEngine(new DurableTaskHub(Azurite.NewTablePrefix() + "Bench", azurite.ConnectionString), Azurite.FreePort(), Register);
            var host = builder.Build();
            await host.StartAsync();
            return (host.Services.GetRequiredService<DurableTaskClient>(), async () =>
            {
                await host.StopAsync();
                host.Dispose();
            });
        });
        Console.WriteLine($"Load average (1, 5, 15 min) after: {LoadAverage()}");

        Console.WriteLine();
        Console.WriteLine($"{orchestrations} orchestrations started at once, median of {Rounds} rounds (orchestrations completed per second):");
        Console.WriteLine();
        Console.WriteLine("| orchestration | in-memory | Azure Storage on Azurite | persistent / in-memory |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (name, _) in Cases)
        {
            Console.WriteLine($"| {name} | {inMemory[name]:F1}/s | {persistent[name]:F1}/s | {persistent[name] / inMemory[name]:F2}× |");
        }
    }

    private static void Register(DurableTaskRegistry registry) =>
        registry.AddOrchestrator<OneActivity>().AddOrchestrator<OneTimer>().AddActivity<Echo>();

    private static async Task<Dictionary<string, double>> MeasureAsync(string engine, int orchestrations, Func<Task<(DurableTaskClient Client, Func<ValueTask> Stop)>> start)
    {
        var (client, stop) = await start();
        var rates = new Dictionary<string, double>();
        try
        {
            foreach (var (name, orchestrator) in Cases)
            {
                await RunBatchAsync(client, orchestrator, WarmUp);
                var rounds = new List<double>();
                for (var round = 0; round < Rounds; round++)
                {
                    var elapsed = await RunBatchAsync(client, orchestrator, orchestrations);
                    rounds.Add(orchestrations / elapsed.TotalSeconds);
                    Console.WriteLine($"  {engine}, {name}, round {round + 1}: {orchestrations} in {elapsed.TotalSeconds:F2} s = {rounds[^1]:F1}/s");
                }

                rates[name] = rounds.Order().ElementAt(Rounds / 2);
            }
        }
        finally
        {
            await stop();
        }

        return rates;
    }

    /// <summary>Starts <paramref name="count"/> instances at once; the time until all are seen completed.</summary>
    private static async Task<TimeSpan> RunBatchAsync(DurableTaskClient client, string orchestrator, int count)
    {
        var prefix = Guid.NewGuid().ToString("N")[..8] + "-";
        var query = new OrchestrationQuery { InstanceIdPrefix = prefix, Statuses = [OrchestrationRuntimeStatus.Completed] };
        var elapsed = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            client.ScheduleNewOrchestrationInstanceAsync(orchestrator, i, new StartOrchestrationOptions(prefix + i))));
        var completed = 0;
        while (completed < count)
        {
            if (elapsed.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"Only {completed} of {count} {orchestrator} orchestrations completed within 5 minutes.");
            }

            // One query a tenth of a second: fine-grained enough, and light on the storage being measured.
            await Task.Delay(100);
            completed = 0;
            await foreach (var _ in client.GetAllInstancesAsync(query))
            {
                completed++;
            }
        }

        return elapsed.Elapsed;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
