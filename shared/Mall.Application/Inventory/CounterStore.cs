using System.Runtime.CompilerServices;
using Mall.Application.Platform;
using Mall.Domain.Inventory;

namespace Mall.Application.Inventory;

/// <summary>Where each counter lives: stock per SKU (grouped by product), units bought per customer and product, a customer's unpaid orders.</summary>
public static class CounterKeys
{
    public static DocumentKey Stock(string productId, string skuId) => new(StockPartition(productId), skuId);

    public static string StockPartition(string productId) => $"stock|{productId}";

    public static DocumentKey Purchases(string customerId, string productId) => new($"bought|{customerId}", productId);

    public static DocumentKey UnpaidOrders(string customerId) => new($"unpaid|{customerId}", string.Empty);
}

/// <summary>
/// Guarded counters in storage: each operation is one ETag-guarded write of one entity, retried on
/// contention, and idempotent per operation id for the operation's whole life (see
/// <see cref="GuardedCounter"/>): a settled operation leaves a receipt, which every apply that would
/// change the counter checks after reading it, so the counter's conditional write proves the receipt
/// was not there yet.
/// </summary>
public sealed class CounterStore(IDocumentCollection<GuardedCounter> counters, IDocumentCollection<SettledOperation> receipts)
{
    /// <summary>Applies a change; a missing counter counts as zero. Returns whether it applied (or already had).</summary>
    public Task<CounterOutcome> ApplyAsync(DocumentKey key, string operationId, long delta, long minimum, long maximum, CancellationToken cancellationToken) =>
        counters.TransitionWithReadsAsync(
            key,
            async current =>
            {
                var change = (current?.Value ?? new GuardedCounter(0)).Apply(operationId, delta, minimum, maximum);
                if (change.Outcome == CounterOutcome.AlreadyApplied)
                {
                    return Decision.Keep<GuardedCounter, CounterOutcome>(change.Outcome);
                }

                // Not pending: it may have settled already (then the bound it would now break is its own doing).
                if (await receipts.FindAsync(ReceiptKey(key, operationId), cancellationToken) is not null)
                {
                    return Decision.Keep<GuardedCounter, CounterOutcome>(CounterOutcome.AlreadyApplied);
                }

                return change.Changed ? Decision.Write(change.Counter, change.Outcome) : Decision.Keep<GuardedCounter, CounterOutcome>(change.Outcome);
            },
            cancellationToken);

    /// <summary>Makes a pending operation final: its receipt is stored, then its marker dropped. Safe to repeat.</summary>
    public async Task SettleAsync(DocumentKey key, string operationId, CancellationToken cancellationToken)
    {
        var current = await counters.FindAsync(key, cancellationToken);
        if (current is null || !current.Value.Pending.TryGetValue(operationId, out var delta))
        {
            // Never applied here, reverted, or settled already (its receipt is stored).
            return;
        }

        try
        {
            await receipts.InsertAsync(ReceiptKey(key, operationId), new SettledOperation(delta), [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Another settle of the same operation stored it first.
        }

        await ChangeExistingAsync(key, counter => counter.Settle(operationId), cancellationToken);
    }

    public Task RevertAsync(DocumentKey key, string operationId, CancellationToken cancellationToken) =>
        ChangeExistingAsync(key, counter => counter.Revert(operationId), cancellationToken);

    /// <summary>Creates a counter with an initial value unless it already exists.</summary>
    public async Task InitializeAsync(DocumentKey key, long value, CancellationToken cancellationToken)
    {
        try
        {
            await counters.InsertAsync(key, new GuardedCounter(value), [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Already there: keep the live value.
        }
    }

    public async Task<long> ValueAsync(DocumentKey key, CancellationToken cancellationToken) =>
        (await counters.FindAsync(key, cancellationToken))?.Value.Value ?? 0;

    /// <summary>All counters of one partition (e.g. every SKU's stock of a product) by row key.</summary>
    public async Task<IReadOnlyDictionary<string, long>> ValuesAsync(string partitionKey, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, long>();
        await foreach (var counter in counters.ScanAsync(new DocumentQuery { PartitionKey = partitionKey }, 1000, cancellationToken))
        {
            values[counter.Key.RowKey] = counter.Value.Value;
        }

        return values;
    }

    /// <summary>Every counter a query matches (a range of partitions, say), one page in memory at a time.</summary>
    public async IAsyncEnumerable<(DocumentKey Key, long Value)> ScanAsync(DocumentQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var counter in counters.ScanAsync(query, 1000, cancellationToken))
        {
            yield return (counter.Key, counter.Value.Value);
        }
    }

    private static DocumentKey ReceiptKey(DocumentKey counter, string operationId) =>
        new(StorageKeys.Escape($"{counter.PartitionKey}|{counter.RowKey}"), StorageKeys.Escape(operationId));

    private Task<bool> ChangeExistingAsync(DocumentKey key, Func<GuardedCounter, CounterChange> change, CancellationToken cancellationToken) =>
        counters.TransitionAsync(
            key,
            current =>
            {
                if (current is null)
                {
                    return Decision.Keep<GuardedCounter, bool>(false);
                }

                var result = change(current.Value);
                return result.Changed ? Decision.Write(result.Counter, true) : Decision.Keep<GuardedCounter, bool>(false);
            },
            cancellationToken);
}
