using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mall.Benchmarks;

/// <summary>CPU time of Azurite and of this process (both hosts and the load generator) over a stretch of wall time.</summary>
internal sealed class CpuMeter
{
    private readonly int azuritePid;
    private readonly long startTicks = Stopwatch.GetTimestamp();
    private readonly TimeSpan azuriteStart;
    private readonly TimeSpan selfStart;

    public CpuMeter(int azuritePid)
    {
        this.azuritePid = azuritePid;
        azuriteStart = ProcessCpu(azuritePid);
        selfStart = SelfCpu();
    }

    /// <summary>Shares of one core (1.0 = one core busy all the time) since this meter started.</summary>
    public (double Azurite, double Self) Shares()
    {
        var wall = Stopwatch.GetElapsedTime(startTicks).TotalSeconds;
        return ((ProcessCpu(azuritePid) - azuriteStart).TotalSeconds / wall, (SelfCpu() - selfStart).TotalSeconds / wall);
    }

    private static TimeSpan SelfCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>utime + stime of a process (all its threads), from /proc/&lt;pid&gt;/stat, in clock ticks of 10 ms.</summary>
    private static TimeSpan ProcessCpu(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the command: state is field 3, utime field 14, stime field 15 (so indices 11 and 12 here).
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }
}

/// <summary>Storage calls of one collection on one host, and the guarded writes it lost (ConcurrencyConflictException).</summary>
internal sealed class StorageCounts
{
    private long reads;
    private long writes;
    private long conflicts;

    public long Reads => Interlocked.Read(ref reads);

    public long Writes => Interlocked.Read(ref writes);

    public long Conflicts => Interlocked.Read(ref conflicts);

    public void Read() => Interlocked.Increment(ref reads);

    public void Write() => Interlocked.Increment(ref writes);

    public void Conflict() => Interlocked.Increment(ref conflicts);

    public (long Reads, long Writes, long Conflicts) Snapshot() => (Reads, Writes, Conflicts);

    /// <summary>Replaces the host's registration of <typeparamref name="T"/>'s collection by one that counts, around the same collection.</summary>
    public static void Decorate<T>(IServiceCollection services, StorageCounts counts)
        where T : class
    {
        var descriptor = services.Last(d => d.ServiceType == typeof(IDocumentCollection<T>));
        var factory = descriptor.ImplementationFactory ?? throw new InvalidOperationException($"IDocumentCollection<{typeof(T).Name}> is not registered by a factory.");
        services.Remove(descriptor);
        services.AddSingleton<IDocumentCollection<T>>(sp => new CountingCollection<T>((IDocumentCollection<T>)factory(sp), counts));
    }
}

internal sealed class CountingCollection<T>(IDocumentCollection<T> inner, StorageCounts counts) : IDocumentCollection<T>
    where T : class
{
    public Task<Versioned<T>?> FindAsync(DocumentKey key, CancellationToken cancellationToken)
    {
        counts.Read();
        return inner.FindAsync(key, cancellationToken);
    }

    public Task<Versioned<T>> InsertAsync(DocumentKey key, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken) =>
        Guarded(() => inner.InsertAsync(key, value, events, cancellationToken));

    public Task<Versioned<T>> ReplaceAsync(Versioned<T> current, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken) =>
        Guarded(() => inner.ReplaceAsync(current, value, events, cancellationToken));

    public Task UpsertAsync(DocumentKey key, T value, CancellationToken cancellationToken)
    {
        counts.Write();
        return inner.UpsertAsync(key, value, cancellationToken);
    }

    public Task<bool> DeleteAsync(DocumentKey key, string? etag, CancellationToken cancellationToken) =>
        Guarded(() => inner.DeleteAsync(key, etag, cancellationToken));

    public Task<ResultPage<Versioned<T>>> QueryAsync(DocumentQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        counts.Read();
        return inner.QueryAsync(query, continuationToken, pageSize, cancellationToken);
    }

    private async Task<TResult> Guarded<TResult>(Func<Task<TResult>> write)
    {
        counts.Write();
        try
        {
            return await write();
        }
        catch (ConcurrencyConflictException)
        {
            counts.Conflict();
            throw;
        }
    }
}

/// <summary>The hosts' warnings and errors: counted per level and category, written to a file (the console stays for the figures).</summary>
internal sealed class CountingLoggerProvider(string path) : ILoggerProvider
{
    private readonly ConcurrentDictionary<string, int> counts = new(StringComparer.Ordinal);
    private readonly StreamWriter writer = new(path, append: false) { AutoFlush = true };
    private readonly Lock gate = new();

    public string Path => path;

    public IReadOnlyDictionary<string, int> Counts => counts;

    public ILogger CreateLogger(string categoryName) => new CountingLogger(this, categoryName);

    public void Dispose() => writer.Dispose();

    private void Write(string host, LogLevel level, string category, string message, Exception? exception)
    {
        counts.AddOrUpdate($"{level} {category}", 1, (_, n) => n + 1);
        lock (gate)
        {
            writer.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} [{host}] {level} {category}: {message}{(exception is null ? string.Empty : Environment.NewLine + exception)}");
        }
    }

    /// <summary>The same provider for one host, its lines marked with the host's name.</summary>
    public ILoggerProvider For(string host) => new Named(this, host);

    private sealed class Named(CountingLoggerProvider owner, string host) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CountingLogger(owner, categoryName, host);

        public void Dispose()
        {
        }
    }

    private sealed class CountingLogger(CountingLoggerProvider owner, string category, string host = "-") : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Write(host, logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}

/// <summary>One request of a load: when it started and ended (Stopwatch ticks), its status and, for a refusal, its machine code.</summary>
internal readonly record struct Sample(long Start, long End, int Status, string? Code, string? OrderId)
{
    public double Milliseconds => (End - Start) * 1000.0 / Stopwatch.Frequency;
}

internal static class Load
{
    /// <summary>Runs <paramref name="count"/> requests, <paramref name="concurrency"/> at a time, in index order.</summary>
    public static async Task<(Sample[] Samples, TimeSpan Elapsed)> RunAsync(int count, int concurrency, Func<int, Task<Sample>> one)
    {
        var samples = new Sample[count];
        var next = -1;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                samples[i] = await one(i);
            }
        })));
        stopwatch.Stop();
        return (samples, stopwatch.Elapsed);
    }

    /// <summary>The q-quantile (nearest rank) of the samples' latencies in milliseconds; NaN when there are none.</summary>
    public static double Quantile(IEnumerable<Sample> samples, double q)
    {
        var sorted = samples.Select(s => s.Milliseconds).Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public static string Ms(double value) => double.IsNaN(value) ? "—" : value.ToString(value < 10 ? "F1" : "F0", CultureInfo.InvariantCulture);

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
