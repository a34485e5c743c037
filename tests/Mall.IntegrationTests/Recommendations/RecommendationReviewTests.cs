using Mall.Application.Analytics;
using Mall.Application.Customers;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Application.Recommendations;
using Mall.Domain.Analytics;
using Mall.Domain.Common;
using Mall.Domain.Recommendations;

namespace Mall.IntegrationTests.Recommendations;

/// <summary>What the review of recommendations found: each test fails on the code as it was reviewed.</summary>
public sealed class RecommendationReviewTests
{
    [Fact]
    public async Task The_feed_experiment_converts_on_a_click_in_the_feed_only_not_on_any_product_view_or_a_click_elsewhere()
    {
        await using var mall = await MallFixture.StartAsync();
        var product = await RecommendationTests.ProductAsync(mall, "Longjing");
        var now = DateTimeOffset.UtcNow;
        var experiments = mall.Get<ExperimentService>();
        await experiments.CreateAsync(new ExperimentRequest { Id = "feed-clicks", Name = "Feed: personal vs popular", Metric = FunnelStage.ProductView, Variants = [new("personal", 1), new("popular", 1)], StartsAt = now.AddMinutes(-1), EndsAt = now.AddDays(1) }, CancellationToken.None);
        mall.Get<RecommendationOptions>().FeedExperimentId = "feed-clicks";
        var recommendations = mall.Get<RecommendationService>();
        var ingestion = mall.Get<EventIngestion>();
        var (viewer, elsewhere, clicker) = (await mall.NewCustomerAsync(), await mall.NewCustomerAsync(), await mall.NewCustomerAsync());
        foreach (var customer in new[] { viewer, elsewhere, clicker })
        {
            Assert.Equal("feed-clicks", (await recommendations.FeedAsync(customer, CancellationToken.None)).ExperimentId);
        }

        var feed = await recommendations.FeedAsync(clicker, CancellationToken.None);
        EventInput Event(string id, string type, string? slot = null, string? algorithm = null) => new(id, type, DateTimeOffset.UtcNow, product.Id, null, slot, algorithm);

        // One opens a product from search (no feed involved), one clicks a related product on a product page, one clicks in the feed.
        Assert.Empty((await ingestion.RecordAsync(viewer, new EventBatchRequest(null, [Event("view-1", "product_view")]), CancellationToken.None)).Rejected);
        Assert.Empty((await ingestion.RecordAsync(elsewhere, new EventBatchRequest(null, [Event("click-1", "recommendation_click", RecommendationSlots.ProductRelated, RecommendationAlgorithms.Related)]), CancellationToken.None)).Rejected);
        Assert.Empty((await ingestion.RecordAsync(clicker, new EventBatchRequest(null, [Event("click-2", "recommendation_click", feed.Slot, feed.Algorithm)]), CancellationToken.None)).Rejected);

        var results = await experiments.ResultsAsync("feed-clicks", CancellationToken.None);

        Assert.Equal(3, results.Variants.Sum(v => v.Exposures));
        Assert.Equal(1, results.Variants.Sum(v => v.Conversions));
    }

    [Fact]
    public async Task The_daily_run_clears_related_and_segment_lists_it_no_longer_computes()
    {
        await using var mall = await MallFixture.StartAsync();
        var tea = await RecommendationTests.ProductAsync(mall, "Longjing");
        var cup = await RecommendationTests.ProductAsync(mall, "Cup");
        var yesterday = ChinaTime.DateOf(DateTimeOffset.UtcNow).AddDays(-1);
        var related = mall.Get<IDocumentCollection<RelatedProducts>>();
        var popular = mall.Get<IDocumentCollection<PopularProducts>>();

        // Yesterday's run related tea to cup and listed the Dormant segment's favourites; since then every order with
        // tea was refunded and the last Dormant customer came back, so today's run counts neither.
        await related.UpsertAsync(DocumentKey.Single(tea.Id), new RelatedProducts(tea.Id, [new(cup.Id, 0.9)], yesterday), CancellationToken.None);
        await popular.UpsertAsync(RecommendationBuilder.PopularKey("Dormant"), new PopularProducts("Dormant", [new(cup.Id, 3)], yesterday), CancellationToken.None);
        await RecommendationTests.Builder(mall).RunAsync(CancellationToken.None);

        Assert.Empty((await related.FindAsync(DocumentKey.Single(tea.Id), CancellationToken.None))?.Value.Items ?? []);
        Assert.Empty((await popular.FindAsync(RecommendationBuilder.PopularKey("Dormant"), CancellationToken.None))?.Value.Items ?? []);
        Assert.Empty((await mall.Get<RecommendationService>().RelatedAsync(tea.Id, null, CancellationToken.None)).Items);
    }

