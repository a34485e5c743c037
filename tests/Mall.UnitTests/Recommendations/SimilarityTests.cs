using Mall.Domain.Catalog;
using Mall.Domain.Membership;
using Mall.Domain.Recommendations;

namespace Mall.UnitTests.Recommendations;

public sealed class SimilarityTests
{
    private static readonly SimilarityRules Rules = new() { MinSupport = 2, MinCustomers = 0, KeptPerProduct = 5, MaxBasketProducts = 20, MaxPairs = 10_000 };

    private static CoOccurrence Count(params string[][] baskets)
    {
        var counts = new CoOccurrence();
        foreach (var basket in baskets)
        {
            counts.Add(basket, Rules);
        }

        return counts;
    }

    [Fact]
    public void A_bestseller_bought_with_everything_ranks_below_a_product_bought_mostly_together()
    {
        // "tea" sells in every basket; "cup" is bought with "pot" and rarely alone.
        var counts = Count(
            ["pot", "cup"], ["pot", "cup"], ["pot", "cup", "tea"], ["pot", "tea"], ["pot", "tea"],
            ["tea"], ["tea"], ["tea"], ["tea", "cup"], ["tea"], ["tea"]);

        var related = counts.Related(Rules)["pot"];

        Assert.Equal(["cup", "tea"], related.Select(r => r.ProductId));
        Assert.Equal(3 / Math.Sqrt(5.0 * 4), related[0].Score, 10);
    }

    [Fact]
    public void Pairs_below_the_minimum_support_are_not_related_and_a_product_is_never_its_own_neighbour()
    {
        var counts = Count(["a", "b"], ["a", "c"], ["a", "c"], ["a", "a", "c"]);

        var related = counts.Related(Rules);

        Assert.Equal(["c"], related["a"].Select(r => r.ProductId));
        Assert.False(related.ContainsKey("b"));
        Assert.Equal(3, counts.Pairs["a|c"]); // a repeated product counts once per basket
    }

    [Fact]
    public void Counting_keeps_no_more_pairs_than_the_bound_and_drops_the_rarest_first()
    {
        var rules = Rules with { KeptPerProduct = 30, MaxPairs = 100 };
        var counts = new CoOccurrence();
        for (var i = 0; i < 5; i++)
        {
            counts.Add(["x", "y"], rules);
        }

        for (var i = 0; i < 200; i++)
        {
            counts.Add([$"p{i}", $"q{i}"], rules);
        }

        Assert.True(counts.Pairs.Count <= 100);
        Assert.Equal(5, counts.Pairs["x|y"]);
    }

    [Fact]
    public void A_viewed_then_bought_basket_links_each_look_to_each_buy_and_nothing_else()
    {
        var counts = new CoOccurrence();

        // Looked at a and b, then bought c and d (and a look at d, which makes it a buy).
        counts.AddLinks(["a", "b", "d"], ["c", "d"], Rules);

        Assert.Equal(["a|c", "a|d", "b|c", "b|d"], counts.Pairs.Keys.Order(StringComparer.Ordinal));
        Assert.All(counts.Pairs.Values, together => Assert.Equal(1, together));
        Assert.Equal(4, counts.Products.Count);

        // Nothing looked at without buying it: no link, and nothing counted.
        counts.AddLinks(["c"], ["c", "d"], Rules);
        Assert.Equal(1, counts.Products["c"]);
    }

    [Fact]
    public void A_pair_needs_as_many_customers_as_baskets_however_often_one_customer_buys_it()
    {
        var rules = Rules with { MinCustomers = 2 };
        var noLinks = new ViewedThenBoughtBasket([], []);
        var counts = Count(["a", "b"], ["a", "b"], ["a", "b"]);
        counts.CountCustomer(["a", "b"], noLinks, rules);

        Assert.Empty(counts.Related(rules));

        // Another customer who looked at a and then bought b is the second customer behind the pair.
        counts.CountCustomer(["b"], new ViewedThenBoughtBasket(["a"], ["b"]), rules);
        Assert.Equal(2, counts.PairCustomers["a|b"]);
        Assert.Equal(["b"], counts.Related(rules)["a"].Select(r => r.ProductId));

        // Pruning a pair forgets its customers too.
        counts.PruneTo(0);
        Assert.Empty(counts.PairCustomers);
    }

