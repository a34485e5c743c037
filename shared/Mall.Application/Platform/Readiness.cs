using System.Diagnostics;

namespace Mall.Application.Platform;

public enum DependencyStatus
{
    Up,
    Down,

    /// <summary>Not set up in this deployment (e.g. no Service Bus locally): a failure only where it is required.</summary>
    NotConfigured,
}

/// <summary>What one check found; <paramref name="Detail"/> says what was checked or what failed, never a secret.</summary>
public sealed record DependencyCheck(DependencyStatus Status, string Detail);

/// <summary>One dependency the mall needs to serve requests, checked with one cheap round trip (or by its settings).</summary>
public interface IReadinessCheck
{
    /// <summary>Its key in the report (camelCase).</summary>
    string Name { get; }

    /// <summary>Whether the mall is not ready unless it is up.</summary>
    bool Required { get; }

    Task<DependencyCheck> CheckAsync(CancellationToken cancellationToken);
}

public sealed record DependencyReadiness(DependencyStatus Status, bool Required, string Detail);

public sealed record ReadinessReport(bool Ready, DateTimeOffset CheckedAt, IReadOnlyDictionary<string, DependencyReadiness> Dependencies);

/// <summary>
/// Readiness: every check at once, each within <see cref="CheckTimeout"/> (a dependency that does not answer is
/// down, and the report still comes back in time for a load balancer's probe); ready when every required one is up.
/// One round of checks answers every probe for <see cref="ReportKeptFor"/>: probes are anonymous and come from
/// every load balancer and uptime check, so they must not turn into a round trip to each dependency apiece.
/// </summary>
public sealed class Readiness(IEnumerable<IReadinessCheck> checks, TimeProvider time)
{
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan ReportKeptFor = TimeSpan.FromSeconds(10);

    private const int MaxDetailLength = 300;

    private readonly Lock gate = new();
    private (Task<ReadinessReport> Report, long StartedAt)? latest;

    /// <param name="perRequest">Checks over what only a function invocation has (the durable client of its binding).</param>
    /// <param name="cancellationToken">Stops this caller's wait; the round of checks goes on for the others.</param>
    public Task<ReadinessReport> CheckAsync(IEnumerable<IReadinessCheck> perRequest, CancellationToken cancellationToken)
    {
        Task<ReadinessReport> report;
        lock (gate)
        {
            // The host's clock, not the app's TimeProvider: a test moving the app's time must not age the report.
            if (latest is not { } kept || Stopwatch.GetElapsedTime(kept.StartedAt) > ReportKeptFor)
            {
                latest = kept = (CheckAllAsync(checks.Concat(perRequest).ToList()), Stopwatch.GetTimestamp());
            }

            report = kept.Report;
        }

        return report.WaitAsync(cancellationToken);
    }

    private async Task<ReadinessReport> CheckAllAsync(List<IReadinessCheck> all)
    {
        var results = await Task.WhenAll(all.Select(RunAsync));
        var dependencies = all.Zip(results).ToDictionary(pair => pair.First.Name, pair => pair.Second);
        return new ReadinessReport(dependencies.Values.All(d => !d.Required || d.Status == DependencyStatus.Up), time.GetUtcNow(), dependencies);
    }

    private static async Task<DependencyReadiness> RunAsync(IReadinessCheck check)
    {
        using var timeout = new CancellationTokenSource(CheckTimeout);
        try
        {
            var found = await check.CheckAsync(timeout.Token).WaitAsync(timeout.Token);
            return new DependencyReadiness(found.Status, check.Required, found.Detail);
        }
        catch (Exception exception)
        {
            var detail = timeout.IsCancellationRequested
                ? $"No answer within {CheckTimeout.TotalSeconds:0} s."
                : $"{exception.GetType().Name}: {exception.Message.Split('\n')[0].Trim()}";
            return new DependencyReadiness(DependencyStatus.Down, check.Required, detail.Length > MaxDetailLength ? detail[..MaxDetailLength] + "…" : detail);
        }
    }
}
