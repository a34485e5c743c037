using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Orders;

namespace Mall.Application.Inventory;

/// <summary>
/// Where a SKU's net units sold per CST day are counted: guarded counters, one partition per product and day
/// (so a product's recent days are one range query) and sharded by order, so a busy SKU's payments do not
/// contend on one entity.
/// </summary>
public static class SkuSalesCounters
{
    public const int Shards = 8;

    public static DocumentKey Of(string productId, string skuId, DateOnly cstDay, string orderId) =>
        new(Partition(productId, cstDay), $"{skuId}|{Ids.Shard(orderId, Shards)}");

    /// <summary>A product's counters from <paramref name="first"/> to <paramref name="last"/>, both included.</summary>
    /// <remarks>Ids never hold '|', which sorts after every id character, so the range holds this product's days only.</remarks>
    public static DocumentQuery Days(string productId, DateOnly first, DateOnly last) =>
        new() { PartitionKeyFrom = Partition(productId, first), PartitionKeyBefore = Partition(productId, last.AddDays(1)) };

    public static (DateOnly Day, string SkuId) Read(DocumentKey key) =>
        (DateOnly.ParseExact(key.PartitionKey[^10..], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), key.RowKey[..key.RowKey.LastIndexOf('|')]);

    private static string Partition(string productId, DateOnly cstDay) => $"sold|{productId}|{ChinaTime.DayKey(cstDay)}";
}

/// <summary>
/// The sales history replenishment forecasts from: from each paid order (OrderPaid), the units of each SKU on
/// the CST day it was paid; from each refund that went through (RefundSucceeded, partial ones included) its
/// units back off that same day, so the history is what customers kept. (OrderRefunded only says the refunds
/// reached the whole amount; each of them came with its own RefundSucceeded.)
/// Only orders that sell from the SKU's stock when placed count: plain and group-buy orders. A presale
/// deposit and a flash sale take their units from stock up front (the deposit's reservation, the sale's
/// quantity), so what they sell is already out of on hand, and their one-off peaks would inflate the
/// forecast for weeks; a presale balance ships the deposit's unit. Each change is a guarded counter under
/// the order's or the refund's operation id, so a repeated event counts nothing twice.
/// </summary>
public sealed class SkuSalesTally(CounterStore counters, OrderStore orders) : IEventHandler<OrderPaid>, IEventHandler<RefundSucceeded>
{
    public async Task HandleAsync(OrderPaid paid, EventContext context, CancellationToken cancellationToken)
    {
        var order = await orders.FindAsync(paid.Order.OrderId, cancellationToken);
        if (order is null || !SellsFromStock(order))
        {
            return;
        }

        var units = order.Lines.GroupBy(l => (l.ProductId, l.SkuId)).Select(g => (g.Key.ProductId, g.Key.SkuId, Units: g.Sum(l => (long)l.Quantity)));
        await CountAsync(order.Id, ChinaTime.DateOf(paid.PaidAt), $"paid:{order.Id}", units, cancellationToken);
    }

    public async Task HandleAsync(RefundSucceeded succeeded, EventContext context, CancellationToken cancellationToken)
    {
        // Without a payment time it refunds a payment that never counted (it came after the order closed).
        if (succeeded.Refund.OrderPaidAt is not { } paidAt
            || await orders.FindAsync(succeeded.Refund.OrderId, cancellationToken) is not { } order
            || !SellsFromStock(order)
            || order.Refunds.FirstOrDefault(r => r.Id == succeeded.Refund.RefundId) is not { } refund)
        {
            return;
        }

        var units = refund.Lines.GroupBy(l => l.SkuId).Select(g => (order.Lines.First(o => o.SkuId == g.Key).ProductId, SkuId: g.Key, Units: -g.Sum(l => (long)l.Quantity)));
        await CountAsync(order.Id, ChinaTime.DateOf(paidAt), $"refund:{refund.Id}", units, cancellationToken);
    }

    /// <summary>Net units per SKU of one product, per day from <paramref name="first"/> to <paramref name="last"/> (index 0 is <paramref name="first"/>).</summary>
    public async Task<IReadOnlyDictionary<string, long[]>> DailyUnitsAsync(string productId, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        var perSku = new Dictionary<string, long[]>();
        await foreach (var (key, value) in counters.ScanAsync(SkuSalesCounters.Days(productId, first, last), cancellationToken))
        {
            var (day, skuId) = SkuSalesCounters.Read(key);
            if (!perSku.TryGetValue(skuId, out var units))
            {
                perSku[skuId] = units = new long[last.DayNumber - first.DayNumber + 1];
            }

            units[day.DayNumber - first.DayNumber] += value;
        }

        return perSku;
    }

    private static bool SellsFromStock(Order order) => order.HoldsStock && !order.IsDeposit;

    private async Task CountAsync(string orderId, DateOnly day, string operationId, IEnumerable<(string ProductId, string SkuId, long Units)> units, CancellationToken cancellationToken)
    {
        foreach (var (productId, skuId, delta) in units)
        {
            // No bounds: a refund handled before its sale leaves the day below zero until the sale is counted.
            var key = SkuSalesCounters.Of(productId, skuId, day, orderId);
            await counters.ApplyAsync(key, operationId, delta, long.MinValue, long.MaxValue, cancellationToken);
            await counters.SettleAsync(key, operationId, cancellationToken);
        }
    }
}
