using System.Collections.Concurrent;
using Cronos;
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

    public async Task RunAsync(FunctionDefinition function, bool isPastDue, CancellationToken cancellationToken)
    {
        var gate = running.GetOrAdd(function.Name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = services.CreateAsyncScope();
            await FunctionInvoker.InvokeAsync(function, scope.ServiceProvider, binding => binding.Source switch
            {
                ParameterSource.TimerInfo => new TimerInfo { IsPastDue = isPastDue },
                ParameterSource.CancellationToken => cancellationToken,
                ParameterSource.DurableClient => scope.ServiceProvider.GetRequiredService<DurableTaskClient>(),
                _ => throw new InvalidOperationException($"{binding.Source} is not a timer binding."),
            });
        }
        finally
        {
            gate.Release();
        }
    }
}

/// <summary>The schedules: 6-field CRON (seconds first) evaluated in UTC, as the Functions host does by default.</summary>
public sealed partial class TimerScheduler(TimerFunctions timers, TimeProvider time, ILogger<TimerScheduler> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(timers.All.Select(function => RunScheduleAsync(function, stoppingToken)));

    private async Task RunScheduleAsync(FunctionDefinition function, CancellationToken stoppingToken)
    {
        var schedule = CronExpression.Parse(function.Schedule!, CronFormat.IncludeSeconds);
        if (function.RunOnStartup)
        {
            await RunLoggedAsync(function, isPastDue: false, stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (schedule.GetNextOccurrence(now, TimeZoneInfo.Utc) is not { } next)
            {
                return;
            }

            try
            {
                await Task.Delay(next - now, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // A run that overran its next occurrence reports it the way Functions does.
            await RunLoggedAsync(function, isPastDue: time.GetUtcNow() - next > TimeSpan.FromSeconds(1), stoppingToken);
        }
    }

    private async Task RunLoggedAsync(FunctionDefinition function, bool isPastDue, CancellationToken stoppingToken)
    {
        try
        {
            await timers.RunAsync(function, isPastDue, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            LogFailure(logger, exception, function.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Timer function {Function} failed; it runs again at its next occurrence")]
    private static partial void LogFailure(ILogger logger, Exception exception, string function);
}
