using Mall.Domain.Orders;

namespace Mall.UnitTests.Orders;

public sealed class OrderPricingTests
{
    private static readonly OrderPolicy Policy = new() { ShippingFeeFen = 1000, FreeShippingThresholdFen = 9900 };

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
}
