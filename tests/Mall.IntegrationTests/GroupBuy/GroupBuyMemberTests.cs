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
    private sealed record GroupBuyShop(MallFixture Mall, FakeTimeProvider Time, EventPump Events, GroupBuyService GroupBuys, GroupBuyCampaign Campaign, string SkuId);

    private static async Task<GroupBuyShop> ShopAsync(MallFixture mall, FakeTimeProvider time)
    {
        var product = await mall.CreateProductAsync(5_000, null, 10);
        var groupBuys = mall.Get<GroupBuyService>();
        var campaign = await groupBuys.CreateCampaignAsync(new GroupBuyCampaignRequest(product.Skus[0].Id, 3_000, 2, 600, 10, null, time.GetUtcNow().AddDays(1)), CancellationToken.None);
        return new GroupBuyShop(mall, time, EventPump.For(mall.Services, new RecordingWorkflows()), groupBuys, campaign, product.Skus[0].Id);
    }

    private static async Task<GroupOrderResult> LeaderPaidAsync(GroupBuyShop shop, string leader)
    {
        var opened = await shop.GroupBuys.OpenAsync(leader, Guid.NewGuid().ToString(), new OpenGroupRequest(shop.Campaign.Id, MallFixture.Buy(shop.SkuId, 1).Address), CancellationToken.None);
        await shop.Mall.PayAsync(leader, opened.Order.Id);
        await shop.Events.DrainAsync();
        return opened;
    }

    [Fact]
    public async Task A_member_who_leaves_and_joins_again_holds_one_seat_and_the_group_no_more()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var shop = await ShopAsync(mall, time);
        var (leader, member) = (await mall.NewCustomerAsync(), await mall.NewCustomerAsync());
        var opened = await LeaderPaidAsync(shop, leader);
        var address = new GroupOrderRequest(MallFixture.Buy(shop.SkuId, 1).Address);

        var orders = new List<string>();
        for (var round = 0; round < 3; round++)
        {
            var joined = await shop.GroupBuys.JoinAsync(member, opened.Group.Id, address, CancellationToken.None);
            orders.Add(joined.Order.Id);
            await mall.Get<OrderService>().CancelAsync(member, joined.Order.Id, CancellationToken.None);
            await shop.Events.DrainAsync();
        }

        var last = await shop.GroupBuys.JoinAsync(member, opened.Group.Id, address, CancellationToken.None);
        var stored = (await mall.Get<IDocumentCollection<GroupBuyGroup>>().FindAsync(DocumentKey.Single(opened.Group.Id), CancellationToken.None))!.Value;

        Assert.Equal(3, orders.Distinct().Count());
        Assert.DoesNotContain(last.Order.Id, orders);
        Assert.Equal([opened.Order.Id, last.Order.Id], stored.Seats.Select(s => s.OrderId));
        Assert.Equal((2, 0), (last.Group.Members.Count, last.Group.SeatsLeft));
    }

    private static Task<OrderView> AskForRefundAsync(GroupBuyShop shop, string customer, string orderId) =>
        shop.Mall.Get<RefundService>().RequestAsync(customer, orderId, new RefundRequestBody("changed my mind", [], null), CancellationToken.None);

    [Fact]
    public async Task A_refund_is_refused_while_the_group_forms_so_the_group_fills_only_with_paid_seats()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var shop = await ShopAsync(mall, time);
        var (leader, member) = (await mall.NewCustomerAsync(), await mall.NewCustomerAsync());
        var opened = await LeaderPaidAsync(shop, leader);

        var refused = await Assert.ThrowsAsync<DomainException>(() => AskForRefundAsync(shop, leader, opened.Order.Id));

        var joined = await shop.GroupBuys.JoinAsync(member, opened.Group.Id, new GroupOrderRequest(MallFixture.Buy(shop.SkuId, 1).Address), CancellationToken.None);
        await mall.PayAsync(member, joined.Order.Id);
        await shop.Events.DrainAsync();
        var group = await shop.GroupBuys.GetAsync(opened.Group.Id, null, CancellationToken.None);
        var afterFilling = await AskForRefundAsync(shop, leader, opened.Order.Id);

        Assert.Equal(ErrorCode.RefundNotAllowed, refused.Code);
        Assert.Equal((GroupStatus.Succeeded, 2), (group.Status, group.Paid));
        Assert.Equal(RefundStatus.Requested, Assert.Single(afterFilling.Refunds).Status);
    }

    [Fact]
    public async Task A_member_refused_a_refund_while_the_group_forms_is_refunded_once_when_it_fails()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var shop = await ShopAsync(mall, time);
        var leader = await mall.NewCustomerAsync();
        var opened = await LeaderPaidAsync(shop, leader);
        var refused = await Assert.ThrowsAsync<DomainException>(() => AskForRefundAsync(shop, leader, opened.Order.Id));

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
