using Mall.Application.Coupons;
using Mall.Application.Orders;
using Mall.Domain.Common;
using Mall.Domain.Coupons;

namespace Mall.IntegrationTests.Coupons;

public sealed class CouponIssuingTests
{
    private static CouponTemplateRequest Template(int quota, int perCustomer) =>
        new() { Name = "满99减20", Kind = CouponKind.Threshold, AmountFen = 2000, MinimumSpendFen = 9900, ValidUntil = DateTimeOffset.UtcNow.AddDays(30), PerCustomerLimit = perCustomer, TotalQuota = quota, Claimable = true };

    [Fact]
    public async Task Two_hundred_concurrent_claims_for_a_quota_of_fifty_issue_exactly_fifty()
    {
        await using var mall = await MallFixture.StartAsync();
        var coupons = mall.Get<CouponService>();
        var template = await coupons.CreateTemplateAsync(Template(quota: 50, perCustomer: 1), CancellationToken.None);
        var customers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => mall.NewCustomerAsync()));

        var claims = await Task.WhenAll(customers.Select(async customer =>
        {
            try
            {
                await coupons.ClaimAsync(customer, template.Id, CancellationToken.None);
                return true;
            }
            catch (DomainException exception) when (exception.Code == ErrorCode.CouponQuotaExhausted)
            {
                return false;
            }
        }));

        Assert.Equal(50, claims.Count(issued => issued));
        Assert.Equal(50, (await coupons.GetTemplateAsync(template.Id, CancellationToken.None)).Issued);
    }

    [Fact]
    public async Task One_customer_claiming_concurrently_gets_no_more_than_the_limit_and_a_repeated_grant_issues_once()
    {
        await using var mall = await MallFixture.StartAsync();
        var coupons = mall.Get<CouponService>();
        var template = await coupons.CreateTemplateAsync(Template(quota: 100, perCustomer: 2), CancellationToken.None);
        var customer = await mall.NewCustomerAsync();

        var claims = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            try
            {
                await coupons.ClaimAsync(customer, template.Id, CancellationToken.None);
                return true;
            }
            catch (DomainException exception) when (exception.Code == ErrorCode.CouponLimitReached)
            {
                return false;
            }
        }));
        var other = await mall.NewCustomerAsync();
        var first = await coupons.GrantAsync(other, template.Id, "segment:Potential:2026-11-25", CancellationToken.None);
        var again = await coupons.GrantAsync(other, template.Id, "segment:Potential:2026-11-25", CancellationToken.None);

        Assert.Equal(2, claims.Count(issued => issued));
        Assert.Equal(first!.Id, again!.Id);
        Assert.Single(await coupons.MineAsync(other, CancellationToken.None));
        Assert.Equal(3, (await coupons.GetTemplateAsync(template.Id, CancellationToken.None)).Issued);
    }

    [Fact]
    public async Task A_coupon_lowers_the_order_and_comes_back_when_the_order_is_cancelled()
    {
        await using var mall = await MallFixture.StartAsync();
        var coupons = mall.Get<CouponService>();
        var template = await coupons.CreateTemplateAsync(Template(quota: 10, perCustomer: 1), CancellationToken.None);
        var product = await mall.CreateProductAsync(5000, null, 10);
        var customer = await mall.NewCustomerAsync();
        var coupon = await coupons.ClaimAsync(customer, template.Id, CancellationToken.None);
        var request = MallFixture.Buy(product.Skus[0].Id, 2) with { CouponId = coupon.Id };

        var preview = await mall.Get<CheckoutService>().PreviewAsync(customer, request, CancellationToken.None);
        var created = await mall.Get<CheckoutService>().CreateAsync(customer, "coupon-order-1", request, CancellationToken.None);
        var second = await Assert.ThrowsAsync<DomainException>(() => mall.Get<CheckoutService>().CreateAsync(customer, "coupon-order-2", request, CancellationToken.None));
        // The coupon is back as the cancel answers (the OrderCancelled event only repeats that).
        await mall.Get<OrderService>().CancelAsync(customer, created.Order.Id, CancellationToken.None);

        Assert.Equal(8000, preview.Pricing.PayableFen);
        Assert.Equal(8000, created.Order.Pricing.PayableFen);
        Assert.Equal(ErrorCode.CouponUnavailable, second.Code);
        Assert.Equal(CouponStatus.Available, (await coupons.MineAsync(customer, CancellationToken.None)).Single().Status);
    }

    [Fact]
    public async Task A_grant_naming_a_template_that_does_not_exist_is_skipped_so_the_timer_carries_on()
    {
        await using var mall = await MallFixture.StartAsync();
        var customer = await mall.NewCustomerAsync();

        Assert.Null(await mall.Get<CouponService>().GrantAsync(customer, "CT_MISSING", "segment:Potential:2026-11-30", CancellationToken.None));
        Assert.Empty(await mall.Get<CouponService>().MineAsync(customer, CancellationToken.None));
    }
}
