using System.Collections.Concurrent;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Mall.LocalHost.Engine;

/// <summary>
/// Runs timer functions, on schedule or on demand. Like the Functions host, one function never runs
/// twice at the same time (a scheduled run waits for a manual one and vice versa).
/// </summary>
public sealed class TimerFunctions(IReadOnlyList<FunctionDefinition> functions, IServiceProvider services)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> running = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<FunctionDefinition> All { get; } = functions.Where(f => f.Trigger == TriggerKind.Timer).ToList();

    public async Task RunAsync(FunctionDefinition function, TimerInfo timer, CancellationToken cancellationToken)
    {
        var gate = running.GetOrAdd(function.Name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = services.CreateAsyncScope();
            await FunctionInvoker.InvokeAsync(function, scope.ServiceProvider, binding => binding.Source switch
            {
                ParameterSource.TimerInfo => timer,
                ParameterSource.DurableClient => scope.ServiceProvider.GetRequiredService<DurableTaskClient>(),
                _ => throw new InvalidOperationException($"{binding.Source} is not a timer binding."),
            }, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }
}

/// <summary>
/// The timer extension's listener for each enabled timer function (azure-webjobs-sdk-extensions
/// src/WebJobs.Extensions/Extensions/Timers/Listener/TimerListener.cs), under its listener lock (one host of those on a
/// storage account runs a timer; see <see cref="HostStorage"/>). With useMonitor (the default, off for schedules that
/// run more than once a minute) the schedule's status is kept in storage: an occurrence missed while no host ran is run
/// at start with IsPastDue, and the function sees the status in TimerInfo.ScheduleStatus (ScheduleMonitor.CheckPastDueAsync).
/// </summary>
public sealed partial class TimerScheduler(TimerFunctions timers, HostStorage storage, TimeProvider time, ILogger<TimerScheduler> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(timers.All.Where(f => !f.Disabled).Select(function => KeepListeningAsync(function, stoppingToken)));

    /// <summary>Holds the lock and listens; a lock that is taken is tried again every recovery interval, one that is lost too.</summary>
    private async Task KeepListeningAsync(FunctionDefinition function, CancellationToken stoppingToken)
    {
        var schedule = TimerSchedule.Parse(function.Schedule!);
        var useMonitor = function.UseMonitor && !schedule.IsSubMinute;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var listenerLock = await storage.TryAcquireListenerLockAsync(function.Name, stoppingToken);
                if (listenerLock is null)
                {
                    LogLockTaken(logger, function.Name, storage.HostId);
                }
                else
                {
                    using var listening = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, listenerLock.Lost);
                    await ListenAsync(function, schedule, useMonitor, listening.Token);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                // The lock was lost: try to take it back after the recovery interval.
            }
            catch (Exception exception)
            {
                // Storage out of reach, or anything else: this timer alone waits and starts over (TimerListener.HandleTimerEvent).
                LogListenerFailed(logger, exception, function.Name);
            }

            try
            {
                await Task.Delay(HostStorage.ListenerLockRecoveryPollingInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>TimerListener.StartAsync, then each occurrence (HandleTimerEvent, InvokeJobFunction).</summary>
    private async Task ListenAsync(FunctionDefinition function, TimerSchedule schedule, bool useMonitor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        ScheduleStatus? status = null;
        var pastDue = false;
        if (useMonitor)
        {
            status = await storage.GetStatusAsync(function.Name, cancellationToken);
            (status, pastDue) = await CheckPastDueAsync(function.Name, now, schedule, status);
        }

        status ??= new ScheduleStatus { Next = schedule.NextAfter(now) };
        LogNextOccurrences(logger, function.Name, schedule, string.Join(", ", NextOccurrences(schedule, now, 5).Select(o => o.ToString("o"))));
        if (pastDue)
        {
            LogPastDue(logger, function.Name);
            status = await InvokeAsync(function, schedule, status, useMonitor, time.GetUtcNow().UtcDateTime, TimerRun.PastDue, cancellationToken);
        }
        else if (function.RunOnStartup)
        {
            status = await InvokeAsync(function, schedule, status, useMonitor, time.GetUtcNow().UtcDateTime, TimerRun.OnStartup, cancellationToken);
        }

        while (true)
        {
            await LongDelay.WaitAsync(status.Next - time.GetUtcNow().UtcDateTime, time, cancellationToken);
            status = await InvokeAsync(function, schedule, status, useMonitor, time.GetUtcNow().UtcDateTime, TimerRun.Scheduled, cancellationToken);
        }
    }

    /// <returns>The status after the run: the next occurrence counted from the one just run.</returns>
    private async Task<ScheduleStatus> InvokeAsync(FunctionDefinition function, TimerSchedule schedule, ScheduleStatus status, bool useMonitor, DateTime invoked, TimerRun run, CancellationToken cancellationToken)
    {
        try
        {
            await timers.RunAsync(function, new TimerInfo { ScheduleStatus = useMonitor ? status : null, IsPastDue = run == TimerRun.PastDue }, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailure(logger, exception, function.Name);
        }

        // TimerListener.InvokeJobFunction: a timer that fired before its occurrence (Task.Delay can fire up to a
        // millisecond early) counts from the occurrence, or the same occurrence would come next again.
        var adjusted = run == TimerRun.Scheduled && status.Next > invoked ? status.Next : invoked;
        var next = new ScheduleStatus { Last = adjusted, Next = schedule.NextAfter(adjusted), LastUpdated = adjusted };
        if (useMonitor)
        {
            await storage.UpdateStatusAsync(function.Name, next);
        }

        return next;
    }

    /// <summary>
    /// ScheduleMonitor.CheckPastDueAsync: records a first status; a recorded one whose Next no longer follows from the
    /// schedule (the schedule changed) is recomputed; past due when now is after the recorded Next.
    /// </summary>
    private async Task<(ScheduleStatus Status, bool PastDue)> CheckPastDueAsync(string function, DateTime now, TimerSchedule schedule, ScheduleStatus? recorded)
    {
        if (recorded is null)
        {
            var first = new ScheduleStatus { Next = schedule.NextAfter(now), LastUpdated = now };
            await storage.UpdateStatusAsync(function, first);
            return (first, false);
        }

        var (expected, counted) = recorded.Last != default ? (schedule.NextAfter(recorded.Last), recorded.Last)
            : recorded.LastUpdated != default ? (schedule.NextAfter(recorded.LastUpdated), recorded.LastUpdated)
            : (schedule.NextAfter(now), now);
        var status = recorded;
        if (recorded.Next != expected)
        {
            (expected, counted) = now > expected ? (schedule.NextAfter(now), now) : (expected, counted);
            status = new ScheduleStatus { Next = expected, LastUpdated = counted };
            await storage.UpdateStatusAsync(function, status);
        }

        return (status, now > status.Next);
    }

    private static IEnumerable<DateTime> NextOccurrences(TimerSchedule schedule, DateTime from, int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return from = schedule.NextAfter(from);
        }
    }

    private enum TimerRun
    {
        Scheduled,
        PastDue,
        OnStartup,
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Timer function {Function} failed; it runs again at its next occurrence")]
    private static partial void LogFailure(ILogger logger, Exception exception, string function);

    [LoggerMessage(Level = LogLevel.Error, Message = "The timer of {Function} failed; it starts over after the recovery interval")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string function);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unable to acquire Singleton lock for {Function} (host id {HostId}): another host runs this timer")]
    private static partial void LogLockTaken(ILogger logger, string function, string hostId);

    /// <summary>The extension's own message (TimerListener.Logger.NextOccurrences).</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "The next 5 occurrences of the '{Function}' schedule ({Schedule}) will be: {Occurrences}")]
    private static partial void LogNextOccurrences(ILogger logger, string function, TimerSchedule schedule, string occurrences);

    [LoggerMessage(Level = LogLevel.Information, Message = "Function '{Function}' is past due on startup. Executing now.")]
    private static partial void LogPastDue(ILogger logger, string function);
}
