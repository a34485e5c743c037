using Mall.Application.Coupons;
using Mall.Application.Customers;
using Mall.Application.Membership;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.Platform;
using Mall.Application.Presale;
using Mall.Application.Sharing;
using Mall.Domain.Common;
using Mall.Domain.Coupons;
using Mall.Domain.Orders;
using Mall.Domain.Sharing;
using Mall.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Sharing;

/// <summary>Defects found in review of tiered share rewards: each test shows one, and fails until it is fixed.</summary>
public sealed class ShareRewardReviewTests
{
    [Fact]
    public async Task An_invitee_paying_two_orders_before_the_share_handler_runs_is_still_credited_once()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        await ProgramAsync(mall, time, time.GetUtcNow().AddHours(-1), time.GetUtcNow().AddDays(30));
        var sharer = await mall.NewCustomerAsync();
        var invite = (await mall.Get<CustomerService>().GetAsync(sharer, CancellationToken.None)).InviteCode;
        var invitee = await mall.NewCustomerAsync(invite);
        var product = await mall.CreateProductAsync(5_000, null, 10);
        var checkout = mall.Get<CheckoutService>();
        var first = (await checkout.CreateAsync(invitee, Guid.NewGuid().ToString(), MallFixture.Buy(product.Skus[0].Id, 1), CancellationToken.None)).Order.Id;
        var second = (await checkout.CreateAsync(invitee, Guid.NewGuid().ToString(), MallFixture.Buy(product.Skus[0].Id, 1), CancellationToken.None)).Order.Id;
        await mall.PayAsync(invitee, first);
        await mall.PayAsync(invitee, second);

        // Each subscriber has its own delivery (and retries): membership counting both payments before the share
        // handler sees the first (its delivery failed once, or the two orders' outboxes dispatch in parallel).
        var store = mall.Get<OrderStore>();
        foreach (var orderId in new[] { first, second })
        {
            var order = await store.GetAsync(orderId, CancellationToken.None);
            var paid = new OrderPaid(order.Facts, order.Payment!.AmountFen, order.Payment.TransactionId, order.Payment.PaidAt) { OccurredAt = time.GetUtcNow() };
            await mall.Get<MembershipService>().HandleAsync(paid, new EventContext(null!), CancellationToken.None);
        }

        await mall.Events.DrainAsync();

