using Mall.Domain.Common;

namespace Mall.Domain.Orders;

/// <summary>
/// What goes back for refunded units: each line's share of what was actually paid for goods (cash,
/// and the points redeemed), floored cumulatively per unit, with the last unit taking the remainder
/// so that refunding everything, in any number of steps, returns exactly what was paid (shipping
/// included once the last unit goes).
/// </summary>
public static class RefundCalculator
{
    /// <summary>The cash for the refunded units; the lines are checked against what is left to refund.</summary>
    public static long ForLines(Order order, IReadOnlyList<RefundLine> refundLines)
    {
        foreach (var group in refundLines.GroupBy(r => r.SkuId))
        {
            var line = order.Lines.FirstOrDefault(l => l.SkuId == group.Key)
                ?? throw DomainException.Validation("items", $"SKU {group.Key} is not part of order {order.Id}.");
            var units = group.Sum(r => (long)r.Quantity);
            var remaining = order.UnrefundedUnits(line);
            if (units <= 0 || units > remaining)
            {
                throw DomainException.Validation("items", $"Between 1 and {remaining} unit(s) of {line.SkuId} can be refunded.");
            }
        }

        return RefundsEverything(order, refundLines) ? order.RefundableFen : Split(order, refundLines, line => PaidShare(order, line));
    }

    /// <summary>
    /// The points that paid for the refunded units, split like the cash; once every unit is refunded,
    /// whatever the other refunds have not given back, so the steps add up to the redemption exactly.
    /// </summary>
    public static long PointsForLines(Order order, IReadOnlyList<RefundLine> refundLines)
    {
        if (order.PointsUsed == 0)
        {
            return 0;
        }

        return RefundsEverything(order, refundLines)
            ? order.PointsUsed - order.Refunds.Where(r => r.Status == RefundStatus.Succeeded || r.IsActive).Sum(r => r.PointsReturned)
            : Split(order, refundLines, line => Share(order, line, order.PointsUsed));
    }

    /// <summary>A line's part of the paid goods amount (after discounts): proportional to its total, remainder to the last line.</summary>
    public static long PaidShare(Order order, OrderLine line) => Share(order, line, order.Pricing.GoodsFen - order.Pricing.DiscountFen);

    private static bool RefundsEverything(Order order, IReadOnlyList<RefundLine> refundLines) =>
        order.Lines.All(l => order.UnrefundedUnits(l) == refundLines.Where(r => r.SkuId == l.SkuId).Sum(r => r.Quantity));

    /// <summary>
    /// The refunded units' part of each line's share. Cumulative floor: refunding units [a, a+n) of q
    /// takes floor(share*(a+n)/q) - floor(share*a/q), so every split of a line sums to its share.
    /// </summary>
    private static long Split(Order order, IReadOnlyList<RefundLine> refundLines, Func<OrderLine, long> shareOf)
    {
        var total = 0L;
        foreach (var group in refundLines.GroupBy(r => r.SkuId))
        {
            var line = order.Lines.First(l => l.SkuId == group.Key);
            var share = shareOf(line);
            var before = line.Quantity - order.UnrefundedUnits(line);
            total += (share * (before + group.Sum(r => r.Quantity)) / line.Quantity) - (share * before / line.Quantity);
        }

        return total;
    }

    /// <summary>A line's part of <paramref name="amount"/>: proportional to its total, remainder to the last line.</summary>
    private static long Share(Order order, OrderLine line, long amount)
    {
        if (order.Pricing.GoodsFen == 0)
        {
            return 0;
        }

        var index = order.Lines.ToList().IndexOf(line);
        if (index == order.Lines.Count - 1)
        {
            return amount - order.Lines.Take(index).Sum(l => amount * l.LineTotalFen / order.Pricing.GoodsFen);
        }

        return amount * line.LineTotalFen / order.Pricing.GoodsFen;
    }
}
