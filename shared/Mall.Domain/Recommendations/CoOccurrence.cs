namespace Mall.Domain.Recommendations;

/// <summary>A product and how strongly it is recommended (higher first).</summary>
public sealed record ScoredProduct(string ProductId, double Score);

/// <summary>How related lists are made from co-occurrence counts.</summary>
public sealed record SimilarityRules
{
    /// <summary>Baskets two products must share before they count as related (one shared basket is noise).</summary>
    public required int MinSupport { get; init; }

    /// <summary>
    /// Customers two products must share as well (<see cref="CoOccurrence.CountCustomer"/>), so one customer's repeat
    /// orders do not show what they buy together to everyone; 0 where customers are not counted (offline baskets).
    /// </summary>
    public required int MinCustomers { get; init; }

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

    /// <summary>Customers behind each pair, each counted once however many of their baskets hold it.</summary>
    public Dictionary<string, long> PairCustomers { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Counts one basket (repeats of a product inside it count once): every product of it with every other.</summary>
    public void Add(IEnumerable<string> basket, SimilarityRules rules)
    {
        var products = Distinct(basket, rules.MaxBasketProducts);
        CountProducts(products);
        CountPairs(EachWithEach(products));
        Bound(rules);
    }

    /// <summary>
    /// Counts one "viewed then bought" basket: each product looked at with each one bought, not the bought ones with
    /// each other (the orders they were bought in count those, and counting them again would let one order reach the
    /// minimum support alone) nor the looks with each other. A product both viewed and bought is a buy.
    /// </summary>
    public void AddLinks(IEnumerable<string> viewed, IEnumerable<string> bought, SimilarityRules rules)
    {
        var (looks, buys) = Links(viewed, bought, rules);
        if (looks.Count == 0)
        {
            return;
        }

        CountProducts(buys.Concat(looks));
        CountPairs(LookWithBuy(looks, buys));
        Bound(rules);
    }

    /// <summary>
    /// Counts one customer behind the pairs of the products they bought and of their viewed-then-bought links, once
    /// each however many orders hold them; only pairs already counted, so it stays within the pair bound.
    /// </summary>
    public void CountCustomer(IEnumerable<string> bought, ViewedThenBoughtBasket links, SimilarityRules rules)
    {
        var (looks, buys) = Links(links.Viewed, links.Bought, rules);
        var keys = EachWithEach(Distinct(bought, rules.MaxBasketProducts)).Concat(LookWithBuy(looks, buys)).ToHashSet(StringComparer.Ordinal);
        foreach (var key in keys.Where(Pairs.ContainsKey))
        {
            PairCustomers[key] = PairCustomers.GetValueOrDefault(key) + 1;
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
            if (together < rules.MinSupport || PairCustomers.GetValueOrDefault(key) < rules.MinCustomers)
            {
                continue;
            }

            var (a, b) = Split(key);
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

    /// <summary>
    /// Keeps the <paramref name="target"/> pairs with the highest counts: exactly the rest go, rarest first and ties by
    /// key, so pairs tied with the cut survive in a fixed order (a resumed run drops the same) instead of all going.
    /// </summary>
    public void PruneTo(int target)
    {
        foreach (var key in Rarest(Pairs, Pairs.Count - target))
        {
            RemovePair(key);
        }
    }

    /// <summary>
    /// Keeps the <paramref name="target"/> products with the highest counts (rarest go first, ties by key) and the pairs
    /// of those only: a catalog of many thousand products sold over the mall's life outgrows a checkpoint by itself.
    /// </summary>
    public void PruneProductsTo(int target)
    {
        var gone = Rarest(Products, Products.Count - target).ToHashSet(StringComparer.Ordinal);
        foreach (var product in gone)
        {
            Products.Remove(product);
        }

        foreach (var key in Pairs.Keys.Where(k => Split(k) is var (a, b) && (gone.Contains(a) || gone.Contains(b))).ToList())
        {
            RemovePair(key);
        }
    }

    private void RemovePair(string key)
    {
        Pairs.Remove(key);
        PairCustomers.Remove(key);
    }

    private static List<string> Rarest(Dictionary<string, long> counts, int count) =>
        counts.OrderBy(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(count).Select(c => c.Key).ToList();

    private static List<string> Distinct(IEnumerable<string> products, int atMost) =>
        products.Distinct(StringComparer.Ordinal).Take(Math.Max(0, atMost)).ToList();

    private void CountProducts(IEnumerable<string> products)
    {
        foreach (var product in products)
        {
            Products[product] = Products.GetValueOrDefault(product) + 1;
        }
    }

    private void CountPairs(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            Pairs[key] = Pairs.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>A viewed-then-bought basket's looks (viewed, not bought) and buys, within the basket bound.</summary>
    private static (List<string> Looks, List<string> Buys) Links(IEnumerable<string> viewed, IEnumerable<string> bought, SimilarityRules rules)
    {
        var buys = Distinct(bought, rules.MaxBasketProducts);
        return (Distinct(viewed.Except(buys, StringComparer.Ordinal), rules.MaxBasketProducts - buys.Count), buys);
    }

    private static IEnumerable<string> EachWithEach(List<string> products)
    {
        for (var i = 0; i < products.Count; i++)
        {
            for (var j = i + 1; j < products.Count; j++)
            {
                yield return PairKey(products[i], products[j]);
            }
        }
    }

    private static IEnumerable<string> LookWithBuy(List<string> looks, List<string> buys) =>
        looks.SelectMany(look => buys.Select(buy => PairKey(look, buy)));

    private static string PairKey(string a, string b) => string.CompareOrdinal(a, b) < 0 ? $"{a}|{b}" : $"{b}|{a}";

    private void Bound(SimilarityRules rules)
    {
        if (Pairs.Count > rules.MaxPairs)
        {
            PruneTo(rules.MaxPairs * 4 / 5);
        }
    }

    private static (string A, string B) Split(string pairKey)
    {
        var separator = pairKey.IndexOf('|', StringComparison.Ordinal);
        return (pairKey[..separator], pairKey[(separator + 1)..]);
    }
}
