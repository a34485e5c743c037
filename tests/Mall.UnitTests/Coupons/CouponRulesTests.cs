using Mall.Domain.Common;
using Mall.Domain.Coupons;
using Mall.Domain.Orders;

namespace Mall.UnitTests.Coupons;

public sealed class CouponRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);

    private static CouponTemplate Template(CouponKind kind, long amount = 0, long minimum = 0, int percent = 0, long max = 0) => new()
    {
        Id = "CT1",
        Name = "test",
        Kind = kind,
        AmountFen = amount,
        MinimumSpendFen = minimum,
        PercentOffBps = percent,
        MaxDiscountFen = max,
        ValidUntil = Now.AddDays(30),
        PerCustomerLimit = 1,
        TotalQuota = 100,
    };

    private static Coupon Held() => new()
    {
        Id = "CP1",
        TemplateId = "CT1",
        CustomerId = "C1",
        Status = CouponStatus.Available,
        ValidFrom = Now,
        ValidUntil = Now.AddDays(7),
        IssuedAt = Now,
        Reason = "claim",
    };

    [Fact]
    public void A_threshold_coupon_applies_from_exactly_its_minimum_spend()
    {
        var coupon = Template(CouponKind.Threshold, amount: 2000, minimum: 9900);

        Assert.Equal(new CouponDiscount(2000, 0), coupon.DiscountFor(9900, 0));
        Assert.Equal(ErrorCode.CouponNotApplicable, Assert.Throws<DomainException>(() => coupon.DiscountFor(9899, 0)).Code);
    }

    [Fact]
    public void A_percentage_coupon_is_floored_and_capped()
    {
        var coupon = Template(CouponKind.Percentage, percent: 1500, max: 3000);

        Assert.Equal(1499, coupon.DiscountFor(9999, 0).GoodsFen);
        Assert.Equal(3000, coupon.DiscountFor(100000, 0).GoodsFen);
    }

    [Fact]
    public void A_fixed_coupon_never_takes_more_than_the_goods_and_free_shipping_waives_only_shipping()
    {
        Assert.Equal(500, Template(CouponKind.FixedAmount, amount: 1000).DiscountFor(500, 1000).GoodsFen);
        Assert.Equal(new CouponDiscount(0, 1000), Template(CouponKind.FreeShipping).DiscountFor(500, 1000));
    }

    [Fact]
    public void The_discount_lowers_the_payable_amount_and_free_shipping_zeroes_shipping()
    {
        var pricing = new PriceBreakdown(GoodsFen: 5000, DiscountFen: 0, ShippingFen: 1000, PayableFen: 6000);

        Assert.Equal(new PriceBreakdown(5000, 2000, 1000, 4000), OrderPricing.WithDiscount(pricing, 2000, 0));
        Assert.Equal(new PriceBreakdown(5000, 0, 0, 5000), OrderPricing.WithDiscount(pricing, 0, 1000));
        Assert.Equal(new PriceBreakdown(5000, 5000, 1000, 1000), OrderPricing.WithDiscount(pricing, 9000, 0));
    }

    [Fact]
    public void Validity_is_a_window_or_days_from_the_claim()
    {
        Assert.Equal((Now, Now.AddDays(30)), Template(CouponKind.FixedAmount).ValidityFor(Now));
        Assert.Equal((Now, Now.AddDays(3)), (Template(CouponKind.FixedAmount) with { ValidDaysAfterClaim = 3 }).ValidityFor(Now));
    }

    [Fact]
    public void A_coupon_is_used_by_one_order_and_comes_back_only_from_that_order_while_valid()
    {
        var used = Held().Use("C1", "O1", Now);

        Assert.Same(used, used.Use("C1", "O1", Now));
        Assert.Equal(ErrorCode.CouponUnavailable, Assert.Throws<DomainException>(() => used.Use("C1", "O2", Now)).Code);
        Assert.Same(used, used.Return("O2", Now));
        Assert.Equal(CouponStatus.Available, used.Return("O1", Now).Status);
        Assert.Equal(CouponStatus.Used, used.Return("O1", Now.AddDays(7)).Status);
    }

    [Fact]
    public void Someone_elses_or_an_expired_coupon_cannot_be_used()
    {
        Assert.Equal(ErrorCode.NotFound, Assert.Throws<DomainException>(() => Held().Use("C2", "O1", Now)).Code);
        Assert.Equal(ErrorCode.CouponUnavailable, Assert.Throws<DomainException>(() => Held().Use("C1", "O1", Now.AddDays(7))).Code);
    }
}
