namespace Mall.Domain.Catalog;

/// <summary>
/// 虚假宣传 rule: a struck-through reference price may be shown only if the SKU actually sold at
/// that price within the lookback window (default 7 days) and it is above today's price.
/// </summary>
public static class ReferencePriceRule
{
    /// <summary>
    /// Until when <paramref name="referenceFen"/> may be shown: the end of the last period the SKU
    /// sold at that price, plus the lookback. Null if it never sold at that price (or still does).
    /// </summary>
    public static DateTimeOffset? ShowableUntil(IReadOnlyList<PricePeriod> history, long referenceFen, TimeSpan lookback)
    {
        DateTimeOffset? until = null;
        for (var i = 0; i < history.Count - 1; i++)
        {
            if (history[i].PriceFen == referenceFen)
            {
                var periodEnd = history[i + 1].From;
                if (until is null || periodEnd + lookback > until)
                {
                    until = periodEnd + lookback;
                }
            }
        }

        return until;
    }

    public static bool IsTruthful(Sku sku, long referenceFen, DateTimeOffset now, TimeSpan lookback) =>
        IsTruthful(sku.PriceFen, sku.PriceHistory, referenceFen, now, lookback);

    /// <summary>Whether <paramref name="referenceFen"/> may be shown above a selling price of <paramref name="priceFen"/> with this history.</summary>
    public static bool IsTruthful(long priceFen, IReadOnlyList<PricePeriod> history, long referenceFen, DateTimeOffset now, TimeSpan lookback) =>
        referenceFen > priceFen && ShowableUntil(history, referenceFen, lookback) > now;

    /// <summary>The reference price a customer may see right now, or null.</summary>
    public static long? Displayable(Sku sku, DateTimeOffset now, TimeSpan lookback) =>
        sku.ReferencePriceFen is { } reference && IsTruthful(sku, reference, now, lookback) ? reference : null;
}
