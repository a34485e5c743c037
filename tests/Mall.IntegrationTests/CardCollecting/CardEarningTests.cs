using Mall.Application.CardCollecting;
using Mall.Application.Coupons;
using Mall.Application.Fission;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.CardCollecting;
using Mall.Domain.Common;
using Mall.Domain.Coupons;
using Mall.Domain.Fission;
using Mall.Domain.Orders;
using Mall.Testing;

namespace Mall.IntegrationTests.CardCollecting;

/// <summary>Cards are earned once per task occurrence, and a refunded order never leaves a reward for free.</summary>
public sealed class CardEarningTests
{
    private static async Task<OrderPaid> PaidEventAsync(MallFixture mall, string orderId)
    {
        var order = await mall.Get<OrderStore>().GetAsync(orderId, CancellationToken.None);
        return new OrderPaid(new OrderFacts(order.Id, order.CustomerId, order.Pricing.PayableFen, null, null, false, 0), order.Payment!.AmountFen, order.Payment.TransactionId, order.Payment.PaidAt)
        {
            OccurredAt = order.Payment.PaidAt,
        };
    }

    [Fact]
    public async Task A_redelivered_order_payment_and_a_retried_check_in_earn_nothing_more()
    {
        await using var mall = await MallFixture.StartAsync();
        var shop = await CardShop.OpenAsync(mall);
        var customer = await mall.NewCustomerAsync();
        var orderId = await shop.PaidOrderAsync(customer, 2);
        var before = await shop.MineAsync(customer);

        // A delivery that crashed before its marker was written runs the handler again, twice here, at once.
        var paid = await PaidEventAsync(mall, orderId);
        var handler = mall.Get<CardCollectingEvents>();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => handler.HandleAsync(paid, new EventContext(new RecordingWorkflows()), CancellationToken.None)));
        var checkIns = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => shop.Cards.CheckInAsync(customer, shop.Campaign.Id, CancellationToken.None)));

        var after = await shop.MineAsync(customer);
        Assert.Equal(before.Earned, after.Earned.Where(c => c.Task == CardTaskKind.PaidOrder));
        Assert.Equal(2, after.Earned.Count);
        Assert.Single(checkIns.Select(c => (c.Card.Operation, c.Card.Card)).Distinct());
        Assert.Single(checkIns, c => !c.Repeated);
        Assert.True(after.Complete);
    }

    [Fact]
    public async Task Orders_below_the_tasks_minimum_earn_nothing_and_an_unknown_campaign_is_a_404()
    {
        await using var mall = await MallFixture.StartAsync();
        var shop = await CardShop.OpenAsync(mall);
        var customer = await mall.NewCustomerAsync();

        await shop.PaidOrderAsync(customer, 1);
        var missing = await Assert.ThrowsAsync<DomainException>(() => shop.Cards.CheckInAsync(customer, "CK209912ABCDEFGHJKMN", CancellationToken.None));
        var malformed = await Assert.ThrowsAsync<DomainException>(() => shop.Cards.GetAsync(customer, "nonsense", CancellationToken.None));

        Assert.Empty((await shop.MineAsync(customer)).Earned);
        Assert.Equal((ErrorCode.NotFound, ErrorCode.NotFound), (missing.Code, malformed.Code));
    }

    [Fact]
    public async Task A_card_from_an_order_refunded_below_the_minimum_is_revoked_and_the_set_cannot_be_redeemed_with_it()
    {
        await using var mall = await MallFixture.StartAsync();
        var shop = await CardShop.OpenAsync(mall);
        var customer = await mall.NewCustomerAsync();
        await shop.Cards.CheckInAsync(customer, shop.Campaign.Id, CancellationToken.None);

        // Three units (100.00 paid): one unit back leaves 70.00, above the 50.00 minimum; a second leaves 40.00.
        var orderId = await shop.PaidOrderAsync(customer, 3);
        await shop.RefundAsync(customer, orderId, units: 1);
        var afterOne = await shop.MineAsync(customer);
        await shop.RefundAsync(customer, orderId, units: 1);
        var afterTwo = await shop.MineAsync(customer);

        Assert.True(afterOne.Complete);
        Assert.False(afterTwo.Complete);
        Assert.NotNull(Assert.Single(afterTwo.Earned, c => c.OrderId == orderId).RevokedAt);
        var refused = await Assert.ThrowsAsync<DomainException>(() => shop.Redemptions.RedeemAsync(customer, shop.Campaign.Id, null, CancellationToken.None));
        Assert.Equal(ErrorCode.CardSetIncomplete, refused.Code);
        Assert.Empty(await shop.CouponsAsync(customer));
        Assert.Equal(0, await shop.SpentTodayFenAsync());
    }

    [Fact]
    public async Task A_refund_after_redeeming_revokes_the_unused_reward_coupon_once()
    {
        await using var mall = await MallFixture.StartAsync();
        var shop = await CardShop.OpenAsync(mall);
        var (customer, orderId) = await shop.CustomerWithFullSetAsync();
        var redemption = await shop.Redemptions.RedeemAsync(customer, shop.Campaign.Id, null, CancellationToken.None);
        await mall.Events.DrainAsync();

        await shop.RefundAsync(customer, orderId);
        await shop.Redemptions.ReconcileAsync(customer, shop.Campaign.Id, CancellationToken.None);

        var coupon = Assert.Single(await shop.CouponsAsync(customer));
        Assert.Equal((redemption.CouponId, CouponStatus.Revoked), (coupon.Id, coupon.Status));
        Assert.Equal(RewardClawback.Revoked, (await shop.MineAsync(customer)).Redemption!.Clawback);
        var unusable = await Assert.ThrowsAsync<DomainException>(() =>
            mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(shop.SkuId, 1) with { CouponId = coupon.Id }, CancellationToken.None));
        Assert.Equal(ErrorCode.CouponUnavailable, unusable.Code);
        var again = await Assert.ThrowsAsync<DomainException>(() => shop.Redemptions.RedeemAsync(customer, shop.Campaign.Id, null, CancellationToken.None));
        Assert.Equal(ErrorCode.CardSetAlreadyRedeemed, again.Code);
    }

    [Fact]
    public async Task A_reward_coupon_spent_before_the_refund_is_revoked_when_the_order_that_used_it_gives_it_back()
    {
        await using var mall = await MallFixture.StartAsync();
        var shop = await CardShop.OpenAsync(mall);
        var (customer, orderId) = await shop.CustomerWithFullSetAsync();
        var redemption = await shop.Redemptions.RedeemAsync(customer, shop.Campaign.Id, null, CancellationToken.None);
        var spending = await shop.PaidOrderAsync(customer, 1, redemption.CouponId);

        await shop.RefundAsync(customer, orderId);
        var inUse = (await shop.MineAsync(customer)).Redemption!.Clawback;
        await shop.RefundAsync(customer, spending);

        Assert.Equal(RewardClawback.CouponInUse, inUse);
        Assert.Equal(CouponStatus.Revoked, Assert.Single(await shop.CouponsAsync(customer)).Status);
    }

    [Fact]
    public async Task Another_card_of_the_kind_stands_in_for_a_refunded_one_and_the_reward_stays()
    {
        await using var mall = await MallFixture.StartAsync(overrides: new Dictionary<string, string?> { ["Limits:OrdersPerCustomerPerMinute"] = "100" });
        var shop = await CardShop.OpenAsync(mall);
        var (customer, orderId) = await shop.CustomerWithFullSetAsync();
        var kind = (await shop.MineAsync(customer)).Earned.Single(c => c.OrderId == orderId).Card;

        // More orders until one draws the refunded order's kind again (each draw is an even chance: 20 fail together once in a million).
        string? spare = null;
        for (var n = 0; n < 20 && spare is null; n++)
        {
            var next = await shop.PaidOrderAsync(customer, 2);
            spare = (await shop.MineAsync(customer)).Earned.Single(c => c.OrderId == next).Card == kind ? next : null;
        }

        Assert.NotNull(spare);
        await shop.Redemptions.RedeemAsync(customer, shop.Campaign.Id, null, CancellationToken.None);
        await shop.RefundAsync(customer, orderId);

        var mine = await shop.MineAsync(customer);
        Assert.Null(mine.Redemption!.Clawback);
        Assert.Equal(CouponStatus.Available, Assert.Single(await shop.CouponsAsync(customer)).Status);
    }

    [Fact]
    public async Task A_refund_cancels_a_gift_not_shipped_yet_and_a_shipped_gift_is_recorded_as_kept()
    {
        await using var mall = await MallFixture.StartAsync();
        var shop = await CardShop.OpenAsync(mall, new CardGiftRequest("保温杯", 8_000));
        var address = MallFixture.Buy("x", 1).Address;
        var (unshipped, unshippedOrder) = await shop.CustomerWithFullSetAsync();
        var (shipped, shippedOrder) = await shop.CustomerWithFullSetAsync();
        await shop.Redemptions.RedeemAsync(unshipped, shop.Campaign.Id, address, CancellationToken.None);
        var sent = await shop.Redemptions.RedeemAsync(shipped, shop.Campaign.Id, address, CancellationToken.None);
        await shop.Cards.ShipAsync(shop.Campaign.Id, sent.FulfilmentId!, new ShipRequest("SF", "SF200"), "admin", CancellationToken.None);

        await shop.RefundAsync(unshipped, unshippedOrder);
        await shop.RefundAsync(shipped, shippedOrder);

        Assert.Equal((RewardClawback.Revoked, FulfilmentStatus.Cancelled), ((await shop.MineAsync(unshipped)).Redemption!.Clawback, (await shop.MineAsync(unshipped)).Redemption!.Fulfilment!.Status));
        Assert.Equal((RewardClawback.GiftShipped, FulfilmentStatus.Shipped), ((await shop.MineAsync(shipped)).Redemption!.Clawback, (await shop.MineAsync(shipped)).Redemption!.Fulfilment!.Status));
        var cancelled = Assert.Single((await shop.Cards.FulfilmentsAsync(shop.Campaign.Id, FulfilmentStatus.Cancelled, null, 100, CancellationToken.None)).Items);
        Assert.Equal(unshipped, cancelled.CustomerId);
        await Assert.ThrowsAsync<DomainException>(() => shop.Cards.ShipAsync(shop.Campaign.Id, cancelled.Id, new ShipRequest("SF", "SF300"), "admin", CancellationToken.None));
    }

    [Fact]
    public async Task A_refund_during_a_redemption_abandons_it_undoing_its_coupon_and_budget_and_the_next_one_starts_afresh()
    {
        await using var mall = await MallFixture.StartAsync();
        var shop = await CardShop.OpenAsync(mall);
        var (customer, orderId) = await shop.CustomerWithFullSetAsync();

        // The redemption is reserved and its budget charged, then the order is refunded before its coupon is marked granted.
        var collections = mall.Get<IDocumentCollection<CardCollection>>();
        var key = CardRedemptions.KeyOf(customer, shop.Campaign.Id);
        var campaign = await mall.Get<CardCampaignService>().GetAsync(shop.Campaign.Id, CancellationToken.None);
        var reserved = await collections.UpdateAsync(key, "collection", c => c.Reserve(campaign, DateTimeOffset.UtcNow, null), CancellationToken.None);
        var id = reserved.Redemption!.Id;
        var today = ChinaTime.DateOf(DateTimeOffset.UtcNow);
        await mall.Get<FissionControls>().ChargeAsync(FissionMechanic.CardCollecting, today, id, shop.RewardValueFen, CancellationToken.None);
        await collections.UpdateAsync(key, "collection", c => c.RecordCharge(id, today).Collection, CancellationToken.None);
        await mall.Get<CouponService>().GrantAsync(customer, shop.TemplateId, CardRedemptions.GrantKey(id), CancellationToken.None);
        await shop.RefundAsync(customer, orderId);

        var mine = await shop.MineAsync(customer);
        Assert.Null(mine.Redemption);
        Assert.Equal(CouponStatus.Revoked, Assert.Single(await shop.CouponsAsync(customer)).Status);
        Assert.Equal(0, await shop.SpentTodayFenAsync());

        // Another order brings the kind back: the new redemption has its own id, coupon and budget charge.
        await shop.PaidOrderAsync(customer, 2);
        var next = await shop.Redemptions.RedeemAsync(customer, shop.Campaign.Id, null, CancellationToken.None);
        Assert.NotEqual(id, next.Id);
        Assert.Equal(2, (await shop.CouponsAsync(customer)).Count);
        Assert.Equal(shop.RewardValueFen, await shop.SpentTodayFenAsync());
    }

}
