using System.Net;

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

        // WeChat completes the refund and notifies the refund URL; the unit goes back on sale.
        var settled = await LocalMall.WaitForOrderAsync(customer, orderId, o =>
            o.GetProperty("refunds").EnumerateArray().Single().GetProperty("stockReturned").GetBoolean());
        Assert.Equal("succeeded", settled.GetProperty("refunds")[0].GetProperty("status").GetString());
        Assert.Equal(3000, settled.GetProperty("refundedFen").GetInt64());
        Assert.Equal("paid", settled.GetProperty("status").GetString());
        Assert.Equal(4, (await customer.GetAsync($"products/{productId}")).Body.GetProperty("skus")[0].GetProperty("stock").GetInt64());
        Assert.Contains(mall.Environment.Sandbox.Refunds, r => r.OutRefundNo == refundId && r.Resource.Amount!.Refund == 3000);
    }
}