    [Fact]
    public void Pruning_products_drops_the_rarest_with_their_pairs()
    {
        var counts = Count(["a", "b"], ["a", "b"], ["a", "c"], ["b", "d"]);

        counts.PruneProductsTo(2);

        Assert.Equal(["a", "b"], counts.Products.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["a|b"], counts.Pairs.Keys);
        Assert.Equal(["b"], counts.Related(Rules)["a"].Select(r => r.ProductId));
    }

    [Fact]
    public void The_feed_sums_the_related_lists_of_recent_interest_and_leaves_out_what_the_customer_knows()
    {
        var now = DateTimeOffset.UtcNow;
        var lists = new Dictionary<string, IReadOnlyList<ScoredProduct>>
        {
            ["old"] = [new("x", 1.0), new("new", 0.9)],
            ["new"] = [new("y", 0.9), new("old", 0.9)],
            ["bought"] = [new("z", 0.5)],
        };

        var feed = Ranking.Feed([new("old", now.AddDays(-2)), new("new", now)], [new("bought", now.AddDays(-1))], p => lists[p], 10);

        // "bought" (3 × 0.8 × 0.5 = 1.2) beats "y" (0.9, newest) and "x" (1.0 × 0.64).
        Assert.Equal(["z", "y", "x"], feed.Select(f => f.ProductId));
        Assert.Empty(Ranking.Feed([], [], p => lists[p], 10));
    }

    [Theory]
    [InlineData(ProductStatus.OnSale, true, false, MemberTier.None, true)]
    [InlineData(ProductStatus.OffSale, true, false, MemberTier.None, false)]
    [InlineData(ProductStatus.OnSale, false, false, MemberTier.None, false)]
    [InlineData(ProductStatus.OnSale, true, true, MemberTier.Silver, false)]
    [InlineData(ProductStatus.OnSale, true, true, MemberTier.Gold, true)]
    public void A_slot_shows_only_what_the_customer_may_buy_now(ProductStatus status, bool inStock, bool memberTrial, MemberTier tier, bool shown)
    {
        var product = new Product
        {
            Id = "p-1",
            Title = "Longjing",
            CategoryId = "tea",
            Status = status,
            Tags = memberTrial ? [Product.MemberTrialTag] : [],
            Skus = [],
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        };

        Assert.Equal(shown, Ranking.MayShow(product, inStock, tier, shownWith: "p-2"));
        Assert.False(Ranking.MayShow(product, inStock, tier, shownWith: "p-1"));
    }

    [Fact]
    public void Hit_rate_and_ndcg_reward_a_relevant_item_more_the_higher_it_ranks()
    {
        var relevant = new HashSet<string> { "b" };

        Assert.Equal(1, RankingMetrics.HitRate(["a", "b"], relevant, 10));
        Assert.Equal(0, RankingMetrics.HitRate(["a", "b"], relevant, 1));
        Assert.Equal(1, RankingMetrics.Ndcg(["b", "a"], relevant, 10));
        Assert.Equal(1 / Math.Log2(3), RankingMetrics.Ndcg(["a", "b"], relevant, 10), 10);
        Assert.Equal(0, RankingMetrics.Ndcg(["a"], new HashSet<string>(), 10));
    }

    [Fact]
    public void Interest_keeps_each_product_once_at_its_latest_time_and_counts_an_order_once()
    {
        var now = DateTimeOffset.UtcNow;
        var interest = new CustomerInterest { CustomerId = "c" }
            .Viewed([new("a", now.AddMinutes(-10)), new("a", now.AddMinutes(-5)), new("b", now.AddMinutes(-4))])
            .Bought("o-1", ["c", "c"], now);

        Assert.Equal(["b", "a"], interest.Views.Select(v => v.ProductId));
        Assert.Same(interest, interest.Bought("o-1", ["c"], now));
        Assert.Same(interest, interest.Viewed([new("b", now.AddMinutes(-4))]));
        Assert.Equal(["c"], interest.FirstOrderProducts);
        Assert.Equal(["b", "a"], interest.ViewedThenBought().Viewed);
        Assert.Equal(["c"], interest.ViewedThenBought().Bought);
        Assert.Equal(["c"], interest.Bought("o-2", ["d"], now.AddMinutes(1)).FirstOrderProducts);
    }
}
