using FluentValidation;
using Mall.Application.Catalog;
using Mall.Application.Platform;
using Mall.Domain.Catalog;
using Mall.Domain.Common;
using Mall.Domain.Inventory;
using Mall.Domain.Orders;

namespace Mall.Application.Inventory;

public sealed record StockAdjustmentRequest(long? Delta, string? Reason);

public sealed class StockAdjustmentRequestValidator : AbstractValidator<StockAdjustmentRequest>
{
    public StockAdjustmentRequestValidator()
    {
        RuleFor(r => r.Delta).NotNull().NotEqual(0).InclusiveBetween(-10_000_000, 10_000_000);
        RuleFor(r => r.Reason).NotEmpty().MaximumLength(100);
    }
}

/// <summary>An operator's stock change, recorded so retrying the same Idempotency-Key applies it once.</summary>
public sealed record StockAdjustment(string SkuId, long Delta, string Reason, DateTimeOffset At, bool Applied);

/// <summary>
/// Stock and per-customer purchase limits for orders. Reservation marks every counter with the
/// order's operation id; payment settles the marks, cancellation or expiry reverts them, so each
/// step can be retried safely and no unit is ever counted twice or lost.
/// Every change of a stock figure drops the product's recent view on this instance (<see cref="RecentProductViews"/>).
/// </summary>
public sealed class StockService(CounterStore counters, IDocumentCollection<StockAdjustment> adjustments, RecentProductViews recentViews, TimeProvider time)
{
    /// <summary>Reserves stock (and purchase-limit quota) for every line, or none of it.</summary>
    /// <exception cref="DomainException">OUT_OF_STOCK or PURCHASE_LIMIT_EXCEEDED, naming the SKU/product.</exception>
    public async Task ReserveAsync(Order order, IReadOnlyDictionary<string, int?> purchaseLimits, CancellationToken cancellationToken)
    {
        if (!order.HoldsStock)
        {
            return;
        }

        var done = new List<DocumentKey>();
        try
        {
            // Sorted so concurrent orders touch counters in the same order.
            foreach (var line in order.Lines.OrderBy(l => l.SkuId, StringComparer.Ordinal))
            {
                var key = CounterKeys.Stock(line.ProductId, line.SkuId);
                if (await counters.ApplyAsync(key, order.StockOperationId, -line.Quantity, 0, long.MaxValue, cancellationToken) == CounterOutcome.Refused)
                {
                    throw new DomainException(ErrorCode.OutOfStock, $"Not enough stock for {line.Title} ({line.SkuName}).", new Dictionary<string, string[]>
                    {
                        [line.SkuId] = ["Out of stock."],
                    });
                }

                done.Add(key);
            }

            foreach (var (productId, units) in UnitsPerProduct(order))
            {
                if (purchaseLimits.GetValueOrDefault(productId) is not { } limit)
                {
                    continue;
                }

                var key = CounterKeys.Purchases(order.CustomerId, productId);
                if (await counters.ApplyAsync(key, order.StockOperationId, units, 0, limit, cancellationToken) == CounterOutcome.Refused)
                {
                    throw new DomainException(ErrorCode.PurchaseLimitExceeded, $"Each customer may buy at most {limit} of {order.Lines.First(l => l.ProductId == productId).Title}.", new Dictionary<string, string[]>
                    {
                        [productId] = [$"Purchase limit {limit} reached."],
                    });
                }

                done.Add(key);
            }
        }
        catch (DomainException)
        {
            foreach (var key in done)
            {
                await counters.RevertAsync(key, order.StockOperationId, CancellationToken.None);
            }

            throw;
        }
        finally
        {
            // After the writes, so a view read while they ran is dropped too.
            ForgetViewsOf(order);
        }
    }

    /// <summary>Unpaid order ended: the reserved units and quota go back. Safe to repeat.</summary>
    public async Task ReleaseAsync(Order order, CancellationToken cancellationToken)
    {
        await ForEachCounterAsync(order, key => counters.RevertAsync(key, order.StockOperationId, cancellationToken));
        ForgetViewsOf(order);
    }

    /// <summary>Order paid: the reservation becomes a sale. Safe to repeat.</summary>
    public Task SettleAsync(Order order, CancellationToken cancellationToken) =>
        ForEachCounterAsync(order, key => counters.SettleAsync(key, order.StockOperationId, cancellationToken));

    /// <summary>Puts refunded units back on the shelf (step one of two; <see cref="SettleRestockAsync"/> follows once the order records it).</summary>
    public async Task RestockAsync(Order order, Refund refund, CancellationToken cancellationToken)
    {
        await ForEachUnitCounterAsync(order, refund.Lines, (key, units) => counters.ApplyAsync(key, RestockOperationId(refund), units, long.MinValue, long.MaxValue, cancellationToken));
        ForgetViewsOf(order);
    }

    public Task SettleRestockAsync(Order order, Refund refund, CancellationToken cancellationToken) =>
        ForEachUnitCounterAsync(order, refund.Lines, (key, _) => counters.SettleAsync(key, RestockOperationId(refund), cancellationToken));

