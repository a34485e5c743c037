using System.Collections.Concurrent;
using System.Net;
using Azure;
using Azure.Data.Tables;
using Mall.Application.Analytics;
using Mall.Domain.Analytics;
using Mall.Infrastructure.Storage;

namespace Mall.Infrastructure.Analytics;

/// <summary>
/// The event ledger on Azure Table Storage. A visitor's batch for one day lands in one partition, so it
/// is usually one entity-group transaction of inserts (at most 100 operations: 50 events, their hours'
/// visitor markers and the day's). Markers an instance has seen stored are remembered, so a visitor's
/// later batches do not read them again. A transaction refused because a row exists (a resent event, a
/// marker another instance wrote first) is redone row by row, where a conflict only means "already counted".
/// </summary>
public sealed class TableEventLedger(TableProvider tables) : IEventLedger
{
    public const string TableName = "AnalyticsEvents";
    private const int MaxRememberedMarkers = 200_000;
    private const int MaxTransactionActions = 100;
    private static readonly string[] FoldColumns = ["RowKey", "Type", "AmountFen", "Slot"];
    private static readonly string[] KeyOnly = ["RowKey"];
    private static readonly string[] RecordedAtColumn = ["RecordedAt"];

    private readonly ConcurrentDictionary<string, byte> storedMarkers = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<RecordedEvent>> RecordAsync(string visitor, DateOnly day, IReadOnlyList<LedgerEvent> events, bool isVisit, DateTimeOffset recordedAt, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return [];
        }

        var table = await tables.GetAsync(TableName, cancellationToken);
        var partition = LedgerKeys.Partition(day, visitor);
        var rows = events.Select(e => new TableEntity(partition, LedgerKeys.EventRow(e.OccurredAt, visitor, e.Key))
        {
            ["Type"] = e.Type.ToString(),
            ["AmountFen"] = e.AmountFen,
            ["ProductId"] = e.ProductId,
            ["Slot"] = e.Slot,
            ["RecordedAt"] = recordedAt,
        }).ToList();
        var markers = isVisit ? await MissingMarkersAsync(table, partition, visitor, events, cancellationToken) : [];
        var inserts = rows.Concat(markers).ToList();
        if (inserts.Count > MaxTransactionActions)
        {
            throw new ArgumentException($"At most {MaxTransactionActions} rows per transaction; {events.Count} events is too many for one call.", nameof(events));
        }

        try
        {
            await table.SubmitTransactionAsync(inserts.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), cancellationToken);
            Remember(markers);
            return events.Select(e => new RecordedEvent(e, true, recordedAt)).ToList();
        }
        catch (TableTransactionFailedException exception) when (exception.Status == (int)HttpStatusCode.Conflict)
        {
            var stored = await Task.WhenAll(inserts.Select(e => InsertIfAbsentAsync(table, e, cancellationToken)));
            Remember(markers);
            return events.Select((e, index) => new RecordedEvent(e, stored[index] is null, stored[index] ?? recordedAt)).ToList();
        }
    }

    public async Task<Tally> FoldHourAsync(DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var day = Domain.Common.ChinaTime.DateOf(hour);
        var prefix = LedgerKeys.HourPrefix(hour);
        var shards = await Task.WhenAll(Enumerable.Range(0, LedgerKeys.Shards).Select(async shard =>
        {
            var tally = Tally.Empty;
            var visitors = 0L;
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {LedgerKeys.Partition(day, shard)} and RowKey ge {prefix} and RowKey lt {prefix + "~"}");
            await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: FoldColumns, cancellationToken: cancellationToken))
            {
                if (row.RowKey[prefix.Length] == 'h')
                {
                    visitors++;
                }
                else if (Enum.TryParse<TrackedEvent>(row.GetString("Type"), out var type))
                {
                    tally = tally.With(type, row.GetInt64("AmountFen") ?? 0, row.GetString("Slot"));
                }
            }

            return tally with { Visitors = visitors };
        }));
        return shards.Aggregate(Tally.Empty, (sum, shard) => sum.Plus(shard));
    }

    public async Task<DayVisitors> VisitorsAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var visitors = new HashSet<string>(StringComparer.Ordinal);
        var openers = new HashSet<string>(StringComparer.Ordinal);
        var table = await tables.GetAsync(TableName, cancellationToken);
        foreach (var shard in Enumerable.Range(0, LedgerKeys.Shards))
        {
            await foreach (var key in RowKeysAsync(table, LedgerKeys.Partition(day, shard), "v", "w", cancellationToken))
            {
                visitors.Add(key[1..]);
            }

            await foreach (var key in RowKeysAsync(table, LedgerKeys.Partition(day, shard), "s", "t", cancellationToken))
            {
                openers.Add(key[1..]);
            }
        }

        return new DayVisitors(visitors, openers);
    }

    public async Task<long> CountVisitorsAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var counts = await Task.WhenAll(Enumerable.Range(0, LedgerKeys.Shards).Select(async shard =>
        {
            var count = 0L;
            await foreach (var _ in RowKeysAsync(table, LedgerKeys.Partition(day, shard), "v", "w", cancellationToken))
            {
                count++;
            }

            return count;
        }));
        return counts.Sum();
    }

    /// <summary>The visitor's markers for the batch's hours and day (and session, if it opened one) not known to be stored.</summary>
    private async Task<List<TableEntity>> MissingMarkersAsync(TableClient table, string partition, string visitor, IReadOnlyList<LedgerEvent> events, CancellationToken cancellationToken)
    {
        var keys = events.Select(e => LedgerKeys.HourVisitorRow(e.OccurredAt, visitor))
            .Append(LedgerKeys.DayVisitorRow(visitor))
            .Concat(events.Any(e => e.Type == TrackedEvent.SessionOpen) ? [LedgerKeys.SessionOpenerRow(visitor)] : [])
            .Distinct(StringComparer.Ordinal)
            .Where(key => !storedMarkers.ContainsKey(partition + "|" + key))
            .ToList();
        var found = await Task.WhenAll(keys.Select(async key =>
            (await table.GetEntityIfExistsAsync<TableEntity>(partition, key, KeyOnly, cancellationToken)).HasValue));
        Remember(keys.Where((_, index) => found[index]).Select(key => new TableEntity(partition, key)));
        return keys.Where((_, index) => !found[index]).Select(key => new TableEntity(partition, key)).ToList();
    }

    private void Remember(IEnumerable<TableEntity> markers)
    {
        if (storedMarkers.Count > MaxRememberedMarkers)
        {
            // Forgetting only costs a point read per marker later; remembering without bound would cost memory.
            storedMarkers.Clear();
        }

        foreach (var marker in markers)
        {
            storedMarkers.TryAdd(marker.PartitionKey + "|" + marker.RowKey, 0);
        }
    }

    /// <summary>Inserts the row; null when it was new, else when the row already there was recorded.</summary>
    private static async Task<DateTimeOffset?> InsertIfAbsentAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken);
            return null;
        }
        catch (RequestFailedException exception) when (exception.Status == (int)HttpStatusCode.Conflict)
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, RecordedAtColumn, cancellationToken);
            return existing.HasValue ? existing.Value!.GetDateTimeOffset("RecordedAt") ?? DateTimeOffset.MinValue : DateTimeOffset.MinValue;
        }
    }

    private static async IAsyncEnumerable<string> RowKeysAsync(TableClient table, string partition, string from, string before, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {from} and RowKey lt {before}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: KeyOnly, cancellationToken: cancellationToken))
        {
            yield return row.RowKey;
        }
    }
}
