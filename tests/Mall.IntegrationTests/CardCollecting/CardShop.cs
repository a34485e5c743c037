using Mall.Application.CardCollecting;
using Mall.Application.Coupons;
using Mall.Application.Fission;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.Platform;
using Mall.Domain.CardCollecting;
using Mall.Domain.Coupons;
using Mall.Domain.Fission;
using Mall.Domain.Orders;

namespace Mall.IntegrationTests.CardCollecting;

/// <summary>A mall with a running card campaign: two kinds of card, a paid-order task from 50.00 and a daily check-in.</summary>
public sealed class CardShop
{
    public const long UnitPriceFen = 3_000;

    private CardShop(MallFixture mall, string skuId, CardCampaignView campaign, string templateId)
    {
        Mall = mall;
        SkuId = skuId;
        Campaign = campaign;
        TemplateId = templateId;
    }

    public MallFixture Mall { get; }

    public string SkuId { get; }

    public CardCampaignView Campaign { get; }

    /// <summary>The reward's coupon template: 10.00 off, up to 5 per customer (so only the redemption's own id keeps a race to one coupon).</summary>
    public string TemplateId { get; }

    /// <summary>What a redemption reserves against the day's budget: the coupon's 10.00, or the gift's cost.</summary>
    public long RewardValueFen => Campaign.Reward.ValueFen!.Value;

    public CardCollectingService Cards => Mall.Get<CardCollectingService>();

    public CardRedemptions Redemptions => Mall.Get<CardRedemptions>();

    /// <summary>
    /// With no misses allowed, a customer's first task gives one card and the second the other: a check-in and
    /// one paid order make a full set.
    /// </summary>
    public static async Task<CardShop> OpenAsync(MallFixture mall, CardGiftRequest? gift = null, long dailyBudgetFen = 1_000_000)
    {
        var template = await mall.Get<CouponService>().CreateTemplateAsync(
            new CouponTemplateRequest { Name = "集卡奖励", Kind = CouponKind.FixedAmount, AmountFen = 1_000, ValidDaysAfterClaim = 30, PerCustomerLimit = 5, TotalQuota = 10_000, Claimable = false },
            CancellationToken.None);
        var skuId = (await mall.CreateProductAsync(UnitPriceFen, null, 100)).Skus[0].Id;
        var now = DateTimeOffset.UtcNow;
        var campaign = await mall.Get<CardCampaignService>().CreateAsync(
            new CardCampaignRequest(
                "集卡测试",
                now.AddHours(-1),
                now.AddDays(10),
                [new CardKindRequest("福", 1), new CardKindRequest("禄", 1)],
                [new CardTaskRequest(CardTaskKind.PaidOrder, 5_000), new CardTaskRequest(CardTaskKind.DailyCheckIn, null)],
                gift is null ? new CardRewardRequest(template.Id, null) : new CardRewardRequest(null, gift),
                0),
            "admin",
            CancellationToken.None);
        await mall.Get<FissionControls>().SetAsync(FissionMechanic.CardCollecting, new MechanicControlRequest(true, dailyBudgetFen), "admin", CancellationToken.None);
        return new CardShop(mall, skuId, campaign, template.Id);
    }

    /// <summary>A customer paid for <paramref name="units"/> (30.00 each, 10.00 shipping below 99.00) and the mall reacted.</summary>
    public async Task<string> PaidOrderAsync(string customerId, int units, string? couponId = null)
    {
        var order = (await Mall.Get<CheckoutService>().CreateAsync(customerId, Guid.NewGuid().ToString(), MallFixture.Buy(SkuId, units) with { CouponId = couponId }, CancellationToken.None)).Order;
        await Mall.PayAsync(customerId, order.Id);
        await Mall.Events.DrainAsync();
        return order.Id;
    }

    /// <summary>The customer asks for <paramref name="units"/> back (everything when null), the operator approves, WeChat pays back, the mall reacts.</summary>
    public async Task RefundAsync(string customerId, string orderId, int? units = null)
    {
        var refunds = Mall.Get<RefundService>();
        var items = units is { } n ? new List<OrderItemRequest> { new(SkuId, n) } : null;
        var requested = await refunds.RequestAsync(customerId, orderId, new RefundRequestBody("不要了", items, null), CancellationToken.None);
        await refunds.ApproveAsync(orderId, requested.Refunds.Single(r => r.Status == RefundStatus.Requested).Id, new ApproveRefundRequest(null, null), CancellationToken.None);
        await MallFixture.WaitUntilAsync(async () => (await refunds.CheckAsync(orderId, CancellationToken.None)).Outcome == DueWorkOutcome.Done);
        await Mall.Events.DrainAsync();
    }

    /// <summary>A new customer with a full set: today's check-in and one paid order of two units (70.00 paid).</summary>
    public async Task<(string Customer, string OrderId)> CustomerWithFullSetAsync()
    {
        var customer = await Mall.NewCustomerAsync();
        await Cards.CheckInAsync(customer, Campaign.Id, CancellationToken.None);
        var orderId = await PaidOrderAsync(customer, 2);
        Assert.True((await MineAsync(customer)).Complete);
        return (customer, orderId);
    }

    public async Task<CollectionView> MineAsync(string customerId) =>
        (await Cards.GetAsync(customerId, Campaign.Id, CancellationToken.None)).Mine!;

    public async Task<IReadOnlyList<CouponView>> CouponsAsync(string customerId) =>
        await Mall.Get<CouponService>().MineAsync(customerId, CancellationToken.None);

    public async Task<long> SpentTodayFenAsync() =>
        (await Mall.Get<FissionControls>().ViewAsync(FissionMechanic.CardCollecting, CancellationToken.None)).SpentTodayFen;
}
