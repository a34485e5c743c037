namespace Mall.Domain.Recommendations;

/// <summary>Offline quality of a ranked list against what the customer really did next.</summary>
public static class RankingMetrics
{
    /// <summary>1 when any of the first <paramref name="k"/> recommendations is relevant, else 0.</summary>
    public static double HitRate(IReadOnlyList<string> ranked, IReadOnlySet<string> relevant, int k) =>
        ranked.Take(k).Any(relevant.Contains) ? 1 : 0;

    /// <summary>
    /// Normalised discounted cumulative gain at <paramref name="k"/> with binary relevance: each relevant item at
    /// rank i (from 1) gains 1 / log2(i + 1), divided by the gain of the ideal ranking (all relevant items first).
    /// </summary>
    public static double Ndcg(IReadOnlyList<string> ranked, IReadOnlySet<string> relevant, int k)
    {
        if (relevant.Count == 0)
        {
            return 0;
        }

        var gain = ranked.Take(k).Select((item, index) => relevant.Contains(item) ? Discount(index) : 0).Sum();
        var ideal = Enumerable.Range(0, Math.Min(k, relevant.Count)).Sum(Discount);
        return gain / ideal;
    }

    private static double Discount(int index) => 1 / Math.Log2(index + 2);
}
