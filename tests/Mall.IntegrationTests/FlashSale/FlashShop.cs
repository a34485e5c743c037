using Mall.Application.FlashSale;
using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Domain.Common;
using Mall.Domain.FlashSale;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.FlashSale;

/// <summary>A shop with one product and a clock just before the 09:00 flash slot, and the steps the flash-sale tests share.</summary>
internal static class FlashShop
{
    /// <summary>2026-12-02 08:50 CST, ten minutes before the 09:00 slot.</summary>
    public static readonly DateTimeOffset BeforeNine = new(2026, 12, 2, 8, 50, 0, TimeSpan.FromHours(8));

    public static readonly DateTimeOffset Nine = new(2026, 12, 2, 9, 0, 0, TimeSpan.FromHours(8));

    public static FlashReservationRequest Reservation => new(MallFixture.Buy("x", 1).Address);

    public static async Task<(MallFixture Mall, FakeTimeProvider Time, string SkuId, string ProductId)> ShopAsync(
        long stock, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var time = new FakeTimeProvider(BeforeNine);
        var mall = await MallFixture.StartAsync(time, settings, configure);
        var product = await mall.CreateProductAsync(10_000, null, stock);
        return (mall, time, product.Skus[0].Id, product.Id);
    }

    /// <summary>A sale at 09:00 for 60 minutes at 39.00.</summary>
    public static Task<FlashSaleAdminView> ScheduleAsync(MallFixture mall, string skuId, int quantity, string key = "sale-0001", int? limit = null, int? shards = null) =>
        mall.Get<FlashSaleService>().CreateAsync(key, new FlashSaleRequest { SkuId = skuId, PriceFen = 3_900, Quantity = quantity, PerCustomerLimit = limit, StartsAt = Nine, DurationMinutes = 60, Shards = shards }, CancellationToken.None);

    public static async Task<long> StockAsync(MallFixture mall, string productId, string skuId) =>
        (await mall.Get<StockService>().AvailableAsync(productId, CancellationToken.None))[skuId];

    /// <summary>The order id, or the refusal's code.</summary>
    public static async Task<string> OutcomeAsync(Func<Task<CheckoutResult>> attempt)
    {
        try
        {
            return (await attempt()).Order.Id;
        }
        catch (DomainException exception)
        {
            return exception.Code.ToString();
        }
    }

    /// <summary>Normal stock, units held by orders, units free in open shards: their sum must stay the initial stock.</summary>
    public static async Task<(long Stock, int Held, int Free)> LedgerAsync(MallFixture mall, FlashSaleSession sale, string productId)
    {
        var stock = await StockAsync(mall, productId, sale.SkuId);
        var (free, held, _) = await mall.Get<FlashStock>().FiguresAsync(sale, CancellationToken.None);
        return (stock, held, free);
    }
}
