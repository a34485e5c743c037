using System.Net;
using System.Text.Json;
using Mall.Application.Recommendations;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.EndToEndTests.Recommendations;

/// <summary>
/// Related products and the personal feed through the running mall: views and paid orders over HTTP and the sandbox,
/// the daily run through the admin API, the lists as a mini-program reads them. A mall of its own: the daily run
/// does nothing the second time in a day, so no other journey may have run it.
/// </summary>
public sealed class RecommendationJourneyTests(LocalMall mall) : IClassFixture<LocalMall>
{
    [Fact]
    public async Task Customers_who_viewed_a_tea_and_bought_a_gaiwan_make_it_related_and_in_a_viewers_feed_without_sold_out_items()
    {
        var (tea, _) = await mall.CreateProductAsync(priceFen: 3_000, stock: 50);
        var (gaiwan, gaiwanSku) = await mall.CreateProductAsync(priceFen: 8_000, stock: 50);
        var (lastTin, lastTinSku) = await mall.CreateProductAsync(priceFen: 5_000, stock: 2);

        // Two shoppers each look at the tea, then buy a gaiwan and (separately) one of the last two tins: both are
        // "viewed then bought" with the tea twice, the minimum support; the tins are then sold out.
        for (var shopper = 0; shopper < 2; shopper++)
        {
            using var customer = await mall.NewCustomerAsync();
            await ViewAsync(customer, tea, DateTimeOffset.UtcNow.AddMinutes(-10));
            await mall.PaidOrderAsync(customer, gaiwanSku, quantity: 1);
            await mall.PaidOrderAsync(customer, lastTinSku, quantity: 1);
            await PurchasesKnownAsync(customer, 2);
        }

        using var admin = await mall.AdminAsync();
        var requestedAt = DateTimeOffset.UtcNow;
        await mall.RunThroughAdminApiAsync("Recommendations_Daily");
        await LocalMall.WaitForAsync(admin, "manage/recommendations/runs", runs => runs.EnumerateArray().Any(run =>
            run.TryGetProperty("completedAt", out var completedAt) && completedAt.ValueKind == JsonValueKind.String
            && run.GetProperty("startedAt").GetDateTimeOffset() >= requestedAt.AddSeconds(-1)));

        using var visitor = await mall.NewCustomerAsync();
        var related = await visitor.GetAsync($"products/{tea}/related");
        Assert.Equal(HttpStatusCode.OK, related.Status);
        Assert.Equal(("product-related", "related"), (related.Body.GetProperty("slot").GetString(), related.Body.GetProperty("algorithm").GetString()));
        Assert.Equal([gaiwan], Ids(related.Body));

        // The visitor looks at the tea: their feed is the tea's related list, without the tea they know.
        await ViewAsync(visitor, tea, DateTimeOffset.UtcNow.AddMinutes(-1));
        var feed = await LocalMall.WaitForAsync(visitor, "me/recommendations", f => f.GetProperty("algorithm").GetString() == "personal");
        Assert.Equal("home-feed", feed.GetProperty("slot").GetString());
        Assert.Equal([gaiwan], Ids(feed));
        Assert.DoesNotContain(lastTin, Ids(feed));

        Assert.Equal(HttpStatusCode.NotFound, (await visitor.GetAsync("products/P_NO_SUCH_PRODUCT/related")).Status);
        foreach (var days in new[] { "abc", "0", "367", "-1", "7.5" })
        {
            var refused = await admin.GetAsync($"manage/recommendations/runs?days={days}");
            Assert.Equal((HttpStatusCode.BadRequest, "days"), (refused.Status, refused.Body.GetProperty("errors").EnumerateObject().Single().Name));
        }
    }

    /// <summary>
    /// Waits until the customer's interest holds their purchases: OrderPaid reaches it from the dispatch queue after
    /// the order reads paid, and the daily run reads the interest, not the orders, for "viewed then bought".
    /// </summary>
    private async Task PurchasesKnownAsync(ApiClient customer, int purchases)
    {
        var customerId = (await customer.GetAsync("me")).Body.GetProperty("customerId").GetString()!;
        var interests = mall.Host.Services.GetRequiredService<CustomerInterests>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await interests.FindAsync(customerId, CancellationToken.None))?.Purchases.Count != purchases)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The customer's {purchases} purchases not in their interest within 30 s.");
            await Task.Delay(100);
        }
    }

    private static async Task ViewAsync(ApiClient customer, string productId, DateTimeOffset at)
    {
        var events = new[] { new { id = $"pv-{Guid.NewGuid():N}", type = "product_view", occurredAt = at, productId } };
        var sent = await customer.PostAsync("events", new { deviceId = $"dev-{Guid.NewGuid():N}", events });
        Assert.Equal(1, sent.Body.GetProperty("accepted").GetInt32());
    }

    private static List<string> Ids(JsonElement list) =>
        list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList();
}
