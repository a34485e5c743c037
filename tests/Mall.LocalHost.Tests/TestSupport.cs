using System.Collections.Concurrent;
using Mall.LocalHost.Engine;
using Mall.Testing;
using Microsoft.Extensions.Logging;

namespace Mall.LocalHost.Tests;

/// <summary>The function apps' build outputs, where the Worker SDK wrote their functions.metadata.</summary>
internal static class FunctionApps
{
    public static string Mall { get; } = RepositoryPaths.BuildOutput("functions/Mall.Functions");

    public static string Sample { get; } = RepositoryPaths.BuildOutput("tests/Mall.LocalHost.SampleApp");

    public static string Refused { get; } = RepositoryPaths.BuildOutput("tests/Mall.LocalHost.RefusedApp");
}

/// <summary>The settings the sample app's functions refer to, with queue names of their own for each host.</summary>
internal static class SampleSettings
{
    public static Dictionary<string, string?> For(string storageConnection)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        return new Dictionary<string, string?>
        {
            ["SampleSchedule"] = "* * * * * *",
            ["AzureWebJobsStorage"] = storageConnection,
            // A task hub of its own for each host (the sample app has orchestrations).
            [DurableTaskHub.NameSetting] = "sample" + suffix + "Hub",
            // Sample_QueueBinary's connection "SampleStorage": found unprefixed, after AzureWebJobsSampleStorage.
            ["SampleStorage"] = storageConnection,
            ["SampleQueues:Greetings"] = "greetings-" + suffix,
            // Upper case on purpose: the queue extension lower-cases queue names.
            ["SampleQueues:Orders"] = "Orders-" + suffix,
            ["SampleQueues:Bytes"] = "bytes-" + suffix,
            ["SampleQueues:Binary"] = "binary-" + suffix,
            ["SampleQueues:Flaky"] = "flaky-" + suffix,
            ["SampleQueues:Polled"] = "polled-" + suffix,
            ["SampleQueues:Slow"] = "slow-" + suffix,
            ["SampleQueues:Off"] = "off-" + suffix,
            // Disabled, in both spellings the host reads (Linux has no dots in environment variables).
            ["AzureWebJobs_Sample_Off_Disabled"] = "true",
            ["AzureWebJobs.Sample_QueueOff.Disabled"] = "1",
            // Timer status and listener locks are kept per host id: each test host has its own, unless it shares one on purpose.
            ["AzureFunctionsWebHost:hostid"] = "sample-" + suffix,
        };
    }
}

/// <summary>Keeps what the host logs (Debug and up), so tests can wait for a line the host writes after an event.</summary>
public sealed class LogCollector : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string, Exception?)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue((category, logLevel, formatter(state, exception), exception));
    }
}

internal static class Eventually
{
    /// <summary>Polls a condition (not a sleep: it returns as soon as the condition holds).</summary>
    public static Task HoldsAsync(Func<bool> condition, string what, int seconds = 30) => HoldsAsync(() => Task.FromResult(condition()), what, seconds);

    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not happen within {seconds} s.");
            await Task.Delay(50);
        }
    }
}