        // One new paying customer, waiting for the first order's after-sale window: not lost.
        Assert.Equal(1, (await mall.Get<ShareRewardsService>().MineAsync(sharer, CancellationToken.None)).Pending);
    }

    [Fact]
    public async Task Racing_creations_of_the_same_window_save_one_program_only()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var template = await TemplateAsync(mall, time);
        var rewards = mall.Get<ShareRewardsService>();
        var request = new ShareRewardProgramRequest { Name = "邀请有礼", StartsAt = time.GetUtcNow().AddDays(1), EndsAt = time.GetUtcNow().AddDays(30), Counts = ShareCounting.NewPayingCustomers, Tiers = [new(1, template)] };

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            try
            {
                await rewards.CreateProgramAsync(request, CancellationToken.None);
            }
            catch (DomainException exception) when (exception.Code == ErrorCode.Conflict)
            {
            }
        })));

        // Overlapping programs make a first order count for whichever the scan returns first.
        Assert.Single(await rewards.ProgramsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_presale_first_order_refunded_in_full_after_the_balance_is_paid_never_counts()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var now = time.GetUtcNow();
        await ProgramAsync(mall, time, now.AddHours(-1), now.AddDays(30));
        var sharer = await mall.NewCustomerAsync();
        var invitee = await mall.NewCustomerAsync((await mall.Get<CustomerService>().GetAsync(sharer, CancellationToken.None)).InviteCode);
        var product = await mall.CreateProductAsync(39_900, null, 5);
        var presale = mall.Get<PresaleService>();
        var campaign = await presale.CreateCampaignAsync(
            new PresaleCampaignRequest { SkuId = product.Skus[0].Id, DepositFen = 5_000, DepositValueFen = 10_000, FinalPriceFen = 39_900, DepositStartsAt = now.AddMinutes(-1), DepositEndsAt = now.AddHours(1), BalanceStartsAt = now.AddHours(1), BalanceEndsAt = now.AddHours(2), DepositRefundable = false },
            CancellationToken.None);
        var events = EventPump.For(mall.Services, new RecordingWorkflows());

        // The new customer's first paid order is the deposit; the balance order follows and ships the goods.
        var reserved = await presale.ReserveAsync(invitee, Guid.NewGuid().ToString(), new ReservePresaleRequest(campaign.Id, MallFixture.Buy(campaign.SkuId, 1).Address), CancellationToken.None);
        await mall.PayAsync(invitee, reserved.Order.Id);
        await events.DrainAsync();
        time.Advance(TimeSpan.FromHours(1));
        var balance = (await presale.OrderBalanceAsync(invitee, reserved.Presale.Id, new BalanceRequest(MallFixture.Buy(campaign.SkuId, 1).Address), CancellationToken.None)).Order.Id;
        await mall.PayAsync(invitee, balance);
        await events.DrainAsync();

        // Within the goods' after-sale window the customer takes everything back: the balance, and with it the deposit.
        var refunds = mall.Get<RefundService>();
        var requested = await refunds.RequestAsync(invitee, balance, new RefundRequestBody("不要了", null, null), CancellationToken.None);
        await refunds.ApproveAsync(balance, Assert.Single(requested.Refunds).Id, new ApproveRefundRequest(null, null), CancellationToken.None);
        await SettleRefundsAsync(mall, time, balance);
        await events.DrainAsync();
        await SettleRefundsAsync(mall, time, reserved.Order.Id);
        await events.DrainAsync();
        Assert.Equal(OrderStatus.Refunded, (await mall.Get<OrderStore>().GetAsync(reserved.Order.Id, CancellationToken.None)).Status);

        // Paid and refunded in full: no new paying customer, and no reward for the sharer.
        var mine = await mall.Get<ShareRewardsService>().MineAsync(sharer, CancellationToken.None);
        Assert.Equal(0, mine.Credited);
        Assert.Empty(await mall.Get<CouponService>().MineAsync(sharer, CancellationToken.None));
    }

    [Fact]
    public async Task The_running_program_is_found_after_a_thousand_past_ones()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var now = time.GetUtcNow();
        var template = await TemplateAsync(mall, time);

        // Three years of daily programs, all over: each is a small document, but the store reads only the first page of them.
        var stored = mall.Get<IDocumentCollection<ShareRewardProgram>>();
        foreach (var chunk in Enumerable.Range(0, 1000).Chunk(50))
        {
            await Task.WhenAll(chunk.Select(i =>
            {
                var startsAt = now.AddDays(-1001 + i);
                var past = new ShareRewardProgram($"SR0000000000{i:D10}", "每日邀请", startsAt, startsAt.AddDays(1), ShareCounting.NewPayingCustomers, [new ShareRewardTier(1, template, 500)], startsAt);
                return stored.InsertAsync(new DocumentKey("programs", past.Id), past, [], CancellationToken.None);
            }));
        }

        var running = await mall.Get<ShareRewardsService>().CreateProgramAsync(
            new ShareRewardProgramRequest { Name = "邀请有礼", StartsAt = now.AddHours(-1), EndsAt = now.AddDays(30), Counts = ShareCounting.NewPayingCustomers, Tiers = [new(1, template)] },
            CancellationToken.None);

        // Otherwise new customers' first orders are credited to no program and never count.
        Assert.Equal(running.Id, (await mall.Get<ShareRewardsService>().MineAsync("C_ANYONE", CancellationToken.None)).ProgramId);
    }

    private static Task SettleRefundsAsync(MallFixture mall, FakeTimeProvider time, string orderId) => MallFixture.WaitUntilAsync(async () =>
    {
        time.Advance(TimeSpan.FromSeconds(1));
        var order = await mall.Get<OrderStore>().GetAsync(orderId, CancellationToken.None);
        return order.Refunds.Count > 0 && (await mall.Get<RefundService>().CheckAsync(orderId, CancellationToken.None)).Outcome == DueWorkOutcome.Done
            && (await mall.Get<OrderStore>().GetAsync(orderId, CancellationToken.None)).Refunds.All(r => r.Status == RefundStatus.Succeeded);
    });

    private static async Task<string> TemplateAsync(MallFixture mall, TimeProvider time) =>
        (await mall.Get<CouponService>().CreateTemplateAsync(
            new CouponTemplateRequest { Name = "邀1人 5元", Kind = CouponKind.FixedAmount, AmountFen = 500, MinimumSpendFen = 0, ValidUntil = time.GetUtcNow().AddDays(60), PerCustomerLimit = 1, TotalQuota = 1000, Claimable = false },
            CancellationToken.None)).Id;

    private static async Task<ShareRewardProgram> ProgramAsync(MallFixture mall, TimeProvider time, DateTimeOffset startsAt, DateTimeOffset endsAt) =>
        await mall.Get<ShareRewardsService>().CreateProgramAsync(
            new ShareRewardProgramRequest { Name = "邀请有礼", StartsAt = startsAt, EndsAt = endsAt, Counts = ShareCounting.NewPayingCustomers, Tiers = [new(1, await TemplateAsync(mall, time))] },
            CancellationToken.None);
}
