using Mall.Application.Analytics;
using Mall.Application.Catalog;
using Mall.Application.Platform;
using Mall.Application.Recommendations;
using Mall.Domain.Analytics;
using Mall.Domain.Catalog;

namespace Mall.IntegrationTests.Recommendations;

public sealed class FeedExperimentTests
{
    [Fact]
    public async Task Synthetic_traffic_on_the_feed_experiment_gives_each_variant_its_click_through_rate_interval_and_z_test()
    {
        await using var mall = await MallFixture.StartAsync();
        var admin = mall.Get<CatalogAdminService>();
        await admin.SaveCategoryAsync("tea", new CategoryRequest("Tea", 1), CancellationToken.None);
        var product = (await admin.CreateProductAsync(new ProductRequest { Title = "Longjing", CategoryId = "tea", Tags = [], Status = ProductStatus.OnSale, Skus = [new SkuRequest { Name = "50g", PriceFen = 1_000, Enabled = true, InitialStock = 10 }] }, CancellationToken.None)).Product;
        var day = DateOnly.FromDateTime(DateTime.UtcNow);
        await mall.Get<IDocumentCollection<PopularProducts>>().UpsertAsync(RecommendationBuilder.PopularKey(PopularProducts.Everyone), new PopularProducts(PopularProducts.Everyone, [new(product.Id, 1)], day), CancellationToken.None);
        await mall.Get<IDocumentCollection<PopularProducts>>().UpsertAsync(RecommendationBuilder.PopularKey("Potential"), new PopularProducts("Potential", [new(product.Id, 1)], day), CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var experiments = mall.Get<ExperimentService>();
        await experiments.CreateAsync(new ExperimentRequest { Id = "feed-ab", Name = "Feed: personal vs popular", Metric = FunnelStage.ProductView, Variants = [new("personal", 1), new("popular", 1)], StartsAt = now.AddMinutes(-1), EndsAt = now.AddDays(1) }, CancellationToken.None);
        mall.Get<RecommendationOptions>().FeedExperimentId = "feed-ab";
        var recommendations = mall.Get<RecommendationService>();
        var ingestion = mall.Get<EventIngestion>();

        // 60 customers see the feed; a customer shown the personal feed clicks every second time, one shown the popular list every fourth.
        var shown = new Dictionary<string, (int Exposed, int Clicked)> { ["personal"] = (0, 0), ["popular"] = (0, 0) };
        foreach (var customer in await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => mall.NewCustomerAsync())))
        {
            var feed = await recommendations.FeedAsync(customer, CancellationToken.None);
            var variant = feed.Algorithm == RecommendationAlgorithms.Popular ? "popular" : "personal";
            var (exposed, clicked) = shown[variant];
            var clicks = exposed % (variant == "personal" ? 2 : 4) == 0;
            shown[variant] = (exposed + 1, clicked + (clicks ? 1 : 0));
            Assert.Equal("feed-ab", feed.ExperimentId);
            var impression = new EventInput($"imp-{customer}", "recommendation_impression", DateTimeOffset.UtcNow, feed.Items[0].Id, null, feed.Slot, feed.Algorithm);
            var click = impression with { Id = $"click-{customer}", Type = "recommendation_click" };
            var result = await ingestion.RecordAsync(customer, new EventBatchRequest(null, clicks ? [impression, click] : [impression]), CancellationToken.None);
            Assert.Empty(result.Rejected);
        }

        var results = await experiments.ResultsAsync("feed-ab", CancellationToken.None);

        var (control, treatment) = (results.Variants.Single(v => v.Variant == "personal"), results.Variants.Single(v => v.Variant == "popular"));
        Assert.Equal((shown["personal"].Exposed, shown["personal"].Clicked), ((int)control.Exposures, (int)control.Conversions));
        Assert.Equal((shown["popular"].Exposed, shown["popular"].Clicked), ((int)treatment.Exposures, (int)treatment.Conversions));
        Assert.True(control.Exposures > 10 && treatment.Exposures > 10, "the hash splits 60 customers roughly in half");
        var expected = ExperimentStatistics.Proportion(treatment.Conversions, treatment.Exposures);
        var comparison = ExperimentStatistics.Compare(control.Conversions, control.Exposures, treatment.Conversions, treatment.Exposures);
        Assert.Equal((expected.Rate, expected.Low, expected.High), (treatment.Rate, treatment.RateLow, treatment.RateHigh));
        Assert.Equal(comparison.ZScore, treatment.ZScore!.Value, 10);
        Assert.Equal(comparison.PValue, treatment.PValue!.Value, 10);
        Assert.True(treatment.Rate < control.Rate);
    }
}
