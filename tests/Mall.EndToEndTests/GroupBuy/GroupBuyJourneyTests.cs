using System.Net;
using Microsoft.DurableTask.Client;
using static Mall.EndToEndTests.GroupBuy.GroupBuySteps;

namespace Mall.EndToEndTests.GroupBuy;

/// <summary>Group buys through the running mall: the orchestration on the local host's durable engine, payments through the sandbox.</summary>
[Collection(nameof(LocalMall))]
public sealed class GroupBuyJourneyTests(LocalMall mall)
{
    [Fact]
    public async Task A_group_that_fills_succeeds_and_only_then_its_orders_can_ship()
    {
        var (campaignId, _, _) = await CampaignAsync(mall, size: 2, timeLimitSeconds: 300);
        using var leader = await mall.NewCustomerAsync();
        using var member = await mall.NewCustomerAsync();

        using var admin = await mall.AdminAsync();
        var ship = new { carrier = "SF", trackingNumber = "SF0000002" };

        var (groupId, leaderOrder) = await OpenAsync(leader, campaignId);
        await PayAsync(mall, leader, leaderOrder);
        var tooEarly = await admin.PostAsync($"manage/orders/{leaderOrder}/ship", ship);
        Assert.Equal("INVALID_ORDER_STATE", tooEarly.Body.GetProperty("code").GetString());
        var memberOrder = await JoinAndPayAsync(mall, member, groupId);

        var group = await WaitForGroupAsync(member, groupId, "succeeded");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"manage/orders/{leaderOrder}/ship", ship)).Status);
        Assert.Equal(2, group.GetProperty("paid").GetInt32());
        Assert.Contains(group.GetProperty("members").EnumerateArray(), m => m.GetProperty("isYou").GetBoolean());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var instance = await mall.Host.DurableClient.WaitForInstanceCompletionAsync(groupId, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal("paid", (await member.GetAsync($"orders/{memberOrder}")).Body.GetProperty("status").GetString());
        Assert.Equal(3000, (await member.GetAsync($"orders/{memberOrder}")).Body.GetProperty("pricing").GetProperty("goodsFen").GetInt64());
    }

    [Fact]
    public async Task A_group_that_misses_its_deadline_fails_and_every_paid_member_is_refunded_with_stock_returned()
    {
        var (campaignId, productId, _) = await CampaignAsync(mall, size: 3, timeLimitSeconds: 12, stock: 10);
        using var leader = await mall.NewCustomerAsync();
        using var member = await mall.NewCustomerAsync();

        var (groupId, leaderOrder) = await OpenAsync(leader, campaignId);
        await PayAsync(mall, leader, leaderOrder);
        var memberOrder = await JoinAndPayAsync(mall, member, groupId);

        await WaitForGroupAsync(leader, groupId, "failed");
        foreach (var (customer, orderId) in new[] { (leader, leaderOrder), (member, memberOrder) })
        {
            await WaitForFullRefundAsync(mall, orderId);
        }

        Assert.Equal(10, (await leader.GetAsync($"products/{productId}")).Body.GetProperty("skus")[0].GetProperty("stock").GetInt64());
        var late = await (await mall.NewCustomerAsync()).PostAsync($"group-buys/{groupId}/join", new { address = LocalMall.Address() });
        Assert.Equal("GROUP_CLOSED", late.Body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Concurrent_joins_for_the_last_seat_give_it_to_exactly_one_customer_and_nobody_joins_twice()
    {
        var (campaignId, _, _) = await CampaignAsync(mall, size: 2, timeLimitSeconds: 300);
        using var leader = await mall.NewCustomerAsync();
        var (groupId, _) = await OpenAsync(leader, campaignId);
        var contenders = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => mall.NewCustomerAsync()));

        var attempts = await Task.WhenAll(contenders.Select(c => c.PostAsync($"group-buys/{groupId}/join", new { address = LocalMall.Address() })));

        Assert.Single(attempts, a => a.Status == HttpStatusCode.Created);
        Assert.All(attempts.Where(a => a.Status != HttpStatusCode.Created), a => Assert.Equal("GROUP_FULL", a.Body.GetProperty("code").GetString()));
        var again = await leader.PostAsync($"group-buys/{groupId}/join", new { address = LocalMall.Address() });
        Assert.Equal("ALREADY_IN_GROUP", again.Body.GetProperty("code").GetString());
        var group = (await leader.GetAsync($"group-buys/{groupId}")).Body;
        Assert.Equal(0, group.GetProperty("seatsLeft").GetInt32());
        foreach (var contender in contenders)
        {
            contender.Dispose();
        }
    }
}
