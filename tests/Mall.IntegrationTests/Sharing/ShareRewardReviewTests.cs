using Mall.Application.Coupons;
using Mall.Application.Customers;
using Mall.Application.Membership;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Application.Sharing;
using Mall.Domain.Common;
using Mall.Domain.Coupons;
using Mall.Domain.Orders;
using Mall.Domain.Sharing;
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
        var request = new ShareRewardProgramRequest("邀请有礼", time.GetUtcNow().AddDays(1), time.GetUtcNow().AddDays(30), ShareCounting.NewPayingCustomers, [new(1, template)]);

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

    private static async Task<string> TemplateAsync(MallFixture mall, TimeProvider time) =>
        (await mall.Get<CouponService>().CreateTemplateAsync(
            new CouponTemplateRequest("邀1人 5元", CouponKind.FixedAmount, 500, 0, null, null, null, time.GetUtcNow().AddDays(60), null, 1, 1000, false),
            CancellationToken.None)).Id;

    private static async Task<ShareRewardProgram> ProgramAsync(MallFixture mall, TimeProvider time, DateTimeOffset startsAt, DateTimeOffset endsAt) =>
        await mall.Get<ShareRewardsService>().CreateProgramAsync(
            new ShareRewardProgramRequest("邀请有礼", startsAt, endsAt, ShareCounting.NewPayingCustomers, [new(1, await TemplateAsync(mall, time))]),
            CancellationToken.None);
}
