using Mall.Application.Catalog;
using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Domain.Catalog;
using Mall.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Inventory;

/// <summary>Review findings on dynamic replenishment (these fail against the current code).</summary>
public sealed class ReplenishmentReviewTests
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    private static DateTimeOffset At(int month, int day, int hour) => new(2026, month, day, hour, 0, 0, Cst);

    /// <summary>
    /// The history starts at the product's CreatedAt, so the weeks a product sat as a draft (not for sale) count
    /// as days without demand. A product drafted in November and put on sale on 8 December must forecast like
    /// the same product created on sale on 8 December: both could only sell from the 8th.
    /// </summary>
    [Fact]
    public async Task Days_a_product_was_a_draft_are_not_days_without_demand()
    {
        var time = new FakeTimeProvider(At(11, 1, 10));
        await using var mall = await MallFixture.StartAsync(time);
        var admin = mall.Get<CatalogAdminService>();
        await admin.SaveCategoryAsync("tea", new CategoryRequest("Tea", 1), CancellationToken.None);

        // Drafted on 1 November, put on sale on 8 December.
        var drafted = (await admin.CreateProductAsync(
            new ProductRequest { Title = "Drafted", CategoryId = "tea", Tags = [], Status = ProductStatus.Draft, Skus = [new SkuRequest { Name = "sku 0", PriceFen = 5_000, Enabled = true, InitialStock = 100 }] },
            CancellationToken.None)).Product;
        time.SetUtcNow(At(12, 8, 9));
        await admin.SaveProductAsync(
            drafted.Id,
            new ProductRequest { Title = "Drafted", CategoryId = "tea", Tags = [], Status = ProductStatus.OnSale, Skus = [new SkuRequest { SkuId = drafted.Skus[0].Id, Name = "sku 0", PriceFen = 5_000, Enabled = true, InitialStock = 100 }] },
            null,
            CancellationToken.None);
        // Created on sale on 8 December.
        var fresh = await mall.CreateProductAsync(5_000, null, 100);

        var customer = await mall.NewCustomerAsync();
        var events = EventPump.For(mall.Services, new RecordingWorkflows());
        time.SetUtcNow(At(12, 9, 12));
        foreach (var sku in new[] { drafted.Skus[0].Id, fresh.Skus[0].Id })
        {
            var order = (await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(sku, 10), CancellationToken.None)).Order;
            await mall.PayAsync(customer, order.Id);
        }

        await events.DrainAsync();
        time.SetUtcNow(At(12, 10, 3));
        var replenishment = mall.Get<ReplenishmentService>();
        await replenishment.RunAsync(CancellationToken.None);
        var report = await replenishment.ReportAsync(null, 20, CancellationToken.None);

        var draftedLine = Assert.Single(report.Lines, l => l.ProductId == drafted.Id);
        var freshLine = Assert.Single(report.Lines, l => l.ProductId == fresh.Id);
        Assert.Equal(10L, draftedLine.SoldLast30Days);
        Assert.Equal(10L, freshLine.SoldLast30Days);
        // Today: the drafted product's 28-day history is 27 zeros and a 10 (level 2), the fresh one's [0, 10] (level 5.2).
        Assert.Equal(freshLine.DailyDemand, draftedLine.DailyDemand);
        Assert.Equal(freshLine.ReorderPoint, draftedLine.ReorderPoint);
    }
}
