using Mall.Application.Membership;
using Mall.Application.Orders;
using Mall.Domain.Membership;
using Mall.Domain.Orders;
using Mall.Domain.Promotions;
using Mall.Domain.Segmentation;

namespace Mall.UnitTests.Promotions;

public sealed class PromotionRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 4, 0, 0, TimeSpan.Zero);
    private static readonly PricedItem Tea = new("S1", "P1", "Longjing", "250 g", 10_000, 2);
    private static readonly PricedItem Cup = new("S2", "P2", "Gaiwan", "white", 5_000, 1);

    private static PriceRule Rule(string id, int priceBps, MemberTier tier = MemberTier.None, params string[] products) => new()
    {
        Id = id,
        Name = id,
        PriceBps = priceBps,
        ProductIds = products,
        StartsAt = Now.AddHours(-1),
        EndsAt = Now.AddHours(1),
        MinimumTier = tier,
    };

    [Fact]
    public void The_best_single_rule_wins_per_line_and_rules_never_stack()
    {
        var flash = Rule("flash", 8_000, MemberTier.None, "P1");
        var memberDay = Rule("member-day", 9_000, MemberTier.Bronze);

        var priced = PromotionRules.ApplyPriceRules([Tea, Cup], [flash, memberDay], MemberTier.Gold, CustomerSegment.Active, Now);

        Assert.Equal((8_000L, 10_000L, "flash"), (priced[0].UnitPriceFen, priced[0].ListUnitPriceFen!.Value, priced[0].PriceRuleId!));
        Assert.Equal((4_500L, "member-day"), (priced[1].UnitPriceFen, priced[1].PriceRuleId!));
    }

    [Fact]
    public void A_members_rule_does_not_apply_below_its_tier_nor_outside_its_window()
    {
        var memberDay = Rule("member-day", 9_000, MemberTier.Bronze);
        var expired = Rule("old", 5_000) with { EndsAt = Now };

        var priced = PromotionRules.ApplyPriceRules([Tea], [memberDay, expired], MemberTier.None, null, Now);

        Assert.Same(Tea, priced[0]);
    }

    [Fact]
    public void A_new_user_price_applies_to_potential_customers_only()
    {
        var newUser = Rule("new-user", 7_000) with { Segment = CustomerSegment.Potential };

        Assert.Equal(7_000, PromotionRules.ApplyPriceRules([Tea], [newUser], MemberTier.None, CustomerSegment.Potential, Now)[0].UnitPriceFen);
        Assert.Same(Tea, PromotionRules.ApplyPriceRules([Tea], [newUser], MemberTier.None, CustomerSegment.FirstOrder, Now)[0]);
        Assert.Same(Tea, PromotionRules.ApplyPriceRules([Tea], [newUser], MemberTier.None, null, Now)[0]);
    }

    [Fact]
    public void A_rule_price_rounds_down_to_the_fen_and_never_reaches_zero()
    {
        Assert.Equal(332, Rule("r", 3_333).PriceOf(999)); // 332.97
        Assert.Equal(1, Rule("r", 100).PriceOf(1));
    }

    [Fact]
    public void Coupon_then_points_then_gift_the_gift_outside_every_discount()
    {
        var (_, pricing) = OrderPricing.Price([Tea with { UnitPriceFen = 8_000 }], new OrderOptions().ToPolicy());
        var couponed = OrderPricing.WithDiscount(pricing, 2_000, 0);
        var points = new MembershipOptions().ToPointsRules().Redeem(requested: 100_000, balance: 100_000, couponed.GoodsFen - couponed.DiscountFen);
        var paid = OrderPricing.WithAddOn(OrderPricing.WithPoints(couponed, points.ValueFen), 800);

        Assert.Equal(16_000, paid.GoodsFen);
        Assert.Equal(7_000, points.ValueFen); // capped at half of 14,000
        Assert.Equal((9_000L, 7_000L, 800L), (paid.DiscountFen, paid.PointsFen, paid.AddOnFen));
        Assert.Equal(16_000 - 9_000 + 800, paid.PayableFen);
    }

    [Theory]
    [InlineData(250, 1_000, 10_000, 250, 250)]
    [InlineData(10_000, 1_000, 10_000, 1_000, 1_000)]
    [InlineData(10_000, 10_000, 3_000, 1_500, 1_500)]
    [InlineData(0, 1_000, 10_000, 0, 0)]
    public void Points_are_limited_by_the_balance_and_the_cap(long requested, long balance, long goodsFen, long points, long valueFen) =>
        Assert.Equal(new PointsRedemption(points, valueFen), new MembershipOptions().ToPointsRules().Redeem(requested, balance, goodsFen));

    [Fact]
    public void Only_the_points_the_cash_value_needs_are_taken_at_other_rates()
    {
        var rules = new MembershipOptions().ToPointsRules() with { PointsPerYuan = 150 };
        Assert.Equal(new PointsRedemption(150, 100), rules.Redeem(150, 1_000, 10_000));
        Assert.Equal(new PointsRedemption(2, 1), rules.Redeem(2, 1_000, 10_000));
        Assert.Equal(PointsRedemption.None, rules.Redeem(1, 1_000, 10_000));
    }

    [Fact]
    public void A_running_campaigns_gift_option_replaces_the_default_and_the_customer_decides()
    {
        var mallDefault = new GiftOption("小样", 0, true);
        var campaign = Rule("festival", 9_000) with { Gift = new GiftOption("节日礼盒", 800, false) };

        Assert.Equal(new GiftChoice("小样", 0, true), PromotionRules.Choose(PromotionRules.GiftFor([], mallDefault), requested: null));
        Assert.Equal(new GiftChoice("节日礼盒", 800, false), PromotionRules.Choose(PromotionRules.GiftFor([campaign], mallDefault), requested: null));
        Assert.Equal(new GiftChoice("节日礼盒", 800, true), PromotionRules.Choose(PromotionRules.GiftFor([campaign], mallDefault), requested: true));
        Assert.Null(PromotionRules.Choose(null, requested: true));
    }
}
