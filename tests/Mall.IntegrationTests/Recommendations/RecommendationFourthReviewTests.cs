using Mall.Application.Catalog;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Application.Recommendations;
using Mall.Domain.Catalog;
using Mall.Domain.Orders;

namespace Mall.IntegrationTests.Recommendations;

/// <summary>What the fourth review of recommendations found: each test failed on the code as it was reviewed (3b684c5).</summary>
public sealed class RecommendationFourthReviewTests
{
    private static async Task<Product> ProductAsync(MallFixture mall, string title)
    {
        var admin = mall.Get<CatalogAdminService>();
        await admin.SaveCategoryAsync("tea", new CategoryRequest("Tea", 1), CancellationToken.None);
        return (await admin.CreateProductAsync(new ProductRequest { Title = title, CategoryId = "tea", Tags = [], Status = ProductStatus.OnSale, Skus = [new SkuRequest { Name = "50g", PriceFen = 1_000, Enabled = true, InitialStock = 100 }] }, CancellationToken.None)).Product;
    }

    private static RecommendationBuilder Builder(MallFixture mall) => RecommendationTests.Builder(mall, mall.Get<IDocumentCollection<Order>>());

    private static async Task PaidOrderAsync(MallFixture mall, string customer, params Product[] products)
    {
        var request = MallFixture.Buy(products[0].Skus[0].Id, 1) with { Items = products.Select(p => new OrderItemRequest(p.Skus[0].Id, 1)).ToList() };
        var order = (await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), request, CancellationToken.None)).Order;
        await mall.PayAsync(customer, order.Id);
    }

    [Fact]
    public async Task One_customers_repeat_orders_do_not_alone_make_their_products_related_for_everyone()
    {
        await using var mall = await MallFixture.StartAsync();
        var tea = await ProductAsync(mall, "Longjing");
        var test = await ProductAsync(mall, "Pregnancy test");
        var (buyer, other) = (await mall.NewCustomerAsync(), await mall.NewCustomerAsync());

        // One customer buys the tea with a pregnancy test twice (a repeat order, the usual thing in a tea mall).
        await PaidOrderAsync(mall, buyer, tea, test);
        await PaidOrderAsync(mall, buyer, tea, test);
        await mall.Events.DrainAsync();
        var run = await Builder(mall).RunAsync(CancellationToken.None);

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
        var test = await ProductAsync(mall, "Pregnancy test");
        var (buyer, newcomer) = (await mall.NewCustomerAsync(), await mall.NewCustomerAsync());

        // One customer buys the same product in two orders; nobody else buys anything.
        await PaidOrderAsync(mall, buyer, test);
        await PaidOrderAsync(mall, buyer, test);
        await mall.Events.DrainAsync();
        await Builder(mall).RunAsync(CancellationToken.None);

        // The overall popular list needs MinSupport orders (529e274: "one order is not popular to show everyone"), and
        // one customer's two orders are that many: a newcomer's feed (no history, empty segment list) is the popular
        // list, showing every new customer what one customer bought.
        var feed = await mall.Get<RecommendationService>().FeedAsync(newcomer, CancellationToken.None);

        Assert.True(
            !feed.Items.Any(i => i.Id == test.Id),
            $"A newcomer's feed ({feed.Algorithm}) shows [{string.Join(", ", feed.Items.Select(i => i.Id))}]: one customer's two orders made it popular.");
    }
}
