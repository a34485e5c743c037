using System.Collections.Concurrent;
using Mall.Application.Distribution;
using Mall.Domain.Distribution;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;

namespace Mall.IntegrationTests.Distribution;

/// <summary>Scripted answers of the commission activities for one order, and what was asked.</summary>
public sealed class CommissionScript
{
    public required CommissionProgress Accrued { get; init; }

    /// <summary>What successive syncs answer.</summary>
    public ConcurrentQueue<CommissionProgress> Syncs { get; } = new();

    public CommissionProgress Settled { get; init; } = new(CommissionStatus.Settled, null);

    public ConcurrentQueue<string> Calls { get; } = new();
}

public sealed class CommissionEngine : IAsyncLifetime
{
    public ConcurrentDictionary<string, CommissionScript> Scripts { get; } = new();

    public DurableTaskTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await StartAsync(
            orderId => Task.FromResult(Record(orderId, "accrue", s => s.Accrued)),
            orderId => Task.FromResult(Record(orderId, "sync", s => s.Syncs.TryDequeue(out var next) ? next : s.Accrued)),
            orderId => Task.FromResult(Record(orderId, "settle", s => s.Settled)));
    }

    /// <summary>An engine running the orchestrator with the given activities (scripted here, the real service elsewhere).</summary>
    public static Task<DurableTaskTestHost> StartAsync(Func<string, Task<CommissionProgress>> accrue, Func<string, Task<CommissionProgress>> sync, Func<string, Task<CommissionProgress>> settle) =>
        DurableTestEngine.StartAsync(registry =>
        {
            registry.AddOrchestrator<CommissionSettlementOrchestrator>();
            registry.AddActivityFunc<string, CommissionProgress>(CommissionSettlementOrchestrator.AccrueActivity, (_, orderId) => accrue(orderId));
            registry.AddActivityFunc<string, CommissionProgress>(CommissionSettlementOrchestrator.SyncActivity, (_, orderId) => sync(orderId));
            registry.AddActivityFunc<string, CommissionProgress>(CommissionSettlementOrchestrator.SettleActivity, (_, orderId) => settle(orderId));
        });

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public async Task<CommissionProgress> RunAsync(string orderId, CommissionScript script, Func<string, Task>? whileRunning = null)
    {
        Scripts[orderId] = script;
        var instanceId = CommissionSettlementOrchestrator.InstanceId(orderId);
        await Host.Client.ScheduleNewOrchestrationInstanceAsync(CommissionSettlementOrchestrator.Name, orderId, new StartOrchestrationOptions(instanceId));
        await Host.Client.WaitForInstanceStartAsync(instanceId);
        if (whileRunning is not null)
        {
            await whileRunning(instanceId);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var done = await Host.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, done.FailureDetails?.ToString());
        return done.ReadOutputAs<CommissionProgress>()!;
    }

    private CommissionProgress Record(string orderId, string call, Func<CommissionScript, CommissionProgress> answer)
    {
        var script = Scripts[orderId];
        script.Calls.Enqueue(call);
        return answer(script);
    }
}

/// <summary>The commission settlement orchestrator on the in-process durable engine, with scripted activities.</summary>
public sealed class CommissionOrchestratorTests(CommissionEngine engine) : IClassFixture<CommissionEngine>
{
    private static readonly CommissionProgress WaitingForCompletion = new(CommissionStatus.Pending, null);

    [Fact]
    public async Task Commission_settles_when_the_after_sale_window_has_passed()
    {
        var script = new CommissionScript { Accrued = WaitingForCompletion };
        script.Syncs.Enqueue(new CommissionProgress(CommissionStatus.Pending, DateTimeOffset.UtcNow.AddSeconds(2)));

        var result = await engine.RunAsync("O-settles", script, id => engine.Host.Client.RaiseEventAsync(id, CommissionSettlementOrchestrator.OrderChangedEvent, "OrderCompleted"));

        Assert.Equal(CommissionStatus.Settled, result.Status);
        Assert.Equal(["accrue", "sync", "settle"], script.Calls);
    }

    [Fact]
    public async Task A_full_refund_before_settlement_ends_the_process_without_settling()
    {
        var script = new CommissionScript { Accrued = WaitingForCompletion };
        script.Syncs.Enqueue(new CommissionProgress(CommissionStatus.Cancelled, null));

        var result = await engine.RunAsync("O-refunded", script, id => engine.Host.Client.RaiseEventAsync(id, CommissionSettlementOrchestrator.OrderChangedEvent, "RefundSucceeded"));

        Assert.Equal(CommissionStatus.Cancelled, result.Status);
        Assert.DoesNotContain("settle", script.Calls);
    }

    [Fact]
    public async Task A_refund_while_waiting_for_settlement_is_re_checked_and_the_same_signal_twice_changes_nothing()
    {
        var script = new CommissionScript { Accrued = new CommissionProgress(CommissionStatus.Pending, DateTimeOffset.UtcNow.AddMinutes(10)) };
        var settleSoon = new CommissionProgress(CommissionStatus.Pending, DateTimeOffset.UtcNow.AddSeconds(3));
        script.Syncs.Enqueue(settleSoon);
        script.Syncs.Enqueue(settleSoon);

        var result = await engine.RunAsync("O-partial", script, async id =>
        {
            await engine.Host.Client.RaiseEventAsync(id, CommissionSettlementOrchestrator.OrderChangedEvent, "RefundSucceeded");
            await engine.Host.Client.RaiseEventAsync(id, CommissionSettlementOrchestrator.OrderChangedEvent, "RefundSucceeded");
        });

        Assert.Equal(CommissionStatus.Settled, result.Status);
        Assert.Equal(["accrue", "sync", "sync", "settle"], script.Calls);
    }
}
