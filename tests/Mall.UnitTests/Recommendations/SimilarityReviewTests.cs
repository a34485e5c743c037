using Mall.Application.Recommendations;
using Mall.Domain.Recommendations;

namespace Mall.UnitTests.Recommendations;

/// <summary>What the second review of recommendations found in the counting.</summary>
public sealed class SimilarityReviewTests
{
    [Fact]
    public void Pruning_past_the_pair_bound_drops_the_rarest_pairs_not_every_pair_that_ties_with_the_cut()
    {
        // The mall's defaults: 4,000 pairs kept, a minimum support of 2.
        var rules = new RecommendationOptions().ToRules() with { MinCustomers = 0 }; // baskets only: no customers counted here
        var counts = new CoOccurrence();

        // 3,995 pairs each bought together twice: every one related, and within the bound.
        for (var i = 0; i < 3_995; i++)
        {
            counts.Add([$"a{i}", $"b{i}"], rules);
            counts.Add([$"a{i}", $"b{i}"], rules);
        }

        Assert.Equal(3_995, counts.Related(rules).Count / 2);

        // One more order of five new products: 10 pairs seen once take the count past the bound. The prune's cut
        // falls on a pair counted 2, and every pair counted at most that is removed: all 4,005 of them.
        counts.Add(["n1", "n2", "n3", "n4", "n5"], rules);

        Assert.True(counts.Pairs.Values.Count(v => v >= rules.MinSupport) >= rules.MaxPairs / 2, $"{counts.Pairs.Count} pairs left of 3,995 related ones.");
    }
}
