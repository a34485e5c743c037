namespace Mall.Domain.Orders;

/// <summary>A SKU as sold right now, read from the catalog by the server (never from the client).</summary>
public sealed record PricedItem(string SkuId, string ProductId, string Title, string SkuName, long UnitPriceFen, int Quantity)
{
    /// <summary>The catalog price when a price rule lowered <see cref="UnitPriceFen"/>.</summary>
    public long? ListUnitPriceFen { get; init; }

    public string? PriceRuleId { get; init; }
}

/// <summary>Server-side pricing: line totals, shipping, payable. Pure; the preview and the order use the same code.</summary>
public static class OrderPricing
{
    /// <summary>
    /// What a discount always leaves to pay: WeChat Pay refuses a JSAPI order of amount.total 0
    /// ("amount.total 必须大于0", https://pay.weixin.qq.com/doc/v3/merchant/4012791856), and every paid
    /// order needs a WeChat transaction (shipping upload, refunds, 查单), so discounts stop at 1 fen.
    /// </summary>
    public const long MinimumPayableFen = 1;

    /// <summary>How much more discount (coupon, points) the order can take before it reaches <see cref="MinimumPayableFen"/>.</summary>
    public static long DiscountableFen(PriceBreakdown pricing) => Math.Max(0, pricing.PayableFen - MinimumPayableFen);

    public static (IReadOnlyList<OrderLine> Lines, PriceBreakdown Breakdown) Price(IReadOnlyList<PricedItem> items, OrderPolicy policy)
    {
        var lines = items
            .Select(i => new OrderLine(i.SkuId, i.ProductId, i.Title, i.SkuName, i.UnitPriceFen, i.Quantity, checked(i.UnitPriceFen * i.Quantity)) { ListUnitPriceFen = i.ListUnitPriceFen, PriceRuleId = i.PriceRuleId })
            .ToList();
        var goods = lines.Sum(l => l.LineTotalFen);
        var shipping = goods >= policy.FreeShippingThresholdFen ? 0 : policy.ShippingFeeFen;
        return (lines, new PriceBreakdown(goods, DiscountFen: 0, shipping, goods + shipping));
    }

    /// <summary>
    /// A coupon's discount: goods discount first (never below zero), shipping waived if it says so,
    /// both stopping where only <see cref="MinimumPayableFen"/> is left to pay.
    /// </summary>
    public static PriceBreakdown WithDiscount(PriceBreakdown pricing, long goodsOffFen, long shippingWaivedFen)
    {
        var goodsOff = Math.Min(Math.Min(goodsOffFen, pricing.GoodsFen - pricing.DiscountFen), DiscountableFen(pricing));
        var shippingWaived = Math.Min(Math.Min(shippingWaivedFen, pricing.ShippingFen), DiscountableFen(pricing) - goodsOff);
        var discount = pricing.DiscountFen + goodsOff;
        var shipping = pricing.ShippingFen - shippingWaived;
        return pricing with { DiscountFen = discount, ShippingFen = shipping, PayableFen = pricing.GoodsFen - discount + shipping + pricing.AddOnFen };
    }

    /// <summary>Points paid part of the goods: counted as discount (no commission or cash refund on it) and shown apart.</summary>
    public static PriceBreakdown WithPoints(PriceBreakdown pricing, long pointsFen)
    {
        var paid = WithDiscount(pricing, pointsFen, 0);
        return paid with { PointsFen = pricing.PointsFen + (paid.DiscountFen - pricing.DiscountFen) };
    }

    /// <summary>A chosen add-on (the gift option) is charged on top, outside every discount.</summary>
    public static PriceBreakdown WithAddOn(PriceBreakdown pricing, long addOnFen) =>
        pricing with { AddOnFen = pricing.AddOnFen + addOnFen, PayableFen = pricing.PayableFen + addOnFen };
}
