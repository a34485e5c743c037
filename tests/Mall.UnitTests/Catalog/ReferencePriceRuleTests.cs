using Mall.Domain.Catalog;

namespace Mall.UnitTests.Catalog;

public sealed class ReferencePriceRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 4, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    private static Sku Sku(long price, long? reference, params PricePeriod[] history) =>
        new() { Id = "P1-1", Name = "red", PriceFen = price, ReferencePriceFen = reference, PriceHistory = history };

    [Fact]
    public void A_price_sold_at_until_three_days_ago_may_be_shown()
    {
        var sku = Sku(7900, 9900, new PricePeriod(9900, Now.AddDays(-30)), new PricePeriod(7900, Now.AddDays(-3)));

        Assert.True(ReferencePriceRule.IsTruthful(sku, 9900, Now, Week));
        Assert.Equal(9900, ReferencePriceRule.Displayable(sku, Now, Week));
    }

    [Fact]
    public void The_window_ends_exactly_seven_days_after_the_price_stopped()
    {
        var stopped = Now.AddDays(-7);
        var sku = Sku(7900, 9900, new PricePeriod(9900, Now.AddDays(-30)), new PricePeriod(7900, stopped));

        Assert.Equal(stopped + Week, ReferencePriceRule.ShowableUntil(sku.PriceHistory, 9900, Week));
        Assert.False(ReferencePriceRule.IsTruthful(sku, 9900, Now, Week));
        Assert.True(ReferencePriceRule.IsTruthful(sku, 9900, Now.AddTicks(-1), Week));
        Assert.Null(ReferencePriceRule.Displayable(sku, Now, Week));
    }

    [Fact]
    public void A_price_never_charged_is_a_fake_reference()
    {
        var sku = Sku(7900, 12900, new PricePeriod(9900, Now.AddDays(-30)), new PricePeriod(7900, Now.AddDays(-1)));

        Assert.False(ReferencePriceRule.IsTruthful(sku, 12900, Now, Week));
    }

    [Fact]
    public void A_reference_at_or_below_the_current_price_is_not_shown()
    {
        var sku = Sku(9900, 9900, new PricePeriod(9900, Now.AddDays(-30)));

        Assert.False(ReferencePriceRule.IsTruthful(sku, 9900, Now, Week));
    }

    [Fact]
    public void The_latest_period_at_the_reference_price_counts()
    {
        var sku = Sku(
            7900,
            9900,
            new PricePeriod(9900, Now.AddDays(-60)),
            new PricePeriod(8900, Now.AddDays(-50)),
            new PricePeriod(9900, Now.AddDays(-10)),
            new PricePeriod(7900, Now.AddDays(-2)));

        Assert.Equal(Now.AddDays(-2) + Week, ReferencePriceRule.ShowableUntil(sku.PriceHistory, 9900, Week));
    }
}
