using Mall.Application.Orders;
using Mall.Domain.Orders;

namespace Mall.UnitTests.Orders;

public sealed class OrderPricingTests
{
    private static readonly OrderPolicy Policy = new OrderOptions { ShippingFeeFen = 1000, FreeShippingThresholdFen = 9900 }.ToPolicy();

    [Fact]
    public void Lines_are_priced_from_unit_price_times_quantity_plus_shipping_below_the_threshold()
    {
        var (lines, pricing) = OrderPricing.Price([new PricedItem("A-1", "A", "a", "x", 1999, 3), new PricedItem("B-1", "B", "b", "y", 1, 1)], Policy);

        Assert.Equal([5997L, 1L], lines.Select(l => l.LineTotalFen));
        Assert.Equal(new PriceBreakdown(5998, 0, 1000, 6998), pricing);
    }

    [Theory]
    [InlineData(9899, 1000)]
    [InlineData(9900, 0)]
    public void Shipping_is_free_from_the_threshold_on(long goods, long shipping) =>
        Assert.Equal(shipping, OrderPricing.Price([new PricedItem("A-1", "A", "a", "x", goods, 1)], Policy).Breakdown.ShippingFen);

    [Theory]
    [InlineData(10_000, 20_000, 0, 9_999, 0)] // a coupon worth more than goods with free shipping
    [InlineData(5_000, 5_000, 1_000, 5_000, 999)] // the goods and the shipping waived
    [InlineData(5_000, 1_000, 1_000, 1_000, 1_000)] // far from the floor: the coupon applies in full
    public void Discounts_always_leave_one_fen_to_pay(long goods, long goodsOff, long shippingWaived, long expectedDiscount, long expectedWaived)
    {
        var (_, pricing) = OrderPricing.Price([new PricedItem("A-1", "A", "a", "x", goods, 1)], Policy);

        var discounted = OrderPricing.WithDiscount(pricing, goodsOff, shippingWaived);

        Assert.Equal(expectedDiscount, discounted.DiscountFen);
        Assert.Equal(pricing.ShippingFen - expectedWaived, discounted.ShippingFen);
        Assert.Equal(Math.Max(OrderPricing.MinimumPayableFen, pricing.PayableFen - goodsOff - shippingWaived), discounted.PayableFen);
        Assert.Equal(OrderPricing.MinimumPayableFen, OrderPricing.WithPoints(discounted, 1_000_000).PayableFen);
    }
}
