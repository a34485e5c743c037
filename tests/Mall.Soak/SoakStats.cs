using System.Collections.Concurrent;

namespace Mall.Soak;

/// <summary>What the run has done so far, shared by the workers, the chaos loop and the progress line.</summary>
public sealed class SoakStats
{
    private readonly ConcurrentDictionary<string, int> operations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> errors = new(StringComparer.Ordinal);
    private int hostKills;
    private int hostExits;
    private int azuriteRestarts;

    public int HostKills => hostKills;

    /// <summary>Times the host exited without being killed (a crash: worth a look in its log).</summary>
    public int UnplannedHostExits => hostExits;

    public int AzuriteRestarts => azuriteRestarts;

    public int OperationsDone => operations.Values.Sum();

    public IReadOnlyDictionary<string, int> Operations => operations;

    public IReadOnlyDictionary<string, int> Errors => errors;

    public void Done(string operation) => operations.AddOrUpdate(operation, 1, (_, n) => n + 1);

    /// <summary>A failure a client saw (connection refused, 503, a 409 it did not expect…), by kind.</summary>
    public void Error(string kind) => errors.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public void HostKilled() => Interlocked.Increment(ref hostKills);

    public void HostExitedUnplanned() => Interlocked.Increment(ref hostExits);

    public void AzuriteRestarted() => Interlocked.Increment(ref azuriteRestarts);

    public string ProgressLine(TimeSpan elapsed) =>
        $"[{elapsed:mm\\:ss}] ops {OperationsDone}, host kills {HostKills}, azurite restarts {AzuriteRestarts}, unplanned host exits {UnplannedHostExits}; errors: {Top(errors, 6)}";

    public static string Top(IReadOnlyDictionary<string, int> counts, int take) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.OrderByDescending(c => c.Value).Take(take).Select(c => $"{c.Key} {c.Value}"));
}
