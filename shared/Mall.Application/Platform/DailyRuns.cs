using Mall.Domain.Common;

namespace Mall.Application.Platform;

/// <summary>The record of a daily batch run, one per CST day.</summary>
public interface IDailyRun
{
    DateOnly Day { get; }
}

/// <summary>
/// Where a resumable daily run keeps its record: one document per CST day in one partition, written
/// as a checkpoint after each page (inserted first, then ETag-guarded), read back for reports.
/// </summary>
public sealed class DailyRuns<TRun>(IDocumentCollection<TRun> runs, string partition)
    where TRun : class, IDailyRun
{
    public Task<Versioned<TRun>?> FindAsync(DateOnly day, CancellationToken cancellationToken) =>
        runs.FindAsync(Key(day), cancellationToken);

    /// <summary>Saves where the run has got to; a crash after this resumes from here.</summary>
    public Task<Versioned<TRun>> CheckpointAsync(Versioned<TRun>? stored, TRun run, CancellationToken cancellationToken) =>
        stored is null ? runs.InsertAsync(Key(run.Day), run, [], cancellationToken) : runs.ReplaceAsync(stored, run, [], cancellationToken);

    /// <summary>The runs of <paramref name="since"/> and later, newest first.</summary>
    public async Task<IReadOnlyList<TRun>> SinceAsync(DateOnly since, CancellationToken cancellationToken)
    {
        var found = new List<TRun>();
        await foreach (var run in runs.ScanAsync(new DocumentQuery { PartitionKey = partition }, 1000, cancellationToken))
        {
            if (run.Value.Day >= since)
            {
                found.Add(run.Value);
            }
        }

        return found.OrderByDescending(r => r.Day).ToList();
    }

    private DocumentKey Key(DateOnly day) => new(partition, ChinaTime.DayKey(day));
}
