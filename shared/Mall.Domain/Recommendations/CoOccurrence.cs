namespace Mall.Domain.Recommendations;

/// <summary>A product and how strongly it is recommended (higher first).</summary>
public sealed record ScoredProduct(string ProductId, double Score);

/// <summary>How related lists are made from co-occurrence counts.</summary>
public sealed record SimilarityRules
{
    /// <summary>Baskets two products must share before they count as related (one shared basket is noise).</summary>
    public required int MinSupport { get; init; }

    /// <summary>Products kept per related list: more than a slot shows, so exclusions at read time still leave enough.</summary>
    public required int KeptPerProduct { get; init; }

    /// <summary>Distinct products of a basket that count; a huge basket would add pairs quadratically.</summary>
    public required int MaxBasketProducts { get; init; }

    /// <summary>Pairs counted at most; beyond it the rarest are dropped, so memory and the checkpoint stay bounded.</summary>
    public required int MaxPairs { get; init; }
}

/// <summary>
/// How often products occur in baskets (an order's products, a customer's viewed-then-bought products) and
/// how often each pair occurs together. Plain counts, so a checkpoint is the counts and resuming adds to them.
/// The number of pairs is bounded (<see cref="SimilarityRules.MaxPairs"/>): when it is exceeded the pairs with
/// the lowest counts go first (lossy counting), down to four fifths of the bound.
/// </summary>
public sealed record CoOccurrence
{
    /// <summary>Baskets each product occurs in.</summary>
    public Dictionary<string, long> Products { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Baskets each pair occurs in, keyed "a|b" with a &lt; b (ordinal); product ids never contain '|'.</summary>
    public Dictionary<string, long> Pairs { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Counts one basket (repeats of a product inside it count once).</summary>
    public void Add(IEnumerable<string> basket, SimilarityRules rules)
    {
        var products = basket.Distinct(StringComparer.Ordinal).Take(rules.MaxBasketProducts).Order(StringComparer.Ordinal).ToList();
        foreach (var product in products)
        {
            Products[product] = Products.GetValueOrDefault(product) + 1;
        }

        for (var i = 0; i < products.Count; i++)
        {
            for (var j = i + 1; j < products.Count; j++)
            {
                var key = PairKey(products[i], products[j]);
                Pairs[key] = Pairs.GetValueOrDefault(key) + 1;
            }
        }

        if (Pairs.Count > rules.MaxPairs)
        {
            PruneTo(rules.MaxPairs * 4 / 5);
        }
    }

    /// <summary>
    /// Each product's related list: cosine similarity c(a,b) / √(c(a)·c(b)) over pairs with at least the
    /// minimum support. Dividing by both products' counts is what keeps a bestseller from being everyone's
    /// neighbour: it co-occurs with everything, but so often alone that its similarity stays low.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ScoredProduct>> Related(SimilarityRules rules)
    {
        var neighbours = new Dictionary<string, List<ScoredProduct>>(StringComparer.Ordinal);
        foreach (var (key, together) in Pairs)
        {
            if (together < rules.MinSupport)
            {
                continue;
            }

            var separator = key.IndexOf('|', StringComparison.Ordinal);
            var (a, b) = (key[..separator], key[(separator + 1)..]);
            var score = together / Math.Sqrt((double)Products[a] * Products[b]);
            Neighbours(a).Add(new ScoredProduct(b, score));
            Neighbours(b).Add(new ScoredProduct(a, score));
        }

        return neighbours.ToDictionary(
            n => n.Key,
            n => (IReadOnlyList<ScoredProduct>)Ranking.Top(n.Value, rules.KeptPerProduct),
            StringComparer.Ordinal);

        List<ScoredProduct> Neighbours(string product) =>
            neighbours.TryGetValue(product, out var list) ? list : neighbours[product] = [];
    }

    /// <summary>The most frequent products, for the popular list (the baseline and the cold start).</summary>
    public IReadOnlyList<ScoredProduct> Popular(int count) =>
        Ranking.Top(Products.Select(p => new ScoredProduct(p.Key, p.Value)), count);

    private static string PairKey(string a, string b) => $"{a}|{b}";

    /// <summary>
    /// Keeps the <paramref name="target"/> pairs with the highest counts: exactly the rest go, rarest first and ties by
    /// key, so pairs tied with the cut survive in a fixed order (a resumed run drops the same) instead of all going.
    /// </summary>
    public void PruneTo(int target)
    {
        foreach (var key in Pairs.OrderBy(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(Pairs.Count - target).Select(p => p.Key).ToList())
        {
            Pairs.Remove(key);
        }
    }
}