    [Fact]
    public async Task Impressions_and_clicks_name_a_slot_and_an_algorithm_the_mall_has_so_the_slot_figures_stay_bounded()
    {
        await using var mall = await MallFixture.StartAsync();
        var customer = await mall.NewCustomerAsync();
        var ingestion = mall.Get<EventIngestion>();
        EventInput Event(string id, string slot, string algorithm) => new(id, "recommendation_impression", DateTimeOffset.UtcNow, null, null, slot, algorithm);

        // A client (or anyone with a token) naming made-up slots would add an entry per name to every hour's tally.
        var result = await ingestion.RecordAsync(customer, new EventBatchRequest(null, [
            Event("imp-1", RecommendationSlots.HomeFeed, RecommendationAlgorithms.Personal),
            Event("imp-2", "made-up-slot-1", RecommendationAlgorithms.Personal),
            Event("imp-3", RecommendationSlots.HomeFeed, "made-up-algorithm"),
        ]), CancellationToken.None);

        Assert.Equal([1, 2], result.Rejected.Select(r => r.Index));
        Assert.Equal(["events[1].slot", "events[2].algorithm"], result.Rejected.Select(r => r.Field));
    }

    [Fact]
    public async Task The_daily_runs_checkpoint_at_its_bounds_fits_in_a_stored_document()
    {
        await using var mall = await MallFixture.StartAsync();
        var options = mall.Get<RecommendationOptions>();
        var rules = options.ToRules();

        // Counts as large as the bounds let them grow, over product ids as the mall issues them (P + 20 characters),
        // with every segment interested in every product of a catalog of 500.
        var catalog = Enumerable.Range(0, 500).Select(i => Ids.Derive("P", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        var counts = new CoOccurrence();
        var random = new Random(13);
        var pairsPerBasket = rules.MaxBasketProducts * (rules.MaxBasketProducts - 1) / 2;
        while (counts.Pairs.Count + pairsPerBasket <= rules.MaxPairs)
        {
            counts.Add(catalog.OrderBy(_ => random.Next()).Take(rules.MaxBasketProducts), rules);
        }

        var segments = new[] { "Potential", "FirstOrder", "Active", "Regular", "Dormant" }
            .ToDictionary(s => s, _ => catalog.ToDictionary(p => p, _ => new SegmentScore(random.Next(1, 10_000), random.Next(1, 1_000)), StringComparer.Ordinal));
        var run = new RecommendationRun { Day = ChinaTime.DateOf(DateTimeOffset.UtcNow), StartedAt = DateTimeOffset.UtcNow, Counts = counts, SegmentInterest = segments, ContinuationToken = new string('t', 200) };

        await mall.Get<IDocumentCollection<RecommendationRun>>().InsertAsync(new DocumentKey("recommendations", "checkpoint-at-bounds"), run, [], CancellationToken.None);
    }

    [Fact]
    public async Task A_feed_experiment_setting_naming_no_experiment_leaves_the_feed_working()
    {
        await using var mall = await MallFixture.StartAsync();
        var customer = await mall.NewCustomerAsync();

        // The operator set the setting before creating the experiment (or mistyped it).
        mall.Get<RecommendationOptions>().FeedExperimentId = "not-created-yet";
        var feed = await mall.Get<RecommendationService>().FeedAsync(customer, CancellationToken.None);

        Assert.Null(feed.ExperimentId);
        Assert.Equal(RecommendationSlots.HomeFeed, feed.Slot);
    }

    [Fact]
    public async Task A_feed_experiment_without_the_personal_and_popular_variants_is_not_run()
    {
        await using var mall = await MallFixture.StartAsync();
        var customer = await mall.NewCustomerAsync();
        var now = DateTimeOffset.UtcNow;

        // Created before the setting named it, so its definition was not checked as the feed's.
        await mall.Get<ExperimentService>().CreateAsync(new ExperimentRequest { Id = "feed-named-later", Name = "Feed", Metric = FunnelStage.ProductView, Variants = [new("a", 1), new("b", 1)], StartsAt = now.AddMinutes(-1), EndsAt = now.AddDays(1) }, CancellationToken.None);
        mall.Get<RecommendationOptions>().FeedExperimentId = "feed-named-later";
        var feed = await mall.Get<RecommendationService>().FeedAsync(customer, CancellationToken.None);

        Assert.Null(feed.ExperimentId);
        var results = await mall.Get<ExperimentService>().ResultsAsync("feed-named-later", CancellationToken.None);
        Assert.All(results.Variants, v => Assert.Equal(0, v.Exposures));
    }

    [Fact]
    public async Task An_erased_customers_browsing_history_is_forgotten()
    {
        await using var mall = await MallFixture.StartAsync();
        var product = await RecommendationTests.ProductAsync(mall, "Longjing");
        var customer = await mall.NewCustomerAsync();
        var interests = mall.Get<CustomerInterests>();
        await mall.Get<EventIngestion>().RecordAsync(customer, new EventBatchRequest(null, [new EventInput("view-1", "product_view", DateTimeOffset.UtcNow, product.Id, null)]), CancellationToken.None);
        Assert.NotNull(await interests.FindAsync(customer, CancellationToken.None));

        await mall.Get<PersonalDataService>().EraseAsync(customer, CancellationToken.None);
        await mall.Events.DrainAsync();

        Assert.Null(await interests.FindAsync(customer, CancellationToken.None));
    }

    [Fact]
    public async Task The_popular_list_counts_what_was_bought_not_what_was_only_viewed_before_a_purchase()
    {
        await using var mall = await MallFixture.StartAsync();
        var browsed = await RecommendationTests.ProductAsync(mall, "Teapot");
        var bought = await RecommendationTests.ProductAsync(mall, "Longjing");
        // Two customers (a product is popular from the minimum support of orders on) each view one and buy the other.
        for (var i = 0; i < 2; i++)
        {
            var customer = await mall.NewCustomerAsync();
            await mall.Get<CustomerInterests>().ViewedAsync(customer, [new Interaction(browsed.Id, DateTimeOffset.UtcNow.AddMinutes(-5))], CancellationToken.None);
            var order = (await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(bought.Skus[0].Id, 1), CancellationToken.None)).Order;
            await mall.PayAsync(customer, order.Id);
        }

        await mall.Events.DrainAsync();

        await RecommendationTests.Builder(mall).RunAsync(CancellationToken.None);
        var popular = (await mall.Get<IDocumentCollection<PopularProducts>>().FindAsync(RecommendationBuilder.PopularKey(PopularProducts.Everyone), CancellationToken.None))!.Value;

        // "Most bought overall", the feed experiment's baseline: two orders of one product, and not the viewed one.
        Assert.Equal([new ScoredProduct(bought.Id, 2)], popular.Items);
    }

    [Fact]
    public async Task A_finished_run_keeps_its_figures_not_its_counts_and_the_operator_sees_no_internals()
    {
        await using var mall = await MallFixture.StartAsync();
        var tea = await RecommendationTests.ProductAsync(mall, "Longjing");
        var customer = await mall.NewCustomerAsync();
        await mall.Get<CustomerInterests>().ViewedAsync(customer, [new Interaction(tea.Id, DateTimeOffset.UtcNow)], CancellationToken.None);
        var order = (await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(tea.Skus[0].Id, 1), CancellationToken.None)).Order;
        await mall.PayAsync(customer, order.Id);
        await mall.Events.DrainAsync();
        await mall.Get<IDocumentCollection<CustomerInterest>>().UpdateAsync(DocumentKey.Single(customer), customer, i => i with { Segment = "FirstOrder" }, CancellationToken.None);
        var builder = RecommendationTests.Builder(mall);

        var run = await builder.RunAsync(CancellationToken.None);
        var stored = (await builder.RecentAsync(1, CancellationToken.None)).Single();

        // Every day's run stays in the table and the report reads them all: each would otherwise keep up to a
        // document's worth of counts for good.
        Assert.Equal((1, 1, 1), (run.PaidOrders, run.ProductsWritten, run.SegmentInterest.Count));
        Assert.Equal((1, 1, run.CompletedAt), (stored.PaidOrders, stored.ProductsWritten, stored.CompletedAt));
        Assert.Empty(stored.Counts.Products);
        Assert.Empty(stored.Counts.Pairs);
        Assert.Empty(stored.SegmentInterest);
    }
}