    /// <summary>
    /// A forfeited presale deposit's units go back on sale: the deposit order was concluded first, so
    /// the units are never both on sale and held; the operation is recognised for good, so it is safe to repeat.
    /// </summary>
    public async Task ReturnForfeitedUnitsAsync(Order deposit, CancellationToken cancellationToken)
    {
        var operationId = $"forfeit:{deposit.Id}";
        var units = deposit.Lines.Select(l => new RefundLine(l.SkuId, l.Quantity)).ToList();
        await ForEachUnitCounterAsync(deposit, units, (key, quantity) => counters.ApplyAsync(key, operationId, quantity, long.MinValue, long.MaxValue, cancellationToken));
        await ForEachUnitCounterAsync(deposit, units, (key, _) => counters.SettleAsync(key, operationId, cancellationToken));
        ForgetViewsOf(deposit);
    }

    /// <summary>Creates the stock counters of new SKUs with their initial stock; counters that exist are left alone.</summary>
    public async Task InitializeAsync(string productId, IReadOnlyList<InitialStock> newSkus, CancellationToken cancellationToken)
    {
        foreach (var sku in newSkus)
        {
            await counters.InitializeAsync(CounterKeys.Stock(productId, sku.SkuId), sku.Quantity, cancellationToken);
        }

        recentViews.Forget(productId);
    }

    public Task<IReadOnlyDictionary<string, long>> AvailableAsync(string productId, CancellationToken cancellationToken) =>
        counters.ValuesAsync(CounterKeys.StockPartition(productId), cancellationToken);

    public Task<long> PurchasedAsync(string customerId, string productId, CancellationToken cancellationToken) =>
        counters.ValueAsync(CounterKeys.Purchases(customerId, productId), cancellationToken);

    /// <summary>
    /// An operator adds or removes units. The adjustment record is written first, so a retry with the
    /// same key finds it and the counter's operation mark makes the change apply exactly once.
    /// </summary>
    public async Task<long> AdjustAsync(string skuId, string idempotencyKey, StockAdjustmentRequest request, CancellationToken cancellationToken)
    {
        if (!SkuIds.TryParse(skuId, out var productId, out _))
        {
            throw DomainException.NotFound($"SKU {skuId}");
        }

        var key = new DocumentKey(skuId, idempotencyKey);
        var recorded = await adjustments.TransitionAsync(
            key,
            current =>
            {
                if (current is not null)
                {
                    return current.Value.Delta == request.Delta
                        ? Decision.Keep<StockAdjustment, StockAdjustment>(current.Value)
                        : throw new DomainException(ErrorCode.IdempotencyKeyReused, "This Idempotency-Key was used for a different adjustment.");
                }

                var adjustment = new StockAdjustment(skuId, request.Delta!.Value, request.Reason ?? string.Empty, time.GetUtcNow(), Applied: false);
                return Decision.Write(adjustment, adjustment);
            },
            cancellationToken);

        var counterKey = CounterKeys.Stock(productId, skuId);
        var operationId = $"adjust:{idempotencyKey}";
        if (!recorded.Applied)
        {
            if (await counters.ApplyAsync(counterKey, operationId, recorded.Delta, 0, long.MaxValue, cancellationToken) == CounterOutcome.Refused)
            {
                await adjustments.DeleteAsync(key, null, cancellationToken);
                throw DomainException.Validation("delta", "Stock cannot go below zero.");
            }

            await adjustments.TransitionAsync(
                key,
                // Gone: a concurrent attempt with the same key was refused and removed it before this one applied;
                // the change stands once (its operation mark), and a retry records it again.
                current => current is null || current.Value.Applied ? Decision.Keep<StockAdjustment, bool>(true) : Decision.Write(current.Value with { Applied = true }, true),
                cancellationToken);
        }

        await counters.SettleAsync(counterKey, operationId, cancellationToken);
        recentViews.Forget(productId);
        return await counters.ValueAsync(counterKey, cancellationToken);
    }

    private void ForgetViewsOf(Order order)
    {
        foreach (var productId in order.Lines.Select(l => l.ProductId).Distinct())
        {
            recentViews.Forget(productId);
        }
    }

    private static string RestockOperationId(Refund refund) => $"refund:{refund.Id}";

    private static IEnumerable<(string ProductId, int Units)> UnitsPerProduct(Order order) =>
        order.Lines.GroupBy(l => l.ProductId).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Sum(l => l.Quantity)));

    private static async Task ForEachUnitCounterAsync(Order order, IEnumerable<RefundLine> units, Func<DocumentKey, int, Task> action)
    {
        foreach (var line in units)
        {
            await action(CounterKeys.Stock(order.Lines.First(l => l.SkuId == line.SkuId).ProductId, line.SkuId), line.Quantity);
        }
    }

    private static async Task ForEachCounterAsync(Order order, Func<DocumentKey, Task> action)
    {
        if (!order.HoldsStock)
        {
            return;
        }

        foreach (var line in order.Lines)
        {
            await action(CounterKeys.Stock(line.ProductId, line.SkuId));
        }

        foreach (var (productId, _) in UnitsPerProduct(order))
        {
            await action(CounterKeys.Purchases(order.CustomerId, productId));
        }
    }
}
