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
/// contention, and idempotent per operation id (see <see cref="GuardedCounter"/>).
/// </summary>
public sealed class CounterStore(IDocumentCollection<GuardedCounter> counters)
{
    /// <summary>Applies a change; a missing counter counts as zero. Returns whether it applied (or already had).</summary>
    public Task<CounterOutcome> ApplyAsync(DocumentKey key, string operationId, long delta, long minimum, long maximum, CancellationToken cancellationToken) =>
        counters.TransitionAsync(
            key,
            current =>
            {
                var change = (current?.Value ?? new GuardedCounter(0)).Apply(operationId, delta, minimum, maximum);
                return change.Changed ? Decision.Write(change.Counter, change.Outcome) : Decision.Keep<GuardedCounter, CounterOutcome>(change.Outcome);
            },
            cancellationToken);

    public Task SettleAsync(DocumentKey key, string operationId, CancellationToken cancellationToken) =>
        ChangeExistingAsync(key, counter => counter.Settle(operationId), cancellationToken);

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
