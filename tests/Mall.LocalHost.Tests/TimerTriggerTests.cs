using System.Collections.Concurrent;
using Azure.Storage.Blobs;
using Mall.LocalHost.Engine;
using Mall.Testing;
using Microsoft.Azure.Functions.Worker;
using FunctionDefinition = Mall.LocalHost.Engine.FunctionDefinition;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NCrontab;

namespace Mall.LocalHost.Tests;

/// <summary>What a timer function saw at each run, in one host.</summary>
public sealed class TimerRuns
{
    public ConcurrentQueue<(string Function, DateTime At, TimerInfo Timer)> All { get; } = new();

    public IEnumerable<(DateTime At, TimerInfo Timer)> Of(string function) => All.Where(r => r.Function == function).Select(r => (r.At, r.Timer));
}

public sealed class TimerProbe(TimerRuns runs)
{
    public void Ticked(TimerInfo timer) => runs.All.Enqueue(("Ticked", DateTime.UtcNow, timer));

    public void Yearly(TimerInfo timer) => runs.All.Enqueue(("Yearly", DateTime.UtcNow, timer));

    public void Daily(TimerInfo timer) => runs.All.Enqueue(("Daily", DateTime.UtcNow, timer));
}

/// <summary>The timer scheduler on its own, in plain hosts on Azurite, against what the timer extension does.</summary>
public sealed class TimerTriggerTests
{
    /// <summary>
    /// Task.Delay can fire up to a millisecond before the occurrence; counted from the clock, the same occurrence
    /// would come next again and run twice. TimerListener.InvokeJobFunction counts from the occurrence.
    /// </summary>
    [Fact]
    public async Task An_occurrence_runs_once()
    {
        await using var host = await StartAsync(NewHostId(), Timer(nameof(TimerProbe.Ticked), "* * * * * *"));

        await Eventually.HoldsAsync(() => host.Runs.Of("Ticked").Count() >= 6, "Six runs", seconds: 60);

        // Every second: runs two to six are for five distinct later occurrences, so they span at least four seconds
        // (a busy machine only makes runs later, never earlier). An occurrence run twice leaves a second out.
        var runs = host.Runs.Of("Ticked").Select(r => r.At).Take(6).ToArray();
        Assert.True(runs[^1] - runs[0] >= TimeSpan.FromSeconds(3.9), "Runs at " + string.Join(", ", runs.Select(r => r.ToString("HH:mm:ss.ffffff"))));
    }

