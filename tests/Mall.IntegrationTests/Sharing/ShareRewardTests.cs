using Mall.Application.Coupons;
using Mall.Application.Customers;
using Mall.Application.Fission;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Application.Sharing;
using Mall.Domain.Coupons;
using Mall.Domain.Fission;
using Mall.Domain.Orders;
using Mall.Domain.Sharing;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Sharing;

/// <summary>
/// Tiered share rewards from the real order events: a new customer counts once their first paid order keeps
/// its money past the after-sale window; a full refund never counts; tiers are granted once within the budget.
/// </summary>
public sealed class ShareRewardTests
{
    [Fact]
    public async Task Kept_first_orders_unlock_tiers_once_and_a_refunded_one_never_counts()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var (program, firstTier, thirdTier) = await ProgramAsync(mall, time);
        var sharer = await mall.NewCustomerAsync();
        var invite = (await mall.Get<CustomerService>().GetAsync(sharer, CancellationToken.None)).InviteCode;
        var product = await mall.CreateProductAsync(5_000, null, 100);

        var kept = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            kept.Add(await FirstOrderAsync(mall, await mall.NewCustomerAsync(invite), product.Skus[0].Id));
        }

        var refundedBuyer = await mall.NewCustomerAsync(invite);
        var refunded = await FirstOrderAsync(mall, refundedBuyer, product.Skus[0].Id);
        await RefundInFullAsync(mall, refunded, product.Skus[0].Id, time.GetUtcNow());
        var unshipped = await FirstOrderAsync(mall, await mall.NewCustomerAsync(invite), product.Skus[0].Id, ship: false);
        await RefundInFullAsync(mall, unshipped, product.Skus[0].Id, time.GetUtcNow());

        // A second order of a kept customer is not a first order; a customer without a referrer brings nobody anything.
        await FirstOrderAsync(mall, (await mall.Get<OrderStore>().GetAsync(kept[0], CancellationToken.None)).CustomerId, product.Skus[0].Id);
        await FirstOrderAsync(mall, await mall.NewCustomerAsync(), product.Skus[0].Id);
        await mall.Events.DrainAsync();
        var rewards = mall.Get<ShareRewardsService>();
        var before = await rewards.MineAsync(sharer, CancellationToken.None);
        Assert.Equal((0L, 3L), (before.Credited, before.Pending));

        time.Advance(TimeSpan.FromDays(8));
        var orders = mall.Get<OrderService>();
        foreach (var orderId in kept.Append(refunded))
        {
            await orders.HandleAfterSaleCloseAsync(orderId, CancellationToken.None);
        }

        await mall.Events.DrainAsync();
        var mine = await rewards.MineAsync(sharer, CancellationToken.None);
        Assert.Equal((program.Id, 3L, 0L), (mine.ProgramId, mine.Credited, mine.Pending));
        Assert.All(mine.Tiers, t => Assert.Equal(ShareTierStatus.Granted, t.Status));
        var coupons = await mall.Get<CouponService>().MineAsync(sharer, CancellationToken.None);
        Assert.Equal(new[] { firstTier, thirdTier }.Order(), coupons.Select(c => c.TemplateId).Order());

        // Redelivered events, racing: nothing counts or is granted twice.
        var facts = await Task.WhenAll(kept.Select(async id => (await mall.Get<OrderStore>().GetAsync(id, CancellationToken.None)).Facts));
        await Task.WhenAll(facts.SelectMany(f => Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            rewards.HandleAsync(new OrderAfterSaleClosed(f) { OccurredAt = time.GetUtcNow() }, new EventContext(null!), CancellationToken.None)))));
        Assert.Equal(3, (await rewards.MineAsync(sharer, CancellationToken.None)).Credited);
        Assert.Equal(2, (await mall.Get<CouponService>().MineAsync(sharer, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_tier_over_the_day_budget_waits_and_is_granted_when_budget_allows()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var (program, firstTier, _) = await ProgramAsync(mall, time);
        var controls = mall.Get<FissionControls>();
        await controls.SetAsync(FissionMechanic.ShareRewards, new MechanicControlRequest(true, 100), "admin", CancellationToken.None);
        var sharer = await mall.NewCustomerAsync();
        var invite = (await mall.Get<CustomerService>().GetAsync(sharer, CancellationToken.None)).InviteCode;
        var product = await mall.CreateProductAsync(5_000, null, 10);
        var order = await FirstOrderAsync(mall, await mall.NewCustomerAsync(invite), product.Skus[0].Id);
        await mall.Events.DrainAsync();

        time.Advance(TimeSpan.FromDays(8));
        await mall.Get<OrderService>().HandleAfterSaleCloseAsync(order, CancellationToken.None);
        await mall.Events.DrainAsync();
        var rewards = mall.Get<ShareRewardsService>();
        var waiting = await rewards.MineAsync(sharer, CancellationToken.None);
        Assert.Equal(ShareTierStatus.Waiting, waiting.Tiers[0].Status);
        Assert.Empty(await mall.Get<CouponService>().MineAsync(sharer, CancellationToken.None));

        await controls.SetAsync(FissionMechanic.ShareRewards, new MechanicControlRequest(true, 10_000), "admin", CancellationToken.None);
        var result = await rewards.HandleGrantWorkAsync(new DueWork(ShareRewardsService.GrantWork, $"{program.Id}|{sharer}", time.GetUtcNow()), CancellationToken.None);

        Assert.Equal(DueWorkOutcome.Done, result.Outcome);
        Assert.Equal(firstTier, Assert.Single(await mall.Get<CouponService>().MineAsync(sharer, CancellationToken.None)).TemplateId);
        Assert.Equal(500, (await controls.ViewAsync(FissionMechanic.ShareRewards, CancellationToken.None)).SpentTodayFen);
    }

    private static async Task<(ShareRewardProgram Program, string FirstTier, string ThirdTier)> ProgramAsync(MallFixture mall, TimeProvider time)
    {
        var coupons = mall.Get<CouponService>();
        var now = time.GetUtcNow();
        var first = await coupons.CreateTemplateAsync(new CouponTemplateRequest { Name = "邀1人 5元", Kind = CouponKind.FixedAmount, AmountFen = 500, MinimumSpendFen = 0, ValidUntil = now.AddDays(60), PerCustomerLimit = 1, TotalQuota = 1000, Claimable = false }, CancellationToken.None);
        var third = await coupons.CreateTemplateAsync(new CouponTemplateRequest { Name = "邀3人 20元", Kind = CouponKind.FixedAmount, AmountFen = 2_000, MinimumSpendFen = 0, ValidUntil = now.AddDays(60), PerCustomerLimit = 1, TotalQuota = 1000, Claimable = false }, CancellationToken.None);
        var program = await mall.Get<ShareRewardsService>().CreateProgramAsync(
            new ShareRewardProgramRequest { Name = "邀请有礼", StartsAt = now.AddHours(-1), EndsAt = now.AddDays(30), Counts = ShareCounting.NewPayingCustomers, Tiers = [new(3, third.Id), new(1, first.Id)] },
            CancellationToken.None);
        return (program, first.Id, third.Id);
    }

    private static async Task<string> FirstOrderAsync(MallFixture mall, string customerId, string skuId, bool ship = true)
    {
        var order = (await mall.Get<CheckoutService>().CreateAsync(customerId, Guid.NewGuid().ToString(), MallFixture.Buy(skuId, 1), CancellationToken.None)).Order;
        await mall.PayAsync(customerId, order.Id);
        await mall.Events.DrainAsync();
        if (ship)
        {
            var orders = mall.Get<OrderService>();
            await orders.ShipAsync(order.Id, new ShipRequest("SF", "SF" + order.Id[^8..]), CancellationToken.None);
            await orders.ConfirmReceiptAsync(customerId, order.Id, CancellationToken.None);
        }

        return order.Id;
    }

    private static async Task RefundInFullAsync(MallFixture mall, string orderId, string skuId, DateTimeOffset now)
    {
        var orders = mall.Get<OrderStore>();
        var requested = await orders.ChangeAsync(orderId, o => o.RequestRefund([new RefundLine(skuId, 1)], null, "changed my mind", now), CancellationToken.None);
        var refund = requested.Refunds[^1];
        await orders.ChangeAsync(orderId, o => o.ApproveRefund(refund.Id, null, null, now), CancellationToken.None);
        await orders.ChangeAsync(orderId, o => o.CompleteRefund(refund.Id, succeeded: true, refund.AmountFen, "5030000", now), CancellationToken.None);
    }
}
