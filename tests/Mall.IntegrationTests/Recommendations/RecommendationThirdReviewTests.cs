using System.Globalization;
using System.Text.Json;
using Mall.Application.Catalog;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Application.Recommendations;
using Mall.Domain.Common;
using Mall.Domain.Recommendations;

namespace Mall.IntegrationTests.Recommendations;

/// <summary>What the third review of recommendations found: each test fails on the code as it was reviewed (2d2ee52).</summary>
public sealed class RecommendationThirdReviewTests
{
    [Fact]
    public async Task The_checkpoint_of_a_mall_with_several_thousand_sold_products_fits_a_stored_document()
    {
        await using var mall = await MallFixture.StartAsync();
        var rules = mall.Get<RecommendationOptions>().ToRules();

        // 6,000 products some paid order held (over the mall's life: the orders stage reads every order there ever
        // was), with ids an operator chose (PUT /products/{id} takes up to 40 characters).
        var catalog = Enumerable.Range(0, 6_000).Select(i => ("TEA_" + i.ToString("D5", CultureInfo.InvariantCulture)).PadRight(40, 'X')).ToList();
        Assert.All(catalog, id => Assert.True(ProductIds.IsValid(id)));
        var random = new Random(17);
        var counts = new CoOccurrence();
        for (var basket = 0; basket < 3_000; basket++)
        {
            counts.Add(catalog.OrderBy(_ => random.Next()).Take(rules.MaxBasketProducts), rules);
        }

        // What the orders stage keeps for the popular lists: the candidates it bounds (CandidatesKept per list).
        var bought = catalog.Take(RecommendationBuilder.CandidatesKept).ToDictionary(p => p, _ => (long)random.Next(1, 1_000), StringComparer.Ordinal);
        var segments = new[] { "Potential", "FirstOrder", "Active", "Regular", "Dormant" }
            .ToDictionary(s => s, _ => catalog.OrderBy(_ => random.Next()).Take(RecommendationBuilder.CandidatesKept).ToDictionary(p => p, _ => new SegmentScore(random.Next(1, 10_000), random.Next(1, 1_000)), StringComparer.Ordinal));
        var run = new RecommendationRun
        {
            Day = ChinaTime.DateOf(DateTimeOffset.UtcNow),
            StartedAt = DateTimeOffset.UtcNow,
            Stage = RecommendationStage.Interests,
            Counts = counts,
            Bought = bought,
            SegmentInterest = segments,
            ContinuationToken = new string('t', 200),
        };

        // Fitted prunes pairs only: with every pair gone the products counted, the bought candidates and the segments'
        // candidates alone are more than a document takes, so the checkpoint throws, at this point of every day's run.
        var fitted = RecommendationBuilder.Fitted(run);
        var length = JsonSerializer.Serialize(fitted, MallJson.Options).Length;
        var failure = await Record.ExceptionAsync(() => mall.Get<IDocumentCollection<RecommendationRun>>().InsertAsync(new DocumentKey("recommendations", "several-thousand-products"), fitted, [], CancellationToken.None));

        Assert.True(
            failure is null && length <= RecommendationBuilder.CheckpointCharacters,
            $"The fitted checkpoint has {fitted.Counts.Pairs.Count} pairs left and is still {length:N0} characters ({fitted.Counts.Products.Count:N0} products counted): {failure?.Message}");
    }

    [Fact]
    public async Task One_customers_single_order_does_not_alone_make_its_products_related_for_everyone()
    {
        await using var mall = await MallFixture.StartAsync();
        var tea = await RecommendationTests.ProductAsync(mall, "Longjing", stock: 100);
        var test = await RecommendationTests.ProductAsync(mall, "Pregnancy test", stock: 100);
        var (buyer, other) = (await mall.NewCustomerAsync(), await mall.NewCustomerAsync());

        // One customer looks at the tea and then buys it with a pregnancy test, in one order: one basket.
        await mall.Get<CustomerInterests>().ViewedAsync(buyer, [new Interaction(tea.Id, DateTimeOffset.UtcNow.AddMinutes(-5))], CancellationToken.None);
        var request = MallFixture.Buy(tea.Skus[0].Id, 1) with { Items = [new OrderItemRequest(tea.Skus[0].Id, 1), new OrderItemRequest(test.Skus[0].Id, 1)] };
        var order = (await mall.Get<CheckoutService>().CreateAsync(buyer, Guid.NewGuid().ToString(), request, CancellationToken.None)).Order;
        await mall.PayAsync(buyer, order.Id);
        await mall.Events.DrainAsync();
        var run = await RecommendationTests.Builder(mall).RunAsync(CancellationToken.None);

        // The run counts the order ({tea, test}) and then the same purchase again as the customer's "viewed then
        // bought" basket ({tea viewed, test bought}): the pair has 2 baskets, the minimum support, from one order of
        // one customer. Everyone looking at the tea is shown what that customer bought with it.
        var related = await mall.Get<RecommendationService>().RelatedAsync(tea.Id, other, CancellationToken.None);

        Assert.True(
            !related.Items.Any(i => i.Id == test.Id),
            $"One order counted as {run.Counts.Pairs.GetValueOrDefault(string.Join('|', new[] { tea.Id, test.Id }.Order(StringComparer.Ordinal)))} baskets "
            + $"(minimum support {mall.Get<RecommendationOptions>().MinSupport}): the tea's related list shows [{string.Join(", ", related.Items.Select(i => i.Id))}] to another customer.");
    }
}
