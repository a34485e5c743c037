using System.Collections.Concurrent;
using Mall.Application.GroupBuy;
using Mall.Domain.GroupBuy;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;

namespace Mall.IntegrationTests.GroupBuy;

/// <summary>What the fake activities answer and record, per group.</summary>
public sealed class GroupScript
{
    public ConcurrentQueue<GroupStatus> Statuses { get; } = new();

    public IReadOnlyList<string> OrdersToRefund { get; init; } = [];

    public ConcurrentBag<string> Refunded { get; } = [];

    private int statusCalls;

    public int StatusCalls => statusCalls;

    public GroupStatus NextStatus()
    {
        Interlocked.Increment(ref statusCalls);
        return Statuses.TryDequeue(out var status) ? status : GroupStatus.Forming;
    }

    /// <summary>Orders whose first refund attempt fails (a WeChat hiccup).</summary>
    public ConcurrentDictionary<string, int> FailFirstRefundOf { get; } = new();
}

public sealed class GroupBuyEngine : IAsyncLifetime
{
    public ConcurrentDictionary<string, GroupScript> Scripts { get; } = new();

    public DurableTaskTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await DurableTestEngine.StartAsync(registry =>
        {
            registry.AddOrchestrator<GroupBuyOrchestrator>();
            registry.AddActivityFunc<string, GroupStatus>(GroupBuyOrchestrator.StatusActivity, (_, groupId) =>
                Scripts[groupId].NextStatus());
            registry.AddActivityFunc<string, GroupClosing>(GroupBuyOrchestrator.FailActivity, (_, groupId) =>
                new GroupClosing(GroupStatus.Failed, Scripts[groupId].OrdersToRefund));
            registry.AddActivityFunc<GroupMemberRefund, bool>(GroupBuyOrchestrator.RefundMemberActivity, (_, member) =>
            {
                var script = Scripts[member.GroupId];
                if (script.FailFirstRefundOf.TryGetValue(member.OrderId, out var failures) && failures > 0)
                {
                    script.FailFirstRefundOf[member.OrderId] = failures - 1;
                    throw new InvalidOperationException("WeChat is unavailable");
                }

                script.Refunded.Add(member.OrderId);
                return true;
            });
        });
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public async Task<GroupBuyProcessResult> RunAsync(string groupId, GroupScript script, TimeSpan deadline, Func<Task>? whileRunning = null)
    {
        Scripts[groupId] = script;
        await Host.Client.ScheduleNewOrchestrationInstanceAsync(GroupBuyOrchestrator.Name, new GroupBuyProcessInput(groupId, DateTimeOffset.UtcNow + deadline), new StartOrchestrationOptions(groupId));
        await Host.Client.WaitForInstanceStartAsync(groupId);
        if (whileRunning is not null)
        {
            await whileRunning();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var done = await Host.Client.WaitForInstanceCompletionAsync(groupId, getInputsAndOutputs: true, timeout.Token);
        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, done.FailureDetails?.ToString());
        return done.ReadOutputAs<GroupBuyProcessResult>()!;
    }
}

/// <summary>The group buy orchestrator on the in-process durable engine, with scripted activities.</summary>
public sealed class GroupBuyOrchestratorTests(GroupBuyEngine engine) : IClassFixture<GroupBuyEngine>
{
    [Fact]
    public async Task A_group_that_fills_before_its_deadline_succeeds_without_refunds()
    {
        var script = new GroupScript();
        script.Statuses.Enqueue(GroupStatus.Forming);
        script.Statuses.Enqueue(GroupStatus.Succeeded);

        var result = await engine.RunAsync("G-fills", script, TimeSpan.FromMinutes(5), async () =>
        {
            await engine.Host.Client.RaiseEventAsync("G-fills", GroupBuyOrchestrator.MemberPaidEvent, "O1");
            await engine.Host.Client.RaiseEventAsync("G-fills", GroupBuyOrchestrator.MemberPaidEvent, "O2");
        });

        Assert.Equal(GroupStatus.Succeeded, result.Status);
        Assert.Empty(script.Refunded);
    }

    [Fact]
    public async Task A_group_that_times_out_fails_and_refunds_every_paid_member_even_when_an_attempt_fails_once()
    {
        var script = new GroupScript { OrdersToRefund = ["O1", "O2"] };
        script.FailFirstRefundOf["O2"] = 1;

        var result = await engine.RunAsync("G-times-out", script, TimeSpan.FromSeconds(2));

        Assert.Equal(GroupStatus.Failed, result.Status);
        Assert.Equal(2, result.RefundedOrders);
        Assert.Equal(["O1", "O2"], script.Refunded.Order());
        Assert.Equal(0, script.FailFirstRefundOf["O2"]);
    }

    [Fact]
    public async Task The_same_payment_event_delivered_twice_is_only_a_second_look_at_the_group()
    {
        var script = new GroupScript { OrdersToRefund = ["O1"] };

        var result = await engine.RunAsync("G-duplicate", script, TimeSpan.FromSeconds(3), async () =>
        {
            await engine.Host.Client.RaiseEventAsync("G-duplicate", GroupBuyOrchestrator.MemberPaidEvent, "O1");
            await engine.Host.Client.RaiseEventAsync("G-duplicate", GroupBuyOrchestrator.MemberPaidEvent, "O1");
        });

        Assert.Equal(GroupStatus.Failed, result.Status);
        Assert.Equal(["O1"], script.Refunded);
        Assert.Equal(2, script.StatusCalls);
    }
}
