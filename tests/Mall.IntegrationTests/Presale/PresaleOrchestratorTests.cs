using System.Collections.Concurrent;
using Mall.Application.Presale;
using Mall.Application.WeChat;
using Mall.Domain.Presale;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;

namespace Mall.IntegrationTests.Presale;

public sealed class PresaleEngine : IAsyncLifetime
{
    /// <summary>What the status activity answers per reservation, and every activity call made.</summary>
    public ConcurrentDictionary<string, PresaleStatus> Statuses { get; } = new();

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>What the reminder activity throws per reservation, one per call, before it succeeds.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<Exception>> ReminderFailures { get; } = new();

    public DurableTaskTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await DurableTestEngine.StartAsync(registry =>
        {
            registry.AddOrchestrator<PresaleOrchestrator>();
            registry.AddActivityFunc<string, bool>(PresaleOrchestrator.RemindActivity, (_, id) =>
                Record(id, "remind", true) && ReminderFailures.TryGetValue(id, out var failures) && failures.TryDequeue(out var failure) ? throw failure : true);
            registry.AddActivityFunc<string, PresaleStatus>(PresaleOrchestrator.StatusActivity, (_, id) => Record(id, "status", Statuses[id]));
            registry.AddActivityFunc<string, PresaleStatus>(PresaleOrchestrator.CloseWindowActivity, (_, id) => Record(id, "close", PresaleStatus.Forfeited));
        });
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public async Task<PresaleStatus> RunAsync(string reservationId, TimeSpan balanceOpensIn, TimeSpan balanceLasts, Func<Task>? whileRunning = null)
    {
        var now = DateTimeOffset.UtcNow;
        await Host.Client.ScheduleNewOrchestrationInstanceAsync(PresaleOrchestrator.Name, new PresaleProcessInput(reservationId, now + balanceOpensIn, now + balanceOpensIn + balanceLasts), new StartOrchestrationOptions(reservationId));
        await Host.Client.WaitForInstanceStartAsync(reservationId);
        if (whileRunning is not null)
        {
            await whileRunning();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var done = await Host.Client.WaitForInstanceCompletionAsync(reservationId, getInputsAndOutputs: true, timeout.Token);
        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, done.FailureDetails?.ToString());
        return done.ReadOutputAs<PresaleStatus>();
    }

    public IReadOnlyList<string> CallsOf(string reservationId) => Calls.Where(c => c.StartsWith(reservationId + ":", StringComparison.Ordinal)).Select(c => c[(reservationId.Length + 1)..]).ToList();

    private T Record<T>(string reservationId, string call, T answer)
    {
        Calls.Enqueue($"{reservationId}:{call}");
        return answer;
    }
}

/// <summary>The presale orchestrator on the in-process durable engine, with scripted activities.</summary>
public sealed class PresaleOrchestratorTests(PresaleEngine engine) : IClassFixture<PresaleEngine>
{
    [Fact]
    public async Task A_balance_paid_in_the_window_completes_the_presale_after_one_reminder()
    {
        engine.Statuses["R-paid"] = PresaleStatus.BalancePaid;

        var result = await engine.RunAsync("R-paid", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await engine.Host.Client.RaiseEventAsync("R-paid", PresaleOrchestrator.BalancePaidEvent, "R-paidB1");
        });

        Assert.Equal(PresaleStatus.BalancePaid, result);
        Assert.Equal(["remind", "status"], engine.CallsOf("R-paid"));
    }

    [Fact]
    public async Task A_balance_never_paid_closes_the_window_when_it_ends()
    {
        engine.Statuses["R-unpaid"] = PresaleStatus.DepositPaid;

        var result = await engine.RunAsync("R-unpaid", TimeSpan.Zero, TimeSpan.FromSeconds(2));

        Assert.Equal(PresaleStatus.Forfeited, result);
        Assert.Equal(["remind", "close"], engine.CallsOf("R-unpaid"));
    }

    [Fact]
    public async Task A_reminder_WeChat_was_too_busy_for_is_tried_again()
    {
        engine.Statuses["R-busy"] = PresaleStatus.DepositPaid;
        engine.ReminderFailures["R-busy"] = new([new WeChatException(WeChatFailure.Unavailable, "45011 rate limited")]);

        var result = await engine.RunAsync("R-busy", TimeSpan.Zero, TimeSpan.FromSeconds(4));

        Assert.Equal(PresaleStatus.Forfeited, result);
        Assert.Equal(["remind", "remind", "close"], engine.CallsOf("R-busy"));
    }

    [Fact]
    public async Task A_reminder_that_cannot_go_out_does_not_hold_the_presale_up()
    {
        engine.Statuses["R-broken"] = PresaleStatus.DepositPaid;
        engine.ReminderFailures["R-broken"] = new(Enumerable.Repeat<Exception>(new InvalidOperationException("the template was deleted"), 6));

        var result = await engine.RunAsync("R-broken", TimeSpan.Zero, TimeSpan.FromSeconds(2));

        Assert.Equal(PresaleStatus.Forfeited, result);
        Assert.Equal(["remind", "close"], engine.CallsOf("R-broken"));
    }
}
