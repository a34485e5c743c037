using System.Net;
using System.Text.Json;
using Microsoft.DurableTask.Client;

namespace Mall.EndToEndTests.GroupBuy;

/// <summary>Group buys through the running mall: the orchestration on the in-process durable engine, payments through the sandbox.</summary>
[Collection(nameof(LocalMall))]
public sealed class GroupBuyJourneyTests(LocalMall mall)
{
    private async Task<(string CampaignId, string ProductId, string SkuId)> CampaignAsync(int size, int timeLimitSeconds, long stock = 10)
    {
        var (productId, skuId) = await mall.CreateProductAsync(priceFen: 5000, stock: stock);
        using var admin = await mall.AdminAsync();
        var created = await admin.PostAsync("manage/group-buy-campaigns", new
        {
            skuId,
            groupPriceFen = 3000,
            groupSize = size,
            timeLimitSeconds,
            maxGroups = 10,
            endsAt = DateTimeOffset.UtcNow.AddDays(1),
        });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        return (created.Body.GetProperty("id").GetString()!, productId, skuId);
    }

    private static async Task<(string GroupId, string OrderId)> OpenAsync(ApiClient leader, string campaignId)
    {
        var opened = await leader.PostAsync("group-buys", new { campaignId, address = LocalMall.Address() }, idempotencyKey: Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, opened.Status);
        return (opened.Body.GetProperty("group").GetProperty("id").GetString()!, opened.Body.GetProperty("order").GetProperty("id").GetString()!);
    }

    private async Task<string> JoinAndPayAsync(ApiClient member, string groupId)
    {
        var joined = await member.PostAsync($"group-buys/{groupId}/join", new { address = LocalMall.Address() });
        Assert.True(joined.Status == HttpStatusCode.Created, joined.Body.ToString());
        var orderId = joined.Body.GetProperty("order").GetProperty("id").GetString()!;
        await PayAsync(member, orderId);
        return orderId;
    }

    private async Task PayAsync(ApiClient customer, string orderId)
    {
        Assert.Equal(HttpStatusCode.OK, (await customer.PostAsync($"orders/{orderId}/pay", new { })).Status);
        await mall.Environment.Sandbox.PayAsync(orderId);
        await LocalMall.WaitForOrderAsync(customer, orderId, o => o.GetProperty("status").GetString() == "paid");
    }

    private async Task<JsonElement> WaitForGroupAsync(ApiClient viewer, string groupId, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var group = (await viewer.GetAsync($"group-buys/{groupId}")).Body;
            if (group.GetProperty("status").GetString() == status)
            {
                return group;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Group {groupId} did not become {status}: {group}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task A_group_that_fills_succeeds_and_only_then_its_orders_can_ship()
    {
        var (campaignId, _, _) = await CampaignAsync(size: 2, timeLimitSeconds: 300);
        using var leader = await mall.NewCustomerAsync();
        using var member = await mall.NewCustomerAsync();

        using var admin = await mall.AdminAsync();
        var ship = new { carrier = "SF", trackingNumber = "SF0000002" };

        var (groupId, leaderOrder) = await OpenAsync(leader, campaignId);
        await PayAsync(leader, leaderOrder);
        var tooEarly = await admin.PostAsync($"manage/orders/{leaderOrder}/ship", ship);
        Assert.Equal("INVALID_ORDER_STATE", tooEarly.Body.GetProperty("code").GetString());
        var memberOrder = await JoinAndPayAsync(member, groupId);

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
        var (campaignId, productId, _) = await CampaignAsync(size: 3, timeLimitSeconds: 12, stock: 10);
        using var leader = await mall.NewCustomerAsync();
        using var member = await mall.NewCustomerAsync();

        var (groupId, leaderOrder) = await OpenAsync(leader, campaignId);
        await PayAsync(leader, leaderOrder);
        var memberOrder = await JoinAndPayAsync(member, groupId);

        await WaitForGroupAsync(leader, groupId, "failed");
        foreach (var (customer, orderId) in new[] { (leader, leaderOrder), (member, memberOrder) })
        {
            var refunded = await LocalMall.WaitForOrderAsync(customer, orderId, o => o.GetProperty("status").GetString() == "refunded"
                && o.GetProperty("refunds").EnumerateArray().All(r => r.GetProperty("stockReturned").GetBoolean()));
            Assert.Equal(refunded.GetProperty("pricing").GetProperty("payableFen").GetInt64(), refunded.GetProperty("refundedFen").GetInt64());
        }

        Assert.Equal(10, (await leader.GetAsync($"products/{productId}")).Body.GetProperty("skus")[0].GetProperty("stock").GetInt64());
        var late = await (await mall.NewCustomerAsync()).PostAsync($"group-buys/{groupId}/join", new { address = LocalMall.Address() });
        Assert.Equal("GROUP_CLOSED", late.Body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Concurrent_joins_for_the_last_seat_give_it_to_exactly_one_customer_and_nobody_joins_twice()
    {
        var (campaignId, _, _) = await CampaignAsync(size: 2, timeLimitSeconds: 300);
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
