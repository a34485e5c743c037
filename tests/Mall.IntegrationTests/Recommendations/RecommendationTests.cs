using Mall.Application.Catalog;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Application.Recommendations;
using Mall.Domain.Catalog;
using Mall.Domain.Customers;
using Mall.Domain.Membership;
using Mall.Domain.Orders;
using Mall.Domain.Recommendations;
using Mall.IntegrationTests.Platform;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mall.IntegrationTests.Recommendations;

public sealed class RecommendationTests
{
    internal static async Task<Product> ProductAsync(MallFixture mall, string title, long stock = 10, ProductStatus status = ProductStatus.OnSale, params string[] tags)
    {
        var admin = mall.Get<CatalogAdminService>();
        await admin.SaveCategoryAsync("tea", new CategoryRequest("Tea", 1), CancellationToken.None);
        var view = await admin.CreateProductAsync(new ProductRequest { Title = title, CategoryId = "tea", Tags = tags, Status = status, Skus = [new SkuRequest { Name = "50g", PriceFen = 1_000, Enabled = true, InitialStock = stock }] }, CancellationToken.None);
        return view.Product;
    }

    internal static async Task<string> OrderAsync(MallFixture mall, string customerId, params Product[] products)
    {
        var request = MallFixture.Buy(products[0].Skus[0].Id, 1) with { Items = products.Select(p => new OrderItemRequest(p.Skus[0].Id, 1)).ToList() };
        var order = (await mall.Get<CheckoutService>().CreateAsync(customerId, Guid.NewGuid().ToString(), request, CancellationToken.None)).Order;
        await mall.PayAsync(customerId, order.Id);
        return order.Id;
    }

    private static Task RelateAsync(MallFixture mall, Product product, params Product[] neighbours) =>
        mall.Get<IDocumentCollection<RelatedProducts>>().UpsertAsync(
            DocumentKey.Single(product.Id),
            new RelatedProducts(product.Id, neighbours.Select((n, i) => new ScoredProduct(n.Id, 1.0 - i * 0.1)).ToList(), DateOnly.FromDateTime(DateTime.UtcNow)),
            CancellationToken.None);

    private static async Task<string> MemberAsync(MallFixture mall, MemberTier tier)
    {
        var id = await mall.NewCustomerAsync();
        await mall.Get<IDocumentCollection<Customer>>().UpdateAsync(DocumentKey.Single(id), id, c => c with { Member = new MemberStatus(tier, DateTimeOffset.UtcNow) }, CancellationToken.None);
        return id;
    }

    internal static RecommendationBuilder Builder(MallFixture mall) => Builder(mall, mall.Get<IDocumentCollection<Order>>());

    internal static RecommendationBuilder Builder(MallFixture mall, IDocumentCollection<Order> orders) => new(
        orders,
        mall.Get<IDocumentCollection<CustomerInterest>>(),
        mall.Get<IDocumentCollection<RelatedProducts>>(),
        mall.Get<IDocumentCollection<PopularProducts>>(),
        mall.Get<IDocumentCollection<RecommendationRun>>(),
        mall.Get<RecommendationOptions>(),
        TimeProvider.System,
        NullLogger<RecommendationBuilder>.Instance);

    [Fact]
    public async Task A_related_list_leaves_out_the_product_off_sale_and_out_of_stock_items_and_trials_for_those_who_may_not_buy_them()
    {
        await using var mall = await MallFixture.StartAsync();
        var pot = await ProductAsync(mall, "Teapot");
        var cup = await ProductAsync(mall, "Cup");
        var offSale = await ProductAsync(mall, "Old tray", status: ProductStatus.OffSale);
        var soldOut = await ProductAsync(mall, "Kettle", stock: 0);
        var trial = await ProductAsync(mall, "New oolong", tags: Product.MemberTrialTag);
        await RelateAsync(mall, pot, pot, offSale, soldOut, trial, cup);
        var recommendations = mall.Get<RecommendationService>();
        var gold = await MemberAsync(mall, MemberTier.Gold);
        var silver = await MemberAsync(mall, MemberTier.Silver);

        var anonymous = await recommendations.RelatedAsync(pot.Id, null, CancellationToken.None);
        var forSilver = await recommendations.RelatedAsync(pot.Id, silver, CancellationToken.None);
        var forGold = await recommendations.RelatedAsync(pot.Id, gold, CancellationToken.None);

        Assert.Equal((RecommendationSlots.ProductRelated, RecommendationAlgorithms.Related), (anonymous.Slot, anonymous.Algorithm));
        Assert.Equal([cup.Id], anonymous.Items.Select(i => i.Id));
        Assert.Equal([cup.Id], forSilver.Items.Select(i => i.Id));
        Assert.Equal([trial.Id, cup.Id], forGold.Items.Select(i => i.Id));
        await Assert.ThrowsAsync<Domain.Common.DomainException>(() => recommendations.RelatedAsync(offSale.Id, null, CancellationToken.None));
    }

