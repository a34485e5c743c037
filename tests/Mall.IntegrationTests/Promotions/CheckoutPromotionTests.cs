using Mall.Application.Catalog;
using Mall.Application.Coupons;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.Platform;
using Mall.Application.Promotions;
using Mall.Domain.Catalog;
using Mall.Domain.Common;
using Mall.Domain.Coupons;
using Mall.Domain.Customers;
using Mall.Domain.Membership;
using Mall.Domain.Orders;
using Mall.Domain.Segmentation;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Promotions;

public sealed class CheckoutPromotionTests
{
    private static async Task<Product> ProductAsync(MallFixture mall, long priceFen, params string[] tags) => await ProductAsync(mall, priceFen, null, tags);

    private static async Task<Product> ProductAsync(MallFixture mall, long priceFen, int? purchaseLimit, params string[] tags)
    {
        var admin = mall.Get<CatalogAdminService>();
        await admin.SaveCategoryAsync("tea", new CategoryRequest("Tea", 1), CancellationToken.None);
        var view = await admin.CreateProductAsync(new ProductRequest { Title = "Longjing", CategoryId = "tea", Tags = tags, PurchaseLimit = purchaseLimit, Status = ProductStatus.OnSale, Skus = [new SkuRequest { Name = "250 g", PriceFen = priceFen, Enabled = true, InitialStock = 10 }] }, CancellationToken.None);
        return view.Product;
    }

    /// <summary>A customer of the given tier holding some points (as if earned earlier).</summary>
    private static async Task<string> MemberAsync(MallFixture mall, MemberTier tier, long points = 0)
    {
        var id = await mall.NewCustomerAsync();
        var now = mall.Environment.Time.GetUtcNow();
        await mall.Get<IDocumentCollection<Customer>>().UpdateAsync(DocumentKey.Single(id), id, c => c with { Member = new MemberStatus(tier, now), PointsBalance = points }, CancellationToken.None);
        return id;
    }

    private static async Task<long> PointsAsync(MallFixture mall, string customerId) =>
        (await mall.Get<IDocumentCollection<Customer>>().FindAsync(DocumentKey.Single(customerId), CancellationToken.None))!.Value.PointsBalance;

    private static CheckoutRequest Buy(string skuId, int quantity, string? couponId = null, long? points = null, bool? gift = null) =>
        MallFixture.Buy(skuId, quantity) with { CouponId = couponId, Points = points, Gift = gift };

    [Fact]
    public async Task A_limited_time_price_a_coupon_points_and_the_gift_stack_in_order_and_a_cancel_gives_coupon_and_points_back()
    {
        await using var mall = await MallFixture.StartAsync(overrides: new Dictionary<string, string?>
        {
            ["Promotions:Gift:Name"] = "礼盒",
            ["Promotions:Gift:PriceFen"] = "800",
        });
        var product = await ProductAsync(mall, 10_000);
        var now = DateTimeOffset.UtcNow;
        await mall.Get<PromotionService>().CreateRuleAsync(new PriceRuleRequest("限时8折", 8_000, [product.Id], now.AddHours(-1), now.AddHours(1), null, null), CancellationToken.None);
        var coupons = mall.Get<CouponService>();
        var template = await coupons.CreateTemplateAsync(new CouponTemplateRequest { Name = "满100减20", Kind = CouponKind.Threshold, AmountFen = 2_000, MinimumSpendFen = 10_000, ValidUntil = now.AddDays(30), PerCustomerLimit = 1, TotalQuota = 100, Claimable = true }, CancellationToken.None);
        var customer = await MemberAsync(mall, MemberTier.Bronze, points: 5_000);
        var coupon = await coupons.ClaimAsync(customer, template.Id, CancellationToken.None);
        var checkout = mall.Get<CheckoutService>();

        var preview = await checkout.PreviewAsync(customer, Buy(product.Skus[0].Id, 2, coupon.Id, points: 5_000, gift: true), CancellationToken.None);
        var overdrawn = await Assert.ThrowsAsync<DomainException>(() => checkout.PreviewAsync(customer, Buy(product.Skus[0].Id, 2, points: 5_001), CancellationToken.None));
        var order = (await checkout.CreateAsync(customer, Guid.NewGuid().ToString(), Buy(product.Skus[0].Id, 2, coupon.Id, points: 5_000, gift: true), CancellationToken.None)).Order;

        // 2 × 80.00 = 160.00; 满100减20 → 140.00; points capped at half of that but the balance is 50.00; gift +8.00 on top.
        Assert.Equal(ErrorCode.InsufficientPoints, overdrawn.Code);
        Assert.Equal((8_000L, 10_000L), (preview.Lines[0].UnitPriceFen, preview.Lines[0].ListUnitPriceFen!.Value));
        Assert.Equal(16_000 - 2_000 - 5_000 + 800, order.Pricing.PayableFen);
        Assert.Equal((7_000L, 5_000L, 800L), (order.Pricing.DiscountFen, order.Pricing.PointsFen, order.Pricing.AddOnFen));
        Assert.Equal(5_000, order.PointsUsed);
        Assert.Equal(0, await PointsAsync(mall, customer));

        await mall.Get<OrderService>().CancelAsync(customer, order.Id, CancellationToken.None);

        Assert.Equal(5_000, await PointsAsync(mall, customer));
        Assert.Equal(CouponStatus.Available, (await coupons.MineAsync(customer, CancellationToken.None)).Single().Status);
    }

