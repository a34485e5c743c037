using System.Net;
using System.Text.Json;
using Mall.Domain.Common;

namespace Mall.EndToEndTests.Inventory;

/// <summary>An operator runs today's replenishment through the running mall and pages through its report.</summary>
[Collection(nameof(LocalMall))]
public sealed class ReplenishmentJourneyTests(LocalMall mall)
{
    [Fact]
    public async Task An_operator_runs_todays_replenishment_once_and_finds_every_on_sale_sku_in_its_report()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 3_000, stock: 7);
        using var customer = await mall.NewCustomerAsync();
        await mall.PaidOrderAsync(customer, skuId, 2);
        using var anonymous = mall.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("manage/replenishment/run", new { })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.GetAsync("manage/replenishment")).Status);
        using var admin = await mall.AdminAsync();

        var run = await admin.PostAsync("manage/replenishment/run", new { });
        var again = await admin.PostAsync("manage/replenishment/run", new { });

        Assert.Equal(HttpStatusCode.OK, run.Status);
        Assert.Equal(ChinaTime.DayKey(ChinaTime.DateOf(mall.Environment.Time.GetUtcNow())), run.Body.GetProperty("day").GetString());
        Assert.Equal(6, run.Body.GetProperty("turnoverGoal").GetDouble());
        Assert.Equal(run.Body.GetProperty("completedAt").GetDateTimeOffset(), again.Body.GetProperty("completedAt").GetDateTimeOffset());
        // Today's sale is not in the history yet (it ends yesterday), so no demand: nothing to order, 5 on hand.
        var line = await FindLineAsync(admin, skuId);
        Assert.Equal((5, 0.0, 0, 0), (line.GetProperty("onHand").GetInt64(), line.GetProperty("dailyDemand").GetDouble(), line.GetProperty("reorderPoint").GetInt64(), line.GetProperty("suggestedQuantity").GetInt64()));
        Assert.False(line.TryGetProperty("daysOfCover", out _));
    }

    /// <summary>Pages through the latest report, a few products at a time, until the SKU's line.</summary>
    private static async Task<JsonElement> FindLineAsync(ApiClient admin, string skuId)
    {
        string? token = null;
        do
        {
            var page = await admin.GetAsync($"manage/replenishment?pageSize=2{(token is null ? string.Empty : $"&continuationToken={Uri.EscapeDataString(token)}")}");
            Assert.Equal(HttpStatusCode.OK, page.Status);
            foreach (var line in page.Body.GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("skuId").GetString() == skuId))
            {
                return line;
            }

            token = page.Body.TryGetProperty("continuationToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        throw new Xunit.Sdk.XunitException($"{skuId} is in no page of the report.");
    }
}