    [Fact]
    public async Task A_new_customer_gets_the_popular_list_of_their_segment_then_a_feed_from_what_they_view()
    {
        await using var mall = await MallFixture.StartAsync();
        var pot = await ProductAsync(mall, "Teapot");
        var cup = await ProductAsync(mall, "Cup");
        var tea = await ProductAsync(mall, "Longjing");
        var popular = mall.Get<IDocumentCollection<PopularProducts>>();
        var day = DateOnly.FromDateTime(DateTime.UtcNow);
        var recommendations = mall.Get<RecommendationService>();
        var customer = await mall.NewCustomerAsync();

        var nothingYet = await recommendations.FeedAsync(customer, CancellationToken.None);
        await popular.UpsertAsync(RecommendationBuilder.PopularKey(PopularProducts.Everyone), new PopularProducts(PopularProducts.Everyone, [new(tea.Id, 9)], day), CancellationToken.None);
        var overall = await recommendations.FeedAsync(customer, CancellationToken.None);
        await popular.UpsertAsync(RecommendationBuilder.PopularKey("Potential"), new PopularProducts("Potential", [new(pot.Id, 3)], day), CancellationToken.None);
        var coldStart = await recommendations.FeedAsync(customer, CancellationToken.None);
        await RelateAsync(mall, pot, cup);
        await mall.Get<CustomerInterests>().ViewedAsync(customer, [new Interaction(pot.Id, DateTimeOffset.UtcNow)], CancellationToken.None);
        var personal = await recommendations.FeedAsync(customer, CancellationToken.None);

        Assert.Empty(nothingYet.Items);
        Assert.Equal((RecommendationAlgorithms.Popular, tea.Id), (overall.Algorithm, overall.Items.Single().Id));
        Assert.Equal((RecommendationAlgorithms.SegmentPopular, pot.Id), (coldStart.Algorithm, coldStart.Items.Single().Id));
        Assert.Equal((RecommendationAlgorithms.Personal, cup.Id), (personal.Algorithm, personal.Items.Single().Id));
    }

    [Fact]
    public async Task The_daily_run_relates_what_is_bought_together_re_running_changes_nothing_and_a_crash_resumes_at_its_checkpoint()
    {
        await using var mall = await MallFixture.StartAsync(overrides: new Dictionary<string, string?> { ["Recommendations:PageSize"] = "2", ["Recommendations:CheckpointEveryPages"] = "1" });
        var pot = await ProductAsync(mall, "Teapot");
        var cup = await ProductAsync(mall, "Cup");
        var tea = await ProductAsync(mall, "Longjing");
        // Two customers: one customer's repeat orders alone relate nothing (MinCustomers).
        var (buyer, another) = (await mall.NewCustomerAsync(), await mall.NewCustomerAsync());
        await OrderAsync(mall, another, pot, cup);
        await OrderAsync(mall, buyer, pot, cup, tea);
        await OrderAsync(mall, buyer, tea);
        await mall.Events.DrainAsync();
        var orders = mall.Get<IDocumentCollection<Order>>();

        await Assert.ThrowsAsync<IOException>(() => Builder(mall, new CrashingQueries<Order>(orders, crashOnQuery: 2)).RunAsync(CancellationToken.None));
        var run = await Builder(mall, orders).RunAsync(CancellationToken.None);
        var again = await Builder(mall, orders).RunAsync(CancellationToken.None);
        var related = await mall.Get<RecommendationService>().RelatedAsync(pot.Id, null, CancellationToken.None);

        Assert.Equal(3, run.PaidOrders); // the page the crash interrupted was counted once
        Assert.Equal((2, 2, 2), (run.Counts.Products[pot.Id], run.Counts.Products[cup.Id], run.Counts.Products[tea.Id]));
        Assert.Equal(2, run.Counts.Pairs[string.Join('|', new[] { pot.Id, cup.Id }.Order(StringComparer.Ordinal))]);
        Assert.Equal(RecommendationAlgorithms.Related, related.Algorithm);
        Assert.Equal([cup.Id], related.Items.Select(i => i.Id)); // pot and tea share one order only: below the minimum support
        Assert.Equal((run.CompletedAt, run.Pages, run.ProductsWritten), (again.CompletedAt, again.Pages, again.ProductsWritten));
        Assert.Equal(3, run.ProductsWritten);
    }
}
