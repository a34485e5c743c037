using Mall.Application.Recommendations;

namespace Mall.IntegrationTests.Recommendations;

/// <summary>What the fourth review of recommendations found: each test failed on the code as it was reviewed (3b684c5).</summary>
public sealed class RecommendationFourthReviewTests
{
    [Fact]
    public async Task One_customers_repeat_orders_do_not_alone_make_their_products_related_for_everyone()
    {
        await using var mall = await MallFixture.StartAsync();
        var tea = await RecommendationTests.ProductAsync(mall, "Longjing", stock: 100);
        var test = await RecommendationTests.ProductAsync(mall, "Pregnancy test", stock: 100);
        var (buyer, other) = (await mall.NewCustomerAsync(), await mall.NewCustomerAsync());

        // One customer buys the tea with a pregnancy test twice (a repeat order, the usual thing in a tea mall).
        await RecommendationTests.OrderAsync(mall, buyer, tea, test);
        await RecommendationTests.OrderAsync(mall, buyer, tea, test);
        await mall.Events.DrainAsync();
        var run = await RecommendationTests.Builder(mall).RunAsync(CancellationToken.None);

        // The minimum support counts orders, not customers: two orders of one customer are the 2 baskets it takes, so
        // everyone looking at the tea is shown what that one customer buys with it (what the third review's fix meant
        // to stop for one order), while a segment list already needs MinSupport customers.
        var related = await mall.Get<RecommendationService>().RelatedAsync(tea.Id, other, CancellationToken.None);

        Assert.True(
            !related.Items.Any(i => i.Id == test.Id),
            $"One customer's two orders counted as {run.Counts.Pairs.GetValueOrDefault(string.Join('|', new[] { tea.Id, test.Id }.Order(StringComparer.Ordinal)))} baskets "
            + $"(minimum support {mall.Get<RecommendationOptions>().MinSupport}): the tea's related list ({related.Algorithm}) shows [{string.Join(", ", related.Items.Select(i => i.Id))}] to another customer.");
    }

    [Fact]
    public async Task One_customers_repeat_orders_do_not_alone_make_a_product_popular_for_everyone()
    {
        await using var mall = await MallFixture.StartAsync();
        var test = await RecommendationTests.ProductAsync(mall, "Pregnancy test", stock: 100);
        var (buyer, newcomer) = (await mall.NewCustomerAsync(), await mall.NewCustomerAsync());

        // One customer buys the same product in two orders; nobody else buys anything.
        await RecommendationTests.OrderAsync(mall, buyer, test);
        await RecommendationTests.OrderAsync(mall, buyer, test);
        await mall.Events.DrainAsync();
        await RecommendationTests.Builder(mall).RunAsync(CancellationToken.None);

        // The overall popular list needs MinSupport orders (529e274: "one order is not popular to show everyone"), and
        // one customer's two orders are that many: a newcomer's feed (no history, empty segment list) is the popular
        // list, showing every new customer what one customer bought.
        var feed = await mall.Get<RecommendationService>().FeedAsync(newcomer, CancellationToken.None);

        Assert.True(
            !feed.Items.Any(i => i.Id == test.Id),
            $"A newcomer's feed ({feed.Algorithm}) shows [{string.Join(", ", feed.Items.Select(i => i.Id))}]: one customer's two orders made it popular.");
    }
}
