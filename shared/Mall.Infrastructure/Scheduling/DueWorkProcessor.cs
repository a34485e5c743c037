using System.Net;
using Azure;
using Azure.Data.Tables;
using Mall.Application.Platform;
using Mall.Infrastructure.Storage;
using Microsoft.Extensions.Logging;

namespace Mall.Infrastructure.Scheduling;

/// <summary>What one processing run did, for the timer's log line.</summary>
public sealed record DueWorkRunSummary(int Done, int Deferred, int Failed);

/// <summary>
/// Runs due work of the given kinds: each entry's handler, then removal (done), a move to a later
/// minute (not yet possible), or a retry with backoff (failed). Nothing is dropped: an entry that
/// keeps failing keeps being retried, at most hourly, and is logged as an error each time.
/// </summary>
public sealed partial class DueWorkProcessor(
    TableProvider tables,
    IEnumerable<IDueWorkHandler> handlers,
    CustomerPseudonyms pseudonyms,
    TimeProvider time,
    ILogger<DueWorkProcessor> logger)
{
    private const int MaxEntriesPerKindPerRun = 500;
    private const int Parallelism = 4;

    public async Task<DueWorkRunSummary> RunAsync(IReadOnlyCollection<string> kinds, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableDueWorkScheduler.TableName, cancellationToken);
        var now = time.GetUtcNow();
        var done = 0;
        var deferred = 0;
        var failed = 0;
        foreach (var kind in kinds)
        {
            var handler = handlers.SingleOrDefault(h => h.Kind == kind)
                ?? throw new InvalidOperationException($"No due-work handler is registered for kind '{kind}'.");
            var due = await LoadDueAsync(table, kind, now, cancellationToken);
            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (entity, ct) =>
            {
                switch (await RunOneAsync(table, handler, entity, now, ct))
                {
                    case DueWorkOutcome.Done:
                        Interlocked.Increment(ref done);
                        break;
                    case DueWorkOutcome.Later:
                        Interlocked.Increment(ref deferred);
                        break;
                    default:
                        Interlocked.Increment(ref failed);
                        break;
                }
            });
        }

        return new DueWorkRunSummary(done, deferred, failed);
    }

    private static async Task<List<TableEntity>> LoadDueAsync(TableClient table, string kind, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var filter = TableFilters.For(new DocumentQuery
        {
            PartitionKeyBefore = TableDueWorkScheduler.Bucket(now.AddMinutes(1)),
            RowKeyPrefix = kind + "|",
        });
        var due = new List<TableEntity>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (entity.GetDateTimeOffset("DueAt") is { } dueAt && dueAt <= now)
            {
                due.Add(entity);
                if (due.Count == MaxEntriesPerKindPerRun)
                {
                    break;
                }
            }
        }

        return due;
    }

    /// <returns>The outcome, or null when the handler failed.</returns>
    private async Task<DueWorkOutcome?> RunOneAsync(TableClient table, IDueWorkHandler handler, TableEntity entity, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var work = new DueWork(entity.GetString("Kind"), entity.GetString("Subject"), entity.GetDateTimeOffset("DueAt")!.Value);
        var attempts = entity.GetInt32("Attempts") ?? 0;
        try
        {
            var result = await handler.HandleAsync(work, cancellationToken);
            if (result.Outcome == DueWorkOutcome.Later && result.RetryAt is { } retryAt)
            {
                await MoveAsync(table, entity, work with { DueAt = retryAt }, attempts, lastError: null, cancellationToken);
                return DueWorkOutcome.Later;
            }

            await DeleteIfUnchangedAsync(table, entity, cancellationToken);
            return DueWorkOutcome.Done;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            attempts++;
            var backoff = TimeSpan.FromMinutes(Math.Min(60, Math.Pow(2, Math.Min(attempts, 6))));
            LogFailed(logger, exception, work.Kind, handler.Subject == DueWorkSubject.Customer ? "of customer " + pseudonyms.Of(work.Subject) : work.Subject, attempts, backoff.TotalMinutes);
            await MoveAsync(table, entity, work with { DueAt = now + backoff }, attempts, exception.Message, cancellationToken);
            return null;
        }
    }

    private static async Task MoveAsync(TableClient table, TableEntity current, DueWork next, int attempts, string? lastError, CancellationToken cancellationToken)
    {
        var replacement = TableDueWorkScheduler.ToEntity(next, attempts, lastError);
        if (replacement.PartitionKey == current.PartitionKey)
        {
            try
            {
                await table.UpdateEntityAsync(replacement, current.ETag, TableUpdateMode.Replace, cancellationToken);
            }
            catch (RequestFailedException exception) when (exception.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
            {
                // Rescheduled or removed meanwhile: the newer entry wins.
            }

            return;
        }

        // Insert the new entry before removing the old one: a crash in between leaves a duplicate
        // (harmless, handlers are idempotent), never a lost entry.
        await table.UpsertEntityAsync(replacement, TableUpdateMode.Replace, cancellationToken);
        await DeleteIfUnchangedAsync(table, current, cancellationToken);
    }

    private static async Task DeleteIfUnchangedAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
        {
            // Rescheduled meanwhile (keep the new entry) or already removed.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Due work {Kind} {Subject} failed (attempt {Attempts}); retrying in {BackoffMinutes} min")]
    private static partial void LogFailed(ILogger logger, Exception exception, string kind, string subject, int attempts, double backoffMinutes);
}
