using Mall.Domain.Catalog;
using Mall.Domain.Membership;

namespace Mall.Domain.Recommendations;

/// <summary>Something a customer did with a product: viewed it or bought it, and when.</summary>
public sealed record Interaction(string ProductId, DateTimeOffset At);

/// <summary>Ordering, merging and filtering recommendations; pure, so the endpoints, the timer and the benchmark share it.</summary>
public static class Ranking
{
    /// <summary>A purchase says more about a customer's taste than a view.</summary>
    public const double PurchaseWeight = 3;

    /// <summary>Each older interaction counts this much less than the one after it, so the feed follows recent interest.</summary>
    public const double RecencyDecay = 0.8;

    /// <summary>The best <paramref name="count"/>: highest score first, ties by product id so the order is stable.</summary>
    public static List<ScoredProduct> Top(IEnumerable<ScoredProduct> scored, int count) =>
        scored.OrderByDescending(s => s.Score).ThenBy(s => s.ProductId, StringComparer.Ordinal).Take(count).ToList();

    /// <summary>
    /// A personal feed: the related lists of the customer's recent views and purchases, each weighted by what
    /// it was (a purchase counts <see cref="PurchaseWeight"/> times a view) and how recent (newest first, each
    /// older one <see cref="RecencyDecay"/> times the one before), summed per product. What the customer already
    /// viewed or bought is left out: the feed is for finding something new. Empty when nothing is related.
    /// </summary>
    public static List<ScoredProduct> Feed(
        IReadOnlyList<Interaction> views,
        IReadOnlyList<Interaction> purchases,
        Func<string, IReadOnlyList<ScoredProduct>> related,
        int count)
    {
        var history = views.Select(v => (v.ProductId, v.At, Weight: 1.0))
            .Concat(purchases.Select(p => (p.ProductId, p.At, Weight: PurchaseWeight)))
            .OrderByDescending(h => h.At)
            .ToList();
        var known = history.Select(h => h.ProductId).ToHashSet(StringComparer.Ordinal);
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        var recency = 1.0;
        foreach (var (productId, _, weight) in history)
        {
            foreach (var neighbour in related(productId).Where(n => !known.Contains(n.ProductId)))
            {
                scores[neighbour.ProductId] = scores.GetValueOrDefault(neighbour.ProductId) + weight * recency * neighbour.Score;
            }

            recency *= RecencyDecay;
        }

        return Top(scores.Select(s => new ScoredProduct(s.Key, s.Value)), count);
    }

    /// <summary>
    /// Whether a product may be shown in a recommendation slot: on sale, something of it in stock, not the
    /// product the slot is about, and a member-only trial only to a member whose tier may buy it (checkout
    /// refuses it to anyone else, so showing it would only disappoint).
    /// </summary>
    public static bool MayShow(Product product, bool inStock, MemberTier tier, string? shownWith) =>
        product.Status == ProductStatus.OnSale
        && inStock
        && product.Id != shownWith
        && (!product.Tags.Contains(Product.MemberTrialTag) || MemberBenefits.Has(tier, MemberBenefits.NewProductTrials));
}
