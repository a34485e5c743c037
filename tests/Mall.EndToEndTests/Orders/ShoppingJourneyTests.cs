using System.Net;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Sandbox;

namespace Mall.EndToEndTests.Orders;

[Collection(nameof(LocalMall))]
public sealed class ShoppingJourneyTests(LocalMall mall)
{
    [Fact]
    public async Task A_customer_logs_in_browses_fills_a_cart_orders_and_pays_through_wechat()
    {
        var (productId, skuId) = await mall.CreateProductAsync(priceFen: 6800, stock: 10);
        using var customer = await mall.NewCustomerAsync();

        var me = await customer.GetAsync("me");
        Assert.Equal(HttpStatusCode.OK, me.Status);
        Assert.False(me.Body.TryGetProperty("sessionKey", out _));

        // The storefront lists follow the product's ProductChanged event, moments after the save.
        await LocalMall.WaitForAsync(customer, "products?categoryId=e2e&pageSize=50", listing =>
            listing.GetProperty("items").EnumerateArray().Any(p => p.GetProperty("id").GetString() == productId));
        var detail = await customer.GetAsync($"products/{productId}");
        Assert.Equal(10, detail.Body.GetProperty("skus")[0].GetProperty("stock").GetInt64());

        Assert.Equal(HttpStatusCode.OK, (await customer.PostAsync("cart/items", new { skuId, quantity = 2 })).Status);
        var preview = await customer.PostAsync("orders/preview", new { fromCart = true, address = LocalMall.Address() });
        Assert.Equal(13600, preview.Body.GetProperty("pricing").GetProperty("payableFen").GetInt64());

        var key = Guid.NewGuid().ToString();
        var created = await customer.PostAsync("orders", new { fromCart = true, address = LocalMall.Address() }, key);
        var retried = await customer.PostAsync("orders", new { fromCart = true, address = LocalMall.Address() }, key);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.OK, retried.Status);
        var orderId = created.Body.GetProperty("id").GetString()!;
        Assert.Equal(orderId, retried.Body.GetProperty("id").GetString());
        Assert.Equal("pendingPayment", created.Body.GetProperty("status").GetString());

        var pay = await customer.PostAsync($"orders/{orderId}/pay", new { });
        Assert.Equal(HttpStatusCode.OK, pay.Status);
        var payment = pay.Body.GetProperty("payment");
        Assert.StartsWith("prepay_id=", payment.GetProperty("package").GetString(), StringComparison.Ordinal);
        Assert.Equal("RSA", payment.GetProperty("signType").GetString());
        Assert.False(string.IsNullOrEmpty(payment.GetProperty("paySign").GetString()));

        // The customer pays in WeChat; WeChat notifies the mall's notify URL, signed and encrypted.
        await mall.Environment.Sandbox.PayAsync(orderId);
        var paid = await LocalMall.WaitForOrderAsync(customer, orderId, o => o.GetProperty("status").GetString() == "paid");

        Assert.Equal(13600, paid.GetProperty("payment").GetProperty("amountFen").GetInt64());
        Assert.Equal(8, (await customer.GetAsync($"products/{productId}")).Body.GetProperty("skus")[0].GetProperty("stock").GetInt64());
        // The sandbox records the delivery when the mall's answer reaches it, which may be after the order reads paid.
        await LocalMall.EventuallyAsync(() => mall.Environment.Sandbox.NotificationDeliveries.Any(d => d.Subject == orderId && d.StatusCode == 204), "the sandbox saw the mall answer 204");
    }

    [Fact]
    public async Task Another_customers_order_does_not_exist_for_you()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 1000, stock: 5);
        using var owner = await mall.NewCustomerAsync();
        using var stranger = await mall.NewCustomerAsync();
        var orderId = await LocalMall.PlaceAndPrepayAsync(owner, skuId, 1);

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"orders/{orderId}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"orders/{orderId}/pay", new { })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"orders/{orderId}/cancel", new { })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"orders/{orderId}/refunds", new { reason = "x" })).Status);
        Assert.Equal("pendingPayment", (await owner.GetAsync($"orders/{orderId}")).Body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Cancelling_an_unpaid_order_closes_it_at_wechat_and_returns_the_stock()
    {
        var (productId, skuId) = await mall.CreateProductAsync(priceFen: 1000, stock: 3);
        using var customer = await mall.NewCustomerAsync();
        var orderId = await LocalMall.PlaceAndPrepayAsync(customer, skuId, 3);
        Assert.Equal(0, (await customer.GetAsync($"products/{productId}")).Body.GetProperty("skus")[0].GetProperty("stock").GetInt64());

        var cancelled = await customer.PostAsync($"orders/{orderId}/cancel", new { });

        Assert.Equal("cancelled", cancelled.Body.GetProperty("status").GetString());
        Assert.Equal(3, (await customer.GetAsync($"products/{productId}")).Body.GetProperty("skus")[0].GetProperty("stock").GetInt64());
        Assert.Throws<InvalidOperationException>(() => mall.Environment.Sandbox.PayAsync(orderId, new SandboxPayOptions()).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task An_upload_WeChat_refuses_for_good_is_listed_for_operators_and_goes_through_once_they_retry()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 6800, stock: 5);
        using var customer = await mall.NewCustomerAsync();
        using var admin = await mall.AdminAsync();
        var orderId = await mall.PaidOrderAsync(customer, skuId, 1);

        // The mini-program's shipping API is not authorised yet (48001): no retry can fix that, an operator can.
        mall.Environment.Sandbox.InjectFault(MiniProgramApi.UploadShippingInfo, SandboxFault.Error(WeChatErrorCodes.ApiUnauthorized, "api unauthorized"));
        var shipped = await admin.PostAsync($"manage/orders/{orderId}/ship", new { carrier = "SF", trackingNumber = "SF7700000001" });
        var listed = await admin.GetAsync("manage/shipping-uploads/failed?pageSize=100");
        var seenByCustomer = await customer.GetAsync($"orders/{orderId}");
        var retried = await admin.PostAsync($"manage/orders/{orderId}/shipping-upload/retry", new { });
        var again = await admin.PostAsync($"manage/orders/{orderId}/shipping-upload/retry", new { });

        Assert.Equal(HttpStatusCode.OK, shipped.Status);
        var failure = shipped.Body.GetProperty("shipment").GetProperty("uploadFailure");
        Assert.Equal(("48001", true), (failure.GetProperty("code").GetString(), failure.GetProperty("gaveUp").GetBoolean()));
        var item = Assert.Single(listed.Body.GetProperty("items").EnumerateArray(), i => i.GetProperty("orderId").GetString() == orderId);
        Assert.Contains("api unauthorized", item.GetProperty("failure").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(seenByCustomer.Body.GetProperty("shipment").TryGetProperty("uploadFailure", out _));
        Assert.Equal(HttpStatusCode.OK, retried.Status);
        Assert.True(retried.Body.GetProperty("shipment").TryGetProperty("uploadedToWeChatAt", out var uploadedAt) && uploadedAt.ValueKind == System.Text.Json.JsonValueKind.String);
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.DoesNotContain((await admin.GetAsync("manage/shipping-uploads/failed?pageSize=100")).Body.GetProperty("items").EnumerateArray(), i => i.GetProperty("orderId").GetString() == orderId);
        Assert.Single(mall.Environment.Sandbox.ShippingUploads, u => u.Upload.ShippingList![0].TrackingNo == "SF7700000001");
    }
}
