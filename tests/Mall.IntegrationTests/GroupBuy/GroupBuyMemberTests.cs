using Mall.Application.GroupBuy;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.GroupBuy;
using Mall.Domain.Orders;
using Mall.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.GroupBuy;

/// <summary>
/// Members coming and going while a group forms. A paid member who asks for their money back is
/// refused, so a seat that counts is always a seat paid for; the group then fills (and refunds follow
/// the usual after-sale rules) or fails (and every paid member is refunded once, automatically). A
/// member whose unpaid order ends gives the seat back, and may take one again.
/// </summary>
public sealed class GroupBuyMemberTests
{
    /// <summary>A mall on a fake clock with a group buy for groups of 2, 10 minutes to fill.</summary>
    private sealed record GroupBuyShop(MallFixture Mall, FakeTimeProvider Time, EventPump Events, GroupBuyService GroupBuys, GroupBuyCampaign Campaign, string SkuId) : IAsyncDisposable
    {
        public GroupOrderRequest Address { get; } = new(MallFixture.Buy(SkuId, 1).Address);

        public static async Task<GroupBuyShop> StartAsync()
        {
            var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var mall = await MallFixture.StartAsync(time);
            var product = await mall.CreateProductAsync(5_000, null, 10);
            var groupBuys = mall.Get<GroupBuyService>();
            var campaign = await groupBuys.CreateCampaignAsync(new GroupBuyCampaignRequest { SkuId = product.Skus[0].Id, GroupPriceFen = 3_000, GroupSize = 2, TimeLimitSeconds = 600, MaxGroups = 10, EndsAt = time.GetUtcNow().AddDays(1) }, CancellationToken.None);
            return new GroupBuyShop(mall, time, EventPump.For(mall.Services, new RecordingWorkflows()), groupBuys, campaign, product.Skus[0].Id);
        }

        /// <summary>A new customer opens a group and pays.</summary>
        public async Task<(string Leader, GroupOrderResult Opened)> LeaderPaidAsync()
        {
            var leader = await Mall.NewCustomerAsync();
            var opened = await GroupBuys.OpenAsync(leader, Guid.NewGuid().ToString(), new OpenGroupRequest(Campaign.Id, Address.Address), CancellationToken.None);
            await Mall.PayAsync(leader, opened.Order.Id);
            await Events.DrainAsync();
            return (leader, opened);
        }

        public Task<OrderView> AskForRefundAsync(string customer, string orderId) =>
            Mall.Get<RefundService>().RequestAsync(customer, orderId, new RefundRequestBody("changed my mind", [], null), CancellationToken.None);

        public ValueTask DisposeAsync() => Mall.DisposeAsync();
    }

    [Fact]
    public async Task A_member_who_leaves_and_joins_again_holds_one_seat_and_the_group_no_more()
    {
        await using var shop = await GroupBuyShop.StartAsync();
        var (_, opened) = await shop.LeaderPaidAsync();
        var member = await shop.Mall.NewCustomerAsync();

        var orders = new List<string>();
        for (var round = 0; round < 3; round++)
        {
            var joined = await shop.GroupBuys.JoinAsync(member, opened.Group.Id, shop.Address, CancellationToken.None);
            orders.Add(joined.Order.Id);
            await shop.Mall.Get<OrderService>().CancelAsync(member, joined.Order.Id, CancellationToken.None);
            await shop.Events.DrainAsync();
        }

        var last = await shop.GroupBuys.JoinAsync(member, opened.Group.Id, shop.Address, CancellationToken.None);
        var stored = (await shop.Mall.Get<IDocumentCollection<GroupBuyGroup>>().FindAsync(DocumentKey.Single(opened.Group.Id), CancellationToken.None))!.Value;

        Assert.Equal(3, orders.Distinct().Count());
        Assert.DoesNotContain(last.Order.Id, orders);
        Assert.Equal([opened.Order.Id, last.Order.Id], stored.Seats.Select(s => s.OrderId));
        Assert.Equal((2, 0), (last.Group.Members.Count, last.Group.SeatsLeft));
    }

    [Fact]
    public async Task A_refund_is_refused_while_the_group_forms_so_the_group_fills_only_with_paid_seats()
    {
        await using var shop = await GroupBuyShop.StartAsync();
        var (leader, opened) = await shop.LeaderPaidAsync();
        var member = await shop.Mall.NewCustomerAsync();

        var refused = await Assert.ThrowsAsync<DomainException>(() => shop.AskForRefundAsync(leader, opened.Order.Id));

        var joined = await shop.GroupBuys.JoinAsync(member, opened.Group.Id, shop.Address, CancellationToken.None);
        await shop.Mall.PayAsync(member, joined.Order.Id);
        await shop.Events.DrainAsync();
        var group = await shop.GroupBuys.GetAsync(opened.Group.Id, null, CancellationToken.None);
        var afterFilling = await shop.AskForRefundAsync(leader, opened.Order.Id);

        Assert.Equal(ErrorCode.RefundNotAllowed, refused.Code);
        Assert.Equal((GroupStatus.Succeeded, 2), (group.Status, group.Paid));
        Assert.Equal(RefundStatus.Requested, Assert.Single(afterFilling.Refunds).Status);
    }

    [Fact]
    public async Task A_member_refused_a_refund_while_the_group_forms_is_refunded_once_when_it_fails()
    {
        await using var shop = await GroupBuyShop.StartAsync();
        var (mall, time) = (shop.Mall, shop.Time);
        var (leader, opened) = await shop.LeaderPaidAsync();
        var refused = await Assert.ThrowsAsync<DomainException>(() => shop.AskForRefundAsync(leader, opened.Order.Id));

        time.Advance(TimeSpan.FromMinutes(11));
        var closing = await shop.GroupBuys.FailAtDeadlineAsync(opened.Group.Id, CancellationToken.None);
        foreach (var orderId in closing.OrdersToRefund)
        {
            await shop.GroupBuys.RefundMemberAsync(opened.Group.Id, orderId, CancellationToken.None);
        }

        var refunds = mall.Get<RefundService>();
        await MallFixture.WaitUntilAsync(async () =>
        {
            time.Advance(TimeSpan.FromSeconds(2)); // past the sandbox's refund processing time
            return (await refunds.CheckAsync(opened.Order.Id, CancellationToken.None)).Outcome == DueWorkOutcome.Done;
        });
        await shop.GroupBuys.RefundMemberAsync(opened.Group.Id, opened.Order.Id, CancellationToken.None);
        var order = await mall.Get<OrderStore>().GetAsync(opened.Order.Id, CancellationToken.None);

        Assert.Equal(ErrorCode.RefundNotAllowed, refused.Code);
        Assert.Equal(GroupStatus.Failed, closing.Status);
        Assert.Equal([opened.Order.Id], closing.OrdersToRefund);
        Assert.Equal((OrderStatus.Refunded, order.Payment!.AmountFen), (order.Status, order.RefundedFen));
        Assert.Single(order.Refunds);
        Assert.Single(mall.Environment.Sandbox.Refunds);
    }
}
