using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;

namespace Mall.LocalHost.Engine;

/// <summary>
/// Runs a timer or queue function on demand, as the host's admin API does (a queue function gets the
/// input as its message, without a queue). Runs started in the background are awaited when the host stops.
/// </summary>
public sealed partial class ManualRuns(TimerFunctions timers, QueueFunctions queues, IHostApplicationLifetime lifetime, ILogger<ManualRuns> logger) : IHostedService
{
    private readonly ConcurrentDictionary<Task, byte> running = new();

    public IEnumerable<FunctionDefinition> All => timers.All.Concat(queues.All);

    public FunctionDefinition? Find(string name) => All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    public Task RunAsync(FunctionDefinition function, string? input, CancellationToken cancellationToken) => function.Trigger == TriggerKind.Timer
        ? timers.RunAsync(function, new TimerInfo(), cancellationToken)
        // As the queue extension's src/Triggers/StringToStorageQueueMessageConverter.cs does: no id, no pop receipt, dequeue count 0.
        : queues.RunAsync(function, QueuesModelFactory.QueueMessage(null, null, input ?? string.Empty, 0), cancellationToken);

    /// <summary>Starts a run and returns; its outcome is logged in one line.</summary>
    public void Start(FunctionDefinition function, string? input)
    {
        var run = RunLoggedAsync(function, input, lifetime.ApplicationStopping);
        running.TryAdd(run, 0);
        run.ContinueWith(finished => running.TryRemove(finished, out _), TaskScheduler.Default);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.WhenAll(running.Keys).WaitAsync(cancellationToken);

    private async Task RunLoggedAsync(FunctionDefinition function, string? input, CancellationToken cancellationToken)
    {
        await Task.Yield(); // the request is answered before the function starts
        var started = Stopwatch.GetTimestamp();
        try
        {
            await RunAsync(function, input, cancellationToken);
            LogSucceeded(logger, function.Name, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception exception)
        {
            LogFailed(logger, function.Name, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin run of {Function}: Succeeded in {DurationMs} ms")]
    private static partial void LogSucceeded(ILogger logger, string function, long durationMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Admin run of {Function}: Failed in {DurationMs} ms: {Error}")]
    private static partial void LogFailed(ILogger logger, string function, long durationMs, string error);
}
