using System.Net;
using System.Text.Json;

namespace Mall.EndToEndTests.GroupBuy;

/// <summary>An operator's and customers' steps in a group buy, through the running mall and the sandbox.</summary>
internal static class GroupBuySteps
{
    public static async Task<(string CampaignId, string ProductId, string SkuId)> CampaignAsync(LocalMall mall, int size, int timeLimitSeconds, long stock = 10)
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

    public static async Task<(string GroupId, string OrderId)> OpenAsync(ApiClient leader, string campaignId)
    {
        var opened = await leader.PostAsync("group-buys", new { campaignId, address = LocalMall.Address() }, idempotencyKey: Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, opened.Status);
        return (opened.Body.GetProperty("group").GetProperty("id").GetString()!, opened.Body.GetProperty("order").GetProperty("id").GetString()!);
    }

    public static async Task<string> JoinAndPayAsync(LocalMall mall, ApiClient member, string groupId)
    {
        var joined = await member.PostAsync($"group-buys/{groupId}/join", new { address = LocalMall.Address() });
        Assert.True(joined.Status == HttpStatusCode.Created, joined.Body.ToString());
        var orderId = joined.Body.GetProperty("order").GetProperty("id").GetString()!;
        await PayAsync(mall, member, orderId);
        return orderId;
    }

    public static async Task PayAsync(LocalMall mall, ApiClient customer, string orderId)
    {
        Assert.Equal(HttpStatusCode.OK, (await customer.PostAsync($"orders/{orderId}/pay", new { })).Status);
        await mall.Environment.Sandbox.PayAsync(orderId);
        await LocalMall.WaitForOrderAsync(customer, orderId, o => o.GetProperty("status").GetString() == "paid");
    }

    /// <summary>Waits until the order is refunded in full with its unit back in stock (which operators see, customers do not).</summary>
    public static async Task WaitForFullRefundAsync(LocalMall mall, string orderId)
    {
        using var admin = await mall.AdminAsync();
        var refunded = await LocalMall.WaitForAsync(admin, $"manage/orders/{orderId}", o => o.GetProperty("status").GetString() == "refunded"
            && o.GetProperty("refunds").EnumerateArray().All(r => r.GetProperty("stockReturned").GetBoolean()));
        Assert.Equal(refunded.GetProperty("pricing").GetProperty("payableFen").GetInt64(), refunded.GetProperty("refundedFen").GetInt64());
    }

    public static Task<JsonElement> WaitForGroupAsync(ApiClient viewer, string groupId, string status, int seconds = 120) =>
        WaitForGroupAsync(viewer, groupId, group => group.GetProperty("status").GetString() == status, $"become {status}", seconds);

    public static async Task<JsonElement> WaitForGroupAsync(ApiClient viewer, string groupId, Func<JsonElement, bool> condition, string expectation, int seconds = 120)
    {
        // Generous: after a restart the durable engine takes its task hub's leases back before the deadline's timer runs.
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var group = (await viewer.GetAsync($"group-buys/{groupId}")).Body;
            if (condition(group))
            {
                return group;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Group {groupId} did not {expectation}: {group}");
            await Task.Delay(200);
        }
    }
}
