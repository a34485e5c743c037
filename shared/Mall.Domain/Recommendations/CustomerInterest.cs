namespace Mall.Domain.Recommendations;

/// <summary>
/// A customer's recent interest, what the personal feed starts from: the latest product views and purchases
/// (each product once, at its latest time), at most <see cref="Kept"/> of each, so the document stays small
/// however long the customer shops. Also the basket of "viewed then bought" for the daily recomputation.
/// </summary>
public sealed record CustomerInterest
{
    public const int Kept = 30;

    public required string CustomerId { get; init; }

    /// <summary>The customer's segment as last announced (CustomerSegmentChanged), for the segment's popular list.</summary>
    public string? Segment { get; init; }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<Interaction> Views { get; init; } = [];

    /// <summary>Newest first.</summary>
    public IReadOnlyList<Interaction> Purchases { get; init; } = [];

    /// <summary>Paid orders already counted, so a redelivered OrderPaid changes nothing.</summary>
    public IReadOnlyList<string> CountedOrders { get; init; } = [];

    /// <summary>The products of the customer's first counted order (the FirstOrder segment's related list starts from them).</summary>
    public IReadOnlyList<string> FirstOrderProducts { get; init; } = [];

    /// <summary>
    /// Set when the customer erased their account: the history is gone and stays gone, however late an OrderPaid or a
    /// segment change of theirs is delivered (a deleted document would be written again by it).
    /// </summary>
    public bool Erased { get; init; }

    /// <summary>What is kept of an erased customer: that they are erased, nothing of what they did.</summary>
    public static CustomerInterest ErasedOf(string customerId) => new() { CustomerId = customerId, Erased = true };

    /// <summary>Adds the views; this same instance when they change nothing (a resent view).</summary>
    public CustomerInterest Viewed(IEnumerable<Interaction> views)
    {
        var latest = Latest(Views.Concat(views));
        return latest.SequenceEqual(Views) ? this : this with { Views = latest };
    }

    /// <summary>Adds the order's products; this same instance when the order was counted before.</summary>
    public CustomerInterest Bought(string orderId, IReadOnlyList<string> productIds, DateTimeOffset paidAt) =>
        CountedOrders.Contains(orderId)
            ? this
            : this with
            {
                Purchases = Latest(Purchases.Concat(productIds.Select(p => new Interaction(p, paidAt)))),
                CountedOrders = [.. CountedOrders.TakeLast(Kept - 1), orderId],
                FirstOrderProducts = CountedOrders.Count == 0 ? productIds.Distinct(StringComparer.Ordinal).ToList() : FirstOrderProducts,
            };

    /// <summary>
    /// What the customer looked at without buying it and what they bought after such a look: the links between a view
    /// and the buy it may have led to (views after the last such buy lead to nothing yet). Empty when no buy followed
    /// a view of something else.
    /// </summary>
    public ViewedThenBoughtBasket ViewedThenBought()
    {
        var boughtProducts = Purchases.Select(p => p.ProductId).ToHashSet(StringComparer.Ordinal);
        var looks = Views.Where(v => !boughtProducts.Contains(v.ProductId)).ToList();
        var buys = Purchases.Where(p => looks.Any(v => v.At <= p.At)).ToList();
        if (buys.Count == 0)
        {
            return new([], []);
        }

        var lastBuy = buys.Max(p => p.At);
        return new(looks.Where(v => v.At <= lastBuy).Select(v => v.ProductId).ToList(), buys.Select(p => p.ProductId).ToList());
    }

    private static List<Interaction> Latest(IEnumerable<Interaction> interactions) =>
        interactions.GroupBy(i => i.ProductId, StringComparer.Ordinal)
            .Select(g => g.MaxBy(i => i.At)!)
            .OrderByDescending(i => i.At)
            .ThenBy(i => i.ProductId, StringComparer.Ordinal)
            .Take(Kept)
            .ToList();
}

/// <summary>A customer's "viewed then bought" basket: products looked at and not bought, and products bought after them.</summary>
public sealed record ViewedThenBoughtBasket(IReadOnlyList<string> Viewed, IReadOnlyList<string> Bought);