    [Fact]
    public async Task A_full_refund_gives_back_the_coupon_and_the_points_and_takes_back_the_points_earned()
    {
        await using var mall = await MallFixture.StartAsync();
        var product = await ProductAsync(mall, 10_000);
        var coupons = mall.Get<CouponService>();
        var template = await coupons.CreateTemplateAsync(new CouponTemplateRequest { Name = "满100减20", Kind = CouponKind.Threshold, AmountFen = 2_000, MinimumSpendFen = 10_000, ValidUntil = DateTimeOffset.UtcNow.AddDays(30), PerCustomerLimit = 1, TotalQuota = 100, Claimable = true }, CancellationToken.None);
        var customer = await MemberAsync(mall, MemberTier.Bronze, points: 1_000);
        var coupon = await coupons.ClaimAsync(customer, template.Id, CancellationToken.None);
        var order = (await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), Buy(product.Skus[0].Id, 1, coupon.Id, points: 1_000), CancellationToken.None)).Order;
        await mall.PayAsync(customer, order.Id);
        await mall.Events.DrainAsync();
        Assert.Equal(70, await PointsAsync(mall, customer)); // 1,000 spent, 70 earned on the 70.00 paid

        var refunds = mall.Get<RefundService>();
        var requested = await refunds.RequestAsync(customer, order.Id, new RefundRequestBody("不要了", [new OrderItemRequest(product.Skus[0].Id, 1)], null), CancellationToken.None);
        await refunds.ApproveAsync(order.Id, Assert.Single(requested.Refunds).Id, new ApproveRefundRequest(null, null), CancellationToken.None);
        await MallFixture.WaitUntilAsync(async () => (await refunds.CheckAsync(order.Id, CancellationToken.None)).Outcome == DueWorkOutcome.Done);
        await mall.Events.DrainAsync();

        Assert.Equal(OrderStatus.Refunded, (await mall.Get<OrderStore>().GetAsync(order.Id, CancellationToken.None)).Status);
        Assert.Equal(1_000, await PointsAsync(mall, customer));
        Assert.Equal(CouponStatus.Available, (await coupons.MineAsync(customer, CancellationToken.None)).Single().Status);
    }

    [Fact]
    public async Task A_partial_refund_returns_the_points_that_paid_for_the_refunded_units_and_the_rest_come_back_with_the_rest()
    {
        await using var mall = await MallFixture.StartAsync();
        var product = await ProductAsync(mall, 10_000);
        var customer = await MemberAsync(mall, MemberTier.Bronze, points: 10_000);
        var order = (await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), Buy(product.Skus[0].Id, 2, points: 10_000), CancellationToken.None)).Order;
        Assert.Equal((10_000L, 10_000L, 10_000L), (order.PointsUsed, order.Pricing.PointsFen, order.Pricing.PayableFen));
        await mall.PayAsync(customer, order.Id);
        await mall.Events.DrainAsync();
        Assert.Equal(100, await PointsAsync(mall, customer)); // 10,000 spent, 100 earned on the 100.00 paid

        var refunds = mall.Get<RefundService>();
        async Task RefundOneUnitAsync()
        {
            var requested = await refunds.RequestAsync(customer, order.Id, new RefundRequestBody("不要了", [new OrderItemRequest(product.Skus[0].Id, 1)], null), CancellationToken.None);
            await refunds.ApproveAsync(order.Id, requested.Refunds[^1].Id, new ApproveRefundRequest(null, null), CancellationToken.None);
            await MallFixture.WaitUntilAsync(async () => (await refunds.CheckAsync(order.Id, CancellationToken.None)).Outcome == DueWorkOutcome.Done);
            await mall.Events.DrainAsync();
        }

        await RefundOneUnitAsync();
        var refunded = await mall.Get<OrderStore>().GetAsync(order.Id, CancellationToken.None);
        Assert.Equal(5_000, refunded.RefundedFen);
        Assert.Equal(5_050, await PointsAsync(mall, customer)); // that unit's 5,000 points back, 50 of the 100 earned reversed

        await RefundOneUnitAsync();
        Assert.Equal(OrderStatus.Refunded, (await mall.Get<OrderStore>().GetAsync(order.Id, CancellationToken.None)).Status);
        Assert.Equal(10_000, await PointsAsync(mall, customer));
    }

    [Fact]
    public async Task A_coupon_worth_all_the_goods_leaves_one_fen_to_pay_so_wechat_pay_accepts_the_order()
    {
        await using var mall = await MallFixture.StartAsync();
        var product = await ProductAsync(mall, 10_000);
        var coupons = mall.Get<CouponService>();
        var template = await coupons.CreateTemplateAsync(new CouponTemplateRequest { Name = "立减100", Kind = CouponKind.FixedAmount, AmountFen = 20_000, MinimumSpendFen = 0, ValidUntil = DateTimeOffset.UtcNow.AddDays(30), PerCustomerLimit = 1, TotalQuota = 100, Claimable = true }, CancellationToken.None);
        var customer = await mall.NewCustomerAsync();
        var coupon = await coupons.ClaimAsync(customer, template.Id, CancellationToken.None);

        var order = (await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), Buy(product.Skus[0].Id, 1, coupon.Id), CancellationToken.None)).Order;
        await mall.PayAsync(customer, order.Id);

        // Above the free-shipping threshold: 100.00 of goods, 99.99 off, 0.01 to pay (WeChat Pay refuses amount.total 0).
        Assert.Equal((10_000L, 9_999L, 0L, 1L), (order.Pricing.GoodsFen, order.Pricing.DiscountFen, order.Pricing.ShippingFen, order.Pricing.PayableFen));
        Assert.Equal(1, mall.Environment.Sandbox.FindTransaction(order.Id)!.Resource.Amount!.Total);
        Assert.Equal(OrderStatus.Paid, (await mall.Get<OrderStore>().GetAsync(order.Id, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task An_order_withdrawn_over_the_purchase_limit_gives_its_points_back_and_a_corrected_order_pays_with_them_again()
    {
        await using var mall = await MallFixture.StartAsync();
        var product = await ProductAsync(mall, 10_000, purchaseLimit: 1);
        var customer = await MemberAsync(mall, MemberTier.Bronze, points: 1_000);
        var checkout = mall.Get<CheckoutService>();
        var key = Guid.NewGuid().ToString();

        var refused = await Assert.ThrowsAsync<DomainException>(() => checkout.CreateAsync(customer, key, Buy(product.Skus[0].Id, 2, points: 500), CancellationToken.None));
        Assert.Equal(ErrorCode.PurchaseLimitExceeded, refused.Code);
        Assert.Equal(1_000, await PointsAsync(mall, customer));

        // A corrected request takes a new key: a withdrawn placement's key keeps answering its refusal.
        var order = (await checkout.CreateAsync(customer, Guid.NewGuid().ToString(), Buy(product.Skus[0].Id, 1, points: 500), CancellationToken.None)).Order;

        Assert.Equal((500L, 500L), (order.PointsUsed, order.Pricing.PointsFen));
        Assert.Equal(500, await PointsAsync(mall, customer));
    }

    [Fact]
    public async Task Trials_are_for_gold_members_points_for_members_and_silver_orders_ship_first()
    {
        await using var mall = await MallFixture.StartAsync();
        var trial = await ProductAsync(mall, 10_000, Product.MemberTrialTag);
        var plain = await ProductAsync(mall, 10_000);
        var (guest, silver, gold) = (await mall.NewCustomerAsync(), await MemberAsync(mall, MemberTier.Silver, 100), await MemberAsync(mall, MemberTier.Gold));
        var checkout = mall.Get<CheckoutService>();

        async Task<ErrorCode> RefusedAsync(string customer, CheckoutRequest request) =>
            (await Assert.ThrowsAsync<DomainException>(() => checkout.PreviewAsync(customer, request, CancellationToken.None))).Code;

        Assert.Equal(ErrorCode.MembersOnly, await RefusedAsync(guest, Buy(trial.Skus[0].Id, 1)));
        Assert.Equal(ErrorCode.MembersOnly, await RefusedAsync(silver, Buy(trial.Skus[0].Id, 1)));
        Assert.Equal(ErrorCode.MembersOnly, await RefusedAsync(guest, Buy(plain.Skus[0].Id, 1, points: 100)));
        Assert.Equal(10_000, (await checkout.PreviewAsync(gold, Buy(trial.Skus[0].Id, 1), CancellationToken.None)).Pricing.GoodsFen);

        var silverOrder = (await checkout.CreateAsync(silver, Guid.NewGuid().ToString(), Buy(plain.Skus[0].Id, 1, points: 100), CancellationToken.None)).Order;
        var guestOrder = (await checkout.CreateAsync(guest, Guid.NewGuid().ToString(), Buy(plain.Skus[0].Id, 1), CancellationToken.None)).Order;
        Assert.True(silverOrder.PriorityShipping);
        Assert.Equal(100, silverOrder.Pricing.PointsFen);
        Assert.False(guestOrder.PriorityShipping);
        var shipFirst = await mall.Get<OrderService>().ListAsync(null, priorityOnly: true, null, 50, CancellationToken.None);
        Assert.Equal([silverOrder.Id], shipFirst.Items.Select(o => o.Id));
    }

    [Fact]
    public async Task The_new_user_price_is_for_one_order_at_a_time_and_comes_back_when_that_order_is_cancelled()
    {
        await using var mall = await MallFixture.StartAsync();
        var product = await ProductAsync(mall, 10_000);
        var now = DateTimeOffset.UtcNow;
        await mall.Get<PromotionService>().CreateRuleAsync(new PriceRuleRequest("新人价", 5_000, [product.Id], now.AddHours(-1), now.AddHours(1), null, null, CustomerSegment.Potential), CancellationToken.None);
        var customer = await mall.NewCustomerAsync();
        var checkout = mall.Get<CheckoutService>();

        var first = (await checkout.CreateAsync(customer, Guid.NewGuid().ToString(), Buy(product.Skus[0].Id, 1), CancellationToken.None)).Order;
        var second = await checkout.PreviewAsync(customer, Buy(product.Skus[0].Id, 1), CancellationToken.None);
        await mall.Get<OrderService>().CancelAsync(customer, first.Id, CancellationToken.None);
        var afterCancel = await checkout.PreviewAsync(customer, Buy(product.Skus[0].Id, 1), CancellationToken.None);

        Assert.Equal(5_000, first.Lines[0].UnitPriceFen);
        Assert.Equal(10_000, second.Lines[0].UnitPriceFen);
        Assert.Equal(5_000, afterCancel.Lines[0].UnitPriceFen);
    }

    [Fact]
    public async Task On_the_member_day_members_pay_the_member_price_and_others_the_list_price()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 8, 4, 0, 0, TimeSpan.Zero));
        await using var mall = await MallFixture.StartAsync(time, new Dictionary<string, string?> { ["Promotions:MemberDayOfMonth"] = "8" });
        var product = await ProductAsync(mall, 10_000);
        var (guest, bronze) = (await mall.NewCustomerAsync(), await MemberAsync(mall, MemberTier.Bronze));
        var checkout = mall.Get<CheckoutService>();

        var member = await checkout.PreviewAsync(bronze, Buy(product.Skus[0].Id, 1), CancellationToken.None);
        var other = await checkout.PreviewAsync(guest, Buy(product.Skus[0].Id, 1), CancellationToken.None);
        time.Advance(TimeSpan.FromDays(1));
        var dayAfter = await checkout.PreviewAsync(bronze, Buy(product.Skus[0].Id, 1), CancellationToken.None);

        Assert.Equal((9_000L, "member-day-2026-12"), (member.Lines[0].UnitPriceFen, member.Lines[0].PriceRuleId!));
        Assert.Equal(10_000, other.Lines[0].UnitPriceFen);
        Assert.Equal(10_000, dayAfter.Lines[0].UnitPriceFen);
    }
}