    /// <summary>
    /// The next occurrence is four months away, beyond Task.Delay's ~49.7 days: TimerListener waits in steps of at most
    /// 24 days. The host keeps running and the other timer keeps its schedule.
    /// </summary>
    [Fact]
    public async Task A_schedule_months_away_waits_and_leaves_the_host_and_other_timers_running()
    {
        var next = DateTime.UtcNow.AddDays(120);
        await using var host = await StartAsync(NewHostId(), Timer(nameof(TimerProbe.Yearly), $"0 0 0 {next.Day} {next.Month} *"), Timer(nameof(TimerProbe.Ticked), "* * * * * *"));

        await Eventually.HoldsAsync(() => host.Runs.Of("Ticked").Count() >= 2, "Two runs of the other timer");

        Assert.False(host.Host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Empty(host.Runs.Of("Yearly"));
    }

    /// <summary>NCrontab reads 22-2 as 2-22 (hourly from 02:00 to 22:00); Cronos wrapped it around midnight.</summary>
    [Fact]
    public void A_schedule_occurs_when_ncrontab_says()
    {
        var from = new DateTime(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc);

        var next = TimerSchedule.Parse("0 0 22-2 * * *").NextAfter(from);

        Assert.Equal(CrontabSchedule.Parse("0 0 22-2 * * *", new CrontabSchedule.ParseOptions { IncludingSeconds = true }).GetNextOccurrence(from), next);
        Assert.Equal(new DateTime(2025, 1, 1, 13, 0, 0, DateTimeKind.Utc), next);
    }

    /// <summary>A TimeSpan schedule (ConstantSchedule) runs every interval.</summary>
    [Fact]
    public async Task A_timespan_schedule_runs_every_interval()
    {
        await using var host = await StartAsync(NewHostId(), Timer(nameof(TimerProbe.Ticked), "00:00:01"));

        await Eventually.HoldsAsync(() => host.Runs.Of("Ticked").Count() >= 3, "Three runs");
    }

    /// <summary>
    /// The schedule monitor (ScheduleMonitor.CheckPastDueAsync, StorageScheduleMonitor): the status blob says the last
    /// run was two days ago and the next one yesterday, so no host ran it since; the next start runs it at once, past
    /// due, with the status in TimerInfo, and records the run.
    /// </summary>
    [Fact]
    public async Task A_missed_occurrence_runs_at_start_as_past_due_and_the_run_is_recorded()
    {
        var hostId = NewHostId();
        var schedule = TimerSchedule.Parse("0 0 2 * * *");
        var last = schedule.NextAfter(DateTime.UtcNow.AddDays(-3));
        var storage = await StorageAsync(hostId);
        await storage.UpdateStatusAsync("Daily", new ScheduleStatus { Last = last, Next = schedule.NextAfter(last), LastUpdated = last });

        await using var host = await StartAsync(hostId, Timer(nameof(TimerProbe.Daily), "0 0 2 * * *"));
        await Eventually.HoldsAsync(() => host.Runs.Of("Daily").Any(), "The past-due run");

        var run = host.Runs.Of("Daily").Single().Timer;
        Assert.True(run.IsPastDue);
        Assert.Equal(schedule.NextAfter(last), run.ScheduleStatus!.Next);
        await Eventually.HoldsAsync(async () => (await storage.GetStatusAsync("Daily", CancellationToken.None))!.Last > last, "The run's status");
        var recorded = (await storage.GetStatusAsync("Daily", CancellationToken.None))!;
        Assert.Equal(schedule.NextAfter(recorded.Last), recorded.Next);
    }

    /// <summary>A new timer's first status is recorded at start (ScheduleMonitor.CheckPastDueAsync), so a later start knows what it missed.</summary>
    [Fact]
    public async Task A_new_timer_records_its_next_occurrence_at_start()
    {
        var hostId = NewHostId();
        await using var host = await StartAsync(hostId, Timer(nameof(TimerProbe.Daily), "0 0 2 * * *"));
        var storage = await StorageAsync(hostId);

        await Eventually.HoldsAsync(async () => await storage.GetStatusAsync("Daily", CancellationToken.None) is not null, "The first status");

        var status = (await storage.GetStatusAsync("Daily", CancellationToken.None))!;
        Assert.Equal(TimerSchedule.Parse("0 0 2 * * *").NextAfter(status.LastUpdated), status.Next);
        Assert.Empty(host.Runs.Of("Daily"));
    }

    /// <summary>
    /// Two hosts on one storage account with one host id, as two instances of an app in Azure: the timer's listener
    /// lock (a blob lease) lets one of them run it; the other waits for the lock.
    /// </summary>
    [Fact]
    public async Task Of_two_hosts_on_one_storage_only_one_runs_a_timer()
    {
        var hostId = NewHostId();
        await using var first = await StartAsync(hostId, Timer(nameof(TimerProbe.Ticked), "* * * * * *"));
        await using var second = await StartAsync(hostId, Timer(nameof(TimerProbe.Ticked), "* * * * * *"));

        await Eventually.HoldsAsync(() => first.Runs.All.Count + second.Runs.All.Count >= 4, "Four runs");

        Assert.Contains(0, new[] { first.Runs.All.Count, second.Runs.All.Count });
    }

    private static string NewHostId() => "timers-" + Guid.NewGuid().ToString("N")[..12];

    private static FunctionDefinition Timer(string method, string schedule) =>
        new(method, typeof(TimerProbe).GetMethod(method)!, TriggerKind.Timer, [new ParameterBinding(ParameterSource.TimerInfo, "timer", typeof(TimerInfo))]) { Schedule = schedule };

    private static async Task<HostStorage> StorageAsync(string hostId) =>
        new(new BlobContainerClient((await Azurite.InstanceAsync()).ConnectionString, HostStorage.ContainerName), hostId, Microsoft.Extensions.Logging.Abstractions.NullLogger<HostStorage>.Instance);

    private static async Task<TimerHost> StartAsync(string hostId, params FunctionDefinition[] functions)
    {
        var storage = await StorageAsync(hostId);
        var logs = new LogCollector();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton<IReadOnlyList<FunctionDefinition>>(functions).AddSingleton<TimerFunctions>().AddSingleton<TimerRuns>()
            .AddSingleton(TimeProvider.System).AddSingleton(storage).AddHostedService<TimerScheduler>();
        var host = builder.Build();
        await host.StartAsync();
        return new TimerHost(host, host.Services.GetRequiredService<TimerRuns>(), logs);
    }

    private sealed record TimerHost(IHost Host, TimerRuns Runs, LogCollector Logs) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Host.StopAsync();
            Host.Dispose();
        }
    }
}
