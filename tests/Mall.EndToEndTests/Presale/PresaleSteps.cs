using System.Net;
using System.Text.Json;

namespace Mall.EndToEndTests.Presale;

/// <summary>An operator's and a customer's steps in a presale, through the running mall and the sandbox.</summary>
internal static class PresaleSteps
{
    public const string ReminderTemplateId = "tmpl-presale-balance";

    public static async Task<(string CampaignId, string ProductId)> CampaignAsync(LocalMall mall, TimeSpan depositWindow, TimeSpan balanceWindow, bool refundable)
    {
        var (productId, skuId) = await mall.CreateProductAsync(priceFen: 49900, stock: 5);
        using var admin = await mall.AdminAsync();
        var now = DateTimeOffset.UtcNow;
        var created = await admin.PostAsync("manage/presale-campaigns", new
        {
            skuId,
            depositFen = 5000,
            depositValueFen = 10000,
            finalPriceFen = 39900,
            depositStartsAt = now.AddSeconds(-1),
            depositEndsAt = now + depositWindow,
            balanceStartsAt = now + depositWindow,
            balanceEndsAt = now + depositWindow + balanceWindow,
            depositRefundable = refundable,
            reminderTemplateId = ReminderTemplateId,
        });
        Assert.True(created.Status == HttpStatusCode.Created, created.Body.ToString());
        return (created.Body.GetProperty("id").GetString()!, productId);
    }

    public static async Task<string> ReserveAndPayDepositAsync(LocalMall mall, ApiClient customer, string campaignId)
    {
        var reserved = await customer.PostAsync("presales", new { campaignId, address = LocalMall.Address() }, idempotencyKey: Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, reserved.Status);
        var depositOrder = reserved.Body.GetProperty("order");
        Assert.Equal(5000, depositOrder.GetProperty("pricing").GetProperty("payableFen").GetInt64());
        var orderId = depositOrder.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await customer.PostAsync($"orders/{orderId}/pay", new { })).Status);
        await mall.Environment.Sandbox.PayAsync(orderId);
        await LocalMall.WaitForOrderAsync(customer, orderId, o => o.GetProperty("status").GetString() == "paid");

        // The reservation counts the deposit when the dispatcher delivers the order's OrderPaid.
        var reservationId = reserved.Body.GetProperty("presale").GetProperty("id").GetString()!;
        await WaitForPresaleAsync(customer, reservationId, "depositPaid");
        return reservationId;
    }

    public static async Task<JsonElement> WaitForPresaleAsync(ApiClient customer, string reservationId, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var presale = (await customer.GetAsync($"presales/{reservationId}")).Body;
            if (presale.GetProperty("status").GetString() == status)
            {
                return presale;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Presale {reservationId} never became {status}: {presale}");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Waits until WeChat has delivered a balance reminder (to a customer who accepted the template): at the end of
    /// the deposit window, after a host restart too, which on a loaded machine (CI runs the test projects side by
    /// side) can take most of 30 s by itself, hence a minute.
    /// </summary>
    public static async Task WaitForReminderAsync(LocalMall mall)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!mall.Environment.Sandbox.SubscribeMessages.Any(m => m.Message.TemplateId == ReminderTemplateId))
        {
            Assert.True(DateTime.UtcNow < deadline, "No balance reminder within 60 s.");
            await Task.Delay(250);
        }
    }

    /// <summary>Waits until the window closed with the deposit refunded and its unit back on sale.</summary>
    public static async Task WaitForDepositRefundAsync(LocalMall mall, ApiClient customer, string reservationId, string productId)
    {
        var refunded = await WaitForPresaleAsync(customer, reservationId, "depositRefunded");
        using var admin = await mall.AdminAsync();
        await LocalMall.WaitForAsync(admin, $"manage/orders/{refunded.GetProperty("depositOrderId").GetString()}", o =>
            o.GetProperty("refundedFen").GetInt64() == 5000 && o.GetProperty("refunds")[0].GetProperty("stockReturned").GetBoolean());
        Assert.Equal(5, (await customer.GetAsync($"products/{productId}")).Body.GetProperty("skus")[0].GetProperty("stock").GetInt64());
    }
}
