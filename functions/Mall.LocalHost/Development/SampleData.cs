using Mall.Application.Catalog;
using Mall.Application.Coupons;
using Mall.Domain.Catalog;
using Mall.Domain.Common;
using Mall.Domain.Coupons;

namespace Mall.LocalHost.Development;

/// <summary>
/// A small catalog to try the mall with: categories, products with SKUs ({productId}-1, -2…), stock and this
/// week's drop; and the coupon templates of the lifecycle campaigns (new-user pack, first-order, wake-up, birthday).
/// Loaded through the same admin service the API uses, and only into an empty catalog.
/// </summary>
public static class SampleData
{
    public static async Task<bool> LoadAsync(CatalogAdminService catalog, CouponService coupons, TimeProvider time, CancellationToken cancellationToken)
    {
        if ((await catalog.ListCategoriesAsync(cancellationToken)).Count > 0)
        {
            return false;
        }

        await catalog.SaveCategoryAsync("tea", new CategoryRequest("茶叶 Tea", 1), cancellationToken);
        await catalog.SaveCategoryAsync("teaware", new CategoryRequest("茶具 Teaware", 2), cancellationToken);
        await catalog.SaveCategoryAsync("snacks", new CategoryRequest("茶点 Snacks", 3), cancellationToken);

        var thisWeek = ChinaTime.IsoWeekOf(time.GetUtcNow());
        await catalog.SaveProductAsync("P_LONGJING", SampleProduct("西湖龙井 West Lake Longjing", "tea", thisWeek, purchaseLimit: 5,
            Sku("50g", 6800, 200),
            Sku("100g gift tin", 12800, 80)), ifMatch: null, cancellationToken);
        await catalog.SaveProductAsync("P_PUER", SampleProduct("云南普洱 Yunnan Pu'er cake", "tea", thisWeek, purchaseLimit: null,
            Sku("357g cake", 19800, 40)), ifMatch: null, cancellationToken);
        await catalog.SaveProductAsync("P_GAIWAN", SampleProduct("白瓷盖碗 Porcelain gaiwan", "teaware", dropWeek: null, purchaseLimit: 2,
            Sku("150ml", 8800, 10),
            Sku("200ml", 9800, 3)), ifMatch: null, cancellationToken);
        await catalog.SaveProductAsync("P_MOONCAKE", SampleProduct("莲蓉月饼 Lotus paste mooncake", "snacks", dropWeek: null, purchaseLimit: null,
            Sku("box of 4", 3900, 500)), ifMatch: null, cancellationToken);

        // The lifecycle campaigns' coupons, under the ids local.settings.sample.json names.
        await coupons.CreateTemplateAsync("CT_NEW_USER_PACK", Granted("新人礼包 5元", CouponKind.FixedAmount, 500, minimumSpendFen: null, days: 7), cancellationToken);
        await coupons.CreateTemplateAsync("CT_FIRST_ORDER", Granted("复购券 满99减10", CouponKind.Threshold, 1000, minimumSpendFen: 9900, days: 30), cancellationToken);
        await coupons.CreateTemplateAsync("CT_WAKE_UP", Granted("回归礼券 满50减10", CouponKind.Threshold, 1000, minimumSpendFen: 5000, days: 14), cancellationToken);
        await coupons.CreateTemplateAsync("CT_BIRTHDAY", Granted("生日礼包 20元", CouponKind.FixedAmount, 2000, minimumSpendFen: null, days: 30), cancellationToken);
        return true;
    }

    private static CouponTemplateRequest Granted(string name, CouponKind kind, long amountFen, long? minimumSpendFen, int days) =>
        new() { Name = name, Kind = kind, AmountFen = amountFen, MinimumSpendFen = minimumSpendFen, ValidDaysAfterClaim = days, PerCustomerLimit = 1, TotalQuota = 1_000_000, Claimable = false };

    private static ProductRequest SampleProduct(string title, string categoryId, string? dropWeek, int? purchaseLimit, params SkuRequest[] skus) =>
        new()
        {
            Title = title,
            Description = $"Sample product: {title}.",
            CategoryId = categoryId,
            Tags = dropWeek is null ? [categoryId] : [categoryId, Product.WeeklyDropTag],
            DropWeek = dropWeek,
            Media = new ProductMediaRequest([$"https://example.invalid/images/{categoryId}.jpg"], VideoUrl: null, Model3dUrl: null),
            PurchaseLimit = purchaseLimit,
            Status = ProductStatus.OnSale,
            Skus = skus,
        };

    private static SkuRequest Sku(string name, long priceFen, long stock) =>
        new() { Name = name, Attributes = new Dictionary<string, string> { ["spec"] = name }, PriceFen = priceFen, Enabled = true, InitialStock = stock };
}
