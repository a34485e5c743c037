using Mall.Domain.Common;

namespace Mall.Domain.Orders;

/// <summary>
/// How much money goes back for refunded units: each line's share of what was actually paid for
/// goods, floored per unit, with the last unit of a line taking the remainder so that refunding
/// everything, in any number of steps, returns exactly the amount paid (shipping included once the
/// last unit goes).
/// </summary>
public static class RefundCalculator
{
    public static long ForLines(Order order, IReadOnlyList<RefundLine> refundLines)
    {
        var total = 0L;
        foreach (var group in refundLines.GroupBy(r => r.SkuId))
        {
            var line = order.Lines.FirstOrDefault(l => l.SkuId == group.Key)
                ?? throw DomainException.Validation("items", $"SKU {group.Key} is not part of order {order.Id}.");
            var units = group.Sum(r => r.Quantity);
            var remaining = order.UnrefundedUnits(line);
            if (units <= 0 || units > remaining)
            {
                throw DomainException.Validation("items", $"Between 1 and {remaining} unit(s) of {line.SkuId} can be refunded.");
            }

            var lineShare = PaidShare(order, line);
            var alreadyRefunded = line.Quantity - remaining;
            // Cumulative floor: refunding units [a, a+n) costs floor(share*(a+n)/q) - floor(share*a/q),
            // so every split of the line sums to exactly its share.
            total += (lineShare * (alreadyRefunded + units) / line.Quantity) - (lineShare * alreadyRefunded / line.Quantity);
        }

        var everythingRefunded = order.Lines.All(l =>
            order.UnrefundedUnits(l) == refundLines.Where(r => r.SkuId == l.SkuId).Sum(r => r.Quantity));
        return everythingRefunded ? order.RefundableFen : total;
    }

    /// <summary>A line's part of the paid goods amount (after discounts): proportional to its total, remainder to the last line.</summary>
    public static long PaidShare(Order order, OrderLine line)
    {
        var paidGoods = order.Pricing.GoodsFen - order.Pricing.DiscountFen;
        if (order.Pricing.GoodsFen == 0)
        {
            return 0;
        }

        var index = order.Lines.ToList().IndexOf(line);
        if (index == order.Lines.Count - 1)
        {
            return paidGoods - order.Lines.Take(index).Sum(l => paidGoods * l.LineTotalFen / order.Pricing.GoodsFen);
        }

        return paidGoods * line.LineTotalFen / order.Pricing.GoodsFen;
    }
}
