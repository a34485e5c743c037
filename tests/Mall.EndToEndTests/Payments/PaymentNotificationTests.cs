using System.Net;
using System.Security.Cryptography;
using Mall.WeChat.Sandbox;

namespace Mall.EndToEndTests.Payments;

/// <summary>Forged, stale, mismatched and replayed WeChat Pay notifications against the running mall.</summary>
[Collection(nameof(LocalMall))]
public sealed class PaymentNotificationTests(LocalMall mall)
{
    private Uri NotifyUrl => new(mall.Host.BaseAddress, "api/payments/wechat/notify");

    [Fact]
    public async Task Forged_stale_and_wrong_amount_or_currency_notifications_change_nothing_and_the_genuine_one_pays_once()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 2500, stock: 5);
        using var customer = await mall.NewCustomerAsync();
        var orderId = await LocalMall.PlaceAndPrepayAsync(customer, skuId, 2);
        // Paid at WeChat, but the notification is held back so each variant can be sent by hand.
        var paid = await mall.Environment.Sandbox.PayAsync(orderId, new SandboxPayOptions { Notify = false });
        using var webhooks = mall.Anonymous();

        var genuine = mall.Environment.Sandbox.BuildPaymentNotification(paid.Resource);
        var tamperedBody = genuine with { Body = genuine.Body.Replace("\"TRANSACTION.SUCCESS\"", "\"TRANSACTION.SUCCESS\" ", StringComparison.Ordinal) };
        using var otherKey = RSA.Create(2048);
        var wrongKey = mall.Environment.Sandbox.BuildPaymentNotification(paid.Resource, new SandboxNotificationSigning { SigningKey = otherKey });
        var stale = mall.Environment.Sandbox.BuildPaymentNotification(paid.Resource, new SandboxNotificationSigning { Timestamp = DateTimeOffset.UtcNow.AddMinutes(-6) });
        var wrongAmount = mall.Environment.Sandbox.BuildPaymentNotification(
            paid.Resource with { Amount = paid.Resource.Amount! with { Total = 1, PayerTotal = 1 } });
        var wrongCurrency = mall.Environment.Sandbox.BuildPaymentNotification(paid.Resource with { Amount = paid.Resource.Amount! with { Currency = "USD" } });
        var noCurrency = mall.Environment.Sandbox.BuildPaymentNotification(paid.Resource with { Amount = paid.Resource.Amount! with { Currency = null } });

        foreach (var (name, forged, expected) in new[]
        {
            ("tampered body", tamperedBody, HttpStatusCode.Unauthorized),
            ("signed with another key", wrongKey, HttpStatusCode.Unauthorized),
            ("stale timestamp", stale, HttpStatusCode.Unauthorized),
            ("wrong amount", wrongAmount, HttpStatusCode.BadRequest),
            ("amount in another currency", wrongCurrency, HttpStatusCode.BadRequest),
            ("amount without a currency", noCurrency, HttpStatusCode.BadRequest),
        })
        {
            var response = await webhooks.SendAsync(forged.ToHttpRequest(NotifyUrl));
            Assert.True(response.Status == expected, $"{name}: expected {expected}, got {response.Status} {response.Body}");
            Assert.False(string.IsNullOrEmpty(response.Body.GetProperty("code").GetString()));
            Assert.Equal("pendingPayment", (await customer.GetAsync($"orders/{orderId}")).Body.GetProperty("status").GetString());
        }

        Assert.Equal(HttpStatusCode.NoContent, (await webhooks.SendAsync(genuine.ToHttpRequest(NotifyUrl))).Status);
        // WeChat redelivers until it sees a 2xx; a replay is acknowledged and changes nothing.
        Assert.Equal(HttpStatusCode.NoContent, (await webhooks.SendAsync(genuine.ToHttpRequest(NotifyUrl))).Status);

        var order = (await customer.GetAsync($"orders/{orderId}")).Body;
        Assert.Equal("paid", order.GetProperty("status").GetString());
        Assert.Single(order.GetProperty("history").EnumerateArray(), h => h.GetProperty("status").GetString() == "paid");
    }

    [Fact]
    public async Task Duplicate_deliveries_from_wechat_pay_the_order_exactly_once()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 990, stock: 5);
        using var customer = await mall.NewCustomerAsync();
        var orderId = await LocalMall.PlaceAndPrepayAsync(customer, skuId, 1);

        await mall.Environment.Sandbox.PayAsync(orderId, new SandboxPayOptions { Duplicate = true });

        var order = await LocalMall.WaitForOrderAsync(customer, orderId, o => o.GetProperty("status").GetString() == "paid");
        await WaitUntilAsync(() => mall.Environment.Sandbox.NotificationDeliveries.Count(d => d.Subject == orderId && d.Delivered) == 2);
        Assert.Single(order.GetProperty("history").EnumerateArray(), h => h.GetProperty("status").GetString() == "paid");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Not reached within 30 s.");
            await Task.Delay(100);
        }
    }
}
