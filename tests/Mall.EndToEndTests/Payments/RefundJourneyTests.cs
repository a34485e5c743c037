using System.Net;
using Mall.WeChat.Sandbox;

namespace Mall.EndToEndTests.Payments;

[Collection(nameof(LocalMall))]
public sealed class RefundJourneyTests(LocalMall mall)
{
    [Fact]
    public async Task A_partial_refund_goes_from_request_through_approval_and_wechat_back_to_the_customer_and_the_shelf()
    {
        var (productId, skuId) = await mall.CreateProductAsync(priceFen: 3000, stock: 5);
        using var customer = await mall.NewCustomerAsync();
        using var admin = await mall.AdminAsync();
        var orderId = await mall.PaidOrderAsync(customer, skuId, 2);

        var requested = await customer.PostAsync($"orders/{orderId}/refunds", new { reason = "买多了", items = new[] { new { skuId, quantity = 1 } } });
        Assert.Equal(HttpStatusCode.Created, requested.Status);
        var refund = requested.Body.GetProperty("refunds").EnumerateArray().Last();
        Assert.Equal(3000, refund.GetProperty("amountFen").GetInt64());
        var refundId = refund.GetProperty("id").GetString()!;

        var approved = await admin.PostAsync($"manage/orders/{orderId}/refunds/{refundId}/approve", new { note = "ok" });
        Assert.Equal(HttpStatusCode.OK, approved.Status);

        // WeChat completes the refund and notifies the refund URL; the unit goes back on sale (operators see that, customers do not).
        var settled = await LocalMall.WaitForAsync(admin, $"manage/orders/{orderId}", o =>
            o.GetProperty("refunds").EnumerateArray().Single().GetProperty("stockReturned").GetBoolean());
        Assert.Equal("succeeded", settled.GetProperty("refunds")[0].GetProperty("status").GetString());
        Assert.Equal(3000, settled.GetProperty("refundedFen").GetInt64());
        Assert.Equal("paid", settled.GetProperty("status").GetString());
        Assert.Equal(4, (await customer.GetAsync($"products/{productId}")).Body.GetProperty("skus")[0].GetProperty("stock").GetInt64());
        Assert.Contains(mall.Environment.Sandbox.Refunds, r => r.OutRefundNo == refundId && r.Resource.Amount!.Refund == 3000);
    }

    [Fact]
    public async Task A_refund_wechat_refuses_for_a_short_balance_is_listed_for_operators_and_a_resubmit_pays_it_back()
    {
        using var customer = await mall.NewCustomerAsync();
        using var admin = await mall.AdminAsync();
        var (orderId, refundId) = await FullRefundRequestAsync(customer, orderId => mall.Environment.Sandbox.RefuseRefunds(orderId, SandboxRefundRefusal.NotEnough));

        var approved = await admin.PostAsync($"manage/orders/{orderId}/refunds/{refundId}/approve", new { note = "ok" });

        var retrying = approved.Body.GetProperty("refunds")[0];
        Assert.Equal("approved", retrying.GetProperty("status").GetString());
        Assert.StartsWith("NOT_ENOUGH", retrying.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        var open = await admin.GetAsync("manage/refunds?status=approved");
        Assert.Contains(open.Body.GetProperty("items").EnumerateArray(), r => r.GetProperty("orderId").GetString() == orderId && r.GetProperty("actions")[0].GetString() == "resubmit");

        // The merchant topped up its balance: the operator does not wait for the next automatic attempt.
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"manage/orders/{orderId}/refunds/{refundId}/resubmit", new { })).Status);
        var refunded = await LocalMall.WaitForOrderAsync(customer, orderId, o => o.GetProperty("status").GetString() == "refunded");
        Assert.Equal("succeeded", refunded.GetProperty("refunds")[0].GetProperty("status").GetString());
        Assert.Equal(refundId, Assert.Single(mall.Environment.Sandbox.Refunds, r => r.Resource.OutTradeNo == orderId).OutRefundNo);
    }

    [Fact]
    public async Task An_abnormal_refund_waits_for_the_operators_abnormal_refund_and_completes_on_the_later_success()
    {
        using var customer = await mall.NewCustomerAsync();
        using var admin = await mall.AdminAsync();
        var (orderId, refundId) = await FullRefundRequestAsync(customer, mall.Environment.Sandbox.MakeRefundsAbnormal);
        await admin.PostAsync($"manage/orders/{orderId}/refunds/{refundId}/approve", new { note = "ok" });

        var abnormal = await LocalMall.WaitForOrderAsync(customer, orderId, o => o.GetProperty("refunds")[0].GetProperty("status").GetString() == "abnormal");
        Assert.Equal(0, abnormal.GetProperty("refundedFen").GetInt64());
        Assert.Contains((await admin.GetAsync("manage/refunds?status=abnormal")).Body.GetProperty("items").EnumerateArray(), r => r.GetProperty("orderId").GetString() == orderId);
        var incomplete = await admin.PostAsync($"manage/orders/{orderId}/refunds/{refundId}/apply-abnormal-refund", new { type = "userBankCard", bankType = "ICBC_DEBIT", realName = "张三" });
        Assert.Equal(HttpStatusCode.BadRequest, incomplete.Status);
        Assert.True(incomplete.Body.GetProperty("errors").TryGetProperty("bankAccount", out _));

        var applied = await admin.PostAsync($"manage/orders/{orderId}/refunds/{refundId}/apply-abnormal-refund", new { type = "userBankCard", bankType = "ICBC_DEBIT", bankAccount = "6222020202020202020", realName = "张三" });

        Assert.Equal(HttpStatusCode.OK, applied.Status);
        Assert.DoesNotContain("6222020202020202020", applied.Body.ToString(), StringComparison.Ordinal);
        var refunded = await LocalMall.WaitForAsync(admin, $"manage/orders/{orderId}", o => o.GetProperty("status").GetString() == "refunded");
        Assert.Equal(("succeeded", "userBankCard"), (refunded.GetProperty("refunds")[0].GetProperty("status").GetString(), refunded.GetProperty("refunds")[0].GetProperty("abnormalRefundTo").GetString()));
        var seenByCustomer = await customer.GetAsync($"orders/{orderId}");
        Assert.Equal("succeeded", seenByCustomer.Body.GetProperty("refunds")[0].GetProperty("status").GetString());
        Assert.False(seenByCustomer.Body.GetProperty("refunds")[0].TryGetProperty("abnormalRefundTo", out _), "where an operator sent the money is not the customer's view");
    }

    /// <summary>A paid order of one unit, WeChat set up to treat its refunds some way, and the customer's request for everything back.</summary>
    private async Task<(string OrderId, string RefundId)> FullRefundRequestAsync(ApiClient customer, Action<string> setUpWeChat)
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 3000, stock: 5);
        var orderId = await LocalMall.PlaceAndPrepayAsync(customer, skuId, 1);
        await mall.Environment.Sandbox.PayAsync(orderId);
        await LocalMall.WaitForOrderAsync(customer, orderId, o => o.GetProperty("status").GetString() == "paid");
        setUpWeChat(orderId);
        var requested = await customer.PostAsync($"orders/{orderId}/refunds", new { reason = "不要了" });
        Assert.Equal(HttpStatusCode.Created, requested.Status);
        return (orderId, requested.Body.GetProperty("refunds")[0].GetProperty("id").GetString()!);
    }
}
